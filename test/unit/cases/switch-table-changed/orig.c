/*
 * GCC turns the switch of level_of() into a read-only table, CSWTCH.N,
 * that only level_of() reads.  The patch changes one value: the table is
 * copied into the module (under a new name, since the original object
 * has one of that name) and level_of() is patched to read the copy.
 * Changed data is otherwise refused; a switch table is code in disguise.
 */
int level_of(int cmd)
{
	switch (cmd) {
	case 0: return 10;
	case 1: return 20;
	case 2: return 35;
	case 3: return 40;
	case 4: return 55;
	case 5: return 61;
	default: return 0;
	}
}

int level_max(void)
{
	return 61;
}
