/*
 * rx_check() has a printk_ratelimited() (a static "_rs" ratelimit state), a
 * pr_warn_once() (a static "__already_done" flag) and a mutex_init()
 * without lockdep (a zero-size "__key"); the patch adds one more of each
 * before them.  The old ones keep the kernel's state by their call sites
 * (the ratelimit goes on, a message printed once stays silent), the new
 * ones are new data.  tx_check() is unchanged.
 */
#include "ratelimit-once.h"

int rx_check(int len, struct mutex *m)
{
	if (len == 0)
		printk_ratelimited("rx: empty frame\n");
	if (len < 0)
		printk_ratelimited("rx: bad length %d\n", len);
	if (len > 65535)
		pr_warn_once("rx: giant frame %d\n", len);
	if (len > 9000)
		pr_warn_once("rx: jumbo frame %d\n", len);
	mutex_init(m + 1);
	mutex_init(m);
	return len;
}

int tx_check(int len)
{
	if (len < 0)
		printk_ratelimited("tx: bad length %d\n", len);
	return len;
}
