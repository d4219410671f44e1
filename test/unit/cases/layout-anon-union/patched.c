/* A member of an anonymous union inside the struct changes type and grows
 * the union: compared member by member, under the struct's name. */
struct msg {
	int kind;
	union {
		long num;
		float real;
	};
	struct {
		short lo;
		short hi;
	} range;
	int tail;
};

int msg_tail(struct msg *m)
{
	return m->tail + m->range.hi;
}
