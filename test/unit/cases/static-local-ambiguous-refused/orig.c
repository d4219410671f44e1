/*
 * count_event() keeps two counters, both "static unsigned int hits", and
 * the patch adds a third between them.  Nothing next to their uses (no
 * string, no call) tells which old counter is which new one: pairing by
 * order would give the new counter the second one's count.  Refused, with
 * what the author can do (give the new variable another name).
 */
unsigned int count_event(int kind)
{
	if (kind == 1) {
		static unsigned int hits;

		return ++hits;
	}
	if (kind == 2) {
		static unsigned int hits;

		return hits += 2;
	}
	return 0;
}
