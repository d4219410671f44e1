/*
 * IBT (-fcf-protection=branch): scale() is static with direct callers
 * only, so gcc gives it no ENDBR; klp_func.new_func will point at it, which
 * objtool (Linux 6.2+ with IBT, on the linked module) calls a "data
 * relocation to !ENDBR": the copy gets an ANNOTATE_NOENDBR entry.
 * apply() has its ENDBR and needs none.
 */
#define noinline __attribute__((__noinline__))

static noinline int scale(int v)
{
	return v * 5;
}

int apply(int v)
{
	return scale(v) + 2;
}
