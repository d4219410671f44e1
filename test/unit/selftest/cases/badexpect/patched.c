#define noinline __attribute__((__noinline__))

noinline int helper(int v)
{
	return v + 1;
}

int work(int v)
{
	return helper(v) * 2;
}

int idle(int v)
{
	return v;
}
