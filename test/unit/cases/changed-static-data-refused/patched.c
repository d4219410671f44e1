/* The initial value of a file-scope static changes (it is written by
 * set_timeout(), so gcc keeps it as data): the differ must refuse. */
static int timeout_ms = 250;

void set_timeout(int ms)
{
	timeout_ms = ms;
}

int timed_out(int elapsed)
{
	return elapsed > timeout_ms;
}
