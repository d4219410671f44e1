/*
 * NL_SET_ERR_MSG()'s "static const char __msg[]": one per call site, in
 * .rodata, numbered through the file.  The fix adds a message to
 * check_a(), so the numbers of every later one move and two of the same
 * text cannot be told apart by use.  They hold no state: each patched
 * function gets copies, nothing is refused.
 */
struct ext { const char *msg; };

#define SET_MSG(e, m) do {				\
	static const char __msg[] = m;			\
	if (e)						\
		(e)->msg = __msg;			\
} while (0)

int check_a(int v, struct ext *e)
{
	if (v < 0) {
		SET_MSG(e, "negative value");
		return -1;
	}
	if (v == 7) {
		SET_MSG(e, "value too large");
		return -3;
	}
	return 0;
}

int check_b(int v, struct ext *e)
{
	if (v > 200) {
		SET_MSG(e, "value too large");
		return -1;
	}
	if (v == 50) {
		SET_MSG(e, "value too large");
		return -2;
	}
	return 0;
}
