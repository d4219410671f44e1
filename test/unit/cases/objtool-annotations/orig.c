/*
 * objtool's annotations (here ANNOTATE_RETPOLINE_SAFE's table): from Linux
 * 6.2 with IBT objtool reads them on the linked livepatch module, so the
 * entries that point into a kept function are kept, the others dropped,
 * against the section as objtool wants them.
 */
#define ANNOTATED_NOP \
	asm volatile("1: nop\n\t" \
		     ".pushsection .discard.retpoline_safe\n\t" \
		     ".long 1b - .\n\t" \
		     ".popsection")

int annotated(int v)
{
	ANNOTATED_NOP;
	return v * 3;
}

int plain(int v)
{
	ANNOTATED_NOP;
	return v + 1;
}
