/*
 * A table in a section the differ does not know points inside the changed
 * function (a label's address): refused, unless KPATCH_FORCE_UNSAFE.
 */
#include "kpatch-macros.h"

int count;

int step(int v)
{
	static void *const resume __attribute__((used, section("resume_table")))
		= &&again;
again:
	count++;
	if (v > 100)
		return v;
	return v * 3;
}
KPATCH_FORCE_UNSAFE(step);
