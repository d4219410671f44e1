/* struct changer loses a member in the middle: every later member moves,
 * the functions using them are compiled with the new offsets, but the
 * objects the running kernel has keep the old layout: refused. */
struct changer {
	int nr;
	void *dev;
	long unused;
	int voltags;
	unsigned int counts[4];
};

int changer_voltags(struct changer *ch)
{
	return ch->voltags;
}
