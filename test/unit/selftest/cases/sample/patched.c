#define noinline __attribute__((__noinline__))

noinline int helper(int v)
{
	return v + 1;
}

static noinline int extra(int v)
{
	return v ^ 0x55;
}

int work(int v)
{
	return extra(helper(v)) * 2;
}

int idle(int v)
{
	return v;
}
