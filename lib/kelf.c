// SPDX-License-Identifier: GPL-2.0
/*
 * kelf: load, change and write relocatable ELF objects (see kelf.h).
 */
#include "kelf.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

void *xmalloc(size_t size)
{
	void *p = malloc(size ? size : 1);

	if (!p) {
		fprintf(stderr, "error: out of memory (%zu bytes)\n", size);
		exit(1);
	}
	return p;
}

void *xcalloc(size_t n, size_t size)
{
	void *p = calloc(n ? n : 1, size ? size : 1);

	if (!p) {
		fprintf(stderr, "error: out of memory (%zu x %zu bytes)\n", n, size);
		exit(1);
	}
	return p;
}

void *xrealloc(void *p, size_t size)
{
	p = realloc(p, size ? size : 1);
	if (!p) {
		fprintf(stderr, "error: out of memory (%zu bytes)\n", size);
		exit(1);
	}
	return p;
}

char *xstrdup(const char *s)
{
	size_t len = strlen(s) + 1;

	return memcpy(xmalloc(len), s, len);
}

/* Grow *array (of elem-sized items) so that it holds at least need items. */
static void grow(void *array, size_t *alloc, size_t need, size_t elem)
{
	void **p = array;

	if (need <= *alloc)
		return;
	*alloc = need < 16 ? 16 : need * 2;
	*p = xrealloc(*p, *alloc * elem);
}

static void kelf_err(const struct kelf *k, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "error: %s: ", k->path);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

unsigned int kelf_hash_name(const char *s)
{
	unsigned int h = 2166136261u;

	while (*s)
		h = (h ^ (unsigned char)*s++) * 16777619u;
	return h;
}

static void hash_section(struct kelf *k, struct kelf_section *sec)
{
	unsigned int b = kelf_hash_name(sec->name) % ARRAY_LEN(k->sec_hash);

	sec->hnext = k->sec_hash[b];
	k->sec_hash[b] = sec;
}

static void hash_symbol(struct kelf *k, struct kelf_symbol *sym)
{
	unsigned int b;

	if (!sym->name[0] || kelf_type(sym) == STT_SECTION)
		return;
	b = kelf_hash_name(sym->name) % ARRAY_LEN(k->sym_hash);
	sym->hnext = k->sym_hash[b];
	k->sym_hash[b] = sym;
}

static void unhash_symbol(struct kelf *k, struct kelf_symbol *sym)
{
	struct kelf_symbol **p;
	unsigned int b;

	b = kelf_hash_name(sym->name) % ARRAY_LEN(k->sym_hash);
	for (p = &k->sym_hash[b]; *p; p = &(*p)->hnext) {
		if (*p == sym) {
			*p = sym->hnext;
			return;
		}
	}
}

struct kelf_section *kelf_find_section(struct kelf *k, const char *name)
{
	struct kelf_section *sec;

	sec = k->sec_hash[kelf_hash_name(name) % ARRAY_LEN(k->sec_hash)];
	for (; sec; sec = sec->hnext)
		if (!sec->removed && !strcmp(sec->name, name))
			return sec;
	return NULL;
}

struct kelf_symbol *kelf_find_symbol(struct kelf *k, const char *name)
{
	struct kelf_symbol *sym;

	sym = k->sym_hash[kelf_hash_name(name) % ARRAY_LEN(k->sym_hash)];
	for (; sym; sym = sym->hnext)
		if (!strcmp(sym->name, name))
			return sym;
	return NULL;
}

struct kelf_symbol *kelf_symbol_at(struct kelf *k, struct kelf_section *sec,
				   unsigned long offset)
{
	struct kelf_symbol *best = NULL;
	size_t i;

	(void)k;
	for (i = 0; i < sec->nr_syms; i++) {
		struct kelf_symbol *s = sec->syms[i];
		unsigned long start = s->sym.st_value;
		unsigned long end = start + s->sym.st_size;

		if (kelf_type(s) != STT_FUNC && kelf_type(s) != STT_OBJECT)
			continue;
		if (offset < start || (offset >= end && !(offset == start)))
			continue;
		/* Prefer a local name over a global alias of the same spot. */
		if (!best || (kelf_bind(best) != STB_LOCAL &&
			      kelf_bind(s) == STB_LOCAL))
			best = s;
	}
	return best;
}

const struct kelf_rela *kelf_next_rela(const struct kelf_section *sec,
				       unsigned long start, unsigned long end,
				       size_t *pos)
{
	const struct kelf_section *rela = sec->rela;

	while (rela && *pos < rela->nr_relas) {
		const struct kelf_rela *r = &rela->relas[(*pos)++];

		if (r->offset >= start && r->offset < end)
			return r;
	}
	return NULL;
}

static struct kelf_section *new_section(struct kelf *k)
{
	struct kelf_section *sec = xcalloc(1, sizeof(*sec));

	grow(&k->secs, &k->alloc_secs, k->nr_secs + 1, sizeof(*k->secs));
	sec->index = k->nr_secs;
	k->secs[k->nr_secs++] = sec;
	return sec;
}

static void section_add_symbol(struct kelf_section *sec,
			       struct kelf_symbol *sym)
{
	if (kelf_type(sym) == STT_SECTION) {
		if (!sec->secsym)
			sec->secsym = sym;
		return;
	}
	grow(&sec->syms, &sec->alloc_syms, sec->nr_syms + 1,
	     sizeof(*sec->syms));
	sec->syms[sec->nr_syms++] = sym;
}

static struct kelf_symbol *new_symbol(struct kelf *k, const char *name,
				      const GElf_Sym *gsym,
				      struct kelf_section *sec)
{
	struct kelf_symbol *sym = xcalloc(1, sizeof(*sym));

	sym->name = xstrdup(name);
	sym->sym = *gsym;
	sym->sec = sec;
	grow(&k->syms, &k->alloc_syms, k->nr_syms + 1, sizeof(*k->syms));
	sym->index = k->nr_syms;
	k->syms[k->nr_syms++] = sym;
	if (sec)
		section_add_symbol(sec, sym);
	hash_symbol(k, sym);
	return sym;
}

/*
 * Loading checks every index, offset and size the tools use before they use
 * it: a corrupt file is an error that names the file, the section or symbol
 * and the field (kelf_err), never a crash and never an object passed on.
 */

/* The kernel aligns to pages at most, PMD_SIZE (2 MiB) for huge ones. */
#define MAX_ALIGN	(1u << 21)
/*
 * No section is a terabyte, and no relocation reaches that far: the tools'
 * offset arithmetic (signed, in long) cannot overflow below that.
 */
#define MAX_OFFSET	(1ul << 40)

static bool is_power_of_2(unsigned long x)
{
	return !(x & (x - 1));
}

/* Whether [off, off + len) lies within size bytes, without overflow. */
static bool within(unsigned long off, unsigned long len, unsigned long size)
{
	return off <= size && len <= size - off;
}

static int read_section_data(struct kelf *k, Elf_Scn *scn,
			     struct kelf_section *sec)
{
	Elf_Data *d = elf_getdata(scn, NULL);

	if (!d) {
		kelf_err(k, "section %s: sh_offset 0x%lx, sh_size 0x%lx: "
			 "cannot read data: %s", sec->name,
			 (unsigned long)sec->sh.sh_offset,
			 (unsigned long)sec->sh.sh_size, elf_errmsg(-1));
		return -1;
	}
	if (d->d_size != sec->sh.sh_size || (d->d_size && !d->d_buf) ||
	    elf_getdata(scn, d)) {
		kelf_err(k, "section %s: sh_size %lu, but %zu bytes of data",
			 sec->name, (unsigned long)sec->sh.sh_size, d->d_size);
		return -1;
	}
	sec->data = xmalloc(d->d_size);
	if (d->d_size)
		memcpy(sec->data, d->d_buf, d->d_size);
	return 0;
}

static int load_section(struct kelf *k, Elf_Scn *scn, size_t shstrndx,
			bool copy_data)
{
	struct kelf_section *sec = new_section(k);
	const char *name;

	if (!gelf_getshdr(scn, &sec->sh) ||
	    !(name = elf_strptr(k->elf, shstrndx, sec->sh.sh_name))) {
		kelf_err(k, "section %zu: sh_name: %s", elf_ndxscn(scn),
			 elf_errmsg(-1));
		return -1;
	}
	sec->name = xstrdup(name);
	sec->size = sec->sh.sh_size;
	hash_section(k, sec);
	if (!is_power_of_2(sec->sh.sh_addralign) ||
	    sec->sh.sh_addralign > MAX_ALIGN) {
		kelf_err(k, "section %s: sh_addralign 0x%lx is not a power of "
			 "2 up to 0x%x", sec->name,
			 (unsigned long)sec->sh.sh_addralign, MAX_ALIGN);
		return -1;
	}
	if (sec->sh.sh_size >= MAX_OFFSET) {
		kelf_err(k, "section %s: sh_size 0x%lx is not below 0x%lx",
			 sec->name, (unsigned long)sec->sh.sh_size, MAX_OFFSET);
		return -1;
	}
	if (sec->sh.sh_type == SHT_SYMTAB_SHNDX) {
		kelf_err(k, "section %s: extended section indexes are not "
			 "supported", sec->name);
		return -1;
	}
	if (sec->sh.sh_type == SHT_NOBITS)
		return 0;
	if (!copy_data && sec->sh.sh_type != SHT_SYMTAB &&
	    sec->sh.sh_type != SHT_STRTAB)
		return 0;
	return read_section_data(k, scn, sec);
}

static int load_sections(struct kelf *k, bool copy_data)
{
	size_t shstrndx;
	Elf_Scn *scn = NULL;

	if (elf_getshdrstrndx(k->elf, &shstrndx)) {
		kelf_err(k, "e_shstrndx: no section name table: %s",
			 elf_errmsg(-1));
		return -1;
	}
	new_section(k);		/* index 0 */
	free(k->secs[0]);
	k->secs[0] = NULL;
	while ((scn = elf_nextscn(k->elf, scn)))
		if (load_section(k, scn, shstrndx, copy_data))
			return -1;
	if (shstrndx >= k->nr_secs || !shstrndx) {
		kelf_err(k, "e_shstrndx %zu is not a section index (%zu "
			 "sections)", shstrndx, k->nr_secs);
		return -1;
	}
	k->shstrtab = k->secs[shstrndx];
	return 0;
}

static int check_entsize(struct kelf *k, const struct kelf_section *sec,
			 size_t entsize)
{
	if (sec->sh.sh_entsize != entsize) {
		kelf_err(k, "section %s: sh_entsize %lu, expected %zu",
			 sec->name, (unsigned long)sec->sh.sh_entsize, entsize);
		return -1;
	}
	if (sec->size % entsize) {
		kelf_err(k, "section %s: sh_size %zu is not a multiple of "
			 "sh_entsize %zu", sec->name, sec->size, entsize);
		return -1;
	}
	return 0;
}

/* sh_link of sec must name a section of type type (SHT_NULL: any). */
static int check_link(struct kelf *k, struct kelf_section *sec,
		      unsigned int type)
{
	if (sec->sh.sh_link >= k->nr_secs ||
	    (type != SHT_NULL && !sec->sh.sh_link)) {
		kelf_err(k, "section %s: sh_link %u is not a section index "
			 "(%zu sections)", sec->name, sec->sh.sh_link,
			 k->nr_secs);
		return -1;
	}
	sec->link = sec->sh.sh_link ? k->secs[sec->sh.sh_link] : NULL;
	if (type != SHT_NULL && sec->link->sh.sh_type != type) {
		kelf_err(k, "section %s: sh_link %u is section %s, of type "
			 "%u, not %u", sec->name, sec->sh.sh_link,
			 sec->link->name, sec->link->sh.sh_type, type);
		return -1;
	}
	return 0;
}

static int check_rela_section(struct kelf *k, struct kelf_section *sec)
{
	struct kelf_section *base;

	if (check_link(k, sec, SHT_SYMTAB) ||
	    check_entsize(k, sec, sizeof(Elf64_Rela)))
		return -1;
	if (!sec->sh.sh_info || sec->sh.sh_info >= k->nr_secs) {
		kelf_err(k, "section %s: sh_info %u is not a section index "
			 "(%zu sections)", sec->name, sec->sh.sh_info,
			 k->nr_secs);
		return -1;
	}
	base = k->secs[sec->sh.sh_info];
	if (base->sh.sh_type == SHT_NOBITS || base->sh.sh_type == SHT_RELA ||
	    base->sh.sh_type == SHT_SYMTAB || base->sh.sh_type == SHT_STRTAB ||
	    base->sh.sh_type == SHT_GROUP || base->sh.sh_type == SHT_NULL) {
		kelf_err(k, "section %s: sh_info %u is section %s, of type %u: "
			 "not one relocations apply to", sec->name,
			 sec->sh.sh_info, base->name, base->sh.sh_type);
		return -1;
	}
	sec->base = base;
	/* The first; a livepatch module has .klp.rela.* sections too. */
	if (!base->rela)
		base->rela = sec;
	return 0;
}

/* A group: a flag word, then the indexes of its member sections. */
static int check_group(struct kelf *k, const struct kelf_section *sec)
{
	const Elf32_Word *w = (const Elf32_Word *)sec->data;
	size_t i, n = sec->size / sizeof(*w);

	if (check_entsize(k, sec, sizeof(*w)))
		return -1;
	if (!n) {
		kelf_err(k, "section %s: sh_size 0: a group has a flag word",
			 sec->name);
		return -1;
	}
	for (i = 1; w && i < n; i++) {
		if (!w[i] || w[i] >= k->nr_secs) {
			kelf_err(k, "section %s: member %zu: %u is not a "
				 "section index (%zu sections)", sec->name, i,
				 w[i], k->nr_secs);
			return -1;
		}
	}
	return 0;
}

/* The strings of a string section end in it (the tools read them). */
static int check_strings(struct kelf *k, const struct kelf_section *sec)
{
	if (!(sec->sh.sh_flags & SHF_STRINGS) || !sec->data || !sec->size ||
	    !sec->data[sec->size - 1])
		return 0;
	kelf_err(k, "section %s: SHF_STRINGS, but its last byte is not NUL",
		 sec->name);
	return -1;
}

static int check_section(struct kelf *k, struct kelf_section *sec)
{
	if (check_strings(k, sec))
		return -1;
	switch (sec->sh.sh_type) {
	case SHT_REL:
		kelf_err(k, "section %s: SHT_REL is not supported, only "
			 "SHT_RELA (x86_64)", sec->name);
		return -1;
	case SHT_RELA:
		return check_rela_section(k, sec);
	case SHT_SYMTAB:
		return check_link(k, sec, SHT_STRTAB) ||
		       check_entsize(k, sec, sizeof(Elf64_Sym));
	case SHT_GROUP:
		return check_link(k, sec, SHT_SYMTAB) || check_group(k, sec);
	default:
		return check_link(k, sec, SHT_NULL);
	}
}

static int link_sections(struct kelf *k)
{
	size_t i;

	for (i = 1; i < k->nr_secs; i++)
		if (check_section(k, k->secs[i]))
			return -1;
	return 0;
}

static struct kelf_section *find_symtab(struct kelf *k)
{
	struct kelf_section *symtab = NULL;
	size_t i;

	for (i = 1; i < k->nr_secs; i++) {
		if (k->secs[i]->sh.sh_type != SHT_SYMTAB)
			continue;
		if (symtab) {
			kelf_err(k, "section %s: a second symbol table (%s)",
				 k->secs[i]->name, symtab->name);
			return NULL;
		}
		symtab = k->secs[i];
	}
	if (!symtab)
		kelf_err(k, "no symbol table (stripped?)");
	return symtab;
}

static int check_strtab(struct kelf *k, const struct kelf_section *strtab)
{
	if (!strtab->data || !strtab->size ||
	    strtab->data[strtab->size - 1]) {
		kelf_err(k, "section %s: string table does not end with a NUL "
			 "byte", strtab->name);
		return -1;
	}
	return 0;
}

/* The section of symbol i, NULL for SHN_UNDEF, SHN_ABS and the like. */
static int symbol_section(struct kelf *k, size_t i, const char *name,
			  const GElf_Sym *gs, struct kelf_section **sec)
{
	*sec = NULL;
	switch (gs->st_shndx) {
	case SHN_UNDEF:
	case SHN_ABS:
	case SHN_COMMON:
	case SHN_LIVEPATCH:
		return 0;
	case SHN_XINDEX:
		kelf_err(k, "symbol %zu (%s): st_shndx SHN_XINDEX: extended "
			 "section indexes are not supported", i, name);
		return -1;
	}
	if (gs->st_shndx >= k->nr_secs) {
		kelf_err(k, "symbol %zu (%s): st_shndx %u is not a section "
			 "index (%zu sections)", i, name, gs->st_shndx,
			 k->nr_secs);
		return -1;
	}
	*sec = k->secs[gs->st_shndx];
	/* A group's signature can be defined in the group: GCC's -g3 does. */
	if ((*sec)->sh.sh_type == SHT_RELA ||
	    (*sec)->sh.sh_type == SHT_SYMTAB) {
		kelf_err(k, "symbol %zu (%s): st_shndx %u is section %s, of "
			 "type %u: not one symbols are defined in", i, name,
			 gs->st_shndx, (*sec)->name, (*sec)->sh.sh_type);
		return -1;
	}
	return 0;
}

/* In an object, a defined symbol lies within its section. */
static int check_symbol_value(struct kelf *k, size_t i, const char *name,
			      const GElf_Sym *gs, const struct kelf_section *sec)
{
	if (k->ehdr.e_type != ET_REL || !sec ||
	    within(gs->st_value, gs->st_size, sec->size))
		return 0;
	kelf_err(k, "symbol %zu (%s): st_value 0x%lx + st_size 0x%lx is "
		 "beyond the end of section %s (0x%zx bytes)", i, name,
		 (unsigned long)gs->st_value, (unsigned long)gs->st_size,
		 sec->name, sec->size);
	return -1;
}

static int load_symbol(struct kelf *k, const struct kelf_section *strtab,
		       const Elf64_Sym *es, size_t i)
{
	GElf_Sym gs = *es;
	struct kelf_section *sec;
	const char *name;

	if (gs.st_name >= strtab->size) {
		kelf_err(k, "symbol %zu: st_name 0x%x is beyond the end of "
			 "%s (0x%zx bytes)", i, gs.st_name, strtab->name,
			 strtab->size);
		return -1;
	}
	name = (const char *)strtab->data + gs.st_name;
	if (symbol_section(k, i, name, &gs, &sec) ||
	    check_symbol_value(k, i, name, &gs, sec))
		return -1;
	if (GELF_ST_TYPE(gs.st_info) == STT_SECTION && sec)
		name = sec->name;
	new_symbol(k, name, &gs, sec);
	return 0;
}

static int load_symbols(struct kelf *k)
{
	struct kelf_section *symtab = find_symtab(k);
	size_t i, n;

	if (!symtab || check_strtab(k, symtab->link))
		return -1;
	k->symtab = symtab;
	n = symtab->size / sizeof(Elf64_Sym);
	if (!n || symtab->sh.sh_info > n) {
		kelf_err(k, "section %s: sh_info %u (the first global symbol) "
			 "is beyond its %zu symbols", symtab->name,
			 symtab->sh.sh_info, n);
		return -1;
	}
	for (i = 0; i < n; i++)
		if (load_symbol(k, symtab->link,
				(const Elf64_Sym *)symtab->data + i, i))
			return -1;
	return 0;
}

/* A group's signature (sh_info) is a symbol. */
static int check_groups(struct kelf *k)
{
	size_t i;

	for (i = 1; i < k->nr_secs; i++) {
		struct kelf_section *sec = k->secs[i];

		if (sec->sh.sh_type != SHT_GROUP)
			continue;
		if (sec->sh.sh_info >= k->nr_syms) {
			kelf_err(k, "section %s: sh_info %u is not a symbol "
				 "index (%zu symbols)", sec->name,
				 sec->sh.sh_info, k->nr_syms);
			return -1;
		}
		sec->signature = k->syms[sec->sh.sh_info];
	}
	return 0;
}

int kelf_rela_width(unsigned int type)
{
	switch (type) {
	case R_X86_64_NONE:
		return 0;
	case R_X86_64_8:
	case R_X86_64_PC8:
		return 1;
	case R_X86_64_16:
	case R_X86_64_PC16:
		return 2;
	case R_X86_64_PC32:
	case R_X86_64_PLT32:
	case R_X86_64_32:
	case R_X86_64_32S:
	case R_X86_64_GOTPCREL:
	case R_X86_64_GOTPCRELX:
	case R_X86_64_REX_GOTPCRELX:
	case R_X86_64_GOTPC32:
	case R_X86_64_GOT32:
	case R_X86_64_SIZE32:
	case R_X86_64_TPOFF32:
	case R_X86_64_DTPOFF32:
	case R_X86_64_GOTTPOFF:
	case R_X86_64_TLSGD:
	case R_X86_64_TLSLD:
		return 4;
	case R_X86_64_64:
	case R_X86_64_PC64:
	case R_X86_64_GOTOFF64:
	case R_X86_64_GOTPC64:
	case R_X86_64_GOT64:
	case R_X86_64_GOTPCREL64:
	case R_X86_64_PLTOFF64:
	case R_X86_64_SIZE64:
	case R_X86_64_DTPOFF64:
	case R_X86_64_TPOFF64:
		return 8;
	default:
		return -1;
	}
}

static int load_rela(struct kelf *k, struct kelf_section *sec, size_t j)
{
	const Elf64_Rela *r = (const Elf64_Rela *)sec->data + j;
	size_t symi = ELF64_R_SYM(r->r_info);
	unsigned int type = ELF64_R_TYPE(r->r_info);
	int width = kelf_rela_width(type);
	struct kelf_symbol *sym;

	if (symi >= k->nr_syms) {
		kelf_err(k, "section %s: relocation %zu: r_info symbol %zu is "
			 "not a symbol index (%zu symbols)", sec->name, j,
			 symi, k->nr_syms);
		return -1;
	}
	sym = k->syms[symi];
	if (sym->sec && (sym->sec->sh.sh_type == SHT_GROUP ||
			 sym->sec->sh.sh_type == SHT_STRTAB)) {
		kelf_err(k, "section %s: relocation %zu: r_info symbol %zu "
			 "(%s) is in section %s, of type %u: not one code or "
			 "data refers to", sec->name, j, symi, sym->name,
			 sym->sec->name, sym->sec->sh.sh_type);
		return -1;
	}
	if (width < 0) {
		kelf_err(k, "section %s: relocation %zu: r_info type %u is "
			 "not an x86_64 relocation type", sec->name, j, type);
		return -1;
	}
	if (r->r_addend <= -(long)MAX_OFFSET || r->r_addend >= (long)MAX_OFFSET) {
		kelf_err(k, "section %s: relocation %zu: r_addend %ld is not "
			 "within +-0x%lx", sec->name, j, (long)r->r_addend,
			 MAX_OFFSET);
		return -1;
	}
	if (!within(r->r_offset, width, sec->base->size)) {
		kelf_err(k, "section %s: relocation %zu: r_offset 0x%lx + %d "
			 "bytes is beyond the end of section %s (0x%zx bytes)",
			 sec->name, j, (unsigned long)r->r_offset, width,
			 sec->base->name, sec->base->size);
		return -1;
	}
	sec->relas[j].offset = r->r_offset;
	sec->relas[j].type = type;
	sec->relas[j].addend = r->r_addend;
	sec->relas[j].sym = sym;
	return 0;
}

static int load_relas(struct kelf *k)
{
	size_t i, j;

	for (i = 1; i < k->nr_secs; i++) {
		struct kelf_section *sec = k->secs[i];
		size_t n;

		if (!kelf_is_rela(sec) || !sec->data)
			continue;
		n = sec->size / sizeof(Elf64_Rela);
		sec->relas = xcalloc(n, sizeof(*sec->relas));
		sec->nr_relas = sec->alloc_relas = n;
		for (j = 0; j < n; j++)
			if (load_rela(k, sec, j))
				return -1;
	}
	return 0;
}

struct kelf *kelf_open(const char *path)
{
	struct kelf *k = xcalloc(1, sizeof(*k));

	k->path = xstrdup(path);
	k->fd = -1;
	elf_version(EV_CURRENT);
	k->fd = open(path, O_RDONLY);
	if (k->fd < 0) {
		kelf_err(k, "cannot open: %s", strerror(errno));
		goto fail;
	}
	k->elf = elf_begin(k->fd, ELF_C_READ_MMAP, NULL);
	if (!k->elf || elf_kind(k->elf) != ELF_K_ELF ||
	    !gelf_getehdr(k->elf, &k->ehdr)) {
		kelf_err(k, "not an ELF file");
		goto fail;
	}
	if (k->ehdr.e_ident[EI_CLASS] != ELFCLASS64 ||
	    k->ehdr.e_machine != EM_X86_64) {
		kelf_err(k, "not an x86_64 ELF64 object");
		goto fail;
	}
	if (load_sections(k, k->ehdr.e_type == ET_REL) || link_sections(k) ||
	    load_symbols(k) || check_groups(k) ||
	    (k->ehdr.e_type == ET_REL && load_relas(k)))
		goto fail;
	return k;
fail:
	kelf_close(k);
	return NULL;
}

struct kelf *kelf_new(const GElf_Ehdr *ehdr, const char *path)
{
	struct kelf *k = xcalloc(1, sizeof(*k));
	GElf_Sym null = { 0 };

	k->path = xstrdup(path);
	k->fd = -1;
	k->ehdr = *ehdr;
	new_section(k);
	free(k->secs[0]);
	k->secs[0] = NULL;
	new_symbol(k, "", &null, NULL);
	return k;
}

void kelf_close(struct kelf *k)
{
	size_t i;

	if (!k)
		return;
	for (i = 0; i < k->nr_secs; i++) {
		struct kelf_section *sec = k->secs[i];

		if (!sec)
			continue;
		free(sec->name);
		free(sec->data);
		free(sec->relas);
		free(sec->syms);
		free(sec);
	}
	for (i = 0; i < k->nr_syms; i++) {
		free(k->syms[i]->name);
		free(k->syms[i]);
	}
	free(k->secs);
	free(k->syms);
	if (k->elf)
		elf_end(k->elf);
	if (k->fd >= 0)
		close(k->fd);
	free(k->path);
	free(k);
}

struct kelf_section *kelf_add_section(struct kelf *k, const char *name,
				      const GElf_Shdr *sh,
				      const void *data, size_t size)
{
	struct kelf_section *sec = new_section(k);

	sec->name = xstrdup(name);
	sec->sh = *sh;
	sec->size = size;
	if (sh->sh_type != SHT_NOBITS) {
		sec->data = xmalloc(size);
		if (size && data)
			memcpy(sec->data, data, size);
		else if (size)
			memset(sec->data, 0, size);
	}
	hash_section(k, sec);
	return sec;
}

struct kelf_symbol *kelf_add_symbol(struct kelf *k, const char *name,
				    const GElf_Sym *sym,
				    struct kelf_section *sec)
{
	return new_symbol(k, name, sym, sec);
}

struct kelf_section *kelf_add_rela_section(struct kelf *k, const char *name,
					   struct kelf_section *base)
{
	GElf_Shdr sh = {
		.sh_type = SHT_RELA,
		.sh_flags = SHF_INFO_LINK,
		.sh_addralign = 8,
		.sh_entsize = sizeof(Elf64_Rela),
	};
	struct kelf_section *rela = kelf_add_section(k, name, &sh, NULL, 0);

	rela->base = base;
	if (!base->rela)
		base->rela = rela;
	return rela;
}

struct kelf_section *kelf_rela_section(struct kelf *k,
				       struct kelf_section *sec)
{
	char *name;

	if (sec->rela)
		return sec->rela;
	name = xmalloc(strlen(sec->name) + 6);
	sprintf(name, ".rela%s", sec->name);
	kelf_add_rela_section(k, name, sec);
	free(name);
	return sec->rela;
}

void kelf_add_rela(struct kelf_section *relasec, unsigned long offset,
		   unsigned int type, long addend, struct kelf_symbol *sym)
{
	struct kelf_rela *r;

	grow(&relasec->relas, &relasec->alloc_relas, relasec->nr_relas + 1,
	     sizeof(*relasec->relas));
	r = &relasec->relas[relasec->nr_relas++];
	r->offset = offset;
	r->type = type;
	r->addend = addend;
	r->sym = sym;
}

void kelf_rename_symbol(struct kelf *k, struct kelf_symbol *sym,
			const char *name)
{
	unhash_symbol(k, sym);
	free(sym->name);
	sym->name = xstrdup(name);
	hash_symbol(k, sym);
}

void kelf_remove_section(struct kelf_section *sec)
{
	sec->removed = true;
	if (sec->rela)
		sec->rela->removed = true;
}
