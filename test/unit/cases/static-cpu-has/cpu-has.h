/*
 * static_cpu_has() as Linux 6.1 x86 has it (without the alternatives'
 * padding): the code jumps into .altinstr_aux, to a snippet that tests the
 * feature bit and jumps back into the function; two alternatives (on
 * X86_FEATURE_ALWAYS and on the feature) replace the jump once the CPU's
 * features are known.
 */
#define ALT_ENTRY(feature, num)						\
	" .long 661b - .\n"						\
	" .long 664" #num "f - .\n"					\
	" .word " #feature "\n"						\
	" .byte 662b-661b\n"						\
	" .byte 665" #num "f-664" #num "f\n"

#define ALTERNATIVE_2(oldinstr, new1, feat1, new2, feat2)		\
	"661:\n\t" oldinstr "\n662:\n"					\
	".pushsection .altinstructions,\"a\"\n"				\
	ALT_ENTRY(feat1, 1)						\
	ALT_ENTRY(feat2, 2)						\
	".popsection\n"							\
	".pushsection .altinstr_replacement, \"ax\"\n"			\
	"6641:\n\t" new1 "\n6651:\n"					\
	"6642:\n\t" new2 "\n6652:\n"					\
	".popsection\n"

#define X86_FEATURE_ALWAYS 0x63

extern const unsigned int x86_capability[20];

static inline __attribute__((always_inline)) _Bool static_cpu_has(int bit)
{
	asm goto(
		ALTERNATIVE_2("jmp 6f", "jmp %l[t_no]", X86_FEATURE_ALWAYS,
			      "", %P[feature])
		".pushsection .altinstr_aux,\"ax\"\n"
		"6:\n"
		" testb %[bitnum], %P[cap_byte](%%rip)\n"
		" jnz %l[t_yes]\n"
		" jmp %l[t_no]\n"
		".popsection\n"
		: : [feature] "i" (bit), [bitnum] "i" (1 << (bit & 7)),
		    [cap_byte] "i" (&((const char *)x86_capability)[bit >> 3])
		: : t_yes, t_no);
t_yes:
	return 1;
t_no:
	return 0;
}

#define __init __attribute__((section(".init.text"), cold))
