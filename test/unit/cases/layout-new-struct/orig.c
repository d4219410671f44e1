/* A new struct, used only by a new function: no existing object has it. */
struct packet {
	int len;
	unsigned int flags;
};

int packet_ok(const struct packet *p)
{
	return p->len > 0;
}
