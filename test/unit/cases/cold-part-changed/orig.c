/*
 * GCC moves the unlikely error path of check_len() out of line, into
 * check_len.cold, which has no ftrace entry.  Only that path changes (its
 * message): check_len() itself is byte for byte the same, but it is what
 * livepatch can redirect, so it is patched, and the new cold part is copied
 * with it; the new check_len() jumps to the new cold part, not the old one.
 */
extern int printk(const char *fmt, ...)
	__attribute__((__cold__, __format__(printf, 1, 2)));
extern void note_len(int len);
extern void bad_len(int len) __attribute__((__cold__));

int check_len(int len)
{
	if (__builtin_expect(len > 1500, 0)) {
		printk("check_len: %d is too long\n", len);
		bad_len(len);
		return -1;
	}
	note_len(len);
	return len + 1;
}

int check_other(int len)
{
	return len > 64;
}
