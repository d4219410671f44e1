/*
 * Initcalls (Linux 6.1, PREL32: a ".long fn - ." in .initcallN.init):
 * they ran at boot.  device_initcall() becomes late_initcall() (the entry
 * moves to .initcall7.init) and a new core_initcall() appears: both
 * refused, naming the function, although no function changed.
 */
#define __init __attribute__((__section__(".init.text"))) __attribute__((cold))
#define INITCALL(fn, level)						\
	asm(".section \".initcall" #level ".init\", \"a\"\n"		\
	    "__initcall_" #fn #level ":\n"				\
	    ".long " #fn " - .\n"					\
	    ".previous\n")

extern int register_thing(int id);

static int __attribute__((used)) __init thing_init(void)
{
	return register_thing(1);
}
INITCALL(thing_init, 7);

static int __attribute__((used)) __init early_thing_init(void)
{
	return register_thing(0);
}
INITCALL(early_thing_init, 1);
