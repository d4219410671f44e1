/*
 * clamp() is inlined into both its callers; the patch changes it.  Its
 * callers are what changed in the object: both are patched, not the
 * function that does not use it.
 */
static inline int clamp(int v)
{
	return v > 99 ? 99 : v;
}

int set_level(int *dst, int v)
{
	*dst = clamp(v);
	return 0;
}

int level_delta(int a, int b)
{
	return clamp(a) - clamp(b);
}

int unrelated(int v)
{
	return v * 2;
}
