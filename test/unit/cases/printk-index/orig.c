/*
 * CONFIG_PRINTK_INDEX (Linux 6.1's printk()): every printk() with a
 * constant format adds a struct pi_entry (format, __func__, __FILE__,
 * __LINE__, level, prefix) and a pointer to it in .printk_index, which
 * debugfs printk/index/ lists.  Editing a message must patch the function
 * that prints it: the entries are its metadata, not kernel state to refuse
 * as changed data.  The livepatch module does not carry them (its index
 * would be listed as the livepatch module's, not vmlinux's): a "dropped"
 * line names each function whose entries changed.
 */
struct pi_entry {
	const char *fmt;
	const char *func;
	const char *file;
	unsigned int line;
	const char *level;
	const char *subsys_fmt_prefix;
} __attribute__((__packed__));

extern int _printk(const char *fmt, ...);

#define printk(_fmt, ...)						\
	({								\
		static const struct pi_entry _entry			\
		__attribute__((__used__)) = {				\
			.fmt = _fmt, .func = __func__, .file = __FILE__,	\
			.line = __LINE__,				\
		};							\
		static const struct pi_entry *_entry_ptr		\
		__attribute__((__used__, __section__(".printk_index"))) =	\
			&_entry;					\
		_printk(_fmt, ##__VA_ARGS__);				\
	})

int report_error(int err)
{
	printk("thing: failed with %d\n", err);
	return err;
}

int report_ok(int n)
{
	printk("thing: %d done\n", n);
	return 0;
}
