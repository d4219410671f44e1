/*
 * Pointers just past a static table: "table + ARRAY_SIZE(table)" and an
 * end-of-table entry in data.  The assembler writes them against the
 * section symbol (".rodata.consts + 12"), a spot no symbol covers: it is the
 * end of the table, which has its section to itself (-fdata-sections).
 * The changed function and the new data refer to the kernel's tables, at
 * their end: "consts + 12" from code (R_X86_64_32S, and PC-relative),
 * "vals + 16" from data (R_X86_64_64).
 */
#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

static int vals[4] = { 1, 2, 3, 4 };
static const int consts[3] = { 5, 6, 7 };

__attribute__((noinline)) const int *consts_end(int skip)
{
	return skip ? consts : consts + ARRAY_SIZE(consts);
}

void set_val(int i, int v)
{
	vals[i] = v;
}

int get_val(int i)
{
	return vals[i];
}

/* the same end, PC-relative: ".rodata.consts + 8" (12 - 4) */
const int *consts_end_pc(int skip)
{
	const int *p;

	asm("leaq %c1(%%rip), %0" : "=r"(p) : "i"(consts + ARRAY_SIZE(consts)));
	return skip > 1 ? consts : p;
}
