/*
 * The x86 runtime constants of Linux 6.11+ (asm/runtime-const.h), as the
 * runtime-const and runtime-shift-refused cases use them.
 */
#define runtime_const_ptr(sym) ({					\
	unsigned long __ret;						\
	asm volatile("mov %1,%0\n1:\n"					\
		".pushsection runtime_ptr_" #sym ",\"a\"\n\t"		\
		".long 1b - %c2 - .\n"					\
		".popsection"						\
		: "=r" (__ret)						\
		: "i" ((unsigned long)0x0123456789abcdefull),		\
		  "i" (sizeof(long)));					\
	__ret; })

#define runtime_const_shift_right_32(val, sym) ({			\
	unsigned int __ret = (val);					\
	asm volatile("shrl $12,%k0\n1:\n"				\
		".pushsection runtime_shift_" #sym ",\"a\"\n\t"		\
		".long 1b - 1 - .\n"					\
		".popsection"						\
		: "+r" (__ret));					\
	__ret; })
