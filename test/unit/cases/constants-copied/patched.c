/*
 * fill_b() changes.  It uses constants: a 16-byte vector (in .rodata.cst16,
 * reached through the assembler's label .LC1, which no symbol table of the
 * kernel has), a string literal and __func__ (__func__.N, which every
 * object has).  They are copied into the livepatch, never references to
 * the kernel's; fill_a()'s constant (.LC0) is left out.
 */
typedef int v4si __attribute__((__vector_size__(16)));

extern void use_vec(v4si *p);
extern int printk(const char *fmt, ...) __attribute__((__format__(printf, 1, 2)));

void fill_a(v4si *p)
{
	*p = (v4si){ 1, 2, 3, 4 };
	use_vec(p);
}

void fill_b(v4si *p)
{
	*p = (v4si){ 5, 6, 7, 8 };
	printk("%s: filled %d\n", __func__, (*p)[0]);
}
