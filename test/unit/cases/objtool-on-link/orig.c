/*
 * A module's object on a kernel whose kbuild runs objtool on the linked
 * module (IBT: Linux 6.12's single-object modules come with objtool's
 * tables already): with --objtool-on-link, the tables objtool makes
 * (.return_sites here) are left out, since objtool would skip making its
 * own for the whole livepatch module; objtool-tables-kept: without it.
 */
#define RETURN_SITE \
	asm volatile("1: nop\n\t" \
		     ".pushsection .return_sites, \"a\"\n\t" \
		     ".long 1b - .\n\t" \
		     ".popsection")

int count(int v)
{
	RETURN_SITE;
	return v + 1;
}
