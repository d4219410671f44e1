/*
 * kernel/rcu/tree.c in the 6.1.190 update: rcu_momentary_dyntick_idle()
 * is renamed rcu_momentary_eqs(); its callers are in other files (the
 * update changes them and the header too).  Cut alone, the patch only
 * adds a function nothing here calls: nothing to live-patch ("no change"),
 * not a module that patches nothing.
 */
int momentary_idle(int cpu)
{
	return cpu * 2 + 1;
}
