/* The initial value of a global changes: that data already lives in the
 * running kernel, so the differ must refuse. */
int max_retries = 3;

int should_retry(int attempt)
{
	return attempt < max_retries;
}
