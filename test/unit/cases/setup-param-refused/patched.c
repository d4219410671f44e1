/*
 * __setup() and module_param() (Linux 6.1's struct obs_kernel_param in
 * .init.setup, struct kernel_param in __param): the kernel parsed them from
 * the command line at boot.  A new __setup("nosmt_fix") and a module
 * parameter whose permissions change are refused, naming the entries.
 */
#define __init __attribute__((__section__(".init.text"))) __attribute__((cold))
#define __initconst __attribute__((__section__(".init.rodata")))

struct obs_kernel_param {
	const char *str;
	int (*setup_func)(char *);
	int early;
};
#define __setup(str, fn)						\
	static const char __setup_str_##fn[] __initconst = str;	\
	static struct obs_kernel_param __setup_##fn			\
	__attribute__((used, section(".init.setup"), aligned(8))) =	\
	{ __setup_str_##fn, fn, 0 }

struct kernel_param_ops;
struct kernel_param {
	const char *name;
	void *mod;
	const struct kernel_param_ops *ops;
	unsigned short perm;
	signed char level;
	unsigned char flags;
	void *arg;
};
extern const struct kernel_param_ops param_ops_int;
#define module_param(name, perm)					\
	static const struct kernel_param __param_##name		\
	__attribute__((used, section("__param"), aligned(8))) =	\
	{ #name, 0, &param_ops_int, perm, -1, 0, &name }

int thing_debug;
module_param(thing_debug, 0444);

int thing_mode;

static int __init thing_mode_setup(char *s)
{
	thing_mode = s[0];
	return 1;
}
__setup("thing_mode=", thing_mode_setup);

int thing_fix;

static int __init thing_fix_setup(char *s)
{
	thing_fix = 1;
	return 1;
}
__setup("nosmt_fix", thing_fix_setup);
