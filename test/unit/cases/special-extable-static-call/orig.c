/*
 * Exception table, static call sites, paravirt sites and lock prefixes
 * (Linux 6.1 x86 layouts).  ex_type()'s __ex_table entry gets another
 * handler type, sc_tail()'s .static_call_sites entry the tail-call flag and
 * pv_type()'s .parainstructions entry another type: all changed, their
 * code is the same.  A new function first in the file adds entries
 * to each table, which moves all the others: ex_same(), sc_same() and
 * lock_same() are unchanged.
 */
#define EX_TYPE_DEFAULT		1
#define EX_TYPE_FAULT		2

#define ASM_EXTABLE_TYPE(from, to, type)				\
	".pushsection __ex_table, \"a\"\n"				\
	" .balign 4\n"							\
	" .long (" #from ") - .\n"					\
	" .long (" #to ") - .\n"					\
	" .long " #type "\n"						\
	".popsection\n"

#define read_user(val, ptr, type)					\
	asm volatile("1: movl (%1), %0\n2:\n"				\
		     ASM_EXTABLE_TYPE(1b, 2b, type)			\
		     : "=r" (val) : "r" (ptr))

/* A call through a static call site; flag 1 marks a tail call. */
#define STATIC_CALL(name, flag)						\
	asm volatile("1: .byte 0x0f,0x1f,0x44,0x00,0x00\n"		\
		     ".pushsection .static_call_sites, \"a\"\n"		\
		     " .long 1b - .\n"					\
		     " .long __SCK__" #name " - . + " #flag "\n"		\
		     ".popsection\n" : : : "memory")

/* A paravirt call site; only .parainstructions says which operation. */
#define PARAVIRT_SITE(type)						\
	asm volatile("771: call *pv_op(%%rip)\n772:\n"			\
		     ".pushsection .parainstructions, \"a\"\n"		\
		     " .balign 8\n .quad 771b\n"				\
		     " .byte " #type "\n .byte 772b-771b\n"		\
		     " .short 0\n .balign 8\n"				\
		     ".popsection\n" : : : "memory")

#define LOCK_INC(ptr)							\
	asm volatile(".pushsection .smp_locks, \"a\"\n"			\
		     " .balign 4\n .long 671f - .\n.popsection\n"	\
		     "671: lock; incl %0" : "+m" (*(ptr)))

int ex_type(int *p)
{
	int v;

	read_user(v, p, EX_TYPE_DEFAULT);
	return v;
}

int ex_same(int *p)
{
	int v;

	read_user(v, p, EX_TYPE_FAULT);
	return v + 1;
}

void sc_tail(void)
{
	STATIC_CALL(tick, 0);
}

void sc_same(void)
{
	STATIC_CALL(tick, 0);
}

void pv_type(void)
{
	PARAVIRT_SITE(3);
}

void lock_same(int *p)
{
	LOCK_INC(p);
}
