/*
 * probe_e()'s pr_debug() gets another format, probe_r() (the last call
 * site, so no descriptor is renamed) loses its pr_debug(), and probe_k()
 * only moves down two lines: its descriptor's __LINE__ and GCC's numbers
 * change, nothing else.  The descriptors and __func__ strings are not
 * "changed existing static data": probe_e() gets a descriptor of its own,
 * probe_r() none, probe_k() is unchanged.
 */
#include "dyndbg.h"

int probe_e(int x)
{
	pr_debug("probe_e: x is %d\n", x);
	return x * 2;
}

/* two lines more */

int probe_k(int x)
{
	pr_debug("probe_k %d\n", x);
	return x - 3;
}

int probe_r(int x)
{
	return x + 1;
}
