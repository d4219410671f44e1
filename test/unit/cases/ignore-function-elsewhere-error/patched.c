/*
 * KPATCH_IGNORE_FUNCTION names a function of another file: a misused
 * macro is an error in the input (exit status 1), not a refusal of the
 * change.
 */
#include "kpatch-macros.h"

extern int lower_level(void);

int level;

int raise_level(void)
{
	level += 2;
	return lower_level();
}
KPATCH_IGNORE_FUNCTION(lower_level);
