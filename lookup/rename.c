// SPDX-License-Identifier: GPL-2.0
/*
 * One diff object: give each UNDEF symbol the module loader cannot resolve
 * its livepatch name ".klp.sym.OBJNAME.NAME,POS", and list the functions it
 * replaces (its "__kpb_new.ID.NAME" aliases) as "func" lines.
 *
 * What a name of the new code of klp_object OBJNAME refers to:
 *
 *   defined in a diff object of this livepatch    kept, the module links it
 *   exported by vmlinux                           kept, the loader resolves it
 *   of OBJNAME itself (exported or not)           .klp.sym.OBJNAME.NAME,POS
 *   exported by another module M, OBJNAME a module
 *        .kpb.for.OBJNAME..klp.sym.M.NAME,0 (klp-convert: in .klp.rela.OBJNAME)
 *   exported by a module, OBJNAME vmlinux          refused
 *
 * A livepatch must load whether or not the modules it patches are loaded, so
 * it must not depend on any module: every module symbol goes through
 * livepatch, which resolves it when the module that uses it is patched.
 * Except with --module-deps, for a module's export that an entry of a
 * section the loader reads early refers to (klp_early_section(): a static
 * key of a static branch in the new code): the loader registers such an
 * entry before livepatch could write it, so the reference stays plain and
 * the livepatch module depends on the exporter (modpost records it).
 */
#include "lookup.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>


/* A defined GLOBAL or WEAK symbol called name in k, or NULL. */
static struct kelf_symbol *defined_global(struct kelf *k, const char *name)
{
	struct kelf_symbol *s;

	for (s = kelf_find_symbol(k, name); s; s = s->hnext)
		if (!strcmp(s->name, name) && s->sec &&
		    kelf_bind(s) != STB_LOCAL)
			return s;
	return NULL;
}

/* A diff object of this livepatch that defines name, or NULL. */
static const char *defined_in_other_diff(const struct run *r, size_t pair,
					 const char *name)
{
	size_t i;

	for (i = 0; i < r->nr_pairs; i++)
		if (i != pair && defined_global(r->diffs[i], name))
			return r->diffs[i]->path;
	for (i = 0; i < r->nr_linked; i++)
		if (defined_global(r->linked[i], name))
			return r->linked[i]->path;
	return NULL;
}

enum ref_kind {
	REF_KEEP,		/* the module keeps the reference as it is */
	REF_TARGET,		/* a symbol of the target: .klp.sym.OBJNAME */
	REF_MODULE,		/* an export of another module */
	REF_REFUSED,		/* message printed */
};

struct ref {
	enum ref_kind kind;
	char why[512];				/* REF_KEEP */
	const char *module;			/* exporter, as in Module.symvers */
	char objname[KLP_OBJNAME_MAX + 1];	/* REF_MODULE: its name */
};

static bool is_vmlinux(const struct run *r)
{
	return !strcmp(r->t->objname, "vmlinux");
}

/* Does an entry of a section the loader reads early refer to name? */
static bool used_early(const struct kelf *k, const char *name)
{
	size_t i, j;

	for (i = 1; i < k->nr_secs; i++) {
		const struct kelf_section *sec = k->secs[i];

		if (!sec || !kelf_is_rela(sec) || !sec->base ||
		    !klp_early_section(sec->base->name))
			continue;
		for (j = 0; j < sec->nr_relas; j++)
			if (sec->relas[j].sym &&
			    !strcmp(sec->relas[j].sym->name, name))
				return true;
	}
	return false;
}

/* With --module-deps, a module's export used early is kept: say so. */
static bool keep_as_dependency(struct run *r, size_t pair, const char *name,
			       struct ref *ref)
{
	if (!r->module_deps || !used_early(r->diffs[pair], name))
		return false;
	fprintf(stderr, "warning: %s: the new code of %s uses %s of module %s "
		"where the module loader reads it early (a static branch on "
		"its key): with --module-deps the livepatch module depends on "
		"%s: loading it loads %s, which cannot be removed while the "
		"livepatch is loaded\n", r->diffs[pair]->path, r->t->objname,
		name, ref->objname, ref->objname, ref->objname);
	snprintf(ref->why, sizeof(ref->why), "exported by module %s, used "
		 "early: a dependency (--module-deps)", ref->objname);
	ref->kind = REF_KEEP;
	return true;
}

/* An export: of vmlinux, of the target, or of another module. */
static void classify_export(struct run *r, size_t pair, const char *name,
			    struct ref *ref)
{
	const char *diff = r->diffs[pair]->path;

	if (!symvers_objname(ref->module, ref->objname,
			     sizeof(ref->objname))) {
		fprintf(stderr, "error: %s: symbol %s: Module.symvers says "
			"module \"%s\" exports it, which is no module name "
			"livepatch can use (1 to %d characters); is it the "
			"target kernel's Module.symvers?\n", diff, name,
			ref->module, KLP_OBJNAME_MAX);
		ref->kind = REF_REFUSED;
	} else if (!strcmp(ref->objname, "vmlinux")) {
		snprintf(ref->why, sizeof(ref->why), "exported by vmlinux");
		ref->kind = REF_KEEP;
	} else if (!is_vmlinux(r) && keep_as_dependency(r, pair, name, ref)) {
		return;
	} else if (!strcmp(ref->objname, r->t->objname)) {
		ref->kind = REF_TARGET;
	} else if (is_vmlinux(r)) {
		fprintf(stderr, "error: %s: the new code of vmlinux uses %s, "
			"which module %s (%s) exports: vmlinux code cannot "
			"depend on a module, and the livepatch must load "
			"whether %s is loaded or not. Look it up at run time "
			"with symbol_get()/symbol_put() and handle its "
			"absence, or make the change in %s instead\n", diff,
			name, ref->objname, ref->module, ref->objname,
			ref->objname);
		ref->kind = REF_REFUSED;
	} else {
		if (orig_binding(r->origs[pair], name) == ORIG_ABSENT)
			fprintf(stderr, "warning: %s: the new code of module "
				"%s uses %s of module %s, which the original "
				"%s does not: if %s is loaded without %s, "
				"patching it fails and so does its loading\n",
				diff, r->t->objname, name, ref->objname,
				r->origs[pair]->k->path, r->t->objname,
				ref->objname);
		ref->kind = REF_MODULE;
	}
}

static void classify(struct run *r, size_t pair, const char *name,
		     struct ref *ref)
{
	const char *other;

	ref->kind = REF_KEEP;
	ref->module = NULL;
	if (starts(name, KLP_SYM_PREFIX) || starts(name, KPB_FOR_PREFIX)) {
		snprintf(ref->why, sizeof(ref->why),
			 "already a livepatch symbol");
		return;
	}
	if (orig_binding(r->origs[pair], name) == ORIG_LOCAL) {
		ref->kind = REF_TARGET;
		return;
	}
	other = defined_in_other_diff(r, pair, name);
	if (other) {
		snprintf(ref->why, sizeof(ref->why), "defined in %s", other);
		return;
	}
	ref->module = symvers_module(r->sv, name);
	if (ref->module) {
		classify_export(r, pair, name, ref);
		return;
	}
	/* The x86 module loader ignores it (see ignore_undef_symbol()). */
	if (!strcmp(name, "_GLOBAL_OFFSET_TABLE_")) {
		snprintf(ref->why, sizeof(ref->why),
			 "ignored by the module loader");
		return;
	}
	ref->kind = REF_TARGET;
}

static int check_name(const char *diff_path, const char *name)
{
	if (strlen(name) > KLP_SYMNAME_MAX || strchr(name, ',')) {
		fprintf(stderr, "error: %s: symbol %s cannot be a livepatch "
			"symbol: the kernel reads names of at most %d "
			"characters and without ','\n", diff_path, name,
			KLP_SYMNAME_MAX);
		return -1;
	}
	return 0;
}

/*
 * Another module's export: position 0, without that module's symbol table.
 * An exported name is its module's only global of that name; should a local
 * share it, livepatch refuses to patch (an "unresolvable ambiguity"), it does
 * not pick a wrong one.
 */
static char *module_export_name(const struct run *r, const struct ref *ref,
				const char *name)
{
	char *s = xmalloc(strlen(KPB_FOR_PREFIX) + strlen(r->t->objname) +
			  strlen(KLP_SYM_PREFIX) + strlen(ref->objname) +
			  strlen(name) + 8);

	sprintf(s, KPB_FOR_PREFIX "%s." KLP_SYM_PREFIX "%s.%s,0",
		r->t->objname, ref->objname, name);
	return s;
}

/* ".klp.sym.OBJNAME.NAME,POS" for a symbol of the target, or NULL. */
static char *target_name(struct run *r, size_t pair, const char *name)
{
	char *s;
	long pos;

	pos = resolve_sympos(r->t, r->origs[pair], name, r->diffs[pair]->path);
	if (pos < 0)
		return NULL;
	s = xmalloc(strlen(KLP_SYM_PREFIX) + strlen(r->t->objname) +
		    strlen(name) + 32);
	sprintf(s, KLP_SYM_PREFIX "%s.%s,%ld", r->t->objname, name, pos);
	return s;
}

static int rename_one(struct run *r, size_t pair, struct kelf_symbol *s,
		      const struct ref *ref)
{
	struct kelf *diff = r->diffs[pair];
	char *name;

	if (check_name(diff->path, s->name))
		return -1;
	if (ref->kind == REF_MODULE)
		name = module_export_name(r, ref, s->name);
	else
		name = target_name(r, pair, s->name);
	if (!name)
		return -1;
	if (r->verbose)
		fprintf(stderr, "lookup: %s: %s -> %s\n", diff->path, s->name,
			name);
	kelf_rename_symbol(diff, s, name);
	free(name);
	return 0;
}

int rename_undefs(struct run *r, size_t pair)
{
	struct kelf *diff = r->diffs[pair];
	struct ref ref;
	size_t i;
	int ret = 0;

	for (i = 1; i < diff->nr_syms; i++) {
		struct kelf_symbol *s = diff->syms[i];

		if (!kelf_is_undef(s) || !s->name[0])
			continue;
		classify(r, pair, s->name, &ref);
		switch (ref.kind) {
		case REF_KEEP:
			if (r->verbose)
				fprintf(stderr, "lookup: %s: %s kept: %s\n",
					diff->path, s->name, ref.why);
			break;
		case REF_TARGET:
		case REF_MODULE:
			if (rename_one(r, pair, s, &ref))
				ret = -1;	/* go on: report them all */
			break;
		case REF_REFUSED:
			ret = -1;
			break;
		}
	}
	return ret;
}

static bool is_alias(const struct kelf_symbol *s)
{
	return s->sec && kelf_bind(s) == STB_GLOBAL &&
	       kelf_type(s) == STT_FUNC && starts(s->name, KPB_NEW_PREFIX);
}

int print_funcs(struct run *r, size_t pair, FILE *out)
{
	struct kelf *diff = r->diffs[pair];
	size_t i;
	int ret = 0;

	for (i = 1; i < diff->nr_syms; i++) {
		struct kelf_symbol *s = diff->syms[i];
		const char *name;
		long pos;

		if (!is_alias(s))
			continue;
		name = kpb_new_target(s->name);
		if (!name) {
			fprintf(stderr, "error: %s: symbol %s is not of the "
				"form " KPB_NEW_PREFIX "ID.NAME; was %s written "
				"by create-diff-object?\n", diff->path,
				s->name, diff->path);
			ret = -1;
			continue;
		}
		pos = resolve_sympos(r->t, r->origs[pair], name, diff->path);
		if (pos < 0) {
			ret = -1;
			continue;
		}
		fprintf(out, "func %s %s %ld %s\n", r->t->objname, name, pos,
			s->name);
	}
	return ret;
}
