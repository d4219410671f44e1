/* packet_ok() gains a call to a new static helper. */
#define noinline __attribute__((__noinline__))

struct packet {
	int len;
	unsigned int flags;
};

static noinline int flags_valid(unsigned int flags)
{
	return (flags & ~0x7u) == 0;
}

int packet_ok(const struct packet *p)
{
	return p->len > 0 && flags_valid(p->flags);
}

int packet_len(const struct packet *p)
{
	return p->len;
}
