// SPDX-License-Identifier: GPL-2.0
/*
 * How two definitions of one struct, union or enum differ, in words, from
 * their DWARF: the size; each member by name (anonymous ones in order),
 * its offset in bits (bitfields included), its bit size and its type
 * (written out as C-like text: names, pointers, arrays, qualifiers,
 * function types; an anonymous struct or union member is compared member
 * by member); each existing enumerator's value.  A member added anywhere
 * counts (existing objects do not have it), one only renamed does not.
 */
#define _GNU_SOURCE		/* open_memstream */
#include "layout.h"
#include "kelf.h"

#include <dwarf.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_SHOWN	4	/* differences written out, then "N more" */
#define MAX_DEPTH	8	/* of a type's text */

struct diffs {
	FILE *f;
	char *buf;
	size_t len;
	int n;
};

static void add(struct diffs *ds, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void add(struct diffs *ds, const char *fmt, ...)
{
	va_list ap;

	if (ds->n++ >= MAX_SHOWN)
		return;
	if (ds->n > 1)
		fputs("; ", ds->f);
	va_start(ap, fmt);
	vfprintf(ds->f, fmt, ap);
	va_end(ap);
}

Dwarf_Die *layout_ref(Dwarf_Die *die, int attr, Dwarf_Die *buf)
{
	Dwarf_Attribute a;

	if (!dwarf_attr_integrate(die, attr, &a) || !dwarf_formref_die(&a, buf))
		return NULL;
	return buf;
}

const char *layout_kind(int tag)
{
	switch (tag) {
	case DW_TAG_structure_type:
		return "struct";
	case DW_TAG_union_type:
		return "union";
	case DW_TAG_enumeration_type:
		return "enum";
	default:
		return NULL;
	}
}

static void put_type(FILE *f, Dwarf_Die *t, int depth);

static void put_dims(FILE *f, Dwarf_Die *array)
{
	Dwarf_Die c;
	Dwarf_Attribute a;
	Dwarf_Word n;

	if (dwarf_child(array, &c))
		return;
	do {
		if (dwarf_tag(&c) != DW_TAG_subrange_type)
			continue;
		if (dwarf_attr(&c, DW_AT_count, &a) && !dwarf_formudata(&a, &n))
			fprintf(f, "[%" PRIu64 "]", (uint64_t)n);
		else if (dwarf_attr(&c, DW_AT_upper_bound, &a) &&
			 !dwarf_formudata(&a, &n))
			fprintf(f, "[%" PRIu64 "]", (uint64_t)n + 1);
		else
			fputs("[]", f);
	} while (!dwarf_siblingof(&c, &c));
}

static void put_params(FILE *f, Dwarf_Die *fn, int depth)
{
	Dwarf_Die c, t;
	bool first = true;

	fputs(" (", f);
	if (!dwarf_child(fn, &c)) {
		do {
			if (dwarf_tag(&c) == DW_TAG_unspecified_parameters) {
				fputs(first ? "..." : ", ...", f);
				first = false;
			}
			if (dwarf_tag(&c) != DW_TAG_formal_parameter)
				continue;
			if (!first)
				fputs(", ", f);
			first = false;
			put_type(f, layout_ref(&c, DW_AT_type, &t), depth + 1);
		} while (!dwarf_siblingof(&c, &c));
	}
	fputc(')', f);
}

static void put_aggregate(FILE *f, Dwarf_Die *t, const char *kw)
{
	const char *name = dwarf_diename(t);

	if (name)
		fprintf(f, "%s %s", kw, name);
	else
		fprintf(f, "anonymous %s of %d bytes", kw, dwarf_bytesize(t));
}

static void put_type(FILE *f, Dwarf_Die *t, int depth)
{
	Dwarf_Die sub, *s;
	const char *name;

	if (!t) {
		fputs("void", f);
		return;
	}
	if (depth > MAX_DEPTH) {
		fputs("...", f);
		return;
	}
	name = dwarf_diename(t);
	s = layout_ref(t, DW_AT_type, &sub);
	switch (dwarf_tag(t)) {
	case DW_TAG_base_type:
		fputs(name ? name : "?", f);
		break;
	case DW_TAG_structure_type:
	case DW_TAG_union_type:
	case DW_TAG_enumeration_type:
		put_aggregate(f, t, layout_kind(dwarf_tag(t)));
		break;
	case DW_TAG_typedef:
		fprintf(f, "%s (", name ? name : "?");
		while (s && dwarf_tag(s) == DW_TAG_typedef)
			s = layout_ref(s, DW_AT_type, &sub);
		put_type(f, s, depth + 1);
		fputc(')', f);
		break;
	case DW_TAG_pointer_type:
		put_type(f, s, depth + 1);
		fputs(" *", f);
		break;
	case DW_TAG_const_type:
	case DW_TAG_volatile_type:
	case DW_TAG_restrict_type:
	case DW_TAG_atomic_type:
		fputs(dwarf_tag(t) == DW_TAG_const_type ? "const " :
		      dwarf_tag(t) == DW_TAG_volatile_type ? "volatile " :
		      dwarf_tag(t) == DW_TAG_restrict_type ? "restrict " :
		      "_Atomic ", f);
		put_type(f, s, depth + 1);
		break;
	case DW_TAG_array_type:
		put_type(f, s, depth + 1);
		put_dims(f, t);
		break;
	case DW_TAG_subroutine_type:
		put_type(f, s, depth + 1);
		put_params(f, t, depth);
		break;
	default:
		fprintf(f, "DWARF tag 0x%x", dwarf_tag(t));
		break;
	}
}

static char *type_text(Dwarf_Die *t)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	if (!f)
		return xstrdup("?");
	put_type(f, t, 0);
	fclose(f);
	return buf;
}

struct member {
	const char *name;	/* NULL: anonymous */
	Dwarf_Die die;
	Dwarf_Die tdie;		/* its type */
	bool has_type;
	Dwarf_Word bit;		/* from the start of the type it is in */
	Dwarf_Word bits;	/* a bitfield's width, else 0 */
	char *type;		/* its type, as text */
	int anon_index;		/* n-th anonymous member, for pairing */
	bool matched;
};

struct members {
	struct member *v;
	size_t n;
};

static Dwarf_Word attr_udata(Dwarf_Die *die, int name, Dwarf_Word dflt)
{
	Dwarf_Attribute a;
	Dwarf_Word w;

	if (!dwarf_attr(die, name, &a) || dwarf_formudata(&a, &w))
		return dflt;
	return w;
}

/* DW_AT_data_member_location: a constant, or DW_OP_plus_uconst N. */
static Dwarf_Word member_location(Dwarf_Die *m)
{
	Dwarf_Attribute a;
	Dwarf_Word w;
	Dwarf_Op *ops;
	size_t n;

	if (!dwarf_attr(m, DW_AT_data_member_location, &a))
		return 0;
	if (!dwarf_formudata(&a, &w))
		return w;
	if (!dwarf_getlocation(&a, &ops, &n) && n == 1 &&
	    ops[0].atom == DW_OP_plus_uconst)
		return ops[0].number;
	return 0;
}

/* The member's offset in bits: DWARF 4+ data_bit_offset, or DWARF 2/3's
 * big-endian-counted bit_offset within a storage unit of byte_size. */
static Dwarf_Word member_bit(Dwarf_Die *m, Dwarf_Word bits)
{
	Dwarf_Attribute a;
	Dwarf_Word w, unit;

	if (dwarf_attr(m, DW_AT_data_bit_offset, &a) &&
	    !dwarf_formudata(&a, &w))
		return w;
	w = member_location(m) * 8;
	if (dwarf_attr(m, DW_AT_bit_offset, &a)) {
		unit = attr_udata(m, DW_AT_byte_size, 0) * 8;
		w += unit - attr_udata(m, DW_AT_bit_offset, 0) - bits;
	}
	return w;
}

static bool is_anon_aggregate(struct member *m)
{
	int tag;

	if (!m->has_type || dwarf_diename(&m->tdie))
		return false;
	tag = dwarf_tag(&m->tdie);
	return tag == DW_TAG_structure_type || tag == DW_TAG_union_type;
}

static void load_members(Dwarf_Die *agg, struct members *ms)
{
	Dwarf_Die c;
	struct member *m;
	int anon = 0;

	ms->v = NULL;
	ms->n = 0;
	if (dwarf_child(agg, &c))
		return;
	do {
		if (dwarf_tag(&c) != DW_TAG_member)
			continue;
		ms->v = xrealloc(ms->v, (ms->n + 1) * sizeof(*ms->v));
		m = &ms->v[ms->n++];
		memset(m, 0, sizeof(*m));
		m->die = c;
		m->name = dwarf_diename(&c);
		m->anon_index = m->name ? -1 : anon++;
		m->has_type = layout_ref(&c, DW_AT_type, &m->tdie) != NULL;
		m->bits = attr_udata(&c, DW_AT_bit_size, 0);
		m->bit = member_bit(&c, m->bits);
		m->type = type_text(m->has_type ? &m->tdie : NULL);
	} while (!dwarf_siblingof(&c, &c));
}

static void free_members(struct members *ms)
{
	size_t i;

	for (i = 0; i < ms->n; i++)
		free(ms->v[i].type);
	free(ms->v);
}

static struct member *find_member(struct members *ms, const struct member *m)
{
	size_t i;

	for (i = 0; i < ms->n; i++) {
		struct member *x = &ms->v[i];

		if (m->name ? x->name && !strcmp(x->name, m->name) :
			      x->anon_index == m->anon_index)
			return x;
	}
	return NULL;
}

static bool same_place(const struct member *a, const struct member *b)
{
	return a->bit == b->bit && a->bits == b->bits &&
	       !strcmp(a->type, b->type);
}

/* A member of the patched type, of another name, where o's was: renamed. */
static struct member *renamed(struct members *ps, struct members *os,
			      const struct member *om)
{
	size_t i;

	for (i = 0; i < ps->n; i++) {
		struct member *x = &ps->v[i];

		if (!x->matched && x->name && om->name &&
		    !find_member(os, x) && same_place(x, om))
			return x;
	}
	return NULL;
}

/* "24", or "3 bit 5" where a member does not start at a byte. */
static const char *place(const struct member *m, char *buf, size_t len)
{
	if (m->bit % 8 || m->bits)
		snprintf(buf, len, "%" PRIu64 " bit %" PRIu64,
			 (uint64_t)(m->bit / 8), (uint64_t)(m->bit % 8));
	else
		snprintf(buf, len, "%" PRIu64, (uint64_t)(m->bit / 8));
	return buf;
}

static void compare_aggregate(struct diffs *ds, Dwarf_Die *o, Dwarf_Die *p,
			      const char *prefix);

static void compare_member(struct diffs *ds, struct member *om,
			   struct member *pm, const char *prefix)
{
	char a[48], b[48], *inner;
	const char *name = om->name ? om->name : "(anonymous)";

	if (om->bit != pm->bit)
		add(ds, "member '%s%s' moved from offset %s to %s", prefix,
		    name, place(om, a, sizeof(a)), place(pm, b, sizeof(b)));
	if (om->bits != pm->bits)
		add(ds, "member '%s%s' changed from %" PRIu64 " to %" PRIu64
		    " bits", prefix, name, (uint64_t)om->bits,
		    (uint64_t)pm->bits);
	if (is_anon_aggregate(om) && is_anon_aggregate(pm) &&
	    dwarf_tag(&om->tdie) == dwarf_tag(&pm->tdie)) {
		if (asprintf(&inner, "%s%s%s", prefix, om->name ? om->name : "",
			     om->name ? "." : "") < 0)
			return;
		/* inside it, offsets from its start: a move is said once */
		compare_aggregate(ds, &om->tdie, &pm->tdie, inner);
		free(inner);
		return;
	}
	if (strcmp(om->type, pm->type))
		add(ds, "member '%s%s' changed type from '%s' to '%s'", prefix,
		    name, om->type, pm->type);
}

static void compare_aggregate(struct diffs *ds, Dwarf_Die *o, Dwarf_Die *p,
			      const char *prefix)
{
	struct members os, ps;
	struct member *pm;
	char where[48];
	size_t i;

	load_members(o, &os);
	load_members(p, &ps);
	for (i = 0; i < os.n; i++) {
		struct member *om = &os.v[i];

		pm = find_member(&ps, om);
		if (!pm && (pm = renamed(&ps, &os, om))) {
			pm->matched = true;
			continue;
		}
		if (!pm) {
			add(ds, "member '%s%s' removed (was at offset %s)",
			    prefix, om->name ? om->name : "(anonymous)",
			    place(om, where, sizeof(where)));
			continue;
		}
		pm->matched = true;
		compare_member(ds, om, pm, prefix);
	}
	for (i = 0; i < ps.n; i++)
		if (!ps.v[i].matched)
			add(ds, "member '%s%s' added at offset %s", prefix,
			    ps.v[i].name ? ps.v[i].name : "(anonymous)",
			    place(&ps.v[i], where, sizeof(where)));
	free_members(&os);
	free_members(&ps);
}

static bool enumerator_value(Dwarf_Die *e, Dwarf_Sword *v)
{
	Dwarf_Attribute a;

	return dwarf_attr(e, DW_AT_const_value, &a) && !dwarf_formsdata(&a, v);
}

static bool find_enumerator(Dwarf_Die *en, const char *name, Dwarf_Sword *v)
{
	Dwarf_Die c;
	const char *n;

	if (dwarf_child(en, &c))
		return false;
	do {
		n = dwarf_diename(&c);
		if (dwarf_tag(&c) == DW_TAG_enumerator && n && !strcmp(n, name))
			return enumerator_value(&c, v);
	} while (!dwarf_siblingof(&c, &c));
	return false;
}

static void compare_enum(struct diffs *ds, Dwarf_Die *o, Dwarf_Die *p)
{
	Dwarf_Die c;
	Dwarf_Sword ov, pv;
	const char *name;

	if (dwarf_child(o, &c))
		return;
	do {
		name = dwarf_diename(&c);
		if (dwarf_tag(&c) != DW_TAG_enumerator || !name ||
		    !enumerator_value(&c, &ov))
			continue;
		if (!find_enumerator(p, name, &pv))
			add(ds, "enumerator '%s' (value %" PRId64 ") removed",
			    name, (int64_t)ov);
		else if (ov != pv)
			add(ds, "enumerator '%s' changed value from %" PRId64
			    " to %" PRId64, name, (int64_t)ov, (int64_t)pv);
	} while (!dwarf_siblingof(&c, &c));
}

char *layout_difference(Dwarf_Die *o, Dwarf_Die *p)
{
	struct diffs ds = { 0 };
	int osize = dwarf_bytesize(o), psize = dwarf_bytesize(p);

	ds.f = open_memstream(&ds.buf, &ds.len);
	if (!ds.f)
		return xstrdup("cannot compare (out of memory)");
	if (dwarf_tag(o) != dwarf_tag(p))
		add(&ds, "it is now a %s", layout_kind(dwarf_tag(p)));
	else if (dwarf_tag(o) == DW_TAG_enumeration_type)
		compare_enum(&ds, o, p);
	else
		compare_aggregate(&ds, o, p, "");
	if (ds.n > MAX_SHOWN)
		fprintf(ds.f, "; and %d more", ds.n - MAX_SHOWN);
	if (osize != psize) {
		fprintf(ds.f, "%ssize %d -> %d", ds.n ? " (" : "", osize,
			psize);
		if (ds.n)
			fputc(')', ds.f);
		ds.n++;
	}
	fclose(ds.f);
	if (!ds.n) {
		free(ds.buf);
		return NULL;
	}
	return ds.buf;
}
