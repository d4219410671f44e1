/* packet_ok() gains a call to a new static helper. */
struct packet {
	int len;
	unsigned int flags;
};

int packet_ok(const struct packet *p)
{
	return p->len > 0;
}

int packet_len(const struct packet *p)
{
	return p->len;
}
