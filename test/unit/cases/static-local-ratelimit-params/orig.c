/*
 * fs/efivarfs/super.c in the 6.1.190 update: pr_warn_ratelimited()'s "_rs"
 * (the default interval and burst) becomes a DEFINE_RATELIMIT_STATE(_rs,
 * 2 * HZ, 5) of the fix's own.  The paired "_rs" has another initial
 * value: a ratelimit state starts fresh (new, with a warning) rather than
 * being refused as changed data.  Other changed data still is refused
 * (changed-static-data-refused).
 */
struct ratelimit_state { int lock, interval, burst, printed, missed; };

#define RATELIMIT(interval, burst) ({					\
	static struct ratelimit_state _rs = { 0, interval, burst, 0, 0 };	\
	ratelimit(&_rs);						\
})

extern int ratelimit(struct ratelimit_state *rs);
extern void warn(const char *msg);

void query(int status)
{
	if (status && RATELIMIT(5 * 250, 10))
		warn("query failed");
}
