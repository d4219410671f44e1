/*
 * A function that becomes __init, its code the same: the running kernel
 * keeps it as run-time code, which is harmless, but the report says so
 * ("dropped"), rather than "no change".
 */
#define __init __attribute__((__section__(".init.text")))

int level;

int __init set_level(int l)
{
	level = l;
	return 0;
}
