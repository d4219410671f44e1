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

static unsigned int hash_name(const char *s)
{
	unsigned int h = 2166136261u;

	while (*s)
		h = (h ^ (unsigned char)*s++) * 16777619u;
	return h;
}

static void hash_section(struct kelf *k, struct kelf_section *sec)
{
	unsigned int b = hash_name(sec->name) % ARRAY_LEN(k->sec_hash);

	sec->hnext = k->sec_hash[b];
	k->sec_hash[b] = sec;
}

static void hash_symbol(struct kelf *k, struct kelf_symbol *sym)
{
	unsigned int b;

	if (!sym->name[0] || kelf_type(sym) == STT_SECTION)
		return;
	b = hash_name(sym->name) % ARRAY_LEN(k->sym_hash);
	sym->hnext = k->sym_hash[b];
	k->sym_hash[b] = sym;
}

static void unhash_symbol(struct kelf *k, struct kelf_symbol *sym)
{
	struct kelf_symbol **p;
	unsigned int b;

	b = hash_name(sym->name) % ARRAY_LEN(k->sym_hash);
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

	sec = k->sec_hash[hash_name(name) % ARRAY_LEN(k->sec_hash)];
	for (; sec; sec = sec->hnext)
		if (!sec->removed && !strcmp(sec->name, name))
			return sec;
	return NULL;
}

struct kelf_symbol *kelf_find_symbol(struct kelf *k, const char *name)
{
	struct kelf_symbol *sym;

	sym = k->sym_hash[hash_name(name) % ARRAY_LEN(k->sym_hash)];
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

static int load_sections(struct kelf *k, bool copy_data)
{
	size_t shstrndx;
	Elf_Scn *scn = NULL;

	if (elf_getshdrstrndx(k->elf, &shstrndx)) {
		kelf_err(k, "no section name table: %s", elf_errmsg(-1));
		return -1;
	}
	new_section(k);		/* index 0 */
	free(k->secs[0]);
	k->secs[0] = NULL;
	while ((scn = elf_nextscn(k->elf, scn))) {
		struct kelf_section *sec = new_section(k);
		const char *name;
		Elf_Data *d;

		if (!gelf_getshdr(scn, &sec->sh) ||
		    !(name = elf_strptr(k->elf, shstrndx, sec->sh.sh_name))) {
			kelf_err(k, "section %zu: %s", elf_ndxscn(scn),
				 elf_errmsg(-1));
			return -1;
		}
		sec->name = xstrdup(name);
		sec->size = sec->sh.sh_size;
		hash_section(k, sec);
		if (sec->sh.sh_type == SHT_NOBITS)
			continue;
		if (!copy_data && sec->sh.sh_type != SHT_SYMTAB &&
		    sec->sh.sh_type != SHT_STRTAB)
			continue;
		d = elf_getdata(scn, NULL);
		if (!d) {
			kelf_err(k, "section %s: cannot read data: %s",
				 sec->name, elf_errmsg(-1));
			return -1;
		}
		sec->size = d->d_size;
		sec->data = xmalloc(d->d_size);
		if (d->d_size)
			memcpy(sec->data, d->d_buf, d->d_size);
	}
	return 0;
}

static int link_sections(struct kelf *k)
{
	size_t i;

	for (i = 1; i < k->nr_secs; i++) {
		struct kelf_section *sec = k->secs[i];

		if (sec->sh.sh_link && sec->sh.sh_link < k->nr_secs)
			sec->link = k->secs[sec->sh.sh_link];
		if (sec->sh.sh_type == SHT_REL) {
			kelf_err(k, "section %s: SHT_REL is not supported, "
				 "only SHT_RELA (x86_64)", sec->name);
			return -1;
		}
		if (!kelf_is_rela(sec))
			continue;
		if (!sec->sh.sh_info || sec->sh.sh_info >= k->nr_secs) {
			kelf_err(k, "section %s: bad sh_info %u", sec->name,
				 sec->sh.sh_info);
			return -1;
		}
		sec->base = k->secs[sec->sh.sh_info];
		if (!sec->base->rela)
			sec->base->rela = sec;
	}
	return 0;
}

static int load_symbols(struct kelf *k)
{
	struct kelf_section *symtab = NULL, *strtab;
	size_t i, n;

	for (i = 1; i < k->nr_secs; i++)
		if (k->secs[i]->sh.sh_type == SHT_SYMTAB)
			symtab = k->secs[i];
	if (!symtab) {
		kelf_err(k, "no symbol table (stripped?)");
		return -1;
	}
	strtab = symtab->link;
	if (!strtab || !strtab->data) {
		kelf_err(k, "symbol table has no string table");
		return -1;
	}
	n = symtab->size / sizeof(Elf64_Sym);
	for (i = 0; i < n; i++) {
		GElf_Sym gs = ((Elf64_Sym *)symtab->data)[i];
		struct kelf_section *sec = NULL;
		const char *name;

		if (gs.st_name >= strtab->size) {
			kelf_err(k, "symbol %zu: bad name offset", i);
			return -1;
		}
		name = (const char *)strtab->data + gs.st_name;
		if (gs.st_shndx == SHN_XINDEX) {
			kelf_err(k, "symbol %s: extended section indexes are "
				 "not supported", name);
			return -1;
		}
		if (gs.st_shndx != SHN_UNDEF && gs.st_shndx < SHN_LORESERVE &&
		    gs.st_shndx < k->nr_secs)
			sec = k->secs[gs.st_shndx];
		if (GELF_ST_TYPE(gs.st_info) == STT_SECTION && sec)
			name = sec->name;
		new_symbol(k, name, &gs, sec);
	}
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
		for (j = 0; j < n; j++) {
			Elf64_Rela *r = (Elf64_Rela *)sec->data + j;
			size_t symi = ELF64_R_SYM(r->r_info);

			if (symi >= k->nr_syms) {
				kelf_err(k, "%s: relocation %zu: bad symbol "
					 "index %zu", sec->name, j, symi);
				return -1;
			}
			sec->relas[j].offset = r->r_offset;
			sec->relas[j].type = ELF64_R_TYPE(r->r_info);
			sec->relas[j].addend = r->r_addend;
			sec->relas[j].sym = k->syms[symi];
		}
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
	    load_symbols(k) || (k->ehdr.e_type == ET_REL && load_relas(k)))
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
