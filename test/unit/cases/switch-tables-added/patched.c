/*
 * classify() maps two values through switches, which GCC turns into
 * read-only tables (CSWTCH.N); the patch adds a third switch between
 * them.  Nothing tells the old tables' uses apart, but tables are
 * constants: classify() gets copies of all three, nothing is refused.
 */
int classify(int a, int b, int c)
{
	int x, y, z = 0;

	switch (a) {
	case 0: x = 10; break;
	case 1: x = 20; break;
	case 2: x = 35; break;
	case 3: x = 40; break;
	case 4: x = 55; break;
	default: x = 0; break;
	}
	switch (c) {
	case 0: z = 7; break;
	case 1: z = 2; break;
	case 2: z = 88; break;
	case 3: z = 19; break;
	case 4: z = 41; break;
	default: z = 5; break;
	}
	switch (b) {
	case 0: y = 3; break;
	case 1: y = 9; break;
	case 2: y = 12; break;
	case 3: y = 17; break;
	case 4: y = 25; break;
	default: y = 1; break;
	}
	return x + y + z;
}
