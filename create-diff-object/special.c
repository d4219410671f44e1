// SPDX-License-Identifier: GPL-2.0
/*
 * Special sections: tables of entries that each belong to one function
 * (ftrace call sites, ORC, return thunk sites, bug table, jump labels,
 * alternatives, ...), described as data, one row each.
 *
 * An entry's size is not written down per kernel version: it is derived from
 * the object itself, from the number of relocations per entry that point at
 * code ("code_relocs"): entries = code relocations / code_relocs, size =
 * section size / entries.  The entry belongs to the function its first code
 * relocation points into, and is kept when that function is selected.
 *
 * "Pieces" sections (alternative replacement code) are taken whole; the
 * relocations in them that jump back into functions that are not selected
 * are dropped, since only the pieces of kept entries are ever used.
 */
#include "cdo.h"

#include <stdlib.h>
#include <string.h>

enum special_kind { SPECIAL_ENTRIES, SPECIAL_PIECES };

struct special {
	const char *name;
	enum special_kind kind;
	unsigned int code_relocs;	/* per entry, for SPECIAL_ENTRIES */
	const char *indexed_by;		/* same entry count and owners */
};

static const struct special specials[] = {
	{ "__mcount_loc",		SPECIAL_ENTRIES, 1, NULL },
	{ ".orc_unwind_ip",		SPECIAL_ENTRIES, 1, NULL },
	{ ".orc_unwind",		SPECIAL_ENTRIES, 0, ".orc_unwind_ip" },
	{ ".return_sites",		SPECIAL_ENTRIES, 1, NULL },
	{ ".retpoline_sites",		SPECIAL_ENTRIES, 1, NULL },
	{ ".call_sites",		SPECIAL_ENTRIES, 1, NULL },
	{ ".ibt_endbr_seal",		SPECIAL_ENTRIES, 1, NULL },
	{ "__bug_table",		SPECIAL_ENTRIES, 1, NULL },
	{ "__jump_table",		SPECIAL_ENTRIES, 2, NULL },
	{ "__ex_table",			SPECIAL_ENTRIES, 2, NULL },
	{ ".altinstructions",		SPECIAL_ENTRIES, 2, NULL },
	{ ".smp_locks",			SPECIAL_ENTRIES, 1, NULL },
	{ ".parainstructions",		SPECIAL_ENTRIES, 1, NULL },
	{ ".static_call_sites",		SPECIAL_ENTRIES, 1, NULL },
	{ ".altinstr_replacement",	SPECIAL_PIECES,  0, NULL },
	{ ".altinstr_aux",		SPECIAL_PIECES,  0, NULL },
};

const struct special *special_find(const struct kelf_section *sec)
{
	size_t i;

	for (i = 0; i < sizeof(specials) / sizeof(specials[0]); i++)
		if (!strcmp(sec->name, specials[i].name))
			return &specials[i];
	return NULL;
}

bool special_is_piece(const struct kelf_section *sec)
{
	const struct special *sp = special_find(sec);

	return sp && sp->kind == SPECIAL_PIECES;
}

bool special_skip_rela(struct diff *d, const struct kelf_section *from,
		       const struct target *t)
{
	(void)d;
	return special_is_piece(from) && t->sym && is_function(t->sym) &&
	       !t->sym->include;
}

/* The entries of a section: their size and the function each belongs to. */
struct entries {
	size_t count, size;
	struct kelf_symbol **owner;
};

static bool points_at_code(struct kelf *k, const struct kelf_rela *r)
{
	(void)k;
	return r->sym->sec && kelf_is_exec(r->sym->sec);
}

static int split(struct diff *d, struct kelf_section *sec,
		 const struct special *sp, struct entries *e);

static int split_indexed(struct diff *d, struct kelf_section *sec,
			 const struct special *sp, struct entries *e)
{
	struct kelf_section *index = kelf_find_section(d->patched,
						       sp->indexed_by);

	if (!index || split(d, index, special_find(index), e))
		goto fail;
	if (!e->count || sec->size % e->count)
		goto fail;
	e->size = sec->size / e->count;
	return 0;
fail:
	fprintf(stderr, "create-diff-object: %s: cannot split section %s "
		"(%zu bytes) into the entries of %s\n", d->objname, sec->name,
		sec->size, sp->indexed_by);
	return -1;
}

static void find_owners(struct diff *d, struct kelf_section *sec,
			struct entries *e)
{
	size_t i;

	for (i = 0; i < sec->rela->nr_relas; i++) {
		const struct kelf_rela *r = &sec->rela->relas[i];
		size_t n = r->offset / e->size;
		struct target t;

		if (n >= e->count || e->owner[n] || !points_at_code(d->patched, r))
			continue;
		rela_target(d->patched, r, &t);
		if (t.sym && is_function(t.sym))
			e->owner[n] = t.sym;
	}
}

static int split(struct diff *d, struct kelf_section *sec,
		 const struct special *sp, struct entries *e)
{
	size_t i, code = 0;

	memset(e, 0, sizeof(*e));
	if (sp->indexed_by)
		return split_indexed(d, sec, sp, e);
	if (!sec->rela)
		return 0;
	for (i = 0; i < sec->rela->nr_relas; i++)
		code += points_at_code(d->patched, &sec->rela->relas[i]);
	if (!code)
		return 0;
	if (code % sp->code_relocs || sec->size % (code / sp->code_relocs)) {
		fprintf(stderr, "create-diff-object: %s: cannot split section "
			"%s into entries: %zu bytes, %zu relocations to code, "
			"%u per entry\n", d->objname, sec->name, sec->size,
			code, sp->code_relocs);
		return -1;
	}
	e->count = code / sp->code_relocs;
	e->size = sec->size / e->count;
	e->owner = xcalloc(e->count, sizeof(*e->owner));
	find_owners(d, sec, e);
	return 0;
}

static bool kept(const struct entries *e, size_t n)
{
	return e->owner && e->owner[n] && e->owner[n]->include;
}

int special_select(struct diff *d, struct kelf_section *sec)
{
	const struct special *sp = special_find(sec);
	struct entries e;
	size_t i;

	if (sp->kind == SPECIAL_PIECES)
		return 0;	/* taken when a kept entry refers to it */
	if (split(d, sec, sp, &e)) {
		d->nr_refused++;
		return -1;
	}
	for (i = 0; sec->rela && i < sec->rela->nr_relas; i++) {
		const struct kelf_rela *r = &sec->rela->relas[i];

		if (e.size && kept(&e, r->offset / e.size))
			include_target(d, sec, r);
	}
	free(e.owner);
	return 0;
}

/* Write the kept entries of a special section into the output. */
int special_write(struct diff *d, struct kelf_section *sec)
{
	const struct special *sp = special_find(sec);
	struct kelf_section *out = NULL;
	struct entries e;
	size_t i, j, n = 0;
	unsigned char *buf;

	if (sp->kind == SPECIAL_PIECES || split(d, sec, sp, &e) || !e.count)
		return 0;
	buf = xcalloc(e.count, e.size);
	for (i = 0; i < e.count; i++) {
		if (!kept(&e, i))
			continue;
		memcpy(buf + n * e.size, sec->data + i * e.size, e.size);
		n++;
	}
	if (n)
		out = kelf_add_section(d->out, sec->name, &sec->sh, buf,
				       n * e.size);
	free(buf);
	for (i = 0, n = 0; out && i < e.count; i++) {
		if (!kept(&e, i))
			continue;
		for (j = 0; sec->rela && j < sec->rela->nr_relas; j++) {
			const struct kelf_rela *r = &sec->rela->relas[j];

			if (r->offset / e.size != i)
				continue;
			if (out_relocate(d, out, r, n * e.size +
					 r->offset % e.size))
				return -1;
		}
		n++;
	}
	free(e.owner);
	return 0;
}

/*
 * A section this table does not describe, which points into the middle of a
 * selected function, is a table of code addresses we would silently drop.
 */
void check_unknown_section(struct diff *d, struct kelf_section *sec)
{
	size_t i;

	if (!sec->rela || sec->include || is_ignored_section(sec) ||
	    is_init_section(sec))
		return;
	for (i = 0; i < sec->rela->nr_relas; i++) {
		struct target t;

		rela_target(d->patched, &sec->rela->relas[i], &t);
		if (!t.sym || !is_function(t.sym) || !t.sym->include ||
		    t.addend <= 0)
			continue;
		refuse(d, t.sym->name, "section %s refers to offset %ld inside "
		       "this changed function, and create-diff-object does not "
		       "know that section; it cannot keep its entries for the "
		       "new code; please report this with the patch",
		       sec->name, t.addend);
		return;
	}
}
