/*
 * rx_done() starts counting in a new "static unsigned int hits"; tx_done()
 * already has a "hits" of its own, and GCC gives the new one the number
 * tx_done()'s had (hits.0).  The new one is new data in the module, not
 * tx_done()'s variable, and tx_done() is left alone.
 */
unsigned int tx_done(unsigned int n)
{
	static unsigned int hits;

	hits += n;
	return hits;
}

unsigned int rx_done(unsigned int n)
{
	static unsigned int hits;

	hits++;
	return n + 1;
}
