/*
 * fs/smb/client/smb2ops.c in the 6.1.190 update: printk_ratelimited()'s
 * "_rs", one per call site, with the same message at two sites; the fix
 * adds another.  Which old _rs is which new one cannot be told by use:
 * a ratelimit state's counters are no state worth a refusal, so each
 * ambiguous one starts fresh in the livepatch.
 */
struct ratelimit_state { int lock, interval, burst, printed, missed; };
struct ext { const char *msg; };
extern int ratelimit(struct ratelimit_state *rs, const char *m);

#define SET_MSG(e, m) do {						\
	static struct ratelimit_state _rs = { 0, 1250, 10, 0, 0 };	\
	if (ratelimit(&_rs, m))						\
		(e)->msg = m;						\
} while (0)

int check_a(int v, struct ext *e)
{
	if (v < 0) {
		SET_MSG(e, "negative value");
		return -1;
	}
	return 0;
}

int check_b(int v, struct ext *e)
{
	if (v > 100) {
		SET_MSG(e, "value too large");
		return -1;
	}
	if (v == 50) {
		SET_MSG(e, "value too large");
		return -2;
	}
	return 0;
}
