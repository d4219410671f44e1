/* A changed initial value would be refused; its section is ignored. */
int limit = 10;

int over_limit(int v)
{
	return v > limit;
}
