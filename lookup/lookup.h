/* SPDX-License-Identifier: GPL-2.0 */
/*
 * lookup: resolve the UNDEF symbols of diff objects against the target
 * (vmlinux or a module), giving each one that the module loader cannot
 * resolve its kallsyms position: ".klp.sym.OBJNAME.NAME,POS".
 *
 *   symtab.c   the target's symbol table: names, positions, file groups
 *   sysmap.c   a System.map as the target vmlinux (no file groups)
 *   debugmod.c a stripped module's file groups from its debug copy
 *   orig.c     what an original object says about a name (local or global)
 *   resolve.c  name -> position, through the file group for locals
 *   rename.c   one diff object: rename its UNDEF symbols, list its aliases
 *   main.c     options, the pairs of objects, writing them back
 */
#ifndef LOOKUP_H
#define LOOKUP_H

#include "kelf.h"
#include "klp-names.h"
#include "symvers.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

/* A symbol of the target as kallsyms lists it. */
struct tsym {
	const char *name;
	unsigned long addr;
	size_t index;		/* in the target's symbol table */
	unsigned long order;	/* kallsyms order: address, or index */
	int group;		/* its STT_FILE group, -1 for a global */
	unsigned char bind;
	char type;		/* System.map type letter, 0 from ELF */
	size_t rank;		/* System.map: its index in t->by_addr */
};

/* The local symbols that follow one STT_FILE symbol. */
struct tgroup {
	const char *file;	/* "" for locals before any STT_FILE */
};

struct target {
	struct kelf *k;		/* NULL for a System.map */
	const char *path;
	const char *objname;
	struct target *debug;	/* --module-debug: where groups come from */
	struct tsym *syms;	/* sorted by name, then kallsyms order */
	size_t nr_syms;
	struct tgroup *groups;
	size_t nr_groups;
	/* System.map: every symbol in address order, and the names */
	const struct tsym **by_addr;
	char *map_text;
};

/* What an original object (ORIG.o) tells about its symbols. */
struct orig {
	struct kelf *k;
	const char *file;	/* its STT_FILE name, NULL if none */
	const char **locals;	/* its LOCAL FUNC/OBJECT names */
	size_t nr_locals;
	int *overlap;		/* per target group, -1 = not computed yet */
};

enum orig_bind {
	ORIG_ABSENT,		/* ORIG.o does not name it */
	ORIG_LOCAL,		/* defined LOCAL in ORIG.o */
	ORIG_GLOBAL,		/* defined GLOBAL/WEAK or UNDEF in ORIG.o */
};

/* symtab.c */
struct target *target_load(const char *path, const char *objname);
void target_free(struct target *t);
/* The symbols called name (first one, *n of them), NULL if none. */
const struct tsym *target_find(const struct target *t, const char *name,
			       size_t *n);
bool target_group_has(const struct target *t, int group, const char *name);
const char *target_group_file(const struct target *t, int group);
bool target_is_module(const struct target *t);
bool target_is_map(const struct target *t);
/* A module's kallsyms position of sym while it loads (whole symtab). */
long target_full_pos(const struct target *t, const struct tsym *sym);

/* debugmod.c: --module-debug PATH, before orig_load() */
int target_adopt_debug(struct target *t, const char *path);

/* sysmap.c */
bool sysmap_detect(const char *path);
int sysmap_load(struct target *t, const char *path);
void sysmap_index(struct target *t);
void sysmap_free(struct target *t);

/* orig.c */
struct orig *orig_load(const char *path, const struct target *t);
void orig_free(struct orig *o);
enum orig_bind orig_binding(const struct orig *o, const char *name);
/* ORIG.o's defined FUNC/OBJECT of that name (any binding, or local). */
const struct kelf_symbol *orig_defined(const struct orig *o, const char *name);
const struct kelf_symbol *orig_local(const struct orig *o, const char *name);

/* resolve.c: the kallsyms position of name as ORIG.o means it, or -1. */
long resolve_sympos(const struct target *t, struct orig *o,
		    const char *name, const char *diff_path);

/* rename.c */
struct run {
	struct target *t;
	struct symvers *sv;
	struct orig **origs;
	struct kelf **diffs;
	size_t nr_pairs;
	struct kelf **linked;	/* diff objects of the other klp_objects */
	size_t nr_linked;
	bool verbose;
	bool module_deps;	/* a module's export used early: depend on it */
};

int rename_undefs(struct run *r, size_t pair);
/* Writes the "func" lines of diff object pair to out; -1 on error. */
int print_funcs(struct run *r, size_t pair, FILE *out);

#endif
