/* The patched header: kpatch-build compiles both objects against one path,
 * the unit case against two names. */
struct dev_state {
	int users;
	int flags;
	int generation;
	void *priv;
};
