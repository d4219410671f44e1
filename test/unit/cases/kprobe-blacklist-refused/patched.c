/*
 * NOKPROBE_SYMBOL() (Linux 6.1: a pointer to the function in
 * _kprobe_blacklist): the kernel makes its blacklist from vmlinux's table
 * at boot.  A patch that adds one (the fix for a kprobe recursion, say)
 * changed nothing else: it was "no change"; it is refused, naming it.
 */
#define NOKPROBE_SYMBOL(fname)						\
	static unsigned long __attribute__((__used__,			\
		__section__("_kprobe_blacklist"))) _kbl_addr_##fname =	\
		(unsigned long)fname

extern int handler_depth;

int probe_handler(int x)
{
	handler_depth++;
	return x;
}
NOKPROBE_SYMBOL(probe_handler);
