/* SPDX-License-Identifier: GPL-2.0 */
/*
 * kelf: a small model of an x86_64 relocatable ELF object over libelf.
 *
 * Sections, symbols and relocations are structs that point at each other: a
 * relocation at its symbol, a symbol at its section, a section at its .rela
 * section and back.  Names are found through hash tables.  A model is either
 * loaded from a file (kelf_open) or built from nothing (kelf_new), changed in
 * memory, and written out whole (kelf_write), which renumbers sections and
 * symbols and rebuilds the string tables.
 *
 * Every function that can fail prints one message that names the file and
 * returns NULL or -1; callers just propagate.  kelf_open checks every index,
 * offset and size of the file before the model uses it: section links and
 * sizes, string offsets, symbol sections (and, in a relocatable object,
 * extents), relocation symbols, types, offsets and addends.
 */
#ifndef KELF_H
#define KELF_H

#include <gelf.h>
#include <stdbool.h>
#include <stddef.h>
#include <string.h>

#ifndef SHN_LIVEPATCH
#define SHN_LIVEPATCH		0xff20
#endif
#ifndef SHF_RELA_LIVEPATCH
#define SHF_RELA_LIVEPATCH	0x00100000
#endif

enum kelf_status {
	KELF_NONE = 0,
	KELF_SAME,
	KELF_CHANGED,
	KELF_NEW,
};

struct kelf_symbol;

struct kelf_rela {
	unsigned long offset;
	unsigned int type;
	long addend;
	struct kelf_symbol *sym;
};

struct kelf_section {
	char *name;
	GElf_Shdr sh;
	unsigned int index;		/* index in the file it came from */
	unsigned char *data;		/* owned; NULL for SHT_NOBITS */
	size_t size;
	struct kelf_section *link;	/* sh_link, as a pointer */
	struct kelf_section *rela;	/* the .rela section for this one */
	struct kelf_section *base;	/* for a .rela section: its target */
	struct kelf_rela *relas;	/* for a .rela section */
	size_t nr_relas, alloc_relas;
	struct kelf_symbol *secsym;	/* its STT_SECTION symbol, if any */
	struct kelf_symbol *signature;	/* for a group: sh_info's symbol */
	struct kelf_symbol **syms;	/* FUNC/OBJECT/NOTYPE symbols in it */
	size_t nr_syms, alloc_syms;
	bool removed;
	struct kelf_section *hnext;

	/* free for the tools' passes */
	struct kelf_section *twin;
	enum kelf_status status;
	bool include;
	struct kelf_section *out;	/* create-diff-object: its copy */
	unsigned int out_index;		/* set by kelf_write */
};

struct kelf_symbol {
	char *name;
	GElf_Sym sym;
	unsigned int index;		/* index in the file it came from */
	struct kelf_section *sec;	/* NULL: st_shndx says what it is */
	struct kelf_symbol *hnext;

	struct kelf_symbol *twin;
	enum kelf_status status;
	bool include;
	struct kelf_symbol *out;	/* create-diff-object: its copy */
	char *rela_obj;			/* klp-convert: OBJ of .kpb.for.OBJ. */
	unsigned int out_index;
};

struct kelf {
	char *path;
	int fd;
	Elf *elf;
	GElf_Ehdr ehdr;
	struct kelf_section *symtab;	/* NULL: kelf_write makes them */
	struct kelf_section *shstrtab;
	struct kelf_section **secs;	/* secs[0] is NULL, like SHN_UNDEF */
	size_t nr_secs, alloc_secs;
	struct kelf_symbol **syms;	/* syms[0] is the null symbol */
	size_t nr_syms, alloc_syms;
	struct kelf_section *sec_hash[1024];
	struct kelf_symbol *sym_hash[4096];
};

static inline unsigned char kelf_bind(const struct kelf_symbol *s)
{
	return GELF_ST_BIND(s->sym.st_info);
}

static inline unsigned char kelf_type(const struct kelf_symbol *s)
{
	return GELF_ST_TYPE(s->sym.st_info);
}

static inline bool kelf_is_undef(const struct kelf_symbol *s)
{
	return !s->sec && s->sym.st_shndx == SHN_UNDEF;
}

static inline bool kelf_is_exec(const struct kelf_section *sec)
{
	return sec && (sec->sh.sh_flags & SHF_EXECINSTR);
}

static inline bool kelf_is_rela(const struct kelf_section *sec)
{
	return sec->sh.sh_type == SHT_RELA;
}

struct kelf *kelf_open(const char *path);
struct kelf *kelf_new(const GElf_Ehdr *ehdr, const char *path);
int kelf_write(struct kelf *k, const char *path);
void kelf_close(struct kelf *k);

struct kelf_section *kelf_find_section(struct kelf *k, const char *name);
struct kelf_symbol *kelf_find_symbol(struct kelf *k, const char *name);
/* The FUNC or OBJECT symbol of sec that covers offset, or NULL. */
struct kelf_symbol *kelf_symbol_at(struct kelf *k, struct kelf_section *sec,
				   unsigned long offset);

/*
 * The next relocation of sec (in the order of its .rela section) at an
 * offset in [start, end), from *pos on; *pos is then past it.  NULL when
 * there is none left.  kelf_for_each_rela_in() walks them all.
 */
const struct kelf_rela *kelf_next_rela(const struct kelf_section *sec,
				       unsigned long start, unsigned long end,
				       size_t *pos);
#define kelf_for_each_rela_in(r, sec, start, end, pos)			\
	for ((pos) = 0; ((r) = kelf_next_rela((sec), (start), (end), &(pos)));)

struct kelf_section *kelf_add_section(struct kelf *k, const char *name,
				      const GElf_Shdr *sh,
				      const void *data, size_t size);
struct kelf_symbol *kelf_add_symbol(struct kelf *k, const char *name,
				    const GElf_Sym *sym,
				    struct kelf_section *sec);
/* The .rela section of sec, created (empty) when it has none. */
struct kelf_section *kelf_rela_section(struct kelf *k,
				       struct kelf_section *sec);
/* A new, empty SHT_RELA section called name that applies to base. */
struct kelf_section *kelf_add_rela_section(struct kelf *k, const char *name,
					   struct kelf_section *base);
/* The bytes a relocation of type writes; -1 for a type not known here. */
int kelf_rela_width(unsigned int type);
void kelf_add_rela(struct kelf_section *relasec, unsigned long offset,
		   unsigned int type, long addend, struct kelf_symbol *sym);
void kelf_rename_symbol(struct kelf *k, struct kelf_symbol *sym,
			const char *name);
/* Leave sec (and its .rela) out of what kelf_write writes. */
void kelf_remove_section(struct kelf_section *sec);

/* The hash of a name for the tables of names (FNV-1a). */
unsigned int kelf_hash_name(const char *s);

/* Whether string s begins with prefix. */
static inline bool starts(const char *s, const char *prefix)
{
	return !strncmp(s, prefix, strlen(prefix));
}

/* Memory helpers that exit on allocation failure. */
void *xmalloc(size_t size);
void *xcalloc(size_t n, size_t size);
void *xrealloc(void *p, size_t size);
char *xstrdup(const char *s);

#endif
