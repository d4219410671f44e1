// SPDX-License-Identifier: GPL-2.0
/*
 * Whether a function has an ftrace entry, the one thing a klp_func needs:
 * livepatch redirects a function through the ftrace record of the
 * __fentry__ call at its start (after ENDBR64 with IBT).  The kernel knows
 * the records from __mcount_loc, so that is the rule: a record at the
 * function's start.  An object without __mcount_loc at all gets it later
 * (objtool --mcount on the linked object, when the compiler does not
 * record): there a call to __fentry__ at the start counts.
 *
 * propagate.c (what to move into callers) asks here, and
 * check_ftrace_entries() refuses what is left.
 */
#include "cdo.h"

#include <stdlib.h>
#include <string.h>

/* The offset of f's first instruction: after ENDBR64, if it has one. */
static long entry_offset(const struct kelf_symbol *f)
{
	return has_endbr(f) ? 4 : 0;
}

/* A call to __fentry__ as f's first instruction (e8, or ff 15 GOTPCREL). */
static bool calls_fentry_first(const struct kelf_symbol *f)
{
	const struct kelf_section *rela = f->sec->rela;
	unsigned long first = f->sym.st_value + entry_offset(f);
	size_t i;

	for (i = 0; rela && i < rela->nr_relas; i++) {
		const struct kelf_rela *r = &rela->relas[i];

		if ((r->offset == first + 1 || r->offset == first + 2) &&
		    !strcmp(r->sym->name, "__fentry__"))
			return true;
	}
	return false;
}

/* By symbol index of k: whether that function has an ftrace entry. */
bool *ftrace_entries(struct kelf *k)
{
	struct kelf_section *sec = kelf_find_section(k, "__mcount_loc");
	bool *traced = xcalloc(k->nr_syms, sizeof(*traced));
	size_t i;

	for (i = 0; sec && sec->rela && i < sec->rela->nr_relas; i++) {
		struct target t;

		rela_target(k, &sec->rela->relas[i], &t);
		if (t.sym && is_function(t.sym) &&
		    t.addend == entry_offset(t.sym))
			traced[t.sym->index] = true;
	}
	for (i = 1; !sec && i < k->nr_syms; i++)
		if (is_function(k->syms[i]))
			traced[i] = calls_fentry_first(k->syms[i]);
	return traced;
}

/*
 * What propagate() left: a changed function whose original has no ftrace
 * entry, refused (KPATCH_FORCE_UNSAFE cannot lift it).
 */
void check_ftrace_entries(struct diff *d)
{
	bool *traced = ftrace_entries(d->orig);
	size_t i;

	for (i = 1; i < d->patched->nr_syms; i++) {
		struct kelf_symbol *p = d->patched->syms[i];

		if (!is_function(p) || p->status != KELF_CHANGED ||
		    !p->twin || is_init_section(p->sec) ||
		    is_ignored_section(p->sec) || is_cold_part(p))
			continue;
		if (traced[p->twin->index])
			continue;
		refuse_unforceable(d, p->name, "changed function without an ftrace "
			      "entry (no __mcount_loc record of a call to "
			      "__fentry__ at its start in the original "
			      "object: its file is built without "
			      "-pg/-mfentry, as lib/ is, or it is notrace), so "
			      "livepatch cannot redirect calls to it, and its "
			      "callers cannot be patched in its place (it is "
			      "global, its address is taken, or no traceable "
			      "code of this object calls it); "
			      "KPATCH_FORCE_UNSAFE cannot change that: make the "
			      "change in a traceable caller");
	}
	free(traced);
}
