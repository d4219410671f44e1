/*
 * The shape of a real nfsd fix: nfsd_read()'s .cold part reports with two
 * __func__ strings, its own and that of check_len(), inlined; the patch
 * moves nfsd_read()'s own check first, and the cold part now uses them in
 * the other order.  __func__ is a constant: compared by its content,
 * copied into the livepatch, never paired by number (which refused it,
 * "its users used different variables in the original").
 */
extern int printk(const char *fmt, ...) __attribute__((__format__(printf, 1, 2)));
extern void __attribute__((__cold__)) report_bad(const char *who, int x);

static inline __attribute__((__always_inline__)) int check_len(int len)
{
	if (__builtin_expect(len > 4096, 0)) {
		report_bad(__func__, len);
		return -1;
	}
	return 0;
}

int nfsd_read(int len, int off)
{
	if (__builtin_expect(off < 0, 0)) {
		report_bad(__func__, off);
		return -22;
	}
	if (check_len(len))
		return -22;
	printk("%s: %d\n", __func__, len + off);
	return len;
}
