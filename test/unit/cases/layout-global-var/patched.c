/* The changed function has no local nor parameter of struct cfg: it reaches
 * it through the global pointer it reads, whose type is checked too. */
struct cfg {
	int a;
	int c;
};

struct cfg *cur_cfg;

int cfg_c(void)
{
	return cur_cfg->c;
}
