/* A member's type changes but not its size or offset: existing objects
 * hold a value of the old type there: refused, naming the member. */
struct sample {
	int id;
	int level;
};

int sample_half(struct sample *s)
{
	return s->level / 2;
}
