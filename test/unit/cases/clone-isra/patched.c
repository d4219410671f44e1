/*
 * GCC makes read_b.isra.0 (IPA-SRA: the struct pointer becomes the one
 * field it reads).  The clone changes; it has its own ftrace entry, so it
 * is patched itself, under its own name; its callers stay as they are.
 */
#define noinline __attribute__((__noinline__))

struct item {
	int a, b, c, d;
};

static noinline int read_b(struct item *it)
{
	return it->b * 5 + 1;
}

int sum_b(struct item *it)
{
	return read_b(it) + read_b(it + 1);
}

int first_b(struct item *it)
{
	return read_b(it);
}
