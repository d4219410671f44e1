/*
 * A patch whose change is only a function's section: __kprobes (the
 * kprobe blacklist of a section) on nested_handler(), noinstr on
 * enter_idle() (its code the same).  The running kernel keeps both where
 * they were, and a patched copy would be in the module's .text: refused,
 * saying they moved, not "no change".  GCC's own placement (.text.unlikely
 * for cold code) is not a move.
 */
#define __kprobes __attribute__((__section__(".kprobes.text")))
#define noinstr __attribute__((__section__(".noinstr.text")))

extern int depth;

int nested_handler(int x)
{
	depth++;
	return x;
}

void enter_idle(void)
{
	depth = 0;
}
