// SPDX-License-Identifier: GPL-2.0
/*
 * Relocations to livepatch symbols move from .rela.SEC to .klp.rela.OBJ.SEC:
 * the module loader skips sections flagged SHF_RELA_LIVEPATCH and livepatch
 * applies them once OBJ is there (klp_apply_section_relocs() in
 * kernel/livepatch/core.c), after resolving every symbol they refer to, all
 * of which must be livepatch symbols.  They are SHF_ALLOC so that the loader
 * keeps them in memory for that (module-elf-format.rst, 3.1).
 *
 * Only relocations of allocated sections move: the loader does not apply
 * the others at all (apply_relocations() in kernel/module/main.c).
 */
#include "klp.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define KLP_RELA_FLAGS	(SHF_ALLOC | SHF_INFO_LINK | SHF_RELA_LIVEPATCH)

static char *klp_rela_name(const char *obj, const char *secname)
{
	char *name = xmalloc(strlen(KLP_RELA_PREFIX) + strlen(obj) +
			     strlen(secname) + 2);

	/* ".klp.rela.vmlinux" + ".text.foo", as in module-elf-format.rst */
	sprintf(name, KLP_RELA_PREFIX "%s%s%s", obj,
		secname[0] == '.' ? "" : ".", secname);
	return name;
}

/* The .klp.rela.OBJ.SEC section for base, created on first use. */
static struct kelf_section *klp_rela_section(struct kelf *k, const char *obj,
					     struct kelf_section *base)
{
	char *name = klp_rela_name(obj, base->name);
	struct kelf_section *sec = kelf_find_section(k, name);

	if (sec && sec->base != base) {
		fprintf(stderr, "error: %s: section %s already exists and "
			"applies to section %s, not %s\n", k->path, name,
			sec->base ? sec->base->name : "(none)", base->name);
		free(name);
		return NULL;
	}
	if (!sec) {
		sec = kelf_add_rela_section(k, name, base);
		sec->sh.sh_flags = KLP_RELA_FLAGS;
	}
	free(name);
	return sec;
}

static bool is_klp_rela_section(const struct kelf_section *sec)
{
	return sec->sh.sh_flags & SHF_RELA_LIVEPATCH;
}

static bool movable(const struct kelf_section *sec)
{
	return !sec->removed && kelf_is_rela(sec) && sec->base &&
	       !is_klp_rela_section(sec) &&
	       (sec->base->sh.sh_flags & SHF_ALLOC);
}

static int move_one(struct kelf *k, struct kelf_section *rela,
		    const struct kelf_rela *r, bool verbose)
{
	char obj[KLP_OBJNAME_MAX + 1];
	struct kelf_section *klp;

	if (klp_symbol_objname(r->sym->name, obj)) {
		fprintf(stderr, "error: %s: %s: relocation at 0x%lx refers to "
			"the malformed livepatch symbol %s\n", k->path,
			rela->name, r->offset, r->sym->name);
		return -1;
	}
	klp = klp_rela_section(k, obj, rela->base);
	if (!klp)
		return -1;
	kelf_add_rela(klp, r->offset, r->type, r->addend, r->sym);
	if (verbose)
		fprintf(stderr, "klp-convert: %s+0x%lx -> %s (%s)\n",
			rela->base->name, r->offset, klp->name, r->sym->name);
	return 0;
}

/* Moves rela's relocations to livepatch symbols; returns how many, or -1. */
static long split_section(struct kelf *k, struct kelf_section *rela,
			  bool verbose)
{
	size_t i, kept = 0;
	long moved = 0;

	for (i = 0; i < rela->nr_relas; i++) {
		const struct kelf_rela *r = &rela->relas[i];

		if (!is_klp_symbol(r->sym)) {
			rela->relas[kept++] = *r;
			continue;
		}
		if (move_one(k, rela, r, verbose))
			return -1;
		moved++;
	}
	rela->nr_relas = kept;
	if (!kept && moved)	/* nothing left to apply at load time */
		kelf_remove_section(rela);
	return moved;
}

long move_klp_relocs(struct kelf *k, bool verbose)
{
	size_t i, nr_secs = k->nr_secs;	/* the ones added here are done */
	long total = 0;

	for (i = 1; i < nr_secs; i++) {
		struct kelf_section *sec = k->secs[i];
		long moved;

		if (!sec || !movable(sec))
			continue;
		moved = split_section(k, sec, verbose);
		if (moved < 0)
			return -1;
		total += moved;
	}
	return total;
}
