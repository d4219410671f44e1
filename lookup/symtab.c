// SPDX-License-Identifier: GPL-2.0
/*
 * The target's symbol table, as kallsyms will list it.
 *
 * vmlinux (ET_EXEC): every named FUNC, OBJECT or NOTYPE symbol that is not
 * absolute (kallsyms drops absolute ones); kallsyms orders them by address.
 * A module (ET_REL): the symbols the loader keeps (named, in an allocated
 * section that is not .init*, nor .modinfo or __versions, which the loader
 * does not allocate), in symbol table order, which is the order the loaded
 * module's kallsyms walks them in.  While the module is still loading (a
 * livepatch patches it then, from klp_module_coming()), its kallsyms is the
 * whole symbol table instead: target_full_pos() gives that position.
 *
 * The linker writes each input object's local symbols after that object's
 * STT_FILE symbol, and the globals after all of them: that grouping is what
 * tells two static functions of the same name apart.
 */
#include "lookup.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

bool target_is_module(const struct target *t)
{
	return t->k && t->k->ehdr.e_type == ET_REL;
}

bool target_is_map(const struct target *t)
{
	return !t->k;
}

/* Whether the loader keeps the section of a module symbol in memory. */
static bool module_core_section(const struct kelf_section *sec)
{
	return sec && (sec->sh.sh_flags & SHF_ALLOC) &&
	       strncmp(sec->name, ".init", 5) &&
	       strcmp(sec->name, ".modinfo") && strcmp(sec->name, "__versions");
}

static bool listed(const struct target *t, const struct kelf_symbol *s)
{
	unsigned char type = kelf_type(s);

	if (type != STT_FUNC && type != STT_OBJECT && type != STT_NOTYPE)
		return false;
	if (!s->name[0] || s->sym.st_shndx == SHN_UNDEF)
		return false;
	if (!target_is_module(t))
		return s->sym.st_shndx != SHN_ABS;
	return module_core_section(s->sec);
}

static int add_group(struct target *t, const char *file, size_t *alloc)
{
	if (t->nr_groups == *alloc) {
		*alloc = *alloc ? *alloc * 2 : 256;
		t->groups = xrealloc(t->groups, *alloc * sizeof(*t->groups));
	}
	t->groups[t->nr_groups].file = file;
	return (int)t->nr_groups++;
}

static void collect(struct target *t)
{
	struct kelf *k = t->k;
	size_t i, alloc = 0;
	int group = -1;

	t->syms = xcalloc(k->nr_syms, sizeof(*t->syms));
	for (i = 1; i < k->nr_syms; i++) {
		struct kelf_symbol *s = k->syms[i];
		struct tsym *ts;

		if (kelf_type(s) == STT_FILE) {
			group = add_group(t, s->name, &alloc);
			continue;
		}
		if (!listed(t, s))
			continue;
		ts = &t->syms[t->nr_syms++];
		ts->name = s->name;
		ts->addr = s->sym.st_value;
		ts->index = i;
		ts->order = target_is_module(t) ? i : s->sym.st_value;
		ts->bind = kelf_bind(s);
		ts->group = -1;
		if (ts->bind != STB_LOCAL)
			continue;
		if (group < 0)		/* locals before any STT_FILE */
			group = add_group(t, "", &alloc);
		ts->group = group;
	}
}

/* By name, then in kallsyms order (ties: symbol table order). */
static int cmp_tsym(const void *a, const void *b)
{
	const struct tsym *x = a, *y = b;
	int c = strcmp(x->name, y->name);

	if (c)
		return c;
	if (x->order != y->order)
		return x->order < y->order ? -1 : 1;
	return x->index < y->index ? -1 : x->index > y->index;
}

/* The value of "key=" in the module's .modinfo, or NULL. */
static const char *modinfo(struct kelf *k, const char *key)
{
	struct kelf_section *sec = kelf_find_section(k, ".modinfo");
	size_t off = 0, klen = strlen(key);

	if (!sec || !sec->data)
		return NULL;
	while (off < sec->size) {
		const char *s = (const char *)sec->data + off;
		size_t len = strnlen(s, sec->size - off);

		if (len == sec->size - off)
			break;		/* not NUL-terminated */
		if (!strncmp(s, key, klen) && s[klen] == '=')
			return s + klen + 1;
		off += len + 1;
	}
	return NULL;
}

/* vmlinux for "vmlinux", a module of that name for anything else. */
static int check_kind(const struct target *t)
{
	const char *path = t->path, *name;

	if (!strcmp(t->objname, "vmlinux")) {
		if (t->k->ehdr.e_type == ET_EXEC)
			return 0;
		fprintf(stderr, "error: %s: a module (ET_REL), but the target "
			"object is vmlinux; pass the target kernel's vmlinux, "
			"or the module's name with --objname\n", path);
		return -1;
	}
	if (t->k->ehdr.e_type != ET_REL) {
		fprintf(stderr, "error: %s: not a module (ET_REL) but the "
			"target object is module %s; pass %s.ko with "
			"--module\n", path, t->objname, t->objname);
		return -1;
	}
	name = modinfo(t->k, "name");
	if (!name || strcmp(name, t->objname)) {
		fprintf(stderr, "error: %s: its .modinfo names module %s, not "
			"%s; pass the .ko of module %s as the kernel loads it "
			"(modinfo -F name FILE.ko)\n", path,
			name ? name : "(none)", t->objname, t->objname);
		return -1;
	}
	return 0;
}

/* A System.map stands for vmlinux: symbols, no file groups. */
static struct target *map_load(struct target *t, const char *path)
{
	if (strcmp(t->objname, "vmlinux")) {
		fprintf(stderr, "error: %s: a System.map describes vmlinux, "
			"not module %s; pass the module's .ko\n", path,
			t->objname);
		target_free(t);
		return NULL;
	}
	if (sysmap_load(t, path)) {
		target_free(t);
		return NULL;
	}
	qsort(t->syms, t->nr_syms, sizeof(*t->syms), cmp_tsym);
	sysmap_index(t);
	return t;
}

struct target *target_load(const char *path, const char *objname)
{
	struct target *t = xcalloc(1, sizeof(*t));

	t->objname = objname;
	t->path = path;
	if (sysmap_detect(path))
		return map_load(t, path);
	t->k = kelf_open(path);
	if (!t->k) {
		free(t);
		return NULL;
	}
	if (t->k->ehdr.e_type != ET_EXEC && t->k->ehdr.e_type != ET_REL) {
		fprintf(stderr, "error: %s: not a linked vmlinux (ET_EXEC) or "
			"a module (ET_REL); pass the target kernel's vmlinux "
			"with --vmlinux\n", path);
		target_free(t);
		return NULL;
	}
	if (check_kind(t)) {
		target_free(t);
		return NULL;
	}
	collect(t);
	if (!t->nr_syms) {
		fprintf(stderr, "error: %s: no symbols to look names up in; "
			"is it stripped? lookup needs the full .symtab\n",
			path);
		target_free(t);
		return NULL;
	}
	qsort(t->syms, t->nr_syms, sizeof(*t->syms), cmp_tsym);
	return t;
}

void target_free(struct target *t)
{
	if (!t)
		return;
	free(t->syms);
	free(t->groups);
	sysmap_free(t);
	target_free(t->debug);
	if (t->k)
		kelf_close(t->k);
	free(t);
}

const struct tsym *target_find(const struct target *t, const char *name,
			       size_t *n)
{
	size_t lo = 0, hi = t->nr_syms, end;

	while (lo < hi) {		/* first symbol >= name */
		size_t mid = lo + (hi - lo) / 2;

		if (strcmp(t->syms[mid].name, name) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	for (end = lo; end < t->nr_syms; end++)
		if (strcmp(t->syms[end].name, name))
			break;
	*n = end - lo;
	return *n ? &t->syms[lo] : NULL;
}

bool target_group_has(const struct target *t, int group, const char *name)
{
	const struct tsym *s;
	size_t i, n;

	s = target_find(t, name, &n);
	for (i = 0; i < n; i++)
		if (s[i].group == group)
			return true;
	return false;
}

const char *target_group_file(const struct target *t, int group)
{
	return group < 0 ? "(global)" : t->groups[group].file;
}

/*
 * The position of symbol sym among all defined symbols called name in a
 * module's symbol table, as kallsyms counts them while the module loads
 * (module_kallsyms_on_each_symbol() skips only SHN_UNDEF): 0 if it is the
 * only one, else its 1-based rank in symbol table order.
 */
long target_full_pos(const struct target *t, const struct tsym *sym)
{
	struct kelf *k = t->k;
	size_t i, n = 0, rank = 0;

	for (i = 1; i < k->nr_syms; i++) {
		const struct kelf_symbol *s = k->syms[i];

		if (s->sym.st_shndx == SHN_UNDEF || strcmp(s->name, sym->name))
			continue;
		n++;
		if (i == sym->index)
			rank = n;
	}
	return n == 1 ? 0 : (long)rank;
}
