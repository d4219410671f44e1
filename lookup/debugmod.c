// SPDX-License-Identifier: GPL-2.0
/*
 * --module-debug FILE: the file groups of a stripped module, from its debug
 * copy.
 *
 * A distribution ships its modules stripped with --strip-debug, which drops
 * the STT_FILE symbols: a module linked from several objects then has one
 * group of all its locals, and two statics of the same name in it cannot be
 * told apart.  Debian's linux-image-RELEASE-dbg package holds the same
 * modules before stripping (usr/lib/debug/lib/modules/RELEASE/...): the same
 * symbols in the same symbol table order, plus the STT_FILE symbols (and the
 * section symbols and debug sections, which kallsyms does not list).
 *
 * The debug copy is checked to list, in order, the same symbols (name,
 * value, binding, type, section) as the shipped module; then each local of
 * the shipped module takes the file group of its twin.  Positions stay the
 * shipped module's (they are the same: the same symbols, in the same order).
 */
#include "lookup.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int cmp_index(const void *a, const void *b)
{
	const struct tsym *x = *(const struct tsym * const *)a;
	const struct tsym *y = *(const struct tsym * const *)b;

	return x->index < y->index ? -1 : x->index > y->index;
}

/* The target's listed symbols in symbol table order. */
static struct tsym **in_table_order(struct target *t)
{
	struct tsym **v = xcalloc(t->nr_syms + 1, sizeof(*v));
	size_t i;

	for (i = 0; i < t->nr_syms; i++)
		v[i] = &t->syms[i];
	qsort(v, t->nr_syms, sizeof(*v), cmp_index);
	return v;
}

static const char *sec_name(const struct target *t, const struct tsym *s)
{
	const struct kelf_section *sec = t->k->syms[s->index]->sec;

	return sec ? sec->name : "";
}

static bool same_symbol(const struct target *a, const struct tsym *x,
			const struct target *b, const struct tsym *y)
{
	const struct kelf_symbol *sx = a->k->syms[x->index];
	const struct kelf_symbol *sy = b->k->syms[y->index];

	return !strcmp(x->name, y->name) && x->addr == y->addr &&
	       x->bind == y->bind && kelf_type(sx) == kelf_type(sy) &&
	       !strcmp(sec_name(a, x), sec_name(b, y));
}

static void mismatch(const struct target *t, const struct target *d,
		     size_t i, const struct tsym *x, const struct tsym *y)
{
	fprintf(stderr, "error: %s: not the debug copy of %s: its symbol %zu "
		"that kallsyms lists is %s (%s+0x%lx), %s's is %s (%s+0x%lx); "
		"pass the module of the same build from the "
		"linux-image-RELEASE-dbg package "
		"(usr/lib/debug/lib/modules/RELEASE/...), or omit "
		"--module-debug\n", d->path, t->path, i,
		y ? y->name : "(none)", y ? sec_name(d, y) : "", y ? y->addr : 0,
		t->path, x ? x->name : "(none)", x ? sec_name(t, x) : "",
		x ? x->addr : 0);
}

/* Pairs the symbols of t and d; the file groups of d go to t's locals. */
static int adopt(struct target *t, struct target *d)
{
	struct tsym **ts = in_table_order(t), **ds = in_table_order(d);
	size_t i, n = t->nr_syms > d->nr_syms ? t->nr_syms : d->nr_syms;
	int ret = 0;

	for (i = 0; i < n; i++) {
		if (i < t->nr_syms && i < d->nr_syms &&
		    same_symbol(t, ts[i], d, ds[i]))
			continue;
		mismatch(t, d, i, i < t->nr_syms ? ts[i] : NULL,
			 i < d->nr_syms ? ds[i] : NULL);
		ret = -1;
		break;
	}
	for (i = 0; !ret && i < t->nr_syms; i++)
		ts[i]->group = ds[i]->group;
	free(ts);
	free(ds);
	return ret;
}

int target_adopt_debug(struct target *t, const char *path)
{
	struct target *d;

	if (!target_is_module(t)) {
		fprintf(stderr, "error: --module-debug %s: the target %s is not "
			"a module; give it with --module only\n", path, t->path);
		return -1;
	}
	d = target_load(path, t->objname);
	if (!d)
		return -1;
	if (adopt(t, d)) {
		target_free(d);
		return -1;
	}
	free(t->groups);
	t->groups = xcalloc(d->nr_groups + 1, sizeof(*t->groups));
	memcpy(t->groups, d->groups, d->nr_groups * sizeof(*t->groups));
	t->nr_groups = d->nr_groups;
	t->debug = d;		/* its names are the groups' file names */
	return 0;
}
