/*
 * Only __initdata changes: the table that an unchanged __init function
 * read at boot.  The running kernel has freed it; the patch's change would
 * vanish: refused, naming it.
 */
#define __init __attribute__((__section__(".init.text")))
#define __initdata __attribute__((__section__(".init.data")))

extern void add_quirk(int id);

static int quirk_ids[] __initdata = { 1, 2, 3 };

int __init add_quirks(void)
{
	unsigned int i;

	for (i = 0; i < sizeof(quirk_ids) / sizeof(quirk_ids[0]); i++)
		add_quirk(quirk_ids[i]);
	return 0;
}
