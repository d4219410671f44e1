/*
 * Linux 6.12's EXPORT_SYMBOL: a record in .export_symbol (the license,
 * the namespace, then a pointer to the symbol), which modpost reads.  A new
 * export and one that becomes EXPORT_SYMBOL_GPL are named in "dropped"
 * lines; the new function itself is kept.
 */
#define EXPORT(sym, license)						\
	asm(".section \".export_symbol\",\"a\"\n"			\
	    "__export_symbol_" #sym ":\n"				\
	    ".asciz \"" license "\"\n"					\
	    ".ascii \"\\0\"\n"						\
	    ".balign 8\n"						\
	    ".quad " #sym "\n"						\
	    ".previous\n")

int old_api(int x)
{
	return x * 3;
}
EXPORT(old_api, "GPL");

int new_api(int x)
{
	return x * 5;
}
EXPORT(new_api, "");

int user(int x)
{
	return new_api(x) + 1;
}
