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
 * lock's name after it), 1 for the same anchor before, twice that when
 * the anchor is a string, constant or descriptor (a message tells a call
 * site better than a variable next to it), summed over all functions that
 * use them (a function and its .cold part).  The best totals are paired
 * first, and a tie for the best is ambiguous.  What is left of a name in
 * a function: new if its twin has none left, paired in the order of first
 * use if both have as many left, else ambiguous.  An ambiguous variable is
 * refused, unless it has size 0 (a lockdep key without lockdep: no state,
 * it is new then), is a ratelimit state (_rs: its counters are no state
 * worth a refusal, it starts fresh), is a switch table (CSWTCH.N, a constant: new then,
 * and copied) or plain read-only data (NL_SET_ERR_MSG()'s __msg: new then,
 * and copied; is_plain_rodata()).
 *
 * A ratelimit state "_rs" whose initial value changed starts fresh
 * (fresh_ratelimit()).
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
	return kelf_type(s) == STT_OBJECT && kelf_bind(s) == STB_LOCAL &&
	       has_number_suffix(s->name);
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
	unsigned int prev_w, next_w;	/* the anchors' weights */
	struct kelf_symbol *var;
	bool boilerplate;	/* where, not what: tells no call site */
	bool content;		/* a string, constant or descriptor */
	bool distinct;		/* both functions have it once */
};

struct seq {
	struct site *s;
	size_t n;
	struct kelf_symbol **vars;	/* its static locals, by first use */
	size_t nr_vars;
	size_t *uses, nr_uses;		/* the sites that use them */
};

/* The static locals of a patched function and of its twin. */
struct fn_pairs {
	bool done;
	struct seq p, o;
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
	unsigned long start = fn->sym.st_value;
	const struct kelf_rela *r;
	size_t i, max = rela ? rela->nr_relas + 1 : 1;

	q->n = q->nr_vars = 0;
	q->s = xcalloc(max, sizeof(*q->s));
	q->vars = xcalloc(max, sizeof(*q->vars));
	kelf_for_each_rela_in(r, fn->sec, start, start + fn->sym.st_size, i) {
		struct site *s = &q->s[q->n];
		struct target t;

		rela_target(k, r, &t);
		s->offset = r->offset;
		s->tok = rela_token(d, k, r, 0);
		s->boilerplate = is_boilerplate(t.sym);
		s->content = t.sym ? by_content(t.sym) :
				     t.sec && is_merge_section(t.sec);
		if (t.sym && is_static_local(t.sym) && !by_content(t.sym))
			s->var = t.sym;
		q->n++;
	}
	qsort(q->s, q->n, sizeof(*q->s), by_offset);
	q->uses = xcalloc(max, sizeof(*q->uses));
	q->nr_uses = 0;
	for (i = 0; i < q->n; i++)
		if (q->s[i].var) {
			add_var(q, q->s[i].var);
			q->uses[q->nr_uses++] = i;
		}
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
static long anchor(const struct seq *q, size_t i, long step)
{
	long k;

	for (k = (long)i + step; k >= 0 && (size_t)k < q->n; k += step) {
		if (q->s[k].tok == q->s[i].tok)
			return -1;
		if (q->s[k].distinct)
			return k;
	}
	return -1;
}

/* A message or a lock's name tells a call site better than a variable. */
static void set_anchor(const struct seq *q, size_t i, long step,
		       unsigned long *tok, unsigned int *weight)
{
	long k = anchor(q, i, step);

	*tok = k < 0 ? 0 : q->s[k].tok;
	*weight = k < 0 ? 0 : q->s[k].content ? 2 : 1;
}

static void set_anchors(struct seq *q)
{
	size_t i;

	for (i = 0; i < q->n; i++) {
		if (!q->s[i].var)
			continue;
		set_anchor(q, i, -1, &q->s[i].prev, &q->s[i].prev_w);
		set_anchor(q, i, 1, &q->s[i].next, &q->s[i].next_w);
	}
}

/*
 * How much a use of pv and one of ov look like the same call site: the
 * same distinctive relocation after them (the lock's name after its key,
 * the message after its ratelimit state) counts 2, before them 1, twice
 * that for a string, constant or descriptor.
 */
static unsigned int score(const struct fn_pairs *f,
			  const struct kelf_symbol *pv,
			  const struct kelf_symbol *ov)
{
	unsigned int best = 0, s;
	size_t i, j;

	if (!alike(pv, ov))
		return 0;
	for (i = 0; i < f->p.nr_uses; i++) {
		const struct site *a = &f->p.s[f->p.uses[i]];

		if (a->var != pv)
			continue;
		for (j = 0; j < f->o.nr_uses; j++) {
			const struct site *b = &f->o.s[f->o.uses[j]];

			if (b->var != ov)
				continue;
			s = (a->next_w && a->next == b->next ?
			     2 * a->next_w : 0) +
			    (a->prev_w && a->prev == b->prev ? a->prev_w : 0);
			if (s > best)
				best = s;
		}
	}
	return best;
}

/* A patched and an original static local that look like one call site. */
struct cand {
	struct kelf_symbol *pv, *ov;
	unsigned int score;
};

/* The pairing in progress, over all functions. */
struct pairing {
	struct diff *d;
	struct fn_pairs *fns;		/* by patched function index */
	struct kelf_symbol **to;	/* by patched symbol index; NULL: new */
	bool *ambiguous;		/* by patched symbol index */
	bool *taken;			/* by original symbol index */
	struct cand *cands;
	size_t nr_cands, alloc_cands;
};

static void add_cand(struct pairing *g, struct kelf_symbol *pv,
		     struct kelf_symbol *ov, unsigned int score)
{
	size_t i;

	for (i = 0; i < g->nr_cands; i++)
		if (g->cands[i].pv == pv && g->cands[i].ov == ov) {
			g->cands[i].score += score;
			return;
		}
	if (g->nr_cands == g->alloc_cands) {
		g->alloc_cands = g->alloc_cands ? 2 * g->alloc_cands : 64;
		g->cands = xrealloc(g->cands,
				    g->alloc_cands * sizeof(*g->cands));
	}
	g->cands[g->nr_cands++] = (struct cand){ pv, ov, score };
}

/* The sites and anchors of fn and its twin, and their scores. */
static struct fn_pairs *fn_pairs(struct pairing *g, struct kelf_symbol *fn)
{
	struct fn_pairs *f = &g->fns[fn->index];
	size_t i, j;
	unsigned int s;

	if (f->done)
		return f;
	f->done = true;
	function_sites(g->d, g->d->patched, fn, &f->p);
	function_sites(g->d, g->d->orig, fn->twin, &f->o);
	mark_distinct(f);
	set_anchors(&f->p);
	set_anchors(&f->o);
	for (i = 0; i < f->p.nr_vars; i++)
		for (j = 0; j < f->o.nr_vars; j++) {
			s = score(f, f->p.vars[i], f->o.vars[j]);
			if (s)
				add_cand(g, f->p.vars[i], f->o.vars[j], s);
		}
	return f;
}

static bool is_free(const struct pairing *g, const struct cand *c)
{
	return !g->to[c->pv->index] && !g->taken[c->ov->index];
}

/*
 * Pair by call site over all users, best total score first; a tie for the
 * best is ambiguous.
 */
static void match_cands(struct pairing *g)
{
	struct cand *best;
	size_t i;

	for (;;) {
		best = NULL;
		for (i = 0; i < g->nr_cands; i++)
			if (is_free(g, &g->cands[i]) &&
			    (!best || g->cands[i].score > best->score))
				best = &g->cands[i];
		if (!best)
			return;
		for (i = 0; i < g->nr_cands; i++) {
			struct cand *c = &g->cands[i];

			if (c != best && is_free(g, c) &&
			    c->score == best->score &&
			    (c->pv == best->pv || c->ov == best->ov)) {
				g->ambiguous[best->pv->index] = true;
				g->ambiguous[c->pv->index] = true;
			}
		}
		g->to[best->pv->index] = best->ov;
		g->taken[best->ov->index] = true;
	}
}

static size_t left_like(const struct pairing *g, const struct seq *q,
			const struct kelf_symbol *v, bool orig)
{
	size_t j, n = 0;

	for (j = 0; j < q->nr_vars; j++) {
		const struct kelf_symbol *s = q->vars[j];

		if (alike(s, v) && !(orig ? g->taken[s->index] :
				     g->to[s->index] != NULL))
			n++;
	}
	return n;
}

/*
 * What is left of a name in f: new if the original function has none
 * left, in the order of first use if both have as many left, else
 * ambiguous.
 */
static void pair_rest(struct pairing *g, const struct fn_pairs *f)
{
	size_t i, j, np, no;

	for (i = 0; i < f->p.nr_vars; i++) {
		struct kelf_symbol *v = f->p.vars[i];

		if (g->to[v->index] || g->ambiguous[v->index])
			continue;
		np = left_like(g, &f->p, v, false);
		no = left_like(g, &f->o, v, true);
		if (!no)
			continue;
		if (np != no) {
			g->ambiguous[v->index] = true;
			continue;
		}
		for (j = 0; j < f->o.nr_vars; j++) {
			struct kelf_symbol *o = f->o.vars[j];

			if (!g->taken[o->index] && alike(o, v)) {
				g->to[v->index] = o;
				g->taken[o->index] = true;
				break;
			}
		}
	}
}

static void free_fns(struct fn_pairs *all, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		free(all[i].p.s);
		free(all[i].p.vars);
		free(all[i].p.uses);
		free(all[i].o.s);
		free(all[i].o.vars);
		free(all[i].o.uses);
	}
	free(all);
}

static void refuse_ambiguous(struct diff *d, const struct uses *pu,
			     struct kelf_symbol *v)
{
	struct kelf_symbol *fn = NULL;
	size_t i;

	for (i = 0; i < pu->nr && !fn; i++)
		if (pu->list[i].var == v && pu->list[i].fn->twin)
			fn = pu->list[i].fn;
	refuse(d, v->name, "static local variable used by %s: create-diff-"
	       "object cannot tell which of the static locals of that name "
	       "that the original %s uses it is, if any (no string or call "
	       "next to its uses tells their call sites apart), and a wrong "
	       "guess would give it another variable's state; give the new "
	       "static variable another name, or put a new call site "
	       "(printk_ratelimited(), pr_warn_once(), ...) in a new function "
	       "of its own", fn ? fn->name : "?",
	       fn ? fn->twin->name : "?");
}

/* printk_ratelimited()'s and DEFINE_RATELIMIT_STATE()'s "_rs" */
static bool is_ratelimit_state(const struct kelf_symbol *v)
{
	char base[64];

	base_name(v->name, base, sizeof(base));
	return !strcmp(base, "_rs");
}

/*
 * size 0 (a lockdep key without lockdep): no state to lose; a switch
 * table or plain read-only data is a constant, copied anyway; a ratelimit
 * state's counters may start fresh
 */
static bool stateless(const struct kelf_symbol *v)
{
	return !v->sym.st_size || is_constant(v) || is_plain_rodata(v) ||
	       is_ratelimit_state(v);
}

/*
 * A ratelimit state (printk_ratelimited()'s and DEFINE_RATELIMIT_STATE()'s
 * "_rs") whose initial value the patch changes (another interval or burst:
 * the new code means another limit): its counters are no state worth
 * keeping, so it starts fresh, new in the livepatch, instead of being
 * refused as changed data; the report says so.
 */
static bool fresh_ratelimit(struct diff *d, struct kelf_symbol *v,
			    const struct kelf_symbol *o)
{
	if (!is_ratelimit_state(v) || v->sym.st_size != o->sym.st_size ||
	    bytes_diff(v, o) < 0)
		return false;
	report_item(d, "warning", v->name, "ratelimit state with another "
		    "initial value than %s: it starts fresh in the livepatch "
		    "(the old one's counters are not carried over)", o->name);
	sym_state(d, v)->fresh = true;
	return true;
}

/* The static locals used by functions with a twin, paired by call site. */
static void pair_by_users(struct diff *d, const struct uses *pu)
{
	struct pairing g = { .d = d };
	size_t i;

	g.fns = xcalloc(d->patched->nr_syms, sizeof(*g.fns));
	g.to = xcalloc(d->patched->nr_syms, sizeof(*g.to));
	g.ambiguous = xcalloc(d->patched->nr_syms, sizeof(*g.ambiguous));
	g.taken = xcalloc(d->orig->nr_syms, sizeof(*g.taken));
	for (i = 0; i < pu->nr; i++)
		if (pu->list[i].fn->twin)
			fn_pairs(&g, pu->list[i].fn);
	match_cands(&g);
	for (i = 0; i < pu->nr; i++)
		if (pu->list[i].fn->twin)
			pair_rest(&g, &g.fns[pu->list[i].fn->index]);
	for (i = 1; i < d->patched->nr_syms; i++) {
		struct kelf_symbol *v = d->patched->syms[i], *o = g.to[i];

		if (g.ambiguous[i] && !stateless(v))
			refuse_ambiguous(d, pu, v);
		else if (o && !g.ambiguous[i] && !v->twin && !o->twin &&
			 kelf_type(o) == kelf_type(v) &&
			 !fresh_ratelimit(d, v, o)) {
			v->twin = o;
			o->twin = v;
		}
	}
	free_fns(g.fns, d->patched->nr_syms);
	free(g.to);
	free(g.ambiguous);
	free(g.taken);
	free(g.cands);
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
	struct uses pu = { 0 }, ou = { 0 };
	size_t i;

	unpair_content(d->patched);
	unpair_content(d->orig);
	collect_uses(d->patched, &pu);
	collect_uses(d->orig, &ou);
	pair_by_users(d, &pu);
	for (i = 1; i < d->patched->nr_syms; i++) {
		struct kelf_symbol *v = d->patched->syms[i];

		if (is_static_local(v) && v->sec && !v->twin &&
		    !by_content(v) && !has_user(&pu, v))
			pair_unused(d, &pu, &ou, v);
	}
	free(pu.list);
	free(ou.list);
}
