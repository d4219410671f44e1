/* An enumerator changes its value: existing objects hold the old values
 * (state == 2 meant STATE_DONE): refused.  A new enumerator at the end
 * alone would be fine. */
enum state {
	STATE_IDLE,
	STATE_BUSY,
	STATE_DONE,
};

struct job {
	enum state state;
	int id;
};

int job_done(struct job *j)
{
	return j->state == STATE_DONE;
}
