/* A changed __init function is refused unless forced; it is not patched. */
#include "kpatch-macros.h"

#define __init __attribute__((__section__(".init.text"))) __attribute__((cold))

int boot_mode;

int __init setup_boot_mode(void)
{
	boot_mode = 3;
	return 0;
}
KPATCH_FORCE_UNSAFE(setup_boot_mode);

int get_boot_mode(void)
{
	return boot_mode + 1;
}
