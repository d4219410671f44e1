// SPDX-License-Identifier: GPL-2.0
/*
 * Select what the patch needs: the changed and new functions, then, through
 * their relocations, the new data and functions they use, the string literals
 * and anonymous read-only data they refer to, and the special-section entries
 * of every selected function.  Existing functions and data that did not
 * change are not selected: the new code refers to the running kernel's.
 */
#include "cdo.h"

#include <string.h>

static void include_symbol(struct diff *d, struct kelf_symbol *s);
static void include_section(struct diff *d, struct kelf_section *sec);

/* Follow one relocation of something selected. */
void include_target(struct diff *d, struct kelf_section *from,
		    const struct kelf_rela *r)
{
	struct target t;

	rela_target(d->patched, r, &t);
	if (special_skip_rela(d, from, &t))
		return;
	if (t.sym && t.sym->sec) {
		/* constants and descriptors: the module's own copies */
		if (t.sym->status == KELF_NEW || is_cold_part(t.sym) ||
		    is_constant(t.sym) || is_dyndbg_descriptor(t.sym))
			include_symbol(d, t.sym);
		return;
	}
	if (!t.sec || is_ignored_section(t.sec))
		return;
	if (t.sec->nr_syms && !is_merge_section(t.sec)) {
		/* never copy data that has a name: it may be kernel state */
		refuse(d, t.sec->name, "a relocation at 0x%lx of %s points at "
		       "offset %ld of this section, and no symbol of it covers "
		       "that spot; create-diff-object cannot tell which "
		       "variable is meant; please report this with the patch",
		       r->offset, from->name, t.addend);
		return;
	}
	include_section(d, t.sec);
}

static void include_relas(struct diff *d, struct kelf_section *sec,
			  unsigned long start, unsigned long end)
{
	const struct kelf_rela *r;
	size_t i;

	kelf_for_each_rela_in(r, sec, start, end, i)
		include_target(d, sec, r);
}

static void include_symbol(struct diff *d, struct kelf_symbol *s)
{
	if (s->include || is_init_section(s->sec))
		return;
	s->include = true;
	include_relas(d, s->sec, s->sym.st_value,
		      s->sym.st_value + s->sym.st_size);
}

static void include_section(struct diff *d, struct kelf_section *sec)
{
	if (sec->include)
		return;
	sec->include = true;
	include_relas(d, sec, 0, sec->size);
}

static bool wanted(const struct kelf_symbol *s)
{
	if (!is_function(s) || is_init_section(s->sec) ||
	    is_ignored_section(s->sec) || is_cold_part(s))
		return false;
	if (s->status == KELF_CHANGED)
		return true;
	/* a new global may be used by another object of the patch */
	return s->status == KELF_NEW && kelf_bind(s) != STB_LOCAL;
}

void select_needed(struct diff *d)
{
	size_t i;

	for (i = 1; i < d->patched->nr_syms; i++)
		if (wanted(d->patched->syms[i]))
			include_symbol(d, d->patched->syms[i]);
	for (i = 1; i < d->patched->nr_syms; i++) {
		struct kelf_symbol *s = d->patched->syms[i];

		if (is_data(s) && s->status == KELF_NEW &&
		    kelf_bind(s) != STB_LOCAL && !is_init_section(s->sec))
			include_symbol(d, s);
	}
	for (i = 1; i < d->patched->nr_secs; i++) {
		struct kelf_section *sec = d->patched->secs[i];

		if (special_find(sec))
			special_select(d, sec);
		else if (is_runtime_const_section(sec))
			check_runtime_consts(d, sec);
		else
			check_unknown_section(d, sec);
	}
}
