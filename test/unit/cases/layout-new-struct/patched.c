/* A new struct, used only by a new function: no existing object has it. */
struct packet {
	int len;
	unsigned int flags;
};

struct limits {
	int min_len;
	int max_len;
};

static const struct limits packet_limits = { 1, 1500 };

__attribute__((noipa)) static int len_valid(const struct limits *l, int len)
{
	return len >= l->min_len && len <= l->max_len;
}

int packet_ok(const struct packet *p)
{
	return len_valid(&packet_limits, p->len);
}
