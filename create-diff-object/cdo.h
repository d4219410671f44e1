/* SPDX-License-Identifier: GPL-2.0 */
/*
 * create-diff-object: the passes and what they share.
 *
 * Everything works on two kelf models (lib/kelf.c), "orig" and "patched",
 * whose sections and symbols point at their twins once correlated.  The
 * files, by the pass of main() (main.c) that runs them, in its order:
 *
 *   load                     main.c, lib/kelf.c
 *   correlate()              correlate.c; locals.c (static locals "x.N"),
 *                            gcc-names.c (.isra, .constprop, .part, .cold,
 *                            .N: GCC's name rules)
 *   compare()                compare.c; target.c, pcrel.c, insn.c (what a
 *                            relocation points at), kinds.c (what a symbol
 *                            or section is), constants.c (data that is
 *                            what it holds), lines.c (__LINE__),
 *                            special-compare.c (changes only in a
 *                            function's special-section entries), piece.c
 *                            (jumps into .altinstr_aux snippets)
 *   kpatch_macros_ignore()   kpatch-macros.c (KPATCH_IGNORE_*)
 *   propagate()              propagate.c (changes moved into callers;
 *                            switch and read-only tables copied with their
 *                            readers)
 *   check()                  check.c (refusals, KPATCH_FORCE_UNSAFE)
 *   check_layouts()          layout.c, layout-compare.c (types, from DWARF)
 *   check_loader_tables()    loader-tables.c; split.c (entry sizes)
 *   check_ftrace_entries()   ftrace.c (has an ftrace entry; refused if not)
 *   kpatch_macros_select()   kpatch-macros.c (callbacks)
 *   select_needed()          select.c; special.c (special sections, one
 *                            row each), runtime-const.c
 *   report_printk_index()    printk-index.c
 *   write_output()           write.c; addressable.c, dyndbg.c, modinfo.c,
 *                            noendbr.c
 *   report(), report_close() report.c (the report, --json, --manifest)
 *   every message            diag.c (diag(): error, refused, warning)
 */
#ifndef CDO_H
#define CDO_H

#include "kelf.h"
#include "klp-names.h"

#include <stdarg.h>
#include <stdio.h>

#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))

enum {
	EXIT_CHANGED = 0,
	EXIT_ERROR = 1,
	EXIT_REFUSED = 2,
	EXIT_NO_CHANGE = 3,
};

/* What the passes learn about one symbol of the patched object. */
struct symstate {
	char *why;		/* why it changed, for the report */
	char *out_name;		/* its name in OUT.o, if not its own */
	bool copied;		/* changed, no ftrace entry: copied with its users */
	bool fresh;		/* a static local left new on purpose: its
				   users changed (locals.c) */
};

struct diff {
	struct kelf *orig, *patched, *out;
	const char *prefix;		/* ID of __kpb_new.ID.NAME aliases */
	const char *objname;		/* for messages: the patched object */
	FILE *report;			/* see report.c */
	struct symstate *state;		/* by patched symbol index */
	int nr_refused;
	int nr_errors;			/* diag(DIAG_ERROR): exit status 1 */
	int nr_changed, nr_new;
	/*
	 * kbuild runs objtool on the linked livepatch module (IBT or LTO:
	 * "delay-objtool"), which makes its tables (ORC, thunk and call
	 * sites, static call sites) for all of it and skips a table the input
	 * has: the objects of single-object modules come with theirs, which
	 * are left out then.
	 */
	bool objtool_on_link;
};

static inline struct symstate *sym_state(struct diff *d,
					 const struct kelf_symbol *p)
{
	return &d->state[p->index];
}

/* What a relocation points at, independent of addresses and indexes. */
struct target {
	struct kelf_symbol *sym;	/* a named symbol, or NULL */
	struct kelf_section *sec;	/* else: a spot in a section */
	long addend;			/* relative to sym or to sec */
	long spot;			/* the offset in sec meant, -1: unknown */
};

/* target.c */
void rela_target(struct kelf *k, const struct kelf_rela *r, struct target *t);
const char *target_string(const struct target *t);

/* kinds.c: what a symbol or section is */
bool is_string_section(const struct kelf_section *sec);
bool is_ignored_section(const struct kelf_section *sec);
bool is_init_section(const struct kelf_section *sec);
bool is_function(const struct kelf_symbol *s);
bool has_endbr(const struct kelf_symbol *f);
bool is_data(const struct kelf_symbol *s);

/*
 * pcrel.c: what to add to the addend of a PC-relative relocation for the
 * offset it means in its target (4 + immediate size in code, 0 in data), or
 * -1 if unknown
 */
long rela_pc_bias(const struct kelf *k, const struct kelf_rela *r);
void pcrel_free(void);

/* correlate.c */
void correlate(struct diff *d);

/* gcc-names.c: GCC's names of clones, cold parts and numbered objects */
/* name without GCC's ".N" numbers: "x.3" -> "x", "f.isra.0" -> "f.isra" */
void canonical_name(const char *name, char *buf, size_t len);
/* name ends in ".N" ("count.3"), with something before it */
bool has_number_suffix(const char *name);
/* name is prefix followed by ".N" ("CSWTCH.7") */
bool is_numbered(const char *name, const char *prefix);
/* a ".cold" part of a function ("foo.cold", "foo.part.2.cold") */
bool is_cold_part(const struct kelf_symbol *s);
/* f is a cold part of p ("p.cold", "p.cold.3") */
bool is_cold_part_of(const struct kelf_symbol *f,
		     const struct kelf_symbol *p);
/* "foo" of foo.isra.0, foo.cold, foo.constprop.1 */
void base_name(const char *name, char *buf, size_t len);
/*
 * Where a GCC-made function comes from: "clone of foo" for foo.isra.0,
 * foo.constprop.1 and foo.part.2, "cold part of foo" for foo.cold; "" for
 * another name.
 */
void clone_origin(const char *name, char *buf, size_t len);

/* compare.c */
void compare(struct diff *d);
/* The first differing offset of two functions, or -1 if they are equal. */
long symbol_diff_offset(struct diff *d, struct kelf_symbol *p);
/* The first offset where the relocations of p and its twin differ, or -1. */
long relas_diff_offset(struct diff *d, struct kelf_symbol *p);
bool same_rela(struct diff *d, const struct kelf_rela *pr,
	       const struct kelf_rela *or);
/* Mark p (and its twin) changed, with the reason; false unless it was same. */
bool mark_changed(struct diff *d, struct kelf_symbol *p, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* piece.c: two relocations into pieces (.altinstr_aux), by the piece */
bool same_piece_target(struct diff *d, const struct target *p,
		       const struct target *o);

/* lines.c */
bool only_line_numbers_differ(struct diff *d, struct kelf_symbol *p);

/* special-compare.c */
void compare_special(struct diff *d);

/* ftrace.c: by symbol index of k, whether it has an ftrace entry */
bool *ftrace_entries(struct kelf *k);
/* Refuse the changed functions left without ftrace entry. */
void check_ftrace_entries(struct diff *d);

/* propagate.c */
void propagate(struct diff *d);

/* locals.c */
bool is_static_local(const struct kelf_symbol *s);
void pair_static_locals(struct diff *d);

/* constants.c: data compared by content, copied into the livepatch */
bool is_merge_section(const struct kelf_section *sec);
bool is_constant(const struct kelf_symbol *s);
/* A static const object of .rodata that holds no pointer (constants.c). */
bool is_plain_rodata(const struct kelf_symbol *s);
/* The first offset where p's and o's bytes differ, -1 if none (compare.c). */
long bytes_diff(const struct kelf_symbol *p, const struct kelf_symbol *o);
bool is_dyndbg_descriptor(const struct kelf_symbol *s);
bool by_content(const struct kelf_symbol *s);
bool same_content(struct diff *d, const struct kelf_symbol *p,
		  const struct kelf_symbol *o);
bool same_merged_constant(const struct target *pt, const struct target *ot);
unsigned long rela_token(struct diff *d, struct kelf *k,
			 const struct kelf_rela *r, int depth);

/* dyndbg.c */
int write_dyndbg(struct diff *d);
bool report_dyndbg(struct diff *d, struct kelf_symbol *s);

/*
 * diag.c: every message on stderr, "create-diff-object: OBJ: KIND WHERE: ";
 * obj NULL: the patched object; where: a symbol or section name, or NULL;
 * offset in it, or -1.  DIAG_ERROR counts in nr_errors (exit status 1),
 * DIAG_REFUSED in nr_refused (exit status 2).
 */
enum diag_kind { DIAG_ERROR, DIAG_REFUSED, DIAG_WARNING };
void vdiag(struct diff *d, const char *obj, enum diag_kind kind,
	   const char *where, long offset, const char *fmt, va_list ap);
void diag(struct diff *d, const char *obj, enum diag_kind kind,
	  const char *where, long offset, const char *fmt, ...)
	__attribute__((format(printf, 6, 7)));

/* check.c */
void check(struct diff *d);
void refuse(struct diff *d, const char *name, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* A refusal that KPATCH_FORCE_UNSAFE does not lift. */
void refuse_unforceable(struct diff *d, const char *name, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/*
 * A change the module does not carry but the running kernel does not miss:
 * a "dropped NAME why" report line and a warning.
 */
void warn_dropped(struct diff *d, const char *name, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* loader-tables.c: tables only the link, the boot or the loader read */
bool is_loader_table(const struct kelf_section *sec);
void check_loader_tables(struct diff *d);

/* printk-index.c: CONFIG_PRINTK_INDEX entries, metadata of functions */
bool is_printk_index_data(struct kelf *k, const struct kelf_symbol *s);
void report_printk_index(struct diff *d);

/* split.c */
bool entries_alike(const struct kelf_section *sec, size_t size, size_t count,
		   size_t per, bool (*counts)(const struct kelf_rela *),
		   size_t *bad);

/* select.c */
void select_needed(struct diff *d);
void include_target(struct diff *d, struct kelf_section *from,
		    const struct kelf_rela *r);

/* special.c */
struct special;
const struct special *special_find(const struct kelf_section *sec);
bool special_is_piece(const struct kelf_section *sec);
int special_select(struct diff *d, struct kelf_section *sec);
int special_write(struct diff *d, struct kelf_section *sec);
bool special_skip_rela(struct diff *d, const struct kelf_section *from,
		       const struct target *t);
void check_unknown_section(struct diff *d, struct kelf_section *sec);

/* kpatch-macros.c: the patch author's macros (templates/kpatch-macros.h) */
void kpatch_macros_ignore(struct diff *d);
void kpatch_macros_select(struct diff *d);
bool kpatch_macros_force(struct diff *d, const char *name, const char *fmt,
			 va_list ap);

/* write.c */
int write_output(struct diff *d, const char *path);
struct kelf_symbol *out_symbol_for(struct diff *d, struct kelf_symbol *p);
const char *out_name(struct diff *d, struct kelf_symbol *p);
struct kelf_section *out_section_for(struct diff *d, struct kelf_section *p);
int out_relocate(struct diff *d, struct kelf_section *out_sec,
		 const struct kelf_rela *r, unsigned long new_offset);
struct kelf_symbol *out_undef(struct diff *d, const char *name);

/* runtime-const.c */
bool is_runtime_const_section(const struct kelf_section *sec);
void check_runtime_consts(struct diff *d, struct kelf_section *sec);
int write_runtime_consts(struct diff *d);

/* noendbr.c */
int write_noendbr(struct diff *d);

/* modinfo.c: the namespaces the patched object imports */
int write_import_ns(struct diff *d);

/* addressable.c */
int write_static_call_keys(struct diff *d);

/*
 * layout.c: refuse a changed layout (size, member offsets and types,
 * enumerator values) of a struct, union or enum that changed or new
 * functions use, from the objects' DWARF (with libdw)
 */
void check_layouts(struct diff *d);

/* report.c */
void report(struct diff *d);
int report_open(struct diff *d, const char *path, const char *json);
int report_close(struct diff *d);
void report_manifest(const char *path);
void report_callback(struct diff *d, const char *fn, const char *kind,
		     const char *entry);
void report_item(struct diff *d, const char *kind, const char *name,
		 const char *fmt, ...) __attribute__((format(printf, 4, 5)));
void report_vitem(struct diff *d, const char *kind, const char *name,
		  const char *fmt, va_list ap);

#endif
