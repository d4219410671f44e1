/*
 * probe_a() gains a pr_debug().  Its descriptor takes __COUNTER__ 0, so the
 * descriptors of probe_b() and probe_c() are renamed (__UNIQUE_ID_ddebug1
 * and 2 instead of 0 and 1), their __func__.N renumbered and their __LINE__
 * moved: they are the same call sites, and probe_b() and probe_c() are
 * unchanged.  probe_a() gets a descriptor of its own, in the module's
 * __dyndbg, which the module loader registers for the livepatch module.
 */
#include "dyndbg.h"

int probe_a(int x)
{
	pr_debug("probe_a %d\n", x);
	return x + 1;
}

int probe_b(int x)
{
	pr_debug("probe_b %d\n", x);
	return x * 2;
}

int probe_c(int x)
{
	pr_debug("probe_c %d\n", x);
	return x - 3;
}
