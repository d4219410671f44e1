/* rx_filter() starts counting the frames it drops in a new static. */
static unsigned int drop_count;

int rx_filter(int len)
{
	if (len > 1500) {
		drop_count++;
		return -1;
	}
	return 0;
}

int rx_frame_ok(int len)
{
	return len >= 64;
}
