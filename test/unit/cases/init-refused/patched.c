/* An __init function changes: it ran at boot and was freed, so the
 * differ must refuse. */
#define __init __attribute__((__section__(".init.text"))) __attribute__((cold))

int boot_mode;

int __init setup_boot_mode(void)
{
	boot_mode = 3;
	return 0;
}

int get_boot_mode(void)
{
	return boot_mode;
}
