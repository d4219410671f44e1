/*
 * read_b.isra.0 changes, and GCC numbers it read_b.isra.2 this time (as it
 * does when another clone of read_b appears; patched.objcopy stands for
 * that).  It is still the clone of the same function: paired with
 * read_b.isra.0, patched under that name; its callers are unchanged.
 */
#define noinline __attribute__((__noinline__))

struct item {
	int a, b, c, d;
};

static noinline int read_b(struct item *it)
{
	return it->b * 3 + 1;
}

int sum_b(struct item *it)
{
	return read_b(it) + read_b(it + 1);
}

int first_b(struct item *it)
{
	return read_b(it);
}
