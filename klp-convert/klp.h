/* SPDX-License-Identifier: GPL-2.0 */
/*
 * klp-convert: turn a linked livepatch module's references to unexported
 * symbols into the livepatch ELF format of the kernel's
 * Documentation/livepatch/module-elf-format.rst.
 *
 *   symbols.c  ".klp.sym.OBJ.NAME,POS" symbols -> SHN_LIVEPATCH; every other
 *              UNDEF symbol must be exported (Module.symvers)
 *   relocs.c   relocations to livepatch symbols: .rela.SEC -> .klp.rela.OBJ.SEC
 *   static-calls.c  .static_call_sites entries through a module's key that
 *              its trampoline serves: left out
 *   tracepoints.c  __jump_table entries of a module's tracepoints (off at
 *              their sites): left out, the tracepoints stay off
 *   table.c    leaving entries of such a table out
 *   main.c     options, the livepatch modinfo check, writing OUT.ko
 */
#ifndef KLP_H
#define KLP_H

#include "kelf.h"
#include "klp-names.h"
#include "symvers.h"

#include <stdbool.h>

/* symbols.c */
bool is_klp_symbol(const struct kelf_symbol *s);
/* Copies the OBJ of ".klp.sym.OBJ.NAME,POS" to obj; -1 if malformed. */
int klp_symbol_objname(const char *name, char obj[KLP_OBJNAME_MAX + 1]);
/* Marks the livepatch symbols SHN_LIVEPATCH; returns how many, or -1. */
int mark_klp_symbols(struct kelf *k);
/* The OBJ of the .klp.rela.OBJ.* sections for s, a marked symbol. */
const char *klp_rela_objname(const struct kelf_symbol *s,
			     char obj[KLP_OBJNAME_MAX + 1]);
/* Frees what mark_klp_symbols() keeps in the symbols' rela_obj. */
void free_klp_symbols(struct kelf *k);
/* versions.c: __versions CRCs must be the target's (MODVERSIONS) */
int check_versions(const struct kelf *k, const struct symvers *sv,
		   const char *symvers_path);
int check_undefs(struct kelf *k, const struct symvers *sv,
		 const char *symvers_path);

/* static-calls.c: returns the number of entries left out */
long drop_module_static_call_sites(struct kelf *k);
/* tracepoints.c: a module's tracepoints in patched code stay off */
long drop_module_tracepoint_entries(struct kelf *k);

/* table.c: entries of a special section left out, by a rule */
struct table_drop {
	const char *section;
	size_t entry_size;
	/* whether the entry of relocation r goes; what to name in name */
	bool (*leaves)(const struct kelf_section *sec,
		       const struct kelf_rela *r, char *name, size_t max);
	/* the note that says so; obj: the key's module */
	void (*note)(const struct kelf *k, const struct kelf_rela *r,
		     const char *name, const char *obj);
};
long drop_table_entries(struct kelf *k, const struct table_drop *t);
const struct kelf_rela *table_rela_at(const struct kelf_section *sec,
				      unsigned long offset);
/* NAME of ".klp.sym.OBJ.NAME,POS" (its length in *len), or a plain name */
const char *klp_sym_base(const struct kelf_symbol *s, size_t *len);

/* relocs.c: returns the number of relocations moved, or -1. */
/* What move_klp_relocs() returns when the module cannot carry a relocation. */
#define KLP_REFUSED	(-2)
long move_klp_relocs(struct kelf *k, bool verbose);

#endif
