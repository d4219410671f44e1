// SPDX-License-Identifier: GPL-2.0
/*
 * One diff object: give each UNDEF symbol the module loader cannot resolve
 * its livepatch name ".klp.sym.OBJNAME.NAME,POS", and list the functions it
 * replaces (its "__kpb_new.ID.NAME" aliases) as "func" lines.
 */
#include "lookup.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define KLP_SYM_PREFIX	".klp.sym."
#define ALIAS_PREFIX	"__kpb_new."

static bool starts(const char *s, const char *prefix)
{
	return !strncmp(s, prefix, strlen(prefix));
}

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

static const char *defined_in_other_diff(const struct run *r, size_t pair,
					 const char *name)
{
	size_t i;

	for (i = 0; i < r->nr_pairs; i++)
		if (i != pair && defined_global(r->diffs[i], name))
			return r->diffs[i]->path;
	return NULL;
}

/*
 * Exported symbols are left to the module loader.  A patch to a module still
 * refers to that module's own exports through livepatch symbols, so that the
 * patch does not depend on the module being loaded (late module patching).
 */
static bool loader_resolves(const struct run *r, const char *module)
{
	if (!strcmp(r->t->objname, "vmlinux"))
		return !strcmp(module, "vmlinux");
	return strcmp(module, r->t->objname) != 0;
}

/* Why the module can keep the UNDEF symbol name as it is, or NULL. */
static const char *keep_reason(const struct run *r, size_t pair,
			       const char *name, char *buf, size_t len)
{
	const char *other, *module;

	if (starts(name, KLP_SYM_PREFIX))
		return "already a livepatch symbol";
	if (orig_binding(r->origs[pair], name) == ORIG_LOCAL)
		return NULL;
	other = defined_in_other_diff(r, pair, name);
	if (other) {
		snprintf(buf, len, "defined in %s", other);
		return buf;
	}
	module = symvers_module(r->sv, name);
	if (module && loader_resolves(r, module)) {
		snprintf(buf, len, "exported by %s", module);
		return buf;
	}
	/* The x86 module loader ignores it (see ignore_undef_symbol()). */
	if (!strcmp(name, "_GLOBAL_OFFSET_TABLE_"))
		return "ignored by the module loader";
	return NULL;
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

static int rename_one(struct run *r, size_t pair, struct kelf_symbol *s)
{
	struct kelf *diff = r->diffs[pair];
	char *name;
	long pos;

	if (check_name(diff->path, s->name))
		return -1;
	pos = resolve_sympos(r->t, r->origs[pair], s->name, diff->path);
	if (pos < 0)
		return -1;
	name = xmalloc(strlen(KLP_SYM_PREFIX) + strlen(r->t->objname) +
		       strlen(s->name) + 32);
	sprintf(name, KLP_SYM_PREFIX "%s.%s,%ld", r->t->objname, s->name,
		pos);
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
	char buf[4096];
	size_t i;
	int ret = 0;

	for (i = 1; i < diff->nr_syms; i++) {
		struct kelf_symbol *s = diff->syms[i];
		const char *why;

		if (!kelf_is_undef(s) || !s->name[0])
			continue;
		why = keep_reason(r, pair, s->name, buf, sizeof(buf));
		if (!why) {
			if (rename_one(r, pair, s))
				ret = -1;	/* go on: report them all */
		} else if (r->verbose) {
			fprintf(stderr, "lookup: %s: %s kept: %s\n",
				diff->path, s->name, why);
		}
	}
	return ret;
}

/* NAME of "__kpb_new.ID.NAME", or NULL. */
static const char *alias_target(const char *alias)
{
	const char *dot = strchr(alias + strlen(ALIAS_PREFIX), '.');

	return dot && dot[1] ? dot + 1 : NULL;
}

static bool is_alias(const struct kelf_symbol *s)
{
	return s->sec && kelf_bind(s) == STB_GLOBAL &&
	       kelf_type(s) == STT_FUNC && starts(s->name, ALIAS_PREFIX);
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
		name = alias_target(s->name);
		if (!name) {
			fprintf(stderr, "error: %s: symbol %s is not of the "
				"form " ALIAS_PREFIX "ID.NAME; was %s written "
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
