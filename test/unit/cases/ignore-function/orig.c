/* Both functions change; KPATCH_IGNORE_FUNCTION keeps one unpatched. */
int level;

int raise_level(void)
{
	return ++level;
}

int lower_level(void)
{
	return --level;
}
