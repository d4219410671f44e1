// SPDX-License-Identifier: GPL-2.0
/*
 * Pair the sections and symbols of the patched object with the original's.
 *
 * First by exact name; what is left by canonical name, where the numbers GCC
 * appends are dropped ("foo.isra.0" -> "foo.isra", "foo.part.1.cold" ->
 * "foo.part.cold"), if exactly one symbol of each side has that canonical
 * name.  That keeps an IPA clone (.isra, .constprop, .part) or a cold part
 * tied to its original when GCC renumbers it.  Static local variables
 * ("count.3") are paired afterwards, through the functions that use them
 * (locals.c), since two functions can each have a "count".
 */
#include "cdo.h"

#include <string.h>

static bool pairable(const struct kelf_symbol *s)
{
	unsigned char type = kelf_type(s);

	/* static locals are paired by the functions using them: locals.c */
	return s->sec && s->name[0] && !is_static_local(s) &&
	       (type == STT_FUNC || type == STT_OBJECT || type == STT_NOTYPE);
}

static void twin(struct kelf_symbol *a, struct kelf_symbol *b)
{
	a->twin = b;
	b->twin = a;
}

static void pair_exact(struct diff *d)
{
	size_t i;

	for (i = 1; i < d->patched->nr_syms; i++) {
		struct kelf_symbol *p = d->patched->syms[i], *o;

		if (!pairable(p))
			continue;
		o = kelf_find_symbol(d->orig, p->name);
		/* a name can be defined twice (static + alias); take the first */
		if (o && pairable(o) && !o->twin &&
		    kelf_type(o) == kelf_type(p))
			twin(p, o);
	}
}

/* The only unpaired pairable symbol of k whose canonical name is canon. */
static struct kelf_symbol *only_canonical(struct kelf *k, const char *canon,
					  unsigned char type)
{
	struct kelf_symbol *found = NULL;
	char buf[512];
	size_t i;

	for (i = 1; i < k->nr_syms; i++) {
		struct kelf_symbol *s = k->syms[i];

		if (!pairable(s) || s->twin || kelf_type(s) != type)
			continue;
		canonical_name(s->name, buf, sizeof(buf));
		if (strcmp(buf, canon))
			continue;
		if (found)
			return NULL;
		found = s;
	}
	return found;
}

static void pair_canonical(struct diff *d)
{
	char canon[512];
	size_t i;

	for (i = 1; i < d->patched->nr_syms; i++) {
		struct kelf_symbol *p = d->patched->syms[i], *o, *again;

		if (!pairable(p) || p->twin)
			continue;
		canonical_name(p->name, canon, sizeof(canon));
		if (!strcmp(canon, p->name))
			continue;
		o = only_canonical(d->orig, canon, kelf_type(p));
		again = only_canonical(d->patched, canon, kelf_type(p));
		if (o && again == p)
			twin(p, o);
	}
}

static void pair_sections(struct diff *d)
{
	size_t i;

	for (i = 1; i < d->patched->nr_secs; i++) {
		struct kelf_section *p = d->patched->secs[i], *o;

		o = kelf_find_section(d->orig, p->name);
		if (o && o->sh.sh_type == p->sh.sh_type) {
			p->twin = o;
			o->twin = p;
		}
	}
}

void correlate(struct diff *d)
{
	pair_sections(d);
	pair_exact(d);
	pair_canonical(d);
	pair_static_locals(d);
}
