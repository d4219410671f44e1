/* Identical sources: the differ must find nothing to patch. */
#define noinline __attribute__((__noinline__))

struct stats {
	unsigned long packets;
	unsigned long bytes;
};

int debug_level = 1;
static struct stats rx_stats;

noinline int scale_len(int len)
{
	return len * debug_level + 4;
}

void rx_account(int len)
{
	rx_stats.packets++;
	rx_stats.bytes += scale_len(len);
}

unsigned long rx_packets(void)
{
	return rx_stats.packets;
}
