// SPDX-License-Identifier: GPL-2.0
/*
 * The module's symbols: livepatch symbols become SHN_LIVEPATCH, so that the
 * module loader leaves them to livepatch (simplify_symbols() in
 * kernel/module/main.c); every other undefined symbol must be one the loader
 * can resolve, that is, an export listed in Module.symvers.
 *
 * A ".kpb.for.OBJ." symbol (klp-names.h) loses that prefix here; OBJ, the
 * object whose .klp.rela sections its relocations go to, is kept in the
 * symbol's rela_obj (klp_rela_objname()).
 *
 * A kbuild-linked module defines everything its .mod.c refers to
 * (__this_module, init_module, cleanup_module): the kernel provides no
 * symbol to every module beyond its exports.  The x86 loader only ignores an
 * undefined _GLOBAL_OFFSET_TABLE_ (ignore_undef_symbol()), which old
 * assemblers leave behind.
 */
#include "klp.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

bool is_klp_symbol(const struct kelf_symbol *s)
{
	return !s->sec && s->sym.st_shndx == SHN_LIVEPATCH &&
	       starts(s->name, KLP_SYM_PREFIX);
}

/* The length of the run of s without any of the characters in stop. */
static size_t field(const char *s, const char *stop)
{
	return strcspn(s, stop);
}

int klp_symbol_objname(const char *name, char obj[KLP_OBJNAME_MAX + 1])
{
	const char *p = name + strlen(KLP_SYM_PREFIX);
	size_t len;

	if (!starts(name, KLP_SYM_PREFIX))
		return -1;
	len = field(p, ".");
	if (!len || len > KLP_OBJNAME_MAX || p[len] != '.')
		return -1;
	memcpy(obj, p, len);
	obj[len] = '\0';
	p += len + 1;
	len = field(p, ",");
	if (!len || len > KLP_SYMNAME_MAX || p[len] != ',')
		return -1;
	p += len + 1;
	if (!*p)
		return -1;
	for (; *p; p++)
		if (!isdigit((unsigned char)*p))
			return -1;
	return 0;
}

/* Moves the OBJ of ".kpb.for.OBJ..klp.sym..." to s->rela_obj. */
static int strip_for_prefix(struct kelf *k, struct kelf_symbol *s)
{
	size_t len;
	const char *p = kpb_for_object(s->name, &len);
	char *obj, *rest;

	if (!p) {
		fprintf(stderr, "error: %s: symbol %s is not of the form "
			KPB_FOR_PREFIX "OBJ." KLP_SYM_PREFIX "SYMOBJ.NAME,POS "
			"(OBJ: 1 to %d characters without '.'), which lookup "
			"writes\n", k->path, s->name, KLP_OBJNAME_MAX);
		return -1;
	}
	obj = xmalloc(len + 1);
	memcpy(obj, p, len);
	obj[len] = '\0';
	s->rela_obj = obj;
	rest = xstrdup(p + len + 1);	/* p points into the old name */
	kelf_rename_symbol(k, s, rest);
	free(rest);
	return 0;
}

static int mark_one(struct kelf *k, struct kelf_symbol *s)
{
	char obj[KLP_OBJNAME_MAX + 1];

	if (s->sec) {
		fprintf(stderr, "error: %s: symbol %s is defined (in section "
			"%s), but a livepatch symbol names a symbol of the "
			"target and must be undefined\n", k->path, s->name,
			s->sec->name);
		return -1;
	}
	if (starts(s->name, KPB_FOR_PREFIX) && strip_for_prefix(k, s))
		return -1;
	if (klp_symbol_objname(s->name, obj)) {
		fprintf(stderr, "error: %s: symbol %s is not of the form "
			KLP_SYM_PREFIX "OBJ.NAME,POS (OBJ: 1 to %d characters "
			"without '.', NAME: 1 to %d characters without ',', "
			"POS: a decimal number), which the kernel requires; "
			"lookup writes such names\n", k->path, s->name,
			KLP_OBJNAME_MAX, KLP_SYMNAME_MAX);
		return -1;
	}
	if (s->rela_obj && strcmp(s->rela_obj, "vmlinux") &&
	    !strcmp(obj, "vmlinux")) {
		fprintf(stderr, "error: %s: symbol %s: the kernel does not let "
			"the relocations of module %s (.klp.rela.%s.*) refer "
			"to vmlinux symbols; an exported one needs no livepatch "
			"symbol\n", k->path, s->name, s->rela_obj,
			s->rela_obj);
		return -1;
	}
	s->sym.st_shndx = SHN_LIVEPATCH;
	return 0;
}

const char *klp_rela_objname(const struct kelf_symbol *s,
			     char obj[KLP_OBJNAME_MAX + 1])
{
	if (s->rela_obj)
		return s->rela_obj;
	return klp_symbol_objname(s->name, obj) ? NULL : obj;
}

void free_klp_symbols(struct kelf *k)
{
	size_t i;

	for (i = 1; k && i < k->nr_syms; i++) {
		free(k->syms[i]->rela_obj);
		k->syms[i]->rela_obj = NULL;
	}
}

int mark_klp_symbols(struct kelf *k)
{
	size_t i;
	int n = 0, ret = 0;

	for (i = 1; i < k->nr_syms; i++) {
		struct kelf_symbol *s = k->syms[i];

		if ((!starts(s->name, KLP_SYM_PREFIX) &&
		     !starts(s->name, KPB_FOR_PREFIX)) ||
		    kelf_type(s) == STT_SECTION)
			continue;
		if (mark_one(k, s))
			ret = -1;	/* go on: report them all */
		else
			n++;
	}
	return ret ? ret : n;
}

int check_undefs(struct kelf *k, const struct symvers *sv,
		 const char *symvers_path)
{
	size_t i;
	int ret = 0;

	for (i = 1; i < k->nr_syms; i++) {
		struct kelf_symbol *s = k->syms[i];

		if (!kelf_is_undef(s) || !s->name[0])
			continue;
		if (symvers_module(sv, s->name) ||
		    !strcmp(s->name, "_GLOBAL_OFFSET_TABLE_"))
			continue;
		fprintf(stderr, "error: %s: undefined symbol %s%s is not "
			"exported (not in %s) and is not a livepatch symbol, "
			"so the module loader cannot resolve it. lookup "
			"renames such references to " KLP_SYM_PREFIX
			"OBJ.NAME,POS: was it run on the diff object that "
			"refers to %s, with this Module.symvers?\n", k->path,
			s->name, kelf_bind(s) == STB_WEAK ?
			" (weak: the loader would silently make it 0)" : "",
			symvers_path, s->name);
		ret = -1;
	}
	return ret;
}
