/*
 * The same table, but data points at it (an ops structure registered at
 * init keeps its address): a copy would not reach that reader, so the
 * change is refused.
 */
struct policy { unsigned short type, len; };

static const struct policy entry_policy[4] = {
	[1] = { .type = 3 }, [2] = { .type = 3 }, [3] = { .len = 4 },
};

struct ops { const struct policy *policy; int n; };
const struct ops entry_ops = { entry_policy, 4 };

extern int parse(const void *msg, const struct policy *p, int n);

int parse_entry(const void *msg)
{
	return parse(msg, entry_policy, 4);
}
