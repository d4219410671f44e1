/*
 * dev_setup() initializes two mutexes, a spinlock and a wait queue, each
 * with its own lockdep key (__key.N); the patch adds a third mutex_init(),
 * second.  The keys are paired by their call sites: the old ones are the
 * kernel's, by the original's names (a lock class stays the same class),
 * the new one is new data.  dev_reset() is unchanged.
 */
#include "lock-keys.h"

void dev_setup(struct dev *d)
{
	mutex_init(&d->cfg_lock);
	mutex_init(&d->io_lock);
	spin_lock_init(&d->stat_lock);
	init_waitqueue_head(&d->wait);
}

void dev_reset(struct dev *d)
{
	mutex_init(&d->cfg_lock);
}
