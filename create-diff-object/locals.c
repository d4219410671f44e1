// SPDX-License-Identifier: GPL-2.0
/*
 * Pair the static local variables of the two objects ("static int x" inside
 * a function; GCC names it "x.N", N counting through the file, so an edit
 * anywhere above renumbers it, and two functions' "x" can swap numbers).
 *
 * A static local is paired through the functions that use it: the patched
 * variable v, used by function f, is the original variable of the same
 * base name that f's twin uses.  If a function uses several of that base
 * name, they are paired in the order of their first use, and only when both
 * sides use as many.  All the paired users of v must agree.
 *
 * A static local that no function uses is paired by exact name, else by
 * base name when that is unique on both sides; one whose users are all new
 * is new.  One that cannot be told apart is refused: pairing it wrong would
 * give the patched function another function's state, leaving it unpaired
 * would silently give it fresh state.
 */
#include "cdo.h"

#include <stdlib.h>
#include <string.h>

struct use {
	struct kelf_symbol *var, *fn;
};

struct uses {
	struct use *list;
	size_t nr, alloc;
};

bool is_static_local(const struct kelf_symbol *s)
{
	const char *dot = strrchr(s->name, '.');

	if (kelf_type(s) != STT_OBJECT || kelf_bind(s) != STB_LOCAL ||
	    !dot || dot == s->name || !dot[1])
		return false;
	return strspn(dot + 1, "0123456789") == strlen(dot + 1);
}

static bool used(const struct uses *u, const struct kelf_symbol *var,
		 const struct kelf_symbol *fn)
{
	size_t i;

	for (i = 0; i < u->nr; i++)
		if (u->list[i].var == var && u->list[i].fn == fn)
			return true;
	return false;
}

static void add_use(struct uses *u, struct kelf_symbol *var,
		    struct kelf_symbol *fn)
{
	if (used(u, var, fn))
		return;
	if (u->nr == u->alloc) {
		u->alloc = u->alloc ? 2 * u->alloc : 64;
		u->list = xrealloc(u->list, u->alloc * sizeof(*u->list));
	}
	u->list[u->nr++] = (struct use){ var, fn };
}

/* Which function uses which static local, in the order of first use. */
static void collect_uses(struct kelf *k, struct uses *u)
{
	size_t i, j;

	for (i = 1; i < k->nr_secs; i++) {
		struct kelf_section *sec = k->secs[i];

		if (!kelf_is_exec(sec) || !sec->rela)
			continue;
		for (j = 0; j < sec->rela->nr_relas; j++) {
			const struct kelf_rela *r = &sec->rela->relas[j];
			struct kelf_symbol *fn;
			struct target t;

			rela_target(k, r, &t);
			if (!t.sym || !is_static_local(t.sym))
				continue;
			fn = kelf_symbol_at(k, sec, r->offset);
			if (fn && is_function(fn))
				add_use(u, t.sym, fn);
		}
	}
}

static bool same_base(const struct kelf_symbol *a, const char *canon)
{
	char buf[512];

	canonical_name(a->name, buf, sizeof(buf));
	return !strcmp(buf, canon);
}

/*
 * The static locals called canon that fn uses: how many, and which one is
 * the n-th (*nth, NULL if none) and where var is among them (*rank).
 */
static size_t base_uses(const struct uses *u, const struct kelf_symbol *fn,
			const char *canon, const struct kelf_symbol *var,
			size_t n, struct kelf_symbol **nth, size_t *rank)
{
	size_t i, count = 0;

	for (i = 0; i < u->nr; i++) {
		if (u->list[i].fn != fn || !same_base(u->list[i].var, canon))
			continue;
		if (count == n && nth)
			*nth = u->list[i].var;
		if (u->list[i].var == var && rank)
			*rank = count;
		count++;
	}
	return count;
}

/* The twin that user fn (with a twin) says v has; NULL if none. */
static struct kelf_symbol *twin_by_user(const struct uses *pu,
					const struct uses *ou,
					struct kelf_symbol *v,
					struct kelf_symbol *fn, bool *ambiguous)
{
	struct kelf_symbol *cand = NULL;
	size_t np, no, rank = 0;
	char canon[512];

	canonical_name(v->name, canon, sizeof(canon));
	np = base_uses(pu, fn, canon, v, 0, NULL, &rank);
	no = base_uses(ou, fn->twin, canon, NULL, rank, &cand, NULL);
	if (no && np != no) {
		*ambiguous = true;
		return NULL;
	}
	return cand;
}

static void refuse_ambiguous(struct diff *d, struct kelf_symbol *v,
			     struct kelf_symbol *fn)
{
	refuse(d, v->name, "static local variable used by %s: the original "
	       "%s uses another number of static locals of that name, so "
	       "create-diff-object cannot tell which one this is (and a wrong "
	       "guess would give it another variable's state); give the new "
	       "static variable another name", fn->name, fn->twin->name);
}

/* Pair v through its users; false if no user of it has a twin. */
static bool pair_by_users(struct diff *d, const struct uses *pu,
			  const struct uses *ou, struct kelf_symbol *v)
{
	struct kelf_symbol *found = NULL, *cand;
	bool any = false, ambiguous = false;
	size_t i;

	for (i = 0; i < pu->nr; i++) {
		struct kelf_symbol *fn = pu->list[i].fn;

		if (pu->list[i].var != v || !fn->twin)
			continue;
		any = true;
		cand = twin_by_user(pu, ou, v, fn, &ambiguous);
		if (ambiguous) {
			refuse_ambiguous(d, v, fn);
			return true;
		}
		if (cand && found && cand != found) {
			refuse(d, v->name, "static local variable: its users "
			       "used different variables in the original (%s "
			       "uses %s, another uses %s), so create-diff-"
			       "object cannot tell whose state it keeps; keep "
			       "one static variable per function",
			       fn->name, cand->name, found->name);
			return true;
		}
		if (cand)
			found = cand;
	}
	if (found && !found->twin && kelf_type(found) == kelf_type(v)) {
		v->twin = found;
		found->twin = v;
	}
	return any;
}

static bool has_user(const struct uses *u, const struct kelf_symbol *var)
{
	size_t i;

	for (i = 0; i < u->nr; i++)
		if (u->list[i].var == var)
			return true;
	return false;
}

/* The only unpaired, unused static local called canon in k, or NULL. */
static struct kelf_symbol *only_unused(struct kelf *k, const struct uses *u,
				       const char *canon)
{
	struct kelf_symbol *found = NULL;
	size_t i;

	for (i = 1; i < k->nr_syms; i++) {
		struct kelf_symbol *s = k->syms[i];

		if (!is_static_local(s) || s->twin || has_user(u, s) ||
		    !same_base(s, canon))
			continue;
		if (found)
			return NULL;
		found = s;
	}
	return found;
}

/* A static local no function uses: by name, else by unique base name. */
static void pair_unused(struct diff *d, const struct uses *pu,
			const struct uses *ou, struct kelf_symbol *v)
{
	struct kelf_symbol *o = kelf_find_symbol(d->orig, v->name);
	char canon[512];

	if (!o || !is_static_local(o) || o->twin || has_user(ou, o)) {
		canonical_name(v->name, canon, sizeof(canon));
		o = only_unused(d->orig, ou, canon);
		if (o && only_unused(d->patched, pu, canon) != v)
			o = NULL;
	}
	if (o) {
		v->twin = o;
		o->twin = v;
	}
}

void pair_static_locals(struct diff *d)
{
	struct uses pu = { 0 }, ou = { 0 };
	size_t i;

	collect_uses(d->patched, &pu);
	collect_uses(d->orig, &ou);
	for (i = 1; i < d->patched->nr_syms; i++) {
		struct kelf_symbol *v = d->patched->syms[i];

		if (!is_static_local(v) || !v->sec || v->twin)
			continue;
		if (!pair_by_users(d, &pu, &ou, v) && !has_user(&pu, v))
			pair_unused(d, &pu, &ou, v);
	}
	free(pu.list);
	free(ou.list);
}
