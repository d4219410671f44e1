// SPDX-License-Identifier: GPL-2.0
/*
 * The original object: whether it defines a name locally or refers to it as
 * a global, its source file name, and the names of its local functions and
 * data, which identify its STT_FILE group in the target.
 */
#include "lookup.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static bool is_local_def(const struct kelf_symbol *s)
{
	unsigned char type = kelf_type(s);

	return kelf_bind(s) == STB_LOCAL && s->name[0] && s->sec &&
	       (type == STT_FUNC || type == STT_OBJECT);
}

static void collect(struct orig *o)
{
	struct kelf *k = o->k;
	size_t i;

	o->locals = xcalloc(k->nr_syms, sizeof(*o->locals));
	for (i = 1; i < k->nr_syms; i++) {
		struct kelf_symbol *s = k->syms[i];

		if (kelf_type(s) == STT_FILE && !o->file && s->name[0])
			o->file = s->name;
		else if (is_local_def(s))
			o->locals[o->nr_locals++] = s->name;
	}
}

struct orig *orig_load(const char *path, const struct target *t)
{
	struct orig *o = xcalloc(1, sizeof(*o));
	size_t i;

	o->k = kelf_open(path);
	if (!o->k) {
		free(o);
		return NULL;
	}
	if (o->k->ehdr.e_type != ET_REL) {
		fprintf(stderr, "error: %s: not a relocatable object; lookup "
			"takes pairs ORIG.o DIFF.o (the original object as "
			"kbuild built it, then create-diff-object's output)\n",
			path);
		orig_free(o);
		return NULL;
	}
	collect(o);
	o->overlap = xcalloc(t->nr_groups, sizeof(*o->overlap));
	for (i = 0; i < t->nr_groups; i++)
		o->overlap[i] = -1;
	return o;
}

void orig_free(struct orig *o)
{
	if (!o)
		return;
	free(o->locals);
	free(o->overlap);
	kelf_close(o->k);
	free(o);
}

enum orig_bind orig_binding(const struct orig *o, const char *name)
{
	enum orig_bind bind = ORIG_ABSENT;
	struct kelf_symbol *s;

	for (s = kelf_find_symbol(o->k, name); s; s = s->hnext) {
		unsigned char type = kelf_type(s);

		if (strcmp(s->name, name) || type == STT_FILE)
			continue;
		if (kelf_bind(s) == STB_LOCAL) {
			if (s->sec)
				return ORIG_LOCAL;
		} else {
			bind = ORIG_GLOBAL;
		}
	}
	return bind;
}

/* ORIG.o's function or data object of that name (a local one if
 * local_only), or NULL. */
static const struct kelf_symbol *defined(const struct orig *o,
					 const char *name, bool local_only)
{
	struct kelf_symbol *s;

	for (s = kelf_find_symbol(o->k, name); s; s = s->hnext) {
		unsigned char type = kelf_type(s);

		if (!strcmp(s->name, name) && s->sec &&
		    (type == STT_FUNC || type == STT_OBJECT) &&
		    (!local_only || kelf_bind(s) == STB_LOCAL))
			return s;
	}
	return NULL;
}

const struct kelf_symbol *orig_defined(const struct orig *o, const char *name)
{
	return defined(o, name, false);
}

const struct kelf_symbol *orig_local(const struct orig *o, const char *name)
{
	return defined(o, name, true);
}
