/* The function changes, the struct it uses does not: accepted. */
struct packet {
	int len;
	unsigned int flags;
	struct packet *next;
};

int packet_ok(const struct packet *p)
{
	return p->len > 0 && !(p->flags & 1);
}
