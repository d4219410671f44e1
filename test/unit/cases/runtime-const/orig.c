/*
 * Runtime constants (Linux 6.11+ x86, asm/runtime-const.h): vmlinux code
 * loads USER_PTR_MAX as a movabs immediate that the kernel writes at boot.
 * The copy of a changed function reads the variable instead, as a module
 * does.
 */
#include "runtime-const.h"

extern unsigned long USER_PTR_MAX;

int valid_user_address(unsigned long addr)
{
	return addr <= runtime_const_ptr(USER_PTR_MAX) ;
}

unsigned long unchanged_user(unsigned long addr)
{
	return addr > runtime_const_ptr(USER_PTR_MAX);
}
