/* A changed initial value would be refused; its section is ignored. */
#include "kpatch-macros.h"

int limit = 20;

int over_limit(int v)
{
	return v >= limit;
}
KPATCH_IGNORE_SECTION(".data.limit");
