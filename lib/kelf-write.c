// SPDX-License-Identifier: GPL-2.0
/*
 * kelf_write: write a model out whole.  Sections keep their order; symbols are
 * reordered locals first, as ELF requires; the symbol, string and section name
 * tables and every .rela section are rebuilt from the model.  The file is
 * written under a temporary name and renamed, so a failure never leaves a
 * partial object behind.
 */
#include "kelf.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

struct strtab {
	char *buf;
	size_t len, alloc;
};

static size_t strtab_add(struct strtab *t, const char *s)
{
	size_t off = t->len, n = strlen(s) + 1;

	if (!*s && t->len)
		return 0;
	while (t->len + n > t->alloc) {
		t->alloc = t->alloc ? t->alloc * 2 : 4096;
		t->buf = xrealloc(t->buf, t->alloc);
	}
	memcpy(t->buf + t->len, s, n);
	t->len += n;
	return off;
}

static void set_data(struct kelf_section *sec, void *buf, size_t size)
{
	free(sec->data);
	sec->data = buf;
	sec->size = size;
}

static struct kelf_section *symbol_table(struct kelf *k)
{
	GElf_Shdr sh = {
		.sh_type = SHT_SYMTAB,
		.sh_addralign = 8,
		.sh_entsize = sizeof(Elf64_Sym),
	};

	if (!k->symtab || k->symtab->removed)
		k->symtab = kelf_add_section(k, ".symtab", &sh, NULL, 0);
	return k->symtab;
}

/* sec, if it is a string table not taken already, else a new one. */
static struct kelf_section *string_table(struct kelf *k,
					 struct kelf_section *sec,
					 const char *name,
					 const struct kelf_section *taken)
{
	GElf_Shdr sh = { .sh_type = SHT_STRTAB, .sh_addralign = 1 };

	if (sec && !sec->removed && sec->sh.sh_type == SHT_STRTAB &&
	    sec != taken)
		return sec;
	return kelf_add_section(k, name, &sh, NULL, 0);
}

static bool written(const struct kelf_section *sec)
{
	if (!sec || sec->removed)
		return false;
	if (kelf_is_rela(sec) && (!sec->base || sec->base->removed))
		return false;
	return true;
}

static void number_sections(struct kelf *k)
{
	unsigned int n = 1;
	size_t i;

	for (i = 1; i < k->nr_secs; i++) {
		if (k->secs[i])
			k->secs[i]->out_index = written(k->secs[i]) ? n++ : 0;
	}
}

static bool symbol_written(const struct kelf_symbol *s)
{
	return !s->sec || written(s->sec);
}

/* Locals first; returns the index of the first non-local symbol. */
static int number_symbols(struct kelf *k, struct kelf_symbol ***order,
			  size_t *count)
{
	struct kelf_symbol **o = xcalloc(k->nr_syms, sizeof(*o));
	size_t i, n = 0, first_global = 0;
	int pass;

	for (pass = 0; pass < 2; pass++) {
		if (pass == 1)
			first_global = n;
		for (i = 0; i < k->nr_syms; i++) {
			struct kelf_symbol *s = k->syms[i];
			bool local = i == 0 || kelf_bind(s) == STB_LOCAL;

			if (local != (pass == 0))
				continue;
			if (!symbol_written(s)) {
				if (kelf_type(s) != STT_SECTION) {
					fprintf(stderr, "error: %s: symbol %s "
						"is in removed section %s\n",
						k->path, s->name, s->sec->name);
					free(o);
					return -1;
				}
				s->out_index = 0;
				continue;
			}
			s->out_index = n;
			o[n++] = s;
		}
	}
	*order = o;
	*count = n;
	return (int)first_global;
}

static int build_symtab(struct kelf *k, struct kelf_section *symtab,
			struct kelf_section *strtab)
{
	struct strtab names = { 0 };
	struct kelf_symbol **order;
	Elf64_Sym *out;
	size_t i, n;
	int first_global;

	first_global = number_symbols(k, &order, &n);
	if (first_global < 0)
		return -1;
	strtab_add(&names, "");
	out = xcalloc(n, sizeof(*out));
	for (i = 0; i < n; i++) {
		struct kelf_symbol *s = order[i];
		Elf64_Sym *o = &out[i];

		*o = s->sym;
		o->st_name = kelf_type(s) == STT_SECTION ? 0 :
			     strtab_add(&names, s->name);
		if (s->sec)
			o->st_shndx = s->sec->out_index;
	}
	free(order);
	set_data(symtab, out, n * sizeof(*out));
	set_data(strtab, names.buf, names.len);
	symtab->sh.sh_info = first_global;
	symtab->link = strtab;
	return 0;
}

static int build_relas(struct kelf *k, struct kelf_section *symtab)
{
	size_t i, j;

	for (i = 1; i < k->nr_secs; i++) {
		struct kelf_section *sec = k->secs[i];
		Elf64_Rela *out;

		if (!written(sec) || !kelf_is_rela(sec))
			continue;
		out = xcalloc(sec->nr_relas, sizeof(*out));
		for (j = 0; j < sec->nr_relas; j++) {
			struct kelf_rela *r = &sec->relas[j];

			if (!r->sym->out_index && r->sym->index) {
				fprintf(stderr, "error: %s: %s: relocation at "
					"0x%lx refers to symbol %s, which is "
					"not written\n", k->path, sec->name,
					r->offset, r->sym->name);
				free(out);
				return -1;
			}
			out[j].r_offset = r->offset;
			out[j].r_info = ELF64_R_INFO(r->sym->out_index, r->type);
			out[j].r_addend = r->addend;
		}
		set_data(sec, out, sec->nr_relas * sizeof(*out));
		sec->link = symtab;
		sec->sh.sh_info = sec->base->out_index;
		sec->sh.sh_entsize = sizeof(Elf64_Rela);
	}
	return 0;
}

/* A group's members and signature, renumbered; removed members left out. */
static int build_group(struct kelf *k, struct kelf_section *sec)
{
	Elf32_Word *w = (Elf32_Word *)sec->data;
	size_t i, n = sec->size / sizeof(*w), out = 1;

	if (!sec->signature || (!sec->signature->out_index &&
				sec->signature->index)) {
		fprintf(stderr, "error: %s: group %s: its signature symbol is "
			"not written\n", k->path, sec->name);
		return -1;
	}
	sec->sh.sh_info = sec->signature->out_index;
	for (i = 1; i < n; i++)
		if (k->secs[w[i]]->out_index)
			w[out++] = k->secs[w[i]]->out_index;
	sec->size = out * sizeof(*w);
	return 0;
}

static int build_groups(struct kelf *k)
{
	size_t i;

	for (i = 1; i < k->nr_secs; i++)
		if (written(k->secs[i]) &&
		    k->secs[i]->sh.sh_type == SHT_GROUP &&
		    build_group(k, k->secs[i]))
			return -1;
	return 0;
}

static void build_shstrtab(struct kelf *k, struct kelf_section *shstrtab)
{
	struct strtab names = { 0 };
	size_t i;

	strtab_add(&names, "");
	for (i = 1; i < k->nr_secs; i++)
		if (written(k->secs[i]))
			k->secs[i]->sh.sh_name =
				strtab_add(&names, k->secs[i]->name);
	set_data(shstrtab, names.buf, names.len);
}

static int emit_section(struct kelf *k, Elf *elf, struct kelf_section *sec)
{
	Elf_Scn *scn = elf_newscn(elf);
	GElf_Shdr sh = sec->sh;
	Elf_Data *d;

	if (!scn || !(d = elf_newdata(scn)))
		goto fail;
	d->d_buf = sec->data;
	d->d_size = sec->size;
	d->d_type = ELF_T_BYTE;
	d->d_align = sh.sh_addralign ? sh.sh_addralign : 1;
	d->d_off = 0;
	sh.sh_size = sec->size;
	sh.sh_offset = 0;
	sh.sh_link = sec->link ? sec->link->out_index : 0;
	if (!gelf_update_shdr(scn, &sh))
		goto fail;
	return 0;
fail:
	fprintf(stderr, "error: %s: cannot write section %s: %s\n", k->path,
		sec->name, elf_errmsg(-1));
	return -1;
}

static int emit(struct kelf *k, int fd, struct kelf_section *shstrtab)
{
	Elf *elf = elf_begin(fd, ELF_C_WRITE, NULL);
	GElf_Ehdr eh;
	size_t i;
	int ret = -1;

	if (!elf || !gelf_newehdr(elf, ELFCLASS64) || !gelf_getehdr(elf, &eh))
		goto out;
	memcpy(eh.e_ident, k->ehdr.e_ident, EI_NIDENT);
	eh.e_type = k->ehdr.e_type;
	eh.e_machine = k->ehdr.e_machine;
	eh.e_version = k->ehdr.e_version;
	eh.e_flags = k->ehdr.e_flags;
	eh.e_shstrndx = shstrtab->out_index;
	if (!gelf_update_ehdr(elf, &eh))
		goto out;
	for (i = 1; i < k->nr_secs; i++)
		if (written(k->secs[i]) && emit_section(k, elf, k->secs[i]))
			goto out_end;
	if (elf_update(elf, ELF_C_WRITE) < 0)
		goto out;
	ret = 0;
out:
	if (ret)
		fprintf(stderr, "error: %s: cannot write ELF: %s\n", k->path,
			elf_errmsg(-1));
out_end:
	if (elf)
		elf_end(elf);
	return ret;
}

int kelf_write(struct kelf *k, const char *path)
{
	struct kelf_section *symtab, *strtab, *shstrtab;
	char *tmp = xmalloc(strlen(path) + 8);
	int fd, ret;

	symtab = symbol_table(k);
	strtab = string_table(k, symtab->link, ".strtab", k->shstrtab);
	shstrtab = string_table(k, k->shstrtab, ".shstrtab", strtab);
	k->shstrtab = shstrtab;
	number_sections(k);
	if (build_symtab(k, symtab, strtab) || build_relas(k, symtab) ||
	    build_groups(k)) {
		free(tmp);
		return -1;
	}
	build_shstrtab(k, shstrtab);

	sprintf(tmp, "%s.tmp", path);
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	if (fd < 0) {
		fprintf(stderr, "error: %s: %s\n", tmp, strerror(errno));
		free(tmp);
		return -1;
	}
	ret = emit(k, fd, shstrtab);
	if (close(fd) && !ret) {
		fprintf(stderr, "error: %s: %s\n", tmp, strerror(errno));
		ret = -1;
	}
	if (!ret && rename(tmp, path)) {
		fprintf(stderr, "error: %s: %s\n", path, strerror(errno));
		ret = -1;
	}
	if (ret)
		unlink(tmp);
	free(tmp);
	return ret;
}
