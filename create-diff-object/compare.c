// SPDX-License-Identifier: GPL-2.0
/*
 * Decide, for every function and object of the patched object, whether it is
 * new, changed or the same as its original.  Code is compared by content and
 * by what each relocation points at (the original's name of the target,
 * string contents for string literals), never by addresses or indexes.
 */
#define _GNU_SOURCE		/* asprintf */
#include "cdo.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

/* The relocations of sym's section that fall inside sym (caller frees). */
static size_t symbol_relas(const struct kelf_symbol *sym,
			   const struct kelf_rela ***list)
{
	const struct kelf_section *rela = sym->sec->rela;
	unsigned long start = sym->sym.st_value;
	const struct kelf_rela **out, *r;
	size_t i, n = 0;

	*list = out = xcalloc(rela ? rela->nr_relas : 1, sizeof(*out));
	kelf_for_each_rela_in(r, sym->sec, start, start + sym->sym.st_size, i)
		out[n++] = r;
	return n;
}

static unsigned long section_hash(const struct kelf_section *sec)
{
	unsigned long h = 1469598103934665603ul;
	size_t i;

	if (!sec->data || special_is_piece(sec))
		return 0;
	for (i = 0; i < sec->size; i++)
		h = (h ^ sec->data[i]) * 1099511628211ul;
	return h;
}

static const char *section_name(const struct kelf_section *sec, bool patched)
{
	return patched && sec->twin ? sec->twin->name : sec->name;
}

/* Whether two relocations, one of each object, mean the same thing. */
bool same_rela(struct diff *d, const struct kelf_rela *pr,
		      const struct kelf_rela *or)
{
	struct target pt, ot;
	const char *ps, *os;

	if (pr->type != or->type)
		return false;
	rela_target(d->patched, pr, &pt);
	rela_target(d->orig, or, &ot);
	if (pt.sec && ot.sec && special_is_piece(pt.sec))
		return same_piece_target(d, &pt, &ot);
	if (pt.addend != ot.addend && !(pt.sec && is_merge_section(pt.sec)))
		return false;
	if (pt.sym && ot.sym && by_content(pt.sym) && by_content(ot.sym))
		return same_content(d, pt.sym, ot.sym);
	if (pt.sym && ot.sym) {
		const char *pn = pt.sym->twin ? pt.sym->twin->name :
			       pt.sym->name;

		if (sym_state(d, pt.sym)->fresh)
			return false;	/* another variable than the name's */

		return !strcmp(pn, ot.sym->name);
	}
	if (!pt.sec || !ot.sec)
		return false;
	if (is_string_section(pt.sec) && is_string_section(ot.sec)) {
		ps = target_string(&pt);
		os = target_string(&ot);
		return ps && os && !strcmp(ps, os);
	}
	if (is_merge_section(pt.sec) && is_merge_section(ot.sec))
		return same_merged_constant(&pt, &ot);
	return !strcmp(section_name(pt.sec, true), ot.sec->name) &&
	       section_hash(pt.sec) == section_hash(ot.sec);
}

long bytes_diff(const struct kelf_symbol *p, const struct kelf_symbol *o)
{
	size_t n = p->sym.st_size < o->sym.st_size ? p->sym.st_size :
						      o->sym.st_size;
	const unsigned char *pb, *ob;
	size_t i;

	if (!p->sec->data || !o->sec->data)
		return p->sec->data == o->sec->data ? -1 : 0;
	pb = p->sec->data + p->sym.st_value;
	ob = o->sec->data + o->sym.st_value;
	for (i = 0; i < n; i++)
		if (pb[i] != ob[i])
			return (long)i;
	return -1;
}

static long min_offset(long a, long b)
{
	if (a < 0)
		return b;
	if (b < 0)
		return a;
	return a < b ? a : b;
}

long relas_diff_offset(struct diff *d, struct kelf_symbol *p)
{
	struct kelf_symbol *o = p->twin;
	const struct kelf_rela **prs, **ors;
	size_t np, no, i;
	long first = -1;

	np = symbol_relas(p, &prs);
	no = symbol_relas(o, &ors);
	for (i = 0; i < np && i < no; i++) {
		long po = (long)(prs[i]->offset - p->sym.st_value);
		long oo = (long)(ors[i]->offset - o->sym.st_value);

		if (po != oo || !same_rela(d, prs[i], ors[i])) {
			first = min_offset(first, po < oo ? po : oo);
			break;
		}
	}
	if (np != no && i == (np < no ? np : no))
		first = min_offset(first, (long)(i < np ?
			prs[i]->offset - p->sym.st_value :
			ors[i]->offset - o->sym.st_value));
	free(prs);
	free(ors);
	return first;
}

long symbol_diff_offset(struct diff *d, struct kelf_symbol *p)
{
	struct kelf_symbol *o = p->twin;
	long first;

	if (p->sym.st_value + p->sym.st_size > p->sec->size ||
	    o->sym.st_value + o->sym.st_size > o->sec->size)
		return 0;
	first = min_offset(bytes_diff(p, o), relas_diff_offset(d, p));
	if (p->sym.st_size != o->sym.st_size)
		first = min_offset(first, (long)(p->sym.st_size < o->sym.st_size ?
					p->sym.st_size : o->sym.st_size));
	return first;
}

bool mark_changed(struct diff *d, struct kelf_symbol *p, const char *fmt, ...)
{
	struct symstate *st = sym_state(d, p);
	va_list ap;

	if (p->status != KELF_SAME)
		return false;	/* new, or changed already */
	p->status = KELF_CHANGED;
	if (p->twin)
		p->twin->status = KELF_CHANGED;
	free(st->why);
	va_start(ap, fmt);
	if (vasprintf(&st->why, fmt, ap) < 0)
		st->why = NULL;
	va_end(ap);
	return true;
}

/* The status of a symbol that has a twin. */
static void compare_symbol(struct diff *d, struct kelf_symbol *p)
{
	long off;

	p->status = KELF_SAME;
	if (!is_function(p) && !is_data(p))
		return;
	off = symbol_diff_offset(d, p);
	if (off < 0 || (is_function(p) && only_line_numbers_differ(d, p)))
		return;
	mark_changed(d, p, "differs at offset 0x%lx", off);
}

void compare(struct diff *d)
{
	size_t i;

	for (i = 1; i < d->patched->nr_syms; i++) {
		struct kelf_symbol *p = d->patched->syms[i];

		if (!p->sec || kelf_type(p) == STT_SECTION ||
		    kelf_type(p) == STT_FILE)
			continue;
		if (!p->twin) {
			p->status = KELF_NEW;
			continue;
		}
		compare_symbol(d, p);
		if (p->status == KELF_SAME)
			p->twin->status = KELF_SAME;
	}
	compare_special(d);
}
