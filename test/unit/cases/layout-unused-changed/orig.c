/* struct stats grows at its end, but no changed or new function uses it
 * (stats_rx() compiles the same): a warning, not a refusal. */
struct stats {
	unsigned long rx;
	unsigned long tx;
};

unsigned long stats_rx(struct stats *s)
{
	return s->rx;
}

int limit(int x)
{
	return x > 10 ? 10 : x;
}
