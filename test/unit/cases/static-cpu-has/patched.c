/*
 * static_cpu_has() jumps into .altinstr_aux (cpu-has.h).  A new user
 * first in the file puts its snippet before all the others: the jumps of
 * every other user point elsewhere in .altinstr_aux, but at the same
 * snippet.  has_same() and the __init has_at_boot() are unchanged (a
 * changed __init function is refused); has_other() tests another bit.
 */
#include "cpu-has.h"

int has_new(int x)
{
	if (static_cpu_has(7))
		return x - 1;
	return x;
}

int has_same(int x)
{
	if (static_cpu_has(42))
		return x + 1;
	return x;
}

int __init has_at_boot(int x)
{
	if (static_cpu_has(43))
		return x * 2;
	return x;
}

int has_other(int x)
{
	if (static_cpu_has(45))
		return x + 3;
	return x;
}
