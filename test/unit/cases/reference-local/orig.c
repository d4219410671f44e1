/* cache_lookup() changes; it calls an unchanged static function and reads
 * an unchanged static variable, which stay in the running kernel. */
#define noinline __attribute__((__noinline__))

static int cache_size = 64;

static noinline unsigned int cache_hash(unsigned int key)
{
	return (key * 2654435761u) % cache_size;
}

void cache_resize(int n)
{
	cache_size = n;
}

int cache_lookup(unsigned int key)
{
	return cache_hash(key) + cache_size;
}
