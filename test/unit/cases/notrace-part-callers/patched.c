/*
 * fill_table() is notrace; GCC inlines its quick check into each caller
 * and keeps the rest out of line as fill_table.part.0, with no ftrace
 * entry either.  The patch changes that rest: livepatch cannot redirect
 * fill_table.part.0, so its callers (byte for byte the same, but calling
 * it) are patched, and call a copy of the new fill_table.part.0.
 */
#define notrace __attribute__((__no_instrument_function__))

extern void store(int v);
extern int table[64];

static notrace int fill_table(int x)
{
	int i, s = 0;

	if (__builtin_expect(x < 0, 1))
		return 0;
	for (i = 0; i < 64; i++) {
		s += table[i] * x;
		store(s);
	}
	store(x);
	store(x * 2);
	store(x * 5);
	store(x * 4);
	return s * 6;
}

int fill_one(int x)
{
	return fill_table(x) + 1;
}

int fill_two(int x)
{
	return fill_table(x) + 2;
}

int fill_three(int x)
{
	return fill_table(x) + 3;
}

int untouched(int x)
{
	return x * 2;
}

int fill_four(int x)
{
	return fill_table(x) + 4;
}
