/*
 * printk_once() (Linux 6.1 DO_ONCE_LITE) keeps a flag, a static
 * __already_done in .data.once, per call site.  warn_new() gains one: a
 * new flag, new-data that lives in the module (the new message may be
 * printed once more after patching, which is the point of a new one; this
 * is not state worth refusing).  warn_old() changes and keeps its flag:
 * the kernel's, by the original's name, so a message printed already stays
 * silent.  warn_same() does not change, though the new flag renumbers its.
 */
#define __section(s) __attribute__((__section__(s)))

extern int printk(const char *fmt, ...) __attribute__((__format__(printf, 1, 2)));

#define printk_once(fmt, ...) ({					\
	static _Bool __section(".data.once") __already_done;		\
	if (!__already_done) {						\
		__already_done = 1;					\
		printk(fmt, ##__VA_ARGS__);				\
	}								\
})

int warn_old(int x)
{
	if (x < 0)
		printk_once("negative %d\n", x);
	return x;
}

int warn_new(int x)
{
	return x * 2;
}

int warn_same(int x)
{
	if (x > 9)
		printk_once("big %d\n", x);
	return x;
}
