/*
 * A netlink-style policy table: static const, in .rodata, without
 * pointers, read by two functions.  The fix changes one of its entries:
 * both readers become changed and read the livepatch's copy of the new
 * table (like a switch table), the unchanged function that does not read
 * it stays out.
 */
struct policy { unsigned short type, len; };

static const struct policy entry_policy[4] = {
	[1] = { .type = 3 }, [2] = { .type = 3 }, [3] = { .len = 4 },
};

extern int parse(const void *msg, const struct policy *p, int n);

int parse_entry(const void *msg)
{
	return parse(msg, entry_policy, 4);
}

int parse_entry_len(const void *msg)
{
	return entry_policy[3].len + parse(msg, 0, 0);
}

int other(const void *msg)
{
	return parse(msg, 0, 1);
}
