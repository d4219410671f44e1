// SPDX-License-Identifier: GPL-2.0
/*
 * Static call keys for objtool.  static_call(name) calls the trampoline
 * __SCT__name and makes the key __SCK__name addressable (an entry of
 * .discard.addressable); objtool, writing the .static_call_sites entry of
 * the call, finds the key by that name.  Up to Linux 6.1 objtool ran on each
 * object, so the diffed objects come with their sites.  From 6.2 on, with
 * IBT (Debian's 6.12), it runs on the linked livepatch module instead:
 * without the key there it takes the trampoline for the key, which the
 * kernel accepts only for a trampoline exported without its key; otherwise
 * static_call_add_module() says "Failed to fixup __raw_static_call() usage"
 * and the module does not load.  So the key entries of the trampolines that
 * the output calls are kept.  The section is discarded when the module is
 * linked: it costs nothing at run time.
 */
#include "cdo.h"

#include <stdlib.h>
#include <string.h>

#define ADDRESSABLE	".discard.addressable"
#define KEY_PREFIX	"__SCK__"
#define TRAMP_PREFIX	"__SCT__"

/* Whether the output refers to the trampoline of static call key. */
static bool calls_trampoline(struct kelf *out, const char *key)
{
	const char *name = key + strlen(KEY_PREFIX);
	size_t i;

	for (i = 1; i < out->nr_syms; i++) {
		const char *s = out->syms[i]->name;

		if (starts(s, TRAMP_PREFIX) &&
		    !strcmp(s + strlen(TRAMP_PREFIX), name))
			return true;
	}
	return false;
}

static bool wanted(struct diff *d, const struct kelf_rela *r)
{
	return starts(r->sym->name, KEY_PREFIX) &&
	       calls_trampoline(d->out, r->sym->name);
}

int write_static_call_keys(struct diff *d)
{
	struct kelf_section *sec = kelf_find_section(d->patched, ADDRESSABLE);
	struct kelf_section *out, *rela;
	size_t i, n = 0, size;
	void *buf;

	if (!sec || !sec->rela || !sec->rela->nr_relas ||
	    sec->size % sec->rela->nr_relas)
		return 0;
	size = sec->size / sec->rela->nr_relas;
	for (i = 0; i < sec->rela->nr_relas; i++)
		n += wanted(d, &sec->rela->relas[i]);
	if (!n)
		return 0;
	buf = xcalloc(n, size);
	out = kelf_add_section(d->out, ADDRESSABLE, &sec->sh, buf, n * size);
	free(buf);
	rela = kelf_rela_section(d->out, out);
	for (i = 0, n = 0; i < sec->rela->nr_relas; i++) {
		const struct kelf_rela *r = &sec->rela->relas[i];

		if (!wanted(d, r))
			continue;
		kelf_add_rela(rela, n++ * size, r->type, r->addend,
			      out_undef(d, r->sym->name));
	}
	return 0;
}
