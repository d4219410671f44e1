/*
 * CONFIG_CALL_PADDING (x86, Linux 6.2+): 16 NOPs before every function.
 * scale_value() changes: its copy keeps the NOPs before it, which call depth
 * tracking and FineIBT write into; new_helper() is new and keeps them too.
 */
#define noinline __attribute__((__noinline__))

int threshold = 10;

noinline int new_helper(int v)
{
	return v * 3 + threshold;
}

int scale_value(int v)
{
	return v > threshold ? threshold : new_helper(v);
}
