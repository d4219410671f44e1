/*
 * A changed __exit function (.exit.text): a module's exit code, run only
 * when the module is unloaded (discarded from vmlinux).  Refused with what
 * it is, not with the __init message.
 */
#define __exit __attribute__((__section__(".exit.text"))) __attribute__((__used__)) __attribute__((cold))

extern void unregister_thing(int id);

void __exit thing_exit(void)
{
	unregister_thing(1);
}
