/*
 * The patch adds lines to adjust(), so every __LINE__ below it moves.
 * might_sleep() and cond_resched()'s check pass __LINE__ to
 * __might_sleep() and __might_resched() (Linux 6.1): only that immediate
 * differs in sleeper() and resched(), which are unchanged.  other_line()
 * passes __LINE__ to a function the differ does not know: changed, to be
 * safe.  report_here() and traced() pass __FILE__, __LINE__ (to _printk()
 * and to a function the differ does not know): unchanged too, the file
 * name says what the number is.  (The driver's #line directives avoid all
 * this in real builds; the one below makes __FILE__ what kbuild would give,
 * a path ending in the name of the compiled file.)
 */
#line 1 "kernel/sample/patched.c"
extern int _printk(const char *fmt, ...);
extern void trace_spot(const char *file, int line, int x);
extern void __might_sleep(const char *file, int line);
extern void __might_resched(const char *file, int line, unsigned int offsets);
extern int take_line(int x, int line);
extern void work(int x);

#define might_sleep() __might_sleep(__FILE__, __LINE__)
#define might_resched() __might_resched(__FILE__, __LINE__, 0)

int adjust(int x)
{
	return x - 1;
}

int sleeper(int x)
{
	might_sleep();
	work(x);
	return x + 1;
}

int resched(int x)
{
	might_resched();
	work(x);
	return x * 2;
}

int other_line(int x)
{
	return take_line(x, __LINE__);
}

int report_here(int x)
{
	if (x < 0)
		_printk("%s:%d: negative\n", __FILE__, __LINE__);
	return x;
}

int traced(int x)
{
	trace_spot(__FILE__, __LINE__, x);
	return x + 3;
}
