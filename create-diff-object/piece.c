// SPDX-License-Identifier: GPL-2.0
/*
 * Code that jumps into a section of pieces: static_cpu_has() jumps to its
 * snippet in .altinstr_aux (test the feature bit, jump back into the
 * function).  The snippets of all users of a file are one after the other
 * there, so a new user earlier in the file moves every later one: such a
 * relocation is compared by the piece it points at, its bytes and what its
 * relocations point at (same_piece() of special-compare.c), never by its
 * offset.  A piece runs from the spot jumped to up to the next spot that
 * other code jumps to, or to the section's end.
 */
#include "special.h"

#include <string.h>

/*
 * The spot of sec that r, of code other than sec, points at, or -1.  Only
 * jumps from code count: a table (ORC, say) may point into a piece.
 */
static long spot_in(struct kelf *k, const struct kelf_section *from,
		    const struct kelf_rela *r, const struct kelf_section *sec)
{
	struct target t;

	if (from->base == sec || !kelf_is_exec(from->base) ||
	    r->sym->sec != sec)
		return -1;
	rela_target(k, r, &t);
	return t.sec == sec && !t.sym ? t.spot : -1;
}

static size_t piece_len(struct kelf *k, const struct kelf_section *sec,
			long start)
{
	long end = (long)sec->size;
	size_t i, j;

	if (start >= end)
		return 0;

	for (i = 1; i < k->nr_secs; i++) {
		const struct kelf_section *rela = k->secs[i];

		if (!kelf_is_rela(rela) || !rela->base)
			continue;
		for (j = 0; j < rela->nr_relas; j++) {
			long s = spot_in(k, rela, &rela->relas[j], sec);

			if (s > start && s < end)
				end = s;
		}
	}
	return (size_t)(end - start);
}

bool same_piece_target(struct diff *d, const struct target *p,
		       const struct target *o)
{
	static int depth;	/* a piece's relocation into a piece: offsets */
	struct target ps = *p, os = *o;
	size_t len;
	bool same;

	if (!p->sec || !o->sec || p->sym || o->sym ||
	    !special_is_piece(p->sec) || strcmp(p->sec->name, o->sec->name))
		return false;
	if (p->spot < 0 || o->spot < 0 || depth)
		return p->addend == o->addend;
	len = piece_len(d->patched, p->sec, p->spot);
	if (len != piece_len(d->orig, o->sec, o->spot))
		return false;
	ps.addend = p->spot;
	os.addend = o->spot;
	depth++;
	same = same_piece(d, &ps, &os, len);
	depth--;
	return same;
}
