// SPDX-License-Identifier: GPL-2.0
/*
 * The layout check: a patch that changes a struct, union or enum that
 * objects of the running kernel already have (a member removed, moved,
 * retyped, added; a size; an enumerator's value) gives patched functions
 * that read those objects at the wrong offsets.  Every named struct, union
 * and enum defined in both objects (the .c file's and its headers') is
 * compared by its DWARF (layout-compare.c), keyed by kind, name and, for a
 * type local to a function, that function.  A type that changed and that
 * a changed or new function reaches (through its parameters, locals,
 * inlined callees, the variables it refers to, and from those through
 * members, pointers, typedefs, arrays and qualifiers) is refused, naming
 * the type and its members; one that no such function reaches is a
 * warning line of the report.  A type only in the patched object is new:
 * nothing existing has it.  An object without DWARF gets a warning that
 * nothing was compared (kpatch-build compiles the objects it diffs with
 * -g: GCC's code does not depend on it).
 */
#define _GNU_SOURCE		/* asprintf */
#include "cdo.h"
#include "layout.h"

#include <dwarf.h>
#include <elfutils/libdwfl.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

struct ltype {
	char *key;		/* "struct:NAME", "enum:NAME@FUNCTION", ... */
	Dwarf_Die die;
	size_t seq;		/* order of appearance, for duplicate keys */
	size_t dup;		/* 1, 2, ... among those of one key */
};

struct named {
	const char *name;
	Dwarf_Die die;
};

struct lobj {
	Dwfl *dwfl;
	Dwarf *dw;
	const char *none;	/* why there is no DWARF to compare */
	struct ltype *types;
	size_t nr_types;
	struct named *funcs, *vars;
	size_t nr_funcs, nr_vars;
};

/* DIE offset -> the changed function that reaches it (index + 1). */
struct reach_map {
	Dwarf_Off *keys;
	size_t *vals;
	size_t size, used;
};

static int no_debuginfo(Dwfl_Module *mod, void **userdata, const char *name,
			Dwarf_Addr base, const char *file,
			const char *debuglink, GElf_Word crc, char **path)
{
	(void)mod, (void)userdata, (void)name, (void)base, (void)file;
	(void)debuglink, (void)crc, (void)path;
	return -1;	/* only the object's own DWARF */
}

static const Dwfl_Callbacks callbacks = {
	.find_debuginfo = no_debuginfo,
	.section_address = dwfl_offline_section_address,
};

/* libdwfl applies the relocations of an ET_REL object's DWARF. */
static void lobj_open(struct lobj *o, const char *path)
{
	Dwfl_Module *mod;
	Dwarf_Addr bias;

	o->dwfl = dwfl_begin(&callbacks);
	mod = o->dwfl ? dwfl_report_offline(o->dwfl, "obj", path, -1) : NULL;
	if (o->dwfl)
		dwfl_report_end(o->dwfl, NULL, NULL);
	o->dw = mod ? dwfl_module_getdwarf(mod, &bias) : NULL;
	if (!o->dw)
		o->none = "no DWARF (compiled without -g)";
}

static void lobj_close(struct lobj *o)
{
	size_t i;

	for (i = 0; i < o->nr_types; i++)
		free(o->types[i].key);
	free(o->types);
	free(o->funcs);
	free(o->vars);
	if (o->dwfl)
		dwfl_end(o->dwfl);
}

static void add_named(struct named **v, size_t *n, const char *name,
		      Dwarf_Die *die)
{
	*v = xrealloc(*v, (*n + 1) * sizeof(**v));
	(*v)[*n].name = name;
	(*v)[(*n)++].die = *die;
}

static bool is_declaration(Dwarf_Die *die)
{
	Dwarf_Attribute a;
	bool flag = false;

	return dwarf_attr(die, DW_AT_declaration, &a) &&
	       !dwarf_formflag(&a, &flag) && flag;
}

static void add_type(struct lobj *o, const char *kind, const char *name,
		     const char *scope, Dwarf_Die *die)
{
	struct ltype *t;

	o->types = xrealloc(o->types, (o->nr_types + 1) * sizeof(*o->types));
	t = &o->types[o->nr_types];
	t->die = *die;
	t->seq = o->nr_types++;
	if (asprintf(&t->key, "%s:%s%s%s", kind, name, scope ? "@" : "",
		     scope ? scope : "") < 0)
		t->key = xstrdup(name);
}

/* A struct/union/enum with a name, or an anonymous one named by a typedef. */
static void collect_type(struct lobj *o, Dwarf_Die *die, const char *scope)
{
	Dwarf_Die t;
	const char *name = dwarf_diename(die), *kind;

	if (!name)
		return;
	if (dwarf_tag(die) == DW_TAG_typedef) {
		if (!layout_ref(die, DW_AT_type, &t) || dwarf_diename(&t))
			return;
		die = &t;
	}
	kind = layout_kind(dwarf_tag(die));
	if (kind && !is_declaration(die))
		add_type(o, kind, name, scope, die);
}

static void collect(struct lobj *o, Dwarf_Die *parent, const char *scope,
		    bool top)
{
	Dwarf_Die c;
	Dwarf_Attribute a;
	const char *name;

	if (dwarf_child(parent, &c))
		return;
	do {
		switch (dwarf_tag(&c)) {
		case DW_TAG_structure_type:
		case DW_TAG_union_type:
			collect(o, &c, scope, false);
			/* fallthrough */
		case DW_TAG_enumeration_type:
		case DW_TAG_typedef:
			collect_type(o, &c, scope);
			break;
		case DW_TAG_subprogram:
			name = dwarf_formstring(dwarf_attr_integrate(&c,
							DW_AT_name, &a));
			if (name)
				add_named(&o->funcs, &o->nr_funcs, name, &c);
			collect(o, &c, name ? name : scope, false);
			break;
		case DW_TAG_lexical_block:
			collect(o, &c, scope, false);
			break;
		case DW_TAG_variable:
			name = dwarf_diename(&c);
			if (top && name)
				add_named(&o->vars, &o->nr_vars, name, &c);
			break;
		}
	} while (!dwarf_siblingof(&c, &c));
}

static int by_key(const void *a, const void *b)
{
	const struct ltype *x = a, *y = b;
	int r = strcmp(x->key, y->key);

	return r ? r : (x->seq > y->seq) - (x->seq < y->seq);
}

/* Keys made unique: a second "struct:x@f" (two blocks of f) is "...#2". */
static void sort_types(struct lobj *o)
{
	size_t i;
	char *k;

	if (o->nr_types < 2)
		return;
	qsort(o->types, o->nr_types, sizeof(*o->types), by_key);
	for (i = 0; i < o->nr_types; i++)
		o->types[i].dup = i && !strcmp(o->types[i].key,
					       o->types[i - 1].key) ?
				  o->types[i - 1].dup + 1 : 1;
	for (i = 0; i < o->nr_types; i++) {
		if (o->types[i].dup == 1 ||
		    asprintf(&k, "%s#%zu", o->types[i].key,
			     o->types[i].dup) < 0)
			continue;
		free(o->types[i].key);
		o->types[i].key = k;
	}
	qsort(o->types, o->nr_types, sizeof(*o->types), by_key);
}

/* Collects o's types, functions and variables; false: no usable DWARF. */
static bool load(struct lobj *o)
{
	Dwarf_CU *cu = NULL;
	Dwarf_Die cudie, subdie;
	uint8_t unit_type;
	Dwarf_Half version;

	while (!dwarf_get_units(o->dw, cu, &cu, &version, &unit_type, &cudie,
				&subdie)) {
		if (unit_type == DW_UT_skeleton) {
			o->none = "split DWARF (-gsplit-dwarf), no types";
			return false;
		}
		collect(o, unit_type == DW_UT_type ||
			   unit_type == DW_UT_split_type ? &subdie : &cudie,
			NULL, true);
	}
	if (!o->nr_types && !o->nr_funcs) {
		o->none = "no DWARF types (compiled without -g)";
		return false;
	}
	sort_types(o);
	return true;
}

static struct ltype *find_type(struct lobj *o, const char *key)
{
	struct ltype k = { .key = (char *)key, .seq = 0 };
	size_t lo = 0, hi = o->nr_types;

	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		int r = strcmp(o->types[mid].key, k.key);

		if (!r)
			return &o->types[mid];
		if (r < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

static size_t slot(struct reach_map *m, Dwarf_Off off)
{
	size_t i = (size_t)(off * 0x9e3779b97f4a7c15ull) & (m->size - 1);

	while (m->keys[i] && m->keys[i] != off + 1)
		i = (i + 1) & (m->size - 1);
	return i;
}

static size_t map_get(struct reach_map *m, Dwarf_Off off)
{
	return m->size ? m->vals[slot(m, off)] : 0;
}

/* false if off was there already */
static bool map_add(struct reach_map *m, Dwarf_Off off, size_t val)
{
	size_t i;

	if (2 * (m->used + 1) > m->size) {
		struct reach_map old = *m;

		m->size = m->size ? 2 * m->size : 1024;
		m->keys = xcalloc(m->size, sizeof(*m->keys));
		m->vals = xcalloc(m->size, sizeof(*m->vals));
		m->used = 0;
		for (i = 0; i < old.size; i++)
			if (old.keys[i])
				map_add(m, old.keys[i] - 1, old.vals[i]);
		free(old.keys);
		free(old.vals);
	}
	i = slot(m, off);
	if (m->keys[i])
		return false;
	m->keys[i] = off + 1;
	m->vals[i] = val;
	m->used++;
	return true;
}

struct stack {
	Dwarf_Die *v;
	size_t n, alloc;
};

static void push(struct stack *s, Dwarf_Die *die)
{
	if (!die)
		return;
	if (s->n == s->alloc) {
		s->alloc = s->alloc ? 2 * s->alloc : 256;
		s->v = xrealloc(s->v, s->alloc * sizeof(*s->v));
	}
	s->v[s->n++] = *die;
}

/* Marks everything reachable from start (types, origins, children). */
static void reach(struct reach_map *m, struct stack *s, Dwarf_Die *start,
		  size_t who)
{
	Dwarf_Die die, c, ref;

	push(s, start);
	while (s->n) {
		die = s->v[--s->n];
		if (!map_add(m, dwarf_dieoffset(&die), who))
			continue;
		push(s, layout_ref(&die, DW_AT_type, &ref));
		push(s, layout_ref(&die, DW_AT_abstract_origin, &ref));
		push(s, layout_ref(&die, DW_AT_specification, &ref));
		if (dwarf_child(&die, &c))
			continue;
		do
			push(s, &c);
		while (!dwarf_siblingof(&c, &c));
	}
}

static void reach_named(struct reach_map *m, struct stack *s,
			struct named *v, size_t n, const char *name, size_t who)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (!strcmp(v[i].name, name))
			reach(m, s, &v[i].die, who);
}

/* The variables the function's relocations refer to (by symbol name). */
static void reach_vars(struct lobj *p, struct reach_map *m, struct stack *s,
		       struct kelf_symbol *f, size_t who)
{
	struct kelf_section *rela = f->sec ? f->sec->rela : NULL;
	size_t i, j;

	for (i = 0; rela && i < rela->nr_relas; i++) {
		struct kelf_symbol *t = rela->relas[i].sym;

		if (!t)
			continue;
		if (kelf_type(t) != STT_SECTION) {
			reach_named(m, s, p->vars, p->nr_vars, t->name, who);
			continue;
		}
		for (j = 0; t->sec && j < t->sec->nr_syms; j++)
			reach_named(m, s, p->vars, p->nr_vars,
				    t->sec->syms[j]->name, who);
	}
}

static bool is_patched_function(struct kelf_symbol *s)
{
	return is_function(s) &&
	       (s->status == KELF_CHANGED || s->status == KELF_NEW);
}

static void reach_changed(struct diff *d, struct lobj *p, struct reach_map *m)
{
	struct stack s = { 0 };
	char base[256];
	size_t i;

	for (i = 1; i < d->patched->nr_syms; i++) {
		struct kelf_symbol *f = d->patched->syms[i];

		if (!is_patched_function(f))
			continue;
		base_name(f->name, base, sizeof(base));
		reach_named(m, &s, p->funcs, p->nr_funcs, base, i);
		reach_vars(p, m, &s, f, i);
	}
	free(s.v);
}

static bool any_patched_function(struct diff *d)
{
	size_t i;

	for (i = 1; i < d->patched->nr_syms; i++)
		if (is_patched_function(d->patched->syms[i]))
			return true;
	return false;
}

static void judge(struct diff *d, struct ltype *ot, struct ltype *pt,
		  struct reach_map *m)
{
	char *what = layout_difference(&ot->die, &pt->die);
	const char *kind = layout_kind(dwarf_tag(&ot->die));
	const char *name = strchr(ot->key, ':') + 1;
	size_t who;

	if (!what)
		return;
	who = map_get(m, dwarf_dieoffset(&pt->die));
	if (!who)
		report_item(d, "warning", ot->key, "%s %s changed layout: %s; "
			    "no changed or new function uses it, so the "
			    "patch is not refused for it", kind, name, what);
	else if (!strcmp(kind, "enum"))
		refuse_unforceable(d, ot->key, "%s %s changed layout: %s; "
			"%s uses it, and existing objects hold the old "
			"values: keep the values of the existing enumerators "
			"(add new ones at the end, without changing the "
			"enum's size)", kind, name, what,
			d->patched->syms[who]->name);
	else
		refuse_unforceable(d, ot->key, "%s %s changed layout: %s; "
			"%s uses it, and existing objects keep the old "
			"layout: keep the %s's layout as it is and add new "
			"state with a shadow variable (klp_shadow_*)", kind,
			name, what, d->patched->syms[who]->name, kind);
	free(what);
}

static void no_dwarf(struct diff *d, const char *which, const char *why)
{
	const char *base = strrchr(d->objname, '/');

	report_item(d, "warning", base ? base + 1 : d->objname,
		    "%s in the %s object: the layouts of the structs, unions "
		    "and enums that changed code uses were not compared "
		    "(compile both objects with -g to have them checked)",
		    why, which);
}

void check_layouts(struct diff *d)
{
	struct lobj o = { 0 }, p = { 0 };
	struct reach_map m = { 0 };
	size_t i;

	if (!any_patched_function(d))
		return;
	lobj_open(&o, d->orig->path);
	lobj_open(&p, d->patched->path);
	if (o.none || !load(&o))
		no_dwarf(d, "original", o.none);
	else if (p.none || !load(&p))
		no_dwarf(d, "patched", p.none);
	else
		reach_changed(d, &p, &m);
	for (i = 0; !o.none && !p.none && i < o.nr_types; i++) {
		struct ltype *pt = find_type(&p, o.types[i].key);

		if (pt)
			judge(d, &o.types[i], pt, &m);
	}
	free(m.keys);
	free(m.vals);
	lobj_close(&o);
	lobj_close(&p);
}
