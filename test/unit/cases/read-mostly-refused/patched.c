/*
 * __read_mostly data lives in one shared section, .data..read_mostly.  The
 * patch changes the initial value of one variable there: refused, naming
 * the section and suggesting shadow variables or a callback.
 */
#define __read_mostly __attribute__((__section__(".data..read_mostly")))

int sample_limit __read_mostly = 32;
int sample_floor __read_mostly = 1;

int over_limit(int x)
{
	return x > sample_limit || x < sample_floor;
}
