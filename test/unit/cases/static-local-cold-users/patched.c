/*
 * The shape of kernel/sysctl.c's proc_first_pos_non_zero_ignore(): the
 * flag of a pr_warn_once() is tested in the function and set, with the
 * message, in its .cold part.  The patch adds a second pr_warn_once()
 * first.  In the function only the order of the tests tells the flags
 * apart, in the .cold part the messages do: the users' evidence is summed,
 * the old flag stays the kernel's (its message stays silent once printed)
 * and the new one is new.
 */
#define __section(s) __attribute__((__section__(s)))

extern int printk(const char *fmt, ...)
	__attribute__((__format__(printf, 1, 2), __cold__));
extern int writes_strict;

#define printk_once(fmt, ...) ({					\
	static _Bool __section(".data.once") __already_done;		\
	if (!__already_done) {						\
		__already_done = 1;					\
		printk(fmt, ##__VA_ARGS__);				\
	}								\
})

static inline void warn_write(const char *name)
{
	printk_once("kpb: %s written at a position\n", name);
	printk_once("%s written when position was not 0\n", name);
}

int first_pos_ignore(long *ppos, const char *name)
{
	if (*ppos == 0)
		return 0;
	switch (writes_strict) {
	case -1:
		return 0;
	case 0:
		warn_write(name);
		return 0;
	default:
		return 1;
	}
}
