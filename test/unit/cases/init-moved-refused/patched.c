/*
 * parse_mode() was __init (freed after boot in the running kernel); the
 * patch makes it run-time code and calls it from set_mode().  Its bytes
 * are the same, so it looked unchanged, and the new set_mode() would call
 * the kernel's freed copy: refused, saying it moved.
 */
#define __init __attribute__((__section__(".init.text")))
#define noinline __attribute__((__noinline__))

int mode;

noinline int parse_mode(const char *s)
{
	return s[0] == 'y' ? 1 : s[0] == 'n' ? 0 : -1;
}

int __init mode_setup(const char *s)
{
	mode = parse_mode(s);
	return 0;
}

void set_mode(int m)
{
	mode = m > 1 ? parse_mode("y") : m;
}
