/*
 * "Has an ftrace entry" has one rule (ftrace.c): an __mcount_loc record at
 * the function's start (after ENDBR), or, in an object that has no
 * __mcount_loc at all, a call to __fentry__ there.  scale() is traceable
 * and changed: it is patched itself, not copied into its caller as if it
 * were notrace.
 */
#define noinline __attribute__((__noinline__))

extern int factor;

static noinline int scale(int x)
{
	return x * factor + 2;
}

int measure(int x)
{
	return scale(x) + scale(x + 1);
}
