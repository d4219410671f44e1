/*
 * A new exported helper (Linux 6.1's EXPORT_SYMBOL with PREL32
 * relocations: a "___ksymtab+NAME" section and the name in
 * __ksymtab_strings).  The kernel cannot add an export from a livepatch,
 * and nothing outside the patch uses the new function yet: the function is
 * kept, the export is named in a "dropped" line.  A removed export is named
 * too (the running kernel keeps exporting it).
 */
#define EXPORT(sym)							\
	asm(".section \"___ksymtab+" #sym "\", \"a\"\n"			\
	    ".balign 4\n"						\
	    "__ksymtab_" #sym ":\n"					\
	    ".long " #sym " - .\n"					\
	    ".long __kstrtab_" #sym " - .\n"				\
	    ".long __kstrtabns_" #sym " - .\n"				\
	    ".previous\n"						\
	    ".section \"__ksymtab_strings\",\"aMS\",%progbits,1\n"	\
	    "__kstrtab_" #sym ":\n"					\
	    ".asciz \"" #sym "\"\n"					\
	    "__kstrtabns_" #sym ":\n"					\
	    ".asciz \"\"\n"						\
	    ".previous\n")

int old_api(int x)
{
	return x * 3;
}

int new_api(int x)
{
	return x * 5;
}
EXPORT(new_api);

int user(int x)
{
	return new_api(x) + 1;
}
