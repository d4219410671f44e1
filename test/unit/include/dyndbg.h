/*
 * A stand-in for the kernel's dynamic debug (include/linux/dynamic_debug.h,
 * CONFIG_DYNAMIC_DEBUG=y with CONFIG_JUMP_LABEL=y, Linux 6.1 and 6.12): per
 * call site a static struct _ddebug in section "__dyndbg" named
 * __UNIQUE_ID_ddebugN (N from __COUNTER__), pointing at the module name,
 * __func__, __FILE__ and the format, and holding __LINE__ and a static key
 * tested by a jump label (asm goto, an entry in __jump_table).  The kernel
 * compiles both sources under one name; this case's __FILE__ differ.
 */
#define UNIT_FILE "drivers/unit/probe.c"
#define __PASTE2(a, b) a##b
#define __PASTE(a, b) __PASTE2(a, b)
#define __UNIQUE_ID(prefix) __PASTE(__PASTE(__UNIQUE_ID_, prefix), __COUNTER__)

struct static_key {
	int enabled;
	unsigned long type;
};

struct _ddebug {
	const char *modname;
	const char *function;
	const char *filename;
	const char *format;
	unsigned int lineno:18;
	unsigned int class_id:6;
	unsigned int flags:8;
	struct static_key key;
} __attribute__((aligned(8)));

extern void __dynamic_pr_debug(struct _ddebug *d, const char *fmt, ...)
	__attribute__((__format__(printf, 2, 3)));

static inline __attribute__((__always_inline__)) _Bool
arch_static_branch(struct static_key *key)
{
	asm goto("1: .byte 0x0f,0x1f,0x44,0x00,0x00\n\t"
		 ".pushsection __jump_table, \"aw\"\n\t"
		 ".balign 8\n\t"
		 ".long 1b - ., %l[l_yes] - .\n\t"
		 ".quad %c0 - .\n\t"
		 ".popsection\n\t"
		 : : "i" (key) : : l_yes);
	return 0;
l_yes:
	return 1;
}

#define __dynamic_func_call(id, fmt, func, ...) do {			\
	static struct _ddebug __attribute__((__aligned__(8)))		\
	__attribute__((__section__("__dyndbg"))) id = {			\
		.modname = "unitmod", .function = __func__,		\
		.filename = UNIT_FILE, .format = (fmt),			\
		.lineno = __LINE__, .class_id = 63,			\
	};								\
	if (arch_static_branch(&id.key))				\
		func(&id, ##__VA_ARGS__);				\
} while (0)

#define pr_debug(fmt, ...)						\
	__dynamic_func_call(__UNIQUE_ID(ddebug), fmt, __dynamic_pr_debug, \
			    fmt, ##__VA_ARGS__)
