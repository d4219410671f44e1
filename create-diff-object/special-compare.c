// SPDX-License-Identifier: GPL-2.0
/*
 * A change can be only in a function's special-section entries: WARN
 * becoming WARN_ONCE changes a __bug_table flag, static_branch_likely() on
 * another key changes a __jump_table key, an alternative gets another
 * replacement.  The code bytes stay the same, so compare.c sees nothing.
 *
 * For every row of special.c marked "compare", the entries that belong to
 * each function are compared with those of its original, in order: the
 * entry's bytes (less the row's ignored span and the bytes its relocations
 * fill in) and what each relocation points at, as compare.c compares code:
 * the function and offset for code, the string for a string, the name for
 * a key.  A relocation to a piece of replacement code compares the piece's
 * bytes and relocations, not where the piece happens to be.
 */
#include "special.h"

#include <stdlib.h>
#include <string.h>

/* One object's view of one special section. */
struct table {
	struct kelf *k;
	struct kelf_section *sec;	/* NULL: the object has none */
	struct entries e;
	size_t *by_owner, *owned;	/* by symbol index: its entries */
	size_t *by_entry;		/* by entry: its relocations, */
	const struct kelf_rela **relas;	/* ordered by offset */
};

/*
 * Group items 0..n-1 by key[i] < nkeys (nkeys: no group): the items of key
 * k are list[start[k]] .. list[start[k + 1] - 1], in their order.
 */
static void group(const size_t *key, size_t n, size_t nkeys, size_t **start,
		  size_t **list)
{
	size_t *pos = xcalloc(nkeys + 1, sizeof(*pos));
	size_t i;

	*start = xcalloc(nkeys + 1, sizeof(**start));
	*list = xcalloc(n ? n : 1, sizeof(**list));
	for (i = 0; i < n; i++)
		if (key[i] < nkeys)
			(*start)[key[i] + 1]++;
	for (i = 1; i <= nkeys; i++)
		(*start)[i] += (*start)[i - 1];
	memcpy(pos, *start, nkeys * sizeof(*pos));
	for (i = 0; i < n; i++)
		if (key[i] < nkeys)
			(*list)[pos[key[i]]++] = i;
	free(pos);
}

static void group_owners(struct table *t)
{
	size_t *key = xcalloc(t->e.count ? t->e.count : 1, sizeof(*key));
	size_t i;

	for (i = 0; i < t->e.count; i++)
		key[i] = t->e.owner[i] ? t->e.owner[i]->index : t->k->nr_syms;
	group(key, t->e.count, t->k->nr_syms, &t->by_owner, &t->owned);
	free(key);
}

static void sort_by_offset(const struct kelf_rela **r, size_t n)
{
	size_t i, j;

	for (i = 1; i < n; i++)
		for (j = i; j > 0 && r[j - 1]->offset > r[j]->offset; j--) {
			const struct kelf_rela *tmp = r[j];

			r[j] = r[j - 1];
			r[j - 1] = tmp;
		}
}

static void group_relas(struct table *t)
{
	const struct kelf_section *rela = t->sec ? t->sec->rela : NULL;
	size_t n = rela ? rela->nr_relas : 0, i, *key, *list;

	key = xcalloc(n ? n : 1, sizeof(*key));
	for (i = 0; i < n; i++)
		key[i] = t->e.size ? rela->relas[i].offset / t->e.size :
				     t->e.count;
	group(key, n, t->e.count, &t->by_entry, &list);
	t->relas = xcalloc(n ? n : 1, sizeof(*t->relas));
	for (i = 0; i < n; i++)
		t->relas[i] = &rela->relas[list[i]];
	for (i = 0; i < t->e.count; i++)
		sort_by_offset(t->relas + t->by_entry[i],
			       t->by_entry[i + 1] - t->by_entry[i]);
	free(list);
	free(key);
}

static int table_load(struct kelf *k, const struct special *sp,
		      struct table *t)
{
	memset(t, 0, sizeof(*t));
	t->k = k;
	t->sec = kelf_find_section(k, sp->name);
	if (t->sec && special_split(k, t->sec, sp, &t->e))
		return -1;
	group_owners(t);
	group_relas(t);
	return 0;
}

static void table_free(struct table *t)
{
	free(t->e.owner);
	free(t->by_owner);
	free(t->owned);
	free(t->by_entry);
	free(t->relas);
}

static size_t nr_owned(const struct table *t, const struct kelf_symbol *f)
{
	return t->by_owner[f->index + 1] - t->by_owner[f->index];
}

static bool filled_by_rela(const struct table *t, size_t n, size_t off)
{
	size_t i, base = n * t->e.size;

	for (i = t->by_entry[n]; i < t->by_entry[n + 1]; i++) {
		const struct kelf_rela *r = t->relas[i];

		if (off >= r->offset - base &&
		    off < r->offset - base + kelf_rela_width(r->type))
			return true;
	}
	return false;
}

static bool ignored(const struct special *sp, size_t size, size_t off)
{
	const struct span *s = &sp->ignore;

	return s->len && s->entry_size == size && off >= s->offset &&
	       off < s->offset + s->len;
}

static bool same_bytes(const struct special *sp, const struct table *pt,
		       size_t pn, const struct table *ot, size_t on)
{
	const unsigned char *pb = pt->sec->data + pn * pt->e.size;
	const unsigned char *ob = ot->sec->data + on * ot->e.size;
	size_t off;

	for (off = 0; off < pt->e.size; off++) {
		if (ignored(sp, pt->e.size, off) || filled_by_rela(pt, pn, off))
			continue;
		if (pb[off] != ob[off])
			return false;
	}
	return true;
}

/* The relocations of a piece: those in [start, start + len) of sec. */
static size_t piece_relas(const struct kelf_section *sec, long start,
			  size_t len, const struct kelf_rela **out, size_t max)
{
	const struct kelf_rela *r;
	size_t i, n = 0;

	kelf_for_each_rela_in(r, sec, start, start + len, i)
		if (n < max)
			out[n++] = r;
	return n;
}

bool same_piece(struct diff *d, const struct target *p,
		const struct target *o, size_t len)
{
	const struct kelf_rela *pr[16], *or[16];
	size_t np, no, i;

	if (!p->sec->data || !o->sec->data || p->addend < 0 || o->addend < 0 ||
	    p->addend + len > p->sec->size || o->addend + len > o->sec->size)
		return false;
	if (memcmp(p->sec->data + p->addend, o->sec->data + o->addend, len))
		return false;
	np = piece_relas(p->sec, p->addend, len, pr, 16);
	no = piece_relas(o->sec, o->addend, len, or, 16);
	if (np != no || np == 16)
		return false;
	sort_by_offset(pr, np);
	sort_by_offset(or, no);
	for (i = 0; i < np; i++)
		if (pr[i]->offset - p->addend != or[i]->offset - o->addend ||
		    !same_rela(d, pr[i], or[i]))
			return false;
	return true;
}

/* Whether two relocations of two entries mean the same thing. */
static bool same_entry_rela(struct diff *d, const struct special *sp,
			    const struct table *pt, size_t pn,
			    const struct kelf_rela *pr,
			    const struct kelf_rela *or)
{
	struct target p, o;

	rela_target(d->patched, pr, &p);
	rela_target(d->orig, or, &o);
	if (!sp->piece_len_back || !p.sec || !o.sec ||
	    !special_is_piece(p.sec))
		return same_rela(d, pr, or);
	if (pr->type != or->type || !special_is_piece(o.sec) ||
	    strcmp(p.sec->name, o.sec->name))
		return false;
	return same_piece(d, &p, &o, pt->sec->data[(pn + 1) * pt->e.size -
						    sp->piece_len_back]);
}

static bool same_entry(struct diff *d, const struct special *sp,
		       const struct table *pt, size_t pn,
		       const struct table *ot, size_t on)
{
	size_t pi = pt->by_entry[pn], oi = ot->by_entry[on];
	size_t np = pt->by_entry[pn + 1] - pi, no = ot->by_entry[on + 1] - oi;
	size_t i;

	if (pt->e.size != ot->e.size || !pt->sec->data || !ot->sec->data ||
	    np != no || !same_bytes(sp, pt, pn, ot, on))
		return false;
	for (i = 0; i < np; i++) {
		const struct kelf_rela *pr = pt->relas[pi + i];
		const struct kelf_rela *or = ot->relas[oi + i];

		if (pr->offset - pn * pt->e.size != or->offset - on * ot->e.size ||
		    !same_entry_rela(d, sp, pt, pn, pr, or))
			return false;
	}
	return true;
}

/* Where in f the code of entry n is, for the report. */
static long entry_offset(struct diff *d, const struct table *t, size_t n,
			 const struct kelf_symbol *f)
{
	size_t i;

	for (i = t->by_entry[n]; i < t->by_entry[n + 1]; i++) {
		struct target tg;

		rela_target(d->patched, t->relas[i], &tg);
		if (tg.sym == f)
			return tg.addend;
	}
	return 0;
}

static void compare_function(struct diff *d, const struct special *sp,
			     const struct table *pt, const struct table *ot,
			     struct kelf_symbol *p)
{
	const struct kelf_symbol *o = p->twin;
	size_t np = nr_owned(pt, p), no = nr_owned(ot, o), i;

	if (np != no) {
		mark_changed(d, p, "has %zu %s entries, had %zu", np,
			     sp->name, no);
		return;
	}
	for (i = 0; i < np; i++) {
		size_t pn = pt->owned[pt->by_owner[p->index] + i];
		size_t on = ot->owned[ot->by_owner[o->index] + i];

		if (same_entry(d, sp, pt, pn, ot, on))
			continue;
		mark_changed(d, p, "its %s entry at offset 0x%lx differs (%s)",
			     sp->name, entry_offset(d, pt, pn, p), sp->fields);
		return;
	}
}

static void compare_table(struct diff *d, const struct special *sp)
{
	struct table pt, ot;
	size_t i;

	memset(&ot, 0, sizeof(ot));
	if (table_load(d->patched, sp, &pt) || table_load(d->orig, sp, &ot)) {
		refuse_unforceable(d, sp->name, "%s", special_split_error());
		table_free(&pt);
		table_free(&ot);
		return;
	}
	for (i = 1; i < d->patched->nr_syms && (pt.sec || ot.sec); i++) {
		struct kelf_symbol *p = d->patched->syms[i];

		if (is_function(p) && p->twin && p->status == KELF_SAME)
			compare_function(d, sp, &pt, &ot, p);
	}
	table_free(&pt);
	table_free(&ot);
}

void compare_special(struct diff *d)
{
	const struct special *sp;
	size_t n;

	for (n = 0; (sp = special_row(n)); n++)
		if (sp->compare)
			compare_table(d, sp);
}
