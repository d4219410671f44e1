/* Both functions change; KPATCH_IGNORE_FUNCTION keeps one unpatched. */
#include "kpatch-macros.h"

int level;

int raise_level(void)
{
	level += 2;
	return level;
}

int lower_level(void)
{
	level -= 2;
	return level;
}
KPATCH_IGNORE_FUNCTION(lower_level);
