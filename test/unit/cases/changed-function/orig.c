/* scale_value() changes; clamp_value() and offset_value() do not. */
#define noinline __attribute__((__noinline__))

int threshold = 10;

noinline int clamp_value(int v)
{
	if (v > threshold)
		return threshold;
	return v;
}

int scale_value(int v)
{
	return clamp_value(v) * 2;
}

int offset_value(int v)
{
	return v + threshold;
}
