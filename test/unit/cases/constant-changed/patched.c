/*
 * Only fill_b()'s vector constant changes.  Its code and its relocation
 * (to the label .LC1 in .rodata.cst16) are the same: the constant is
 * compared by what it holds, so fill_b() is changed, and the new constant
 * is copied with it.
 */
typedef int v4si __attribute__((__vector_size__(16)));

extern void use_vec(v4si *p);

void fill_a(v4si *p)
{
	*p = (v4si){ 1, 2, 3, 4 };
	use_vec(p);
}

void fill_b(v4si *p)
{
	*p = (v4si){ 5, 6, 7, 9 };
	use_vec(p);
}
