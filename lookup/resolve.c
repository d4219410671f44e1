// SPDX-License-Identifier: GPL-2.0
/*
 * A name -> its kallsyms position in the target.
 *
 * The position is 0 when the target has one symbol of that name, else the
 * 1-based rank of the right one among all of them in kallsyms order (see
 * klp_find_object_symbol() in kernel/livepatch/core.c).  Which one is right
 * depends on what the name means in the original object:
 *
 * - defined LOCAL there: the one in the target's STT_FILE group of the same
 *   source file whose local functions and data have the most names in
 *   common with the original object's;
 * - a global there (defined or UNDEF): the target's only global of that name;
 * - not named there at all: the target's global if it has one, else the
 *   local of the original object's file, as for a local.
 *
 * A System.map has no STT_FILE groups: there, the local of the original
 * object's file is the one whose neighbours in address order (the other
 * symbols of its object, which the linker keeps together) are names the
 * original object defines; the most such neighbours wins, a tie is an error.
 *
 * Anything not certain is an error that lists the candidates: a wrong
 * position would patch or call the wrong function.
 *
 * A module is looked up in two states: loaded (kallsyms without its .init
 * and other non-kept symbols) when the livepatch comes after it, and loading
 * (its whole symbol table) when it comes after the livepatch.  The position
 * must be the same in both.
 */
#include "lookup.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_LISTED	10
/* System.map: how far to walk from a candidate each way */
#define MAP_MAX_WALK	4096

/* One name being resolved, and the target's symbols of that name. */
struct query {
	const struct target *t;
	struct orig *o;
	const char *name;
	const char *diff_path;
	enum orig_bind bind;
	const struct tsym *s;
	size_t n;
};

/* The local symbol of the name in one STT_FILE group of the target. */
struct candidate {
	int group;
	int overlap;
	bool file_match;
	const struct tsym *sym;
};

static const char *bind_word(enum orig_bind bind)
{
	switch (bind) {
	case ORIG_LOCAL:
		return "local";
	case ORIG_GLOBAL:
		return "global";
	default:
		return "not named";
	}
}

static void query_error(const struct query *q, const char *what)
{
	const struct orig *o = q->o;
	const struct target *t = q->t;

	fprintf(stderr, "error: %s: symbol %s (%s in %s, file %s): %s %s %s; "
		"lookup does not guess a kallsyms position. Check that %s is "
		"the kernel %s was built for (same source and .config)\n",
		q->diff_path, q->name, bind_word(q->bind), o->k->path,
		o->file ? o->file : "unknown", what, t->objname, t->path,
		t->path, o->k->path);
}

static int group_overlap(const struct target *t, struct orig *o, int group)
{
	size_t i;
	int n = 0;

	if (o->overlap[group] >= 0)
		return o->overlap[group];
	for (i = 0; i < o->nr_locals; i++)
		if (target_group_has(t, group, o->locals[i]))
			n++;
	o->overlap[group] = n;
	return n;
}

/*
 * Whether a group can be the original object's file.  A target without
 * any STT_FILE symbol (a distribution's module, stripped with
 * --strip-debug) has one group of all its locals, with no name to compare:
 * the overlap and the one-symbol-per-group check decide there.
 */
static bool file_matches(const struct query *q, int group)
{
	const struct target *t = q->t;

	if (t->nr_groups == 1 && !t->groups[0].file[0])
		return true;
	return !q->o->file || !strcmp(q->o->file, t->groups[group].file);
}

/* The local symbols of the name, one candidate per STT_FILE group. */
static size_t local_candidates(const struct query *q, struct candidate *c)
{
	size_t i, j, nr = 0;

	for (i = 0; i < q->n; i++) {
		int group = q->s[i].group;

		if (group < 0)
			continue;
		for (j = 0; j < nr && c[j].group != group; j++)
			;
		if (j < nr)
			continue;
		c[nr].group = group;
		c[nr].sym = &q->s[i];
		c[nr].file_match = file_matches(q, group);
		c[nr].overlap = group_overlap(q->t, q->o, group);
		nr++;
	}
	return nr;
}

static void list_candidates(const struct query *q, const struct candidate *c,
			    size_t nr)
{
	size_t i;

	for (i = 0; i < nr && i < MAX_LISTED; i++)
		fprintf(stderr, "  candidate: %s at 0x%lx, local in file %s "
			"(%d local names in common)\n", c[i].sym->name,
			c[i].sym->addr, target_group_file(q->t, c[i].group),
			c[i].overlap);
	if (nr > MAX_LISTED)
		fprintf(stderr, "  ... and %zu more\n", nr - MAX_LISTED);
}

/* The best candidate of the right file; NULL when it is not unique. */
static const struct candidate *best_candidate(const struct query *q,
					      const struct candidate *c,
					      size_t nr)
{
	const struct candidate *best = NULL;
	size_t i, ties = 0;

	for (i = 0; i < nr; i++) {
		if (!c[i].file_match)
			continue;
		if (!best || c[i].overlap > best->overlap) {
			best = &c[i];
			ties = 0;
		} else if (c[i].overlap == best->overlap) {
			ties++;
		}
	}
	if (!best)
		query_error(q, "no local symbol of that name comes from that "
			    "file in");
	else if (ties)
		query_error(q, "several files of that name match it equally "
			    "well in");
	else
		return best;
	list_candidates(q, c, nr);
	return NULL;
}

static const struct tsym *pick_local(const struct query *q)
{
	struct candidate *c = xcalloc(q->n, sizeof(*c));
	const struct candidate *best;
	const struct tsym *pick = NULL;
	size_t nr, i, in_group = 0;

	nr = local_candidates(q, c);
	best = best_candidate(q, c, nr);
	for (i = 0; best && i < q->n; i++) {
		if (q->s[i].group != best->group)
			continue;
		pick = &q->s[i];
		in_group++;
	}
	if (in_group > 1) {
		query_error(q, "its file's group holds several symbols of "
			    "that name in");
		pick = NULL;
	}
	free(c);
	return pick;
}

/* Same kind of section: text, data, bss, rodata (System.map letters). */
static char map_class(char type)
{
	char c = (char)tolower((unsigned char)type);

	switch (c) {
	case 'w':
		return 't';
	case 'v':
	case 'g':
		return 'd';
	case 's':
		return 'b';
	case 'n':
		return 'r';
	default:
		return c;
	}
}

/* Where ORIG.o emits a symbol: its section (in file order), then offset.
 * The compiler emits an object's functions and data in the same order
 * with -ffunction-sections -fdata-sections or without, and the linker
 * keeps that order in the target. */
static bool emitted_before(const struct kelf_symbol *a,
			   const struct kelf_symbol *b)
{
	if (a->sec->index != b->sec->index)
		return a->sec->index < b->sec->index;
	return a->sym.st_value < b->sym.st_value;
}

static bool in_order(const struct kelf_symbol *a, const struct kelf_symbol *b,
		     int dir)
{
	return dir > 0 ? emitted_before(a, b) : emitted_before(b, a);
}

static bool unique_in_target(const struct target *t, const char *name)
{
	size_t n;

	target_find(t, name, &n);
	return n == 1;
}

/*
 * The symbols next to s one way (dir -1 or 1), in the same kind of section,
 * that continue the run of s's object: ORIG.o defines them and emits them
 * in the same order (after s to the right, before it to the left).  Symbols
 * at one address (zero-size data: System.map sorts them by name) may come
 * in any order among themselves.  mine is ORIG.o's symbol of s's name, NULL
 * when it has none.  Returns how many of them have a name no other symbol
 * of the target has: only those tell objects apart (every object has its
 * __key.0, its __func__.12).
 */
static size_t map_walk(const struct query *q, const struct tsym *s,
		       const struct kelf_symbol *mine, int dir)
{
	const struct target *t = q->t;
	const struct kelf_symbol *anchor = NULL, *last = mine, *cur;
	unsigned long addr = s->addr;
	long i = (long)s->rank + dir, steps = 0;
	size_t unique = 0;

	for (; i >= 0 && i < (long)t->nr_syms && steps < MAP_MAX_WALK;
	     i += dir, steps++) {
		const struct tsym *nb = t->by_addr[i];

		if (map_class(nb->type) != map_class(s->type))
			break;
		cur = orig_defined(q->o, nb->name);
		if (!cur || cur == mine)
			break;
		if (nb->addr != addr) {
			anchor = last;
			addr = nb->addr;
		}
		if (anchor && !in_order(anchor, cur, dir))
			break;
		if (!last || in_order(last, cur, dir))
			last = cur;
		if (unique_in_target(t, nb->name))
			unique++;
	}
	return unique;
}

/*
 * How well the names around s say it belongs to the original object: the
 * names of its run (map_walk both ways) that are unique in the target.
 * The right candidate's run is its whole object's; a same-named static of
 * another object shares at most generic names with it.
 */
static size_t map_run(const struct query *q, const struct tsym *s)
{
	const struct kelf_symbol *mine = orig_local(q->o, q->name);

	return map_walk(q, s, mine, -1) + map_walk(q, s, mine, 1);
}

/* Whether the target symbol is of the kind ORIG.o's symbol of that name is:
 * code for a function, data for an object. */
static bool map_same_kind(const struct query *q, const struct tsym *s)
{
	const struct kelf_symbol *o = orig_local(q->o, q->name);

	if (o && kelf_type(o) == STT_FUNC)
		return map_class(s->type) == 't';
	if (o && kelf_type(o) == STT_OBJECT)
		return map_class(s->type) != 't';
	return true;
}

/* The nearest neighbour of s in address order, for messages. */
static const char *map_neighbour_name(const struct target *t,
				      const struct tsym *s)
{
	if (s->rank + 1 < t->nr_syms)
		return t->by_addr[s->rank + 1]->name;
	return s->rank ? t->by_addr[s->rank - 1]->name : "(none)";
}

/*
 * System.map: the local of that name, of the kind ORIG.o's is, that is the
 * only one, or whose run (map_run) has uniquely the most names of its own.
 */
static const struct tsym *pick_local_map(const struct query *q)
{
	const struct tsym *best = NULL;
	size_t *run = xcalloc(q->n, sizeof(*run));
	size_t i, nr = 0, ties = 0;

	for (i = 0; i < q->n; i++) {
		if (q->s[i].bind != STB_LOCAL || !map_same_kind(q, &q->s[i]))
			continue;
		nr++;
		run[i] = map_run(q, &q->s[i]);
		if (!best || run[i] > run[best - q->s]) {
			best = &q->s[i];
			ties = 0;
		} else if (run[i] == run[best - q->s]) {
			ties++;
		}
	}
	if (best && (nr == 1 || (!ties && run[best - q->s] > 0))) {
		free(run);
		return best;
	}
	if (!nr)
		query_error(q, "there is no local symbol of that name and "
			    "kind (code or data) in");
	else
		query_error(q, "System.map has no file names, and the "
			    "neighbours (the run of symbols around each, in "
			    "address order, that the original object defines "
			    "in that order, with names found once in the "
			    "target) do not single one out in");
	for (i = 0; i < q->n && i < MAX_LISTED; i++)
		fprintf(stderr, "  candidate: %s at 0x%lx, type %c, next to "
			"%zu unique names of the original object (first "
			"neighbour %s)\n",
			q->s[i].name, q->s[i].addr, q->s[i].type, run[i],
			map_neighbour_name(q->t, &q->s[i]));
	if (q->n > MAX_LISTED)
		fprintf(stderr, "  ... and %zu more\n", q->n - MAX_LISTED);
	fprintf(stderr, "  the target's vmlinux with its symbol table (file "
		"names) tells them apart: pass it instead of System.map\n");
	free(run);
	return NULL;
}

static void list_symbols(const struct query *q)
{
	size_t i;

	for (i = 0; i < q->n && i < MAX_LISTED; i++)
		fprintf(stderr, "  candidate: %s at 0x%lx, %s\n",
			q->s[i].name, q->s[i].addr,
			q->s[i].group < 0 ? "global" :
			target_group_file(q->t, q->s[i].group));
	if (q->n > MAX_LISTED)
		fprintf(stderr, "  ... and %zu more\n", q->n - MAX_LISTED);
}

static const struct tsym *pick_global(const struct query *q)
{
	const struct tsym *pick = NULL;
	size_t i, globals = 0;

	for (i = 0; i < q->n; i++) {
		if (q->s[i].bind == STB_LOCAL)
			continue;
		pick = &q->s[i];
		globals++;
	}
	if (globals == 1)
		return pick;
	query_error(q, globals ? "there is more than one global symbol of "
		    "that name in" : "there are only local symbols of that "
		    "name, of other files, in");
	list_symbols(q);
	return NULL;
}

static bool has_global(const struct tsym *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (s[i].bind != STB_LOCAL)
			return true;
	return false;
}

long resolve_sympos(const struct target *t, struct orig *o,
		    const char *name, const char *diff_path)
{
	struct query q = {
		.t = t, .o = o, .name = name, .diff_path = diff_path,
	};
	const struct tsym *pick;
	long pos;

	q.bind = orig_binding(o, name);
	q.s = target_find(t, name, &q.n);
	if (!q.s && target_is_module(t)) {
		fprintf(stderr, "error: %s: symbol %s (%s in %s): module %s "
			"(%s) has no symbol of that name, and Module.symvers "
			"does not list it as exported. A module's code can only "
			"use its own module's symbols and exported ones, so a "
			"patch to %s cannot use a symbol that vmlinux or "
			"another module does not export; check also that %s "
			"is the module the target kernel loads\n", diff_path,
			name, bind_word(q.bind), o->k->path, t->objname,
			t->path, t->objname, t->path);
		return -1;
	}
	if (!q.s) {
		query_error(&q, "there is no symbol of that name in the "
			    "symbol table of");
		return -1;
	}
	if ((q.bind == ORIG_LOCAL ||
	     (q.bind == ORIG_ABSENT && !has_global(q.s, q.n))) &&
	    target_is_map(t) && q.n == 1 && q.s->bind == STB_LOCAL)
		pick = q.s;	/* the only one: its position is 0 */
	else if (q.bind == ORIG_LOCAL ||
		 (q.bind == ORIG_ABSENT && !has_global(q.s, q.n)))
		pick = target_is_map(t) ? pick_local_map(&q) : pick_local(&q);
	else
		pick = pick_global(&q);
	if (!pick)
		return -1;
	pos = q.n == 1 ? 0 : (long)(pick - q.s) + 1;
	if (target_is_module(t) && target_full_pos(t, pick) != pos) {
		fprintf(stderr, "error: %s: symbol %s of module %s (%s) has "
			"kallsyms position %ld once the module is loaded but "
			"%ld while it loads (symbols of .init or unallocated "
			"sections share its name), and livepatch looks it up "
			"in either state; no position fits both. Change the "
			"patch so that the new code does not use %s (patch "
			"its callers instead)\n", diff_path, name, t->objname,
			t->path, pos, target_full_pos(t, pick), name);
		return -1;
	}
	return pos;
}
