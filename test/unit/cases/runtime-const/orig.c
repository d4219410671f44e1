/*
 * Runtime constants (Linux 6.11+ x86, asm/runtime-const.h): vmlinux code
 * loads USER_PTR_MAX as a movabs immediate that the kernel writes at boot.
 * The copy of a changed function reads the variable instead, as a module
 * does.
 */
#define runtime_const_ptr(sym) ({					\
	unsigned long __ret;						\
	asm volatile("mov %1,%0\n1:\n"					\
		".pushsection runtime_ptr_" #sym ",\"a\"\n\t"		\
		".long 1b - %c2 - .\n"					\
		".popsection"						\
		: "=r" (__ret)						\
		: "i" ((unsigned long)0x0123456789abcdefull),		\
		  "i" (sizeof(long)));					\
	__ret; })

extern unsigned long USER_PTR_MAX;

int valid_user_address(unsigned long addr)
{
	return addr <= runtime_const_ptr(USER_PTR_MAX) ;
}

unsigned long unchanged_user(unsigned long addr)
{
	return addr > runtime_const_ptr(USER_PTR_MAX);
}
