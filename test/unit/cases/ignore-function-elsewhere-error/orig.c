/*
 * KPATCH_IGNORE_FUNCTION names a function of another file: a misused
 * macro is an error in the input (exit status 1), not a refusal of the
 * change.
 */
extern int lower_level(void);

int level;

int raise_level(void)
{
	level += 1;
	return lower_level();
}
