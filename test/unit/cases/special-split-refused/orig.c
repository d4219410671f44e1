/*
 * .altinstructions entries have two relocations to code each (the
 * original instruction, the replacement): the differ infers the entry size
 * from that count.  Here two entries have a constant instead of a
 * replacement (no relocation), so 4 relocations to code make "2 entries
 * of 18 bytes" of 3 entries of 12: a wrong split, which kept a piece of
 * alt_b()'s entry with alt_a()'s.  The split is checked: every entry must
 * have its relocations at the same offsets, else the section is refused.
 */
#define ENTRY(repl)							\
	"661:\n\tnop\n662:\n"						\
	".pushsection .altinstructions,\"a\"\n"				\
	" .long 661b - .\n"						\
	" .long " repl "\n"						\
	" .word 42\n"							\
	" .byte 662b-661b\n"						\
	" .byte 0\n"							\
	".popsection\n"

int alt_a(int x)
{
	asm volatile(ENTRY("6641f - .")
		     ".pushsection .altinstr_replacement, \"ax\"\n"
		     "6641:\n\tmfence\n"
		     ".popsection\n");
	return x + 1;
}

int alt_b(int x)
{
	asm volatile(ENTRY("0"));
	return x + 2;
}

int alt_c(int x)
{
	asm volatile(ENTRY("0"));
	return x + 3;
}
