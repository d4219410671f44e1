// SPDX-License-Identifier: GPL-2.0
/*
 * Changes that livepatch cannot apply where they are, moved to where it can.
 *
 * A klp_func redirects a function through its ftrace entry: the
 * __mcount_loc record of the __fentry__ call at its start (after endbr64
 * with IBT), in the original object (ftrace.c has the rule).  A changed function that has none
 * cannot be patched itself:
 *
 *   - a ".cold" part (the unlikely blocks GCC moved out of a function) has
 *     none by nature: its parents, the functions that jump into it, become
 *     changed, and the new cold part is copied with them;
 *   - another one (a notrace function, a ".part.N" of one, a file built
 *     without -pg) that is local and only called or jumped to from code:
 *     its callers become changed, and it is copied with them.
 *
 * The copy is handled as a new function (status KELF_NEW, no klp_func):
 * it lives in the module, and the new callers call it, never the old one.
 *
 * The same goes for a changed switch table (CSWTCH.N, the read-only array
 * GCC makes of a switch that maps values): only the function of that
 * switch reads it, so it becomes changed and gets a copy of the new table;
 * and for a changed table of the file's plain read-only data
 * (is_plain_rodata(): a netlink policy, a lookup table) that only
 * functions read: each of them gets the copy.  Data that points at such a
 * table keeps it changed, and check() refuses it.
 * Other changed data is refused by check().
 * This repeats until the changes reach functions with ftrace entries.  What
 * is left, a changed function without ftrace entry that is global, whose
 * address is stored in data, or that nothing calls, stays changed, with
 * the reason in its state, and is refused by check_ftrace_entries().
 *
 * Runs after kpatch_macros_ignore(), so KPATCH_IGNORE_FUNCTION on such a
 * function keeps its callers unchanged.
 */
#define _GNU_SOURCE		/* asprintf */
#include "cdo.h"

#include <stdlib.h>
#include <string.h>

/* A reference to a function: from code of "from", or from data of "sec". */
struct ref {
	struct kelf_symbol *to, *from;
	const struct kelf_section *sec;
};

struct refs {
	struct ref *list;
	size_t nr, alloc;
};

static bool is_switch_table(const struct kelf_symbol *s)
{
	return is_data(s) && is_numbered(s->name, "CSWTCH") &&
	       !(s->sec->sh.sh_flags & SHF_WRITE);
}

/* Read-only data that only code reads, copied with its readers. */
static bool is_code_table(const struct kelf_symbol *s)
{
	return is_switch_table(s) || (is_data(s) && is_plain_rodata(s));
}

static bool counts_as_reference(const struct kelf_section *sec)
{
	return sec->rela && (sec->sh.sh_flags & SHF_ALLOC) &&
	       !is_ignored_section(sec) && !is_init_section(sec) &&
	       !special_find(sec);
}

static void add_ref(struct refs *refs, struct kelf_symbol *to,
		    struct kelf_symbol *from, const struct kelf_section *sec)
{
	if (refs->nr == refs->alloc) {
		refs->alloc = refs->alloc ? 2 * refs->alloc : 256;
		refs->list = xrealloc(refs->list,
				      refs->alloc * sizeof(*refs->list));
	}
	refs->list[refs->nr++] = (struct ref){ to, from, sec };
}

/* Every reference to a function of the patched object, but from itself. */
static void collect_refs(struct diff *d, struct refs *refs)
{
	size_t i, j;

	for (i = 1; i < d->patched->nr_secs; i++) {
		struct kelf_section *sec = d->patched->secs[i];

		if (!counts_as_reference(sec))
			continue;
		for (j = 0; j < sec->rela->nr_relas; j++) {
			const struct kelf_rela *r = &sec->rela->relas[j];
			struct kelf_symbol *from = NULL;
			struct target t;

			rela_target(d->patched, r, &t);
			if (!t.sym || (!is_function(t.sym) &&
				       !is_code_table(t.sym)))
				continue;
			if (kelf_is_exec(sec))
				from = kelf_symbol_at(d->patched, sec,
						      r->offset);
			if (from && !is_function(from))
				from = NULL;
			if (from != t.sym)
				add_ref(refs, t.sym, from, sec);
		}
	}
}

static void set_why(struct diff *d, struct kelf_symbol *p, const char *fmt,
		    const char *arg)
{
	struct symstate *st = sym_state(d, p);
	char *s;

	if (asprintf(&s, fmt, arg) < 0)
		return;
	free(st->why);
	st->why = s;
}

#define MAX_USERS	256

static bool listed(struct kelf_symbol *const *users, size_t nr,
		   const struct kelf_symbol *s)
{
	while (nr--)
		if (users[nr] == s)
			return true;
	return false;
}

/*
 * Whether p can be moved into its callers; they are then in users[0..*nr-1].
 * If not, the reason is in p's state.
 */
static bool movable(struct diff *d, struct refs *refs, struct kelf_symbol *p,
		    struct kelf_symbol **users, size_t *nr)
{
	static const char prefix[] = "no ftrace entry: notrace or compiled "
				     "without -pg; ";
	/* a part of the functions using it, not a function of its own */
	bool part = is_cold_part(p) || is_code_table(p);
	size_t i;

	*nr = 0;
	if (!part && kelf_bind(p) != STB_LOCAL) {
		set_why(d, p, "%sit is global: other objects may call it",
			prefix);
		return false;
	}
	for (i = 0; i < refs->nr; i++) {
		struct ref *r = &refs->list[i];

		if (r->to != p || (!part && r->from &&
				   is_cold_part_of(r->from, p)))
			continue;
		if (!r->from) {
			set_why(d, p, "%sits address is stored in data",
				prefix);
			return false;
		}
		if (listed(users, *nr, r->from))
			continue;
		if (*nr == MAX_USERS) {
			set_why(d, p, "%sit has too many callers", prefix);
			return false;
		}
		users[(*nr)++] = r->from;
	}
	if (!*nr)
		set_why(d, p, "%snothing in this object calls it", prefix);
	return *nr;
}

/* The reason given to a caller made changed by p. */
static void mark_user(struct diff *d, struct kelf_symbol *user,
		      struct kelf_symbol *p)
{
	if (is_cold_part(p))
		mark_changed(d, user, "its cold part %s changed", p->name);
	else if (is_switch_table(p))
		mark_changed(d, user, "its switch table %s changed", p->name);
	else if (is_code_table(p))
		mark_changed(d, user, "the table %s it reads changed", p->name);
	else
		mark_changed(d, user, "calls %s, which changed and has no "
			     "ftrace entry (notrace or compiled without -pg)",
			     p->name);
}

/* Move p's change into its users; false if it stays where it is. */
static bool move_into_users(struct diff *d, struct refs *refs,
			    struct kelf_symbol *p)
{
	struct kelf_symbol *users[MAX_USERS];
	size_t nr, i;

	if (!movable(d, refs, p, users, &nr)) {
		/* check_ftrace_entries() refuses the others */
		if (is_cold_part(p) || is_switch_table(p))
			refuse(d, p->name, "changed %s that no function of "
			       "this object uses; please report this with the "
			       "patch", is_cold_part(p) ? "cold part" :
			       "switch table");
		return false;
	}
	for (i = 0; i < nr; i++)
		mark_user(d, users[i], p);
	p->status = KELF_NEW;
	sym_state(d, p)->copied = true;
	set_why(d, p, "%s", is_switch_table(p) ?
		"changed switch table, copied with its function" :
		is_code_table(p) ? "changed read-only table, copied with the "
		"functions that read it" :
		"changed, but has no ftrace entry (notrace or compiled "
		"without -pg): copied with its patched callers");
	return true;
}

static bool needs_moving(const struct kelf_symbol *p, const bool *traced)
{
	if (p->status != KELF_CHANGED || !p->twin || is_init_section(p->sec) ||
	    is_ignored_section(p->sec))
		return false;
	return is_code_table(p) ||
	       (is_function(p) && !traced[p->twin->index]);
}

void propagate(struct diff *d)
{
	bool *traced = ftrace_entries(d->orig), again = true;
	bool *tried = xcalloc(d->patched->nr_syms, sizeof(*tried));
	struct refs refs = { 0 };
	size_t i;

	collect_refs(d, &refs);
	while (again) {
		again = false;
		for (i = 1; i < d->patched->nr_syms; i++) {
			struct kelf_symbol *p = d->patched->syms[i];

			if (tried[i] || !needs_moving(p, traced))
				continue;
			tried[i] = true;
			again |= move_into_users(d, &refs, p);
		}
	}
	free(refs.list);
	free(tried);
	free(traced);
}
