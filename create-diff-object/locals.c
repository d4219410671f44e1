// SPDX-License-Identifier: GPL-2.0
/*
 * Pair the static local variables of the two objects ("static int x" inside
 * a function; GCC names it "x.N", N counting through the file, so an edit
 * anywhere above renumbers it, and two functions' "x" can swap numbers).
 * Macros make many of them, one per call site: mutex_init(),
 * spin_lock_init(), init_waitqueue_head(), init_rwsem() (a lockdep "__key",
 * of size 0 without lockdep), printk_ratelimited() ("_rs"), pr_*_once() and
 * WARN_ONCE() ("__already_done").
 *
 * A static local is paired through the functions that use it, by call
 * site.  The relocations of a patched function f and of its twin, in
 * offset order, say what each one means (rela_token(): the original's name
 * of a paired symbol, a string's or constant's content, a static local's
 * name without its number).  A relocation that both functions have once
 * is distinctive (the lock's name passed with a key, a message, a
 * descriptor; not __fentry__ or the return thunk, which are where, not
 * what).  Each use of a static local has an anchor on each side: the
 * nearest distinctive relocation before and after it, with no use of that
 * base name between.  A patched and an original variable of the same base
 * name score 2 for the same anchor after a use of each (a key with the
 * lock's name after it), 1 for the same anchor before; the best scores are
 * paired first, and a tie for the best is ambiguous.  What is left of a
 * name in f: new if its twin has none left, paired in the order of first
 * use if both have as many left, else ambiguous.  All users of a variable
 * must agree.  An ambiguous variable is refused, unless it has size 0 (a
 * lockdep key without lockdep: no state, it is new then) or is a switch
 * table (CSWTCH.N, a constant: new then, and copied).
 *
 * A static local that no function uses is paired by exact name, else by
 * base name when that is unique on both sides; one whose users are all new
 * is new.  One that cannot be told apart is refused: pairing it wrong would
 * give the patched function another function's state, leaving it unpaired
 * would silently give it fresh state.  Constants (__func__.N) and dynamic
 * debug descriptors are compared by content and never paired
 * (constants.c).
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
			if (!t.sym || !is_static_local(t.sym) ||
			    by_content(t.sym))
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

static bool alike(const struct kelf_symbol *a, const struct kelf_symbol *b)
{
	char canon[512];

	canonical_name(a->name, canon, sizeof(canon));
	return same_base(b, canon);
}

/* Calls every function makes, at its start or end. */
static bool is_boilerplate(const struct kelf_symbol *s)
{
	return s && !s->sec && (!strcmp(s->name, "__fentry__") ||
				!strcmp(s->name, "__x86_return_thunk") ||
				!strcmp(s->name, "__stack_chk_fail"));
}

/*
 * One relocation of a function: what it means (rela_token()), the static
 * local it refers to, and for a static local the nearest distinctive
 * relocations before and after it (0: none).
 */
struct site {
	unsigned long offset, tok, prev, next;
	struct kelf_symbol *var;
	bool boilerplate;	/* where, not what: tells no call site */
	bool distinct;		/* both functions have it once */
};

struct seq {
	struct site *s;
	size_t n;
	struct kelf_symbol **vars;	/* its static locals, by first use */
	size_t nr_vars;
};

/* The static locals of a patched function and what they are in its twin. */
struct fn_pairs {
	bool done;
	struct seq p, o;
	struct kelf_symbol **twin;	/* by p.vars index; NULL: new */
	bool *ambiguous;
};

static int by_offset(const void *a, const void *b)
{
	const struct site *x = a, *y = b;

	return x->offset < y->offset ? -1 : x->offset > y->offset;
}

static void add_var(struct seq *q, struct kelf_symbol *v)
{
	size_t i;

	for (i = 0; i < q->nr_vars; i++)
		if (q->vars[i] == v)
			return;
	q->vars[q->nr_vars++] = v;
}

static void function_sites(struct diff *d, struct kelf *k,
			   const struct kelf_symbol *fn, struct seq *q)
{
	const struct kelf_section *rela = fn->sec->rela;
	size_t i, max = rela ? rela->nr_relas + 1 : 1;

	q->n = q->nr_vars = 0;
	q->s = xcalloc(max, sizeof(*q->s));
	q->vars = xcalloc(max, sizeof(*q->vars));
	for (i = 0; rela && i < rela->nr_relas; i++) {
		const struct kelf_rela *r = &rela->relas[i];
		struct site *s = &q->s[q->n];
		struct target t;

		if (r->offset < fn->sym.st_value ||
		    r->offset >= fn->sym.st_value + fn->sym.st_size)
			continue;
		rela_target(k, r, &t);
		s->offset = r->offset;
		s->tok = rela_token(d, k, r, 0);
		s->boilerplate = is_boilerplate(t.sym);
		if (t.sym && is_static_local(t.sym) && !by_content(t.sym))
			s->var = t.sym;
		q->n++;
	}
	qsort(q->s, q->n, sizeof(*q->s), by_offset);
	for (i = 0; i < q->n; i++)
		if (q->s[i].var)
			add_var(q, q->s[i].var);
}

static int by_tok(const void *a, const void *b)
{
	const unsigned long *x = a, *y = b;

	return *x < *y ? -1 : *x > *y;
}

static unsigned long *sorted_toks(const struct seq *q)
{
	unsigned long *t = xcalloc(q->n + 1, sizeof(*t));
	size_t i;

	for (i = 0; i < q->n; i++)
		t[i] = q->s[i].tok;
	qsort(t, q->n, sizeof(*t), by_tok);
	return t;
}

/* How often tok is in the sorted t[0..n): 0, 1 or 2 (more). */
static int occurs(const unsigned long *t, size_t n, unsigned long tok)
{
	const unsigned long *hit = bsearch(&tok, t, n, sizeof(*t), by_tok);

	if (!hit)
		return 0;
	return (hit > t && hit[-1] == tok) ||
	       ((size_t)(hit - t) + 1 < n && hit[1] == tok) ? 2 : 1;
}

/* The relocations both functions have once: they tell a call site. */
static void mark_distinct(struct fn_pairs *f)
{
	unsigned long *pt = sorted_toks(&f->p), *ot = sorted_toks(&f->o);
	struct seq *q[] = { &f->p, &f->o };
	size_t i, k;

	for (k = 0; k < ARRAY_SIZE(q); k++)
		for (i = 0; i < q[k]->n; i++) {
			struct site *s = &q[k]->s[i];

			s->distinct = !s->boilerplate &&
				      occurs(pt, f->p.n, s->tok) == 1 &&
				      occurs(ot, f->o.n, s->tok) == 1;
		}
	free(pt);
	free(ot);
}

/* The nearest distinctive token from site i on, before a use like it. */
static unsigned long anchor(const struct seq *q, size_t i, long step)
{
	long k;

	for (k = (long)i + step; k >= 0 && (size_t)k < q->n; k += step) {
		if (q->s[k].tok == q->s[i].tok)
			return 0;
		if (q->s[k].distinct)
			return q->s[k].tok;
	}
	return 0;
}

static void set_anchors(struct seq *q)
{
	size_t i;

	for (i = 0; i < q->n; i++) {
		if (!q->s[i].var)
			continue;
		q->s[i].prev = anchor(q, i, -1);
		q->s[i].next = anchor(q, i, 1);
	}
}

/*
 * How much a use of pv and one of ov look like the same call site: the
 * same distinctive relocation after them (the lock's name after its key,
 * the message after its ratelimit state) counts 2, before them 1.
 */
static unsigned int score(const struct fn_pairs *f,
			  const struct kelf_symbol *pv,
			  const struct kelf_symbol *ov)
{
	unsigned int best = 0, s;
	size_t i, j;

	if (!alike(pv, ov))
		return 0;
	for (i = 0; i < f->p.n; i++) {
		const struct site *a = &f->p.s[i];

		if (a->var != pv)
			continue;
		for (j = 0; j < f->o.n; j++) {
			const struct site *b = &f->o.s[j];

			if (b->var != ov)
				continue;
			s = 2 * (a->next && a->next == b->next) +
			    (a->prev && a->prev == b->prev);
			if (s > best)
				best = s;
		}
	}
	return best;
}

static bool taken_orig(const struct fn_pairs *f, const struct kelf_symbol *o)
{
	size_t i;

	for (i = 0; i < f->p.nr_vars; i++)
		if (f->twin[i] == o)
			return true;
	return false;
}

/* The score of p.vars[i] and o.vars[j], 0 if either is paired already. */
static unsigned int free_score(const struct fn_pairs *f,
			       const unsigned int *sc, size_t i, size_t j)
{
	if (f->twin[i] || taken_orig(f, f->o.vars[j]))
		return 0;
	return sc[i * f->o.nr_vars + j];
}

/* Pair by call site, best score first; a tie for the best is ambiguous. */
static void pair_by_sites(struct fn_pairs *f, const unsigned int *sc)
{
	size_t np = f->p.nr_vars, no = f->o.nr_vars, i, j, bi = 0, bj = 0;
	unsigned int best;

	for (;;) {
		best = 0;
		for (i = 0; i < np; i++)
			for (j = 0; j < no; j++)
				if (free_score(f, sc, i, j) > best) {
					best = free_score(f, sc, i, j);
					bi = i;
					bj = j;
				}
		if (!best)
			return;
		for (i = 0; i < np; i++)
			for (j = 0; j < no; j++)
				if ((i == bi) != (j == bj) &&
				    free_score(f, sc, i, j) == best) {
					f->ambiguous[bi] = true;
					f->ambiguous[i] = true;
				}
		f->twin[bi] = f->o.vars[bj];
	}
}

/*
 * What is left of a name: new if the original function has none left, in
 * the order of first use if both have as many left, else ambiguous.
 */
static void pair_rest(struct fn_pairs *f)
{
	size_t i, j, k, np, no;

	for (i = 0; i < f->p.nr_vars; i++) {
		struct kelf_symbol *v = f->p.vars[i];

		if (f->twin[i] || f->ambiguous[i])
			continue;
		np = no = 0;
		for (j = 0; j < f->p.nr_vars; j++)
			np += !f->twin[j] && alike(f->p.vars[j], v);
		for (j = 0; j < f->o.nr_vars; j++)
			no += !taken_orig(f, f->o.vars[j]) &&
			      alike(f->o.vars[j], v);
		if (!no)
			continue;
		if (np != no) {
			f->ambiguous[i] = true;
			continue;
		}
		for (j = 0, k = 0; j < f->o.nr_vars; j++) {
			struct kelf_symbol *o = f->o.vars[j];

			if (!taken_orig(f, o) && alike(o, v) && k++ == 0)
				f->twin[i] = o;
		}
	}
}

static struct fn_pairs *fn_pairs(struct diff *d, struct fn_pairs *all,
				 struct kelf_symbol *fn)
{
	struct fn_pairs *f = &all[fn->index];
	unsigned int *sc;
	size_t i, j;

	if (f->done)
		return f;
	f->done = true;
	function_sites(d, d->patched, fn, &f->p);
	function_sites(d, d->orig, fn->twin, &f->o);
	mark_distinct(f);
	set_anchors(&f->p);
	set_anchors(&f->o);
	f->twin = xcalloc(f->p.nr_vars + 1, sizeof(*f->twin));
	f->ambiguous = xcalloc(f->p.nr_vars + 1, sizeof(*f->ambiguous));
	sc = xcalloc(f->p.nr_vars * f->o.nr_vars + 1, sizeof(*sc));
	for (i = 0; i < f->p.nr_vars; i++)
		for (j = 0; j < f->o.nr_vars; j++)
			sc[i * f->o.nr_vars + j] = score(f, f->p.vars[i],
							 f->o.vars[j]);
	pair_by_sites(f, sc);
	pair_rest(f);
	free(sc);
	return f;
}

static void free_pairs(struct fn_pairs *all, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		free(all[i].p.s);
		free(all[i].p.vars);
		free(all[i].o.s);
		free(all[i].o.vars);
		free(all[i].twin);
		free(all[i].ambiguous);
	}
	free(all);
}

/* The original variable that user fn (with a twin) says v is. */
static bool twin_by_user(struct diff *d, struct fn_pairs *all,
			 struct kelf_symbol *v, struct kelf_symbol *fn,
			 struct kelf_symbol **cand)
{
	struct fn_pairs *f = fn_pairs(d, all, fn);
	size_t i;

	*cand = NULL;
	for (i = 0; i < f->p.nr_vars; i++) {
		if (f->p.vars[i] != v)
			continue;
		/*
		 * size 0 (a lockdep key without lockdep): no state to lose;
		 * a switch table is a constant, copied anyway
		 */
		if (f->ambiguous[i] && v->sym.st_size && !is_constant(v))
			return false;
		*cand = f->ambiguous[i] ? NULL : f->twin[i];
	}
	return true;
}

static void refuse_ambiguous(struct diff *d, struct kelf_symbol *v,
			     struct kelf_symbol *fn)
{
	refuse(d, v->name, "static local variable used by %s: create-diff-"
	       "object cannot tell which of the static locals of that name "
	       "that the original %s uses it is, if any (no string or call "
	       "next to its uses tells their call sites apart), and a wrong "
	       "guess would give it another variable's state; give the new "
	       "static variable another name, or put a new call site "
	       "(printk_ratelimited(), pr_warn_once(), ...) in a new function "
	       "of its own", fn->name, fn->twin->name);
}

/* Pair v through its users; false if no user of it has a twin. */
static bool pair_by_users(struct diff *d, const struct uses *pu,
			  struct fn_pairs *all, struct kelf_symbol *v)
{
	struct kelf_symbol *found = NULL, *cand;
	bool any = false;
	size_t i;

	for (i = 0; i < pu->nr; i++) {
		struct kelf_symbol *fn = pu->list[i].fn;

		if (pu->list[i].var != v || !fn->twin)
			continue;
		any = true;
		if (!twin_by_user(d, all, v, fn, &cand)) {
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

/* Constants and descriptors are what they hold: never paired. */
static void unpair_content(struct kelf *k)
{
	size_t i;

	for (i = 1; i < k->nr_syms; i++) {
		struct kelf_symbol *s = k->syms[i];

		if (s->twin && by_content(s)) {
			s->twin->twin = NULL;
			s->twin = NULL;
		}
	}
}

void pair_static_locals(struct diff *d)
{
	struct fn_pairs *all = xcalloc(d->patched->nr_syms, sizeof(*all));
	struct uses pu = { 0 }, ou = { 0 };
	size_t i;

	unpair_content(d->patched);
	unpair_content(d->orig);
	collect_uses(d->patched, &pu);
	collect_uses(d->orig, &ou);
	for (i = 1; i < d->patched->nr_syms; i++) {
		struct kelf_symbol *v = d->patched->syms[i];

		if (!is_static_local(v) || !v->sec || v->twin || by_content(v))
			continue;
		if (!pair_by_users(d, &pu, all, v) && !has_user(&pu, v))
			pair_unused(d, &pu, &ou, v);
	}
	free_pairs(all, d->patched->nr_syms);
	free(pu.list);
	free(ou.list);
}
