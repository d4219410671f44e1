/* fold_flags() is inlined into apply_flags(); only the caller exists. */
static inline unsigned int fold_flags(unsigned int f)
{
	return f & 0x7f;
}

unsigned int apply_flags(unsigned int *dst, unsigned int f)
{
	*dst |= fold_flags(f);
	return *dst;
}

void clear_flags(unsigned int *dst)
{
	*dst = 0;
}
