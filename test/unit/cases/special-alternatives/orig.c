/*
 * Alternatives (Linux 6.1 x86 ALTERNATIVE(), without padding): the
 * original instruction is in the code, the replacement and the CPU feature
 * only in .altinstructions and .altinstr_replacement.  alt_repl() gets
 * another replacement, alt_cpuid() another feature: both changed.  A new
 * function first in the file adds an alternative before them, which moves
 * every entry and every replacement: alt_same() is still unchanged.
 * ALT_FEATURE_FIELD: the directive of the feature field (6.1: a 16-bit
 * cpuid; special-alternatives-6.12 includes this file with 6.12's 32-bit
 * ft_flags).
 */
#ifndef ALT_FEATURE_FIELD
#define ALT_FEATURE_FIELD ".word"
#endif
#define ALTERNATIVE(oldinstr, newinstr, feature)			\
	"661:\n\t" oldinstr "\n662:\n"					\
	".pushsection .altinstructions,\"a\"\n"				\
	" .long 661b - .\n"						\
	" .long 6641f - .\n"						\
	" " ALT_FEATURE_FIELD " " #feature "\n"				\
	" .byte 662b-661b\n"						\
	" .byte 6651f-6641f\n"						\
	".popsection\n"							\
	".pushsection .altinstr_replacement, \"ax\"\n"			\
	"6641:\n\t" newinstr "\n6651:\n"				\
	".popsection\n"

#define alternative(oldinstr, newinstr, feature)			\
	asm volatile(ALTERNATIVE(oldinstr, newinstr, feature) : : : "memory")

int alt_repl(int x)
{
	alternative("lfence", "mfence", 42);
	return x + 1;
}

int alt_cpuid(int x)
{
	alternative("lfence", "mfence", 42);
	return x + 2;
}

int alt_same(int x)
{
	alternative("lfence", "sfence", 42);
	return x + 3;
}
