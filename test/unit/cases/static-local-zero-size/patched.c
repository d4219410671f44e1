/*
 * init_locks() initializes mutexes of an array through the same
 * expression, so nothing tells the call sites' lockdep keys apart; the
 * patch adds a third.  Without lockdep a key has size 0: no state to
 * keep, so the ambiguous keys are not refused, they are new data.
 */
#include "ratelimit-once.h"

void init_locks(struct mutex *m, int n)
{
	mutex_init(m);
	if (n > 2)
		mutex_init(m);
	if (n > 1)
		mutex_init(m);
}
