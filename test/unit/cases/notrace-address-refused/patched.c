/*
 * read_reg() is notrace (no ftrace entry) and its address is in an ops
 * table: livepatch cannot redirect it, and callers through the table
 * cannot be patched in its place.  Refused (by check_ftrace_entries(),
 * with the reason propagate.c found).
 */
#define notrace __attribute__((__no_instrument_function__))

struct reg_ops {
	int (*read)(int reg);
};

static notrace int read_reg(int reg)
{
	return reg * 8;
}

const struct reg_ops sample_ops = {
	.read = read_reg,
};
