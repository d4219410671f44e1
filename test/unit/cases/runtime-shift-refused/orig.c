/*
 * Runtime constants (Linux 6.11+ x86, asm/runtime-const.h): a shift
 * constant (d_hash's) cannot be rewritten in place into a read of the
 * variable: a changed function that uses one is refused, while another
 * changed function's pointer constant is fine.
 */
#include "../runtime-const/runtime-const.h"

extern unsigned long USER_PTR_MAX;
extern unsigned int d_hash_shift;

int valid_user_address(unsigned long addr)
{
	return addr <= runtime_const_ptr(USER_PTR_MAX) ;
}

unsigned int d_hash(unsigned int hash)
{
	return runtime_const_shift_right_32(hash, d_hash_shift) ;
}

unsigned long unchanged_user(unsigned long addr)
{
	return addr > runtime_const_ptr(USER_PTR_MAX);
}
