/* A bitfield grows by a bit: the next one moves within the same byte. */
struct mode {
	unsigned int kind:4;
	unsigned int prio:4;
	unsigned int rest:24;
};

unsigned int mode_prio(struct mode *m)
{
	return m->prio;
}
