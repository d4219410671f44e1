/*
 * A table the differ does not know: each MARK() puts the address of a spot
 * inside the function into section "my_table" (as kernel tables of code
 * addresses do).  The patch changes resume(): the kernel's my_table would
 * still point into the old resume(), so the differ refuses, naming the
 * section.  pause() has an entry too but does not change: fine.
 */
#define MARK()								\
	asm volatile("1: nop\n"						\
		     ".pushsection my_table, \"a\"\n"			\
		     " .long 1b - .\n"					\
		     ".popsection")

extern void step(int x);

int resume(int x)
{
	step(x);
	MARK();
	return x + 2;
}

int pause(int x)
{
	step(x);
	MARK();
	return x - 1;
}
