/* Only the format string of report_state() changes.  Its code bytes and
 * relocations stay the same (gcc 12 puts each function's literals in its own
 * .rodata.FUNC.str1.1 at offset 0), so only the string's content shows the
 * change. */
extern int _printk(const char *fmt, ...);

void report_state(int state)
{
	_printk("state %d\n", state);
}

void report_error(int err)
{
	_printk("error %d\n", err);
}
