/*
 * A global notrace function (every function of lib/ is built without
 * -pg) has no __fentry__ call: livepatch cannot redirect it, and callers
 * in other objects cannot be patched in its place.  Forcing does not help.
 */
#include "kpatch-macros.h"

#define notrace __attribute__((__no_instrument_function__))

int hits;

notrace int count_hit(int n)
{
	hits += n + 1;
	return hits;
}
KPATCH_FORCE_UNSAFE(count_hit);
