/*
 * Two functions each count in a "static int count".  The patch changes
 * count_rx() and adds a third counter, in a new function, and GCC
 * renumbers them all: count_tx()'s variable gets the number count_rx()'s
 * had.  Pairing by name would take count_tx()'s counter (initial value 5)
 * for count_rx()'s (0) and refuse a changed initial value; paired by the
 * function using them, the patched count_rx() goes on counting in the
 * kernel's variable of the original count_rx(), by its original name.
 */
int count_rx(int n)
{
	static int count;

	if (n < 0)
		return count;
	count += n;
	return count;
}

int count_tx(int n)
{
	static int count = 5;

	count -= n;
	return count;
}

int count_err(int n)
{
	static int count;

	count += n;
	return count;
}
