/* A new enumerator at the end: the old ones keep their values and the
 * enum its size: accepted. */
enum state {
	STATE_IDLE,
	STATE_BUSY,
};

int is_busy(enum state s)
{
	return s == STATE_BUSY;
}
