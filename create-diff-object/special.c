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
 * relocation points into, and is kept when that function is selected.  The
 * split is checked (split.c): every entry must have its relocations to code
 * at the offsets the first one has, else the section is refused, naming it
 * (entries of two sizes would otherwise be cut wrong, and the bytes kept
 * with a function would be another entry's).
 *
 * "Pieces" sections (alternative replacement code) are taken whole; the
 * relocations in them that jump back into functions that are not selected
 * are dropped, since only the pieces of kept entries are ever used.
 *
 * The rows that say "compare" are also compared per function with the
 * original object (special-compare.c): the fields named, by content, and
 * every relocation of an entry by what it points at.  The layouts are Linux
 * 6.1 x86_64's (struct bug_entry, jump_entry, exception_table_entry,
 * alt_instr, static_call_site, paravirt_patch_site); entry sizes come from
 * the object, so 6.12's (a 14-byte alt_instr) work too.
 */
#include "special.h"

#include <stdlib.h>
#include <string.h>

#define ENTRIES(sec, relocs) \
	.name = sec, .kind = SPECIAL_ENTRIES, .code_relocs = relocs
#define PIECES(sec) \
	.name = sec, .kind = SPECIAL_PIECES

static const struct special specials[] = {
	{ ENTRIES("__mcount_loc", 1) },
	{ ENTRIES(".orc_unwind_ip", 1), .objtool_made = true },
	{ ENTRIES(".orc_unwind", 0), .indexed_by = ".orc_unwind_ip",
	  .objtool_made = true },
	{ ENTRIES(".return_sites", 1), .objtool_made = true },
	{ ENTRIES(".retpoline_sites", 1), .objtool_made = true },
	{ ENTRIES(".call_sites", 1), .objtool_made = true },
	{ ENTRIES(".ibt_endbr_seal", 1), .objtool_made = true },
	{ ENTRIES("__bug_table", 1),
	  .compare = true, .fields = "flags, file",
	  /*
	   * CONFIG_DEBUG_BUGVERBOSE: disp, file, line, flags; the line is
	   * WARN's or BUG's __LINE__, it moves with unrelated edits
	   */
	  .ignore = { .entry_size = 12, .offset = 8, .len = 2 } },
	{ ENTRIES("__jump_table", 2),
	  .compare = true, .fields = "key, branch type, target" },
	{ ENTRIES("__ex_table", 2),
	  .compare = true, .fields = "fixup, type and data" },
	{ ENTRIES(".altinstructions", 2),
	  .compare = true, .fields = "cpuid, lengths, replacement",
	  .piece_len_back = 1 },	/* alt_instr.replacementlen: last */
	{ ENTRIES(".smp_locks", 1),
	  .compare = true, .fields = "lock prefix site" },
	{ ENTRIES(".parainstructions", 1),
	  .compare = true, .fields = "type, length" },
	{ ENTRIES(".static_call_sites", 1),
	  .compare = true, .fields = "key, tail call", .objtool_made = true },
	{ PIECES(".altinstr_replacement") },
	{ PIECES(".altinstr_aux") },
	/*
	 * objtool's annotations (include/linux/objtool.h), one code address
	 * an entry.  Up to 6.1 objtool has read them when the object was
	 * compiled; from 6.2 on with IBT it reads them on the linked
	 * livepatch module, so the entries of kept functions go with them.
	 * The module's link discards them.
	 */
	{ ENTRIES(".discard.reachable", 1) },
	{ ENTRIES(".discard.unreachable", 1) },
	{ ENTRIES(".discard.func_stack_frame_non_standard", 1) },
	{ ENTRIES(".discard.ignore_alts", 1) },
	{ ENTRIES(".discard.unwind_hints", 1) },
	{ ENTRIES(".discard.noendbr", 1) },
	{ ENTRIES(".discard.retpoline_safe", 1) },
	{ ENTRIES(".discard.instr_begin", 1) },
	{ ENTRIES(".discard.instr_end", 1) },
	{ ENTRIES(".discard.validate_unret", 1) },
	{ ENTRIES(".discard.intra_function_calls", 1) },
	{ ENTRIES(".discard.annotate_insn", 1) },
};

const struct special *special_row(size_t n)
{
	return n < ARRAY_SIZE(specials) ? &specials[n] : NULL;
}

const struct special *special_find(const struct kelf_section *sec)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(specials); i++)
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

static bool points_at_code(const struct kelf_rela *r)
{
	return r->sym->sec && kelf_is_exec(r->sym->sec);
}

/* Why special_split() failed, for the caller's refusal. */
static char split_error[512];

const char *special_split_error(void)
{
	return split_error;
}

static int split_indexed(struct kelf *k, struct kelf_section *sec,
			 const struct special *sp, struct entries *e)
{
	struct kelf_section *index = kelf_find_section(k, sp->indexed_by);

	if (!index || special_split(k, index, special_find(index), e))
		goto fail;
	if (!e->count || sec->size % e->count)
		goto fail;
	e->size = sec->size / e->count;
	return 0;
fail:
	free(e->owner);
	e->owner = NULL;
	snprintf(split_error, sizeof(split_error), "cannot split section %s "
		 "of %s (%zu bytes) into the entries of %s; please report this "
		 "with the patch", sec->name, k->path, sec->size,
		 sp->indexed_by);
	return -1;
}

static void find_owners(struct kelf *k, struct kelf_section *sec,
			struct entries *e)
{
	size_t i;

	for (i = 0; i < sec->rela->nr_relas; i++) {
		const struct kelf_rela *r = &sec->rela->relas[i];
		size_t n = r->offset / e->size;
		struct target t;

		if (n >= e->count || e->owner[n] || !points_at_code(r))
			continue;
		rela_target(k, r, &t);
		if (t.sym && is_function(t.sym))
			e->owner[n] = t.sym;
	}
}

int special_split(struct kelf *k, struct kelf_section *sec,
		  const struct special *sp, struct entries *e)
{
	size_t i, code = 0, bad;

	memset(e, 0, sizeof(*e));
	if (sp->indexed_by)
		return split_indexed(k, sec, sp, e);
	if (!sec->rela)
		return 0;
	for (i = 0; i < sec->rela->nr_relas; i++)
		code += points_at_code(&sec->rela->relas[i]);
	if (!code)
		return 0;
	if (code % sp->code_relocs || sec->size % (code / sp->code_relocs)) {
		snprintf(split_error, sizeof(split_error), "cannot split "
			 "section %s of %s into entries: %zu bytes, %zu "
			 "relocations to code, %u per entry; please report "
			 "this with the patch", sec->name, k->path, sec->size,
			 code, sp->code_relocs);
		return -1;
	}
	e->count = code / sp->code_relocs;
	e->size = sec->size / e->count;
	if (!entries_alike(sec, e->size, e->count, sp->code_relocs,
			   points_at_code, &bad)) {
		snprintf(split_error, sizeof(split_error), "cannot split "
			 "section %s of %s into entries: %zu relocations to "
			 "code, %u per entry, make %zu entries of %zu bytes, "
			 "but entry %zu (offset 0x%zx) does not have its "
			 "relocations to code at the offsets entry 0 has: the "
			 "entries are not of one size, and keeping some of "
			 "them would keep the wrong bytes; please report this "
			 "with the patch", sec->name, k->path, code,
			 sp->code_relocs, e->count, e->size, bad,
			 bad * e->size);
		e->count = 0;
		return -1;
	}
	e->owner = xcalloc(e->count, sizeof(*e->owner));
	find_owners(k, sec, e);
	return 0;
}

static bool kept(const struct entries *e, size_t n)
{
	return e->owner && e->owner[n] && e->owner[n]->include;
}

/* objtool, run on the linked module, makes this table again. */
static bool left_to_objtool(const struct diff *d, const struct special *sp)
{
	return d->objtool_on_link && sp->objtool_made;
}

int special_select(struct diff *d, struct kelf_section *sec)
{
	const struct special *sp = special_find(sec);
	struct entries e;
	size_t i;

	if (sp->kind == SPECIAL_PIECES || left_to_objtool(d, sp))
		return 0;	/* pieces: taken when a kept entry refers to it */
	if (special_split(d->patched, sec, sp, &e)) {
		refuse_unforceable(d, sec->name, "%s", special_split_error());
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

/* The relocations of entry i of sec, as entry n of out. */
static int write_entry_relas(struct diff *d, struct kelf_section *sec,
			     struct kelf_section *out,
			     const struct entries *e, size_t i, size_t n)
{
	size_t j;

	for (j = 0; sec->rela && j < sec->rela->nr_relas; j++) {
		const struct kelf_rela *r = &sec->rela->relas[j];
		size_t off = r->offset % e->size;

		if (r->offset / e->size != i)
			continue;
		if (off + kelf_rela_width(r->type) > e->size) {
			diag(d, NULL, DIAG_ERROR, sec->name, r->offset,
			     "the relocation crosses the end of its "
			     "%zu-byte entry", e->size);
			return -1;
		}
		if (out_relocate(d, out, r, n * e->size + off))
			return -1;
	}
	return 0;
}

/* Write the kept entries of a special section into the output. */
int special_write(struct diff *d, struct kelf_section *sec)
{
	const struct special *sp = special_find(sec);
	struct kelf_section *out = NULL;
	struct entries e;
	size_t i, n = 0;
	unsigned char *buf;

	if (sp->kind == SPECIAL_PIECES || left_to_objtool(d, sp) ||
	    special_split(d->patched, sec, sp, &e) || !e.count)
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
		if (write_entry_relas(d, sec, out, &e, i, n++)) {
			free(e.owner);
			return -1;
		}
	}
	free(e.owner);
	return 0;
}

/*
 * A section this table does not describe, which points into the middle of a
 * selected function, is a table of code addresses we would silently drop:
 * the running kernel's copy of it would still point into the old code.
 * Code refers to code all the time (that is compared as functions), and a
 * selected object is copied with its relocations, so only the other
 * allocated data counts.
 */
void check_unknown_section(struct diff *d, struct kelf_section *sec)
{
	size_t i;

	if (!sec->rela || sec->include || is_ignored_section(sec) ||
	    is_init_section(sec) || kelf_is_exec(sec) ||
	    !(sec->sh.sh_flags & SHF_ALLOC))
		return;
	for (i = 0; i < sec->rela->nr_relas; i++) {
		const struct kelf_rela *r = &sec->rela->relas[i];
		struct kelf_symbol *holder;
		struct target t;

		rela_target(d->patched, r, &t);
		if (!t.sym || !is_function(t.sym) || !t.sym->include ||
		    t.addend <= 0)
			continue;
		holder = kelf_symbol_at(d->patched, sec, r->offset);
		if (holder && holder->include)
			continue;
		refuse(d, t.sym->name, "section %s (offset 0x%lx) points at "
		       "offset 0x%lx inside this function, which the patch "
		       "changes, and create-diff-object does not know that "
		       "section: the running kernel's entry would still point "
		       "into the old code; leave this function unchanged "
		       "(move the change into a new helper it calls), or "
		       "describe the section in create-diff-object/special.c "
		       "if its entries can be kept for the new code",
		       sec->name, r->offset, (unsigned long)t.addend);
		return;
	}
}
