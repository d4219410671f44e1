/* The patch adds pre-patch and post-unpatch callbacks next to a change. */
int mode;

int get_mode(void)
{
	return mode;
}
