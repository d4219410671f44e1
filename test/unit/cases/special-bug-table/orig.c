/*
 * WARN_ON() becomes WARN_ON_ONCE() in warn_sign(): the code is the same,
 * only its __bug_table entry's flags differ, and that is a change.
 * warn_range() only moves down (the patch adds lines above it): its entry's
 * line differs, which is not a change.  The macros are Linux 6.1's x86
 * WARN with CONFIG_DEBUG_BUGVERBOSE.
 */
#line 1 "drivers/sample/bugs.c"
#define BUGFLAG_WARNING		(1 << 0)
#define BUGFLAG_ONCE		(1 << 1)
#define BUGFLAG_TAINT(taint)	((taint) << 8)

#define __WARN_FLAGS(flags)						\
	asm volatile("1:\tud2\n"					\
		     ".pushsection __bug_table,\"aw\"\n"		\
		     "2:\t.long 1b - .\n"				\
		     "\t.long %c0 - .\n"				\
		     "\t.word %c1\n"					\
		     "\t.word %c2\n"					\
		     "\t.org 2b+%c3\n"					\
		     ".popsection"					\
		     : : "i" (__FILE__), "i" (__LINE__),		\
			 "i" (BUGFLAG_WARNING | (flags)), "i" (12))

#define WARN_ON(c) ({							\
	int __ret = !!(c);						\
	if (__builtin_expect(__ret, 0))					\
		__WARN_FLAGS(BUGFLAG_TAINT(9));				\
	__builtin_expect(__ret, 0);					\
})

#define WARN_ON_ONCE(c) ({						\
	int __ret = !!(c);						\
	if (__builtin_expect(__ret, 0))					\
		__WARN_FLAGS(BUGFLAG_ONCE | BUGFLAG_TAINT(9));		\
	__builtin_expect(__ret, 0);					\
})

int warn_sign(int x)
{
	if (WARN_ON(x < 0))
		return 0;
	return x;
}

int warn_range(int x)
{
	if (WARN_ON(x > 100))
		return 100;
	return x;
}
