// SPDX-License-Identifier: GPL-2.0
/*
 * Entries of a special section that a livepatch module leaves out
 * (static-calls.c, tracepoints.c): the table is walked by its key
 * relocations, an entry the caller's rule picks is removed (its bytes, its
 * relocations; the later ones move up) with a note, and an emptied section
 * goes.
 */
#include "klp.h"

#include <string.h>

const struct kelf_rela *table_rela_at(const struct kelf_section *sec,
				      unsigned long offset)
{
	size_t i;

	for (i = 0; sec->rela && i < sec->rela->nr_relas; i++)
		if (sec->rela->relas[i].offset == offset)
			return &sec->rela->relas[i];
	return NULL;
}

const char *klp_sym_base(const struct kelf_symbol *s, size_t *len)
{
	const char *p = s->name;

	if (!is_klp_symbol(s)) {
		*len = strlen(p);
		return p;
	}
	p += strlen(KLP_SYM_PREFIX);
	p += strcspn(p, ".") + 1;
	*len = strcspn(p, ",");
	return p;
}

/* Removes entry n of sec (its bytes and relocations). */
static void drop_entry(struct kelf_section *sec, size_t n, size_t size)
{
	struct kelf_section *rela = sec->rela;
	unsigned long start = n * size, end = start + size;
	size_t i, kept = 0;

	memmove(sec->data + start, sec->data + end, sec->size - end);
	sec->size -= size;
	for (i = 0; i < rela->nr_relas; i++) {
		struct kelf_rela r = rela->relas[i];

		if (r.offset >= start && r.offset < end)
			continue;
		if (r.offset >= end)
			r.offset -= size;
		rela->relas[kept++] = r;
	}
	rela->nr_relas = kept;
}

long drop_table_entries(struct kelf *k, const struct table_drop *t)
{
	struct kelf_section *sec = kelf_find_section(k, t->section);
	char name[KLP_SYMNAME_MAX + 1], obj[KLP_OBJNAME_MAX + 1];
	long dropped = 0;
	size_t i;

	if (!sec || sec->removed || !sec->rela || !sec->data ||
	    sec->size % t->entry_size)
		return 0;
	for (i = 0; i < sec->rela->nr_relas; i++) {
		const struct kelf_rela *r = &sec->rela->relas[i];

		if (!t->leaves(sec, r, name, sizeof(name)))
			continue;
		if (klp_symbol_objname(r->sym->name, obj))
			strcpy(obj, "?");
		t->note(k, r, name, obj);
		drop_entry(sec, r->offset / t->entry_size, t->entry_size);
		dropped++;
		i = (size_t)-1;	/* the relocations moved: again */
	}
	if (dropped && !sec->size)
		kelf_remove_section(sec);
	return dropped;
}
