// SPDX-License-Identifier: GPL-2.0
/*
 * The livepatch's klp_func.new_func points at each changed function.  With
 * IBT (Linux 6.2+) objtool, run on the linked module, warns about a data
 * reference to code without ENDBR: a function that only had direct callers
 * (a static one, an .isra clone) was compiled without it.  Livepatch never
 * branches there indirectly: ftrace's handler sets the saved instruction
 * pointer and the trampoline returns to it (RET, which IBT does not check).
 * So such a function gets objtool's ANNOTATE_NOENDBR, an entry of
 * .discard.noendbr (discarded when the module is linked).
 */
#include "cdo.h"

#include <stdlib.h>
#include <string.h>

#define NOENDBR		".discard.noendbr"
#define ENTRY_SIZE	4	/* .long, as include/linux/objtool.h */

static bool needs_annotation(const struct kelf_symbol *p)
{
	return p->out && p->status == KELF_CHANGED && is_function(p) &&
	       !has_endbr(p);
}

int write_noendbr(struct diff *d)
{
	GElf_Shdr sh = { .sh_type = SHT_PROGBITS, .sh_addralign = 1 };
	struct kelf_section *sec = NULL, *rela = NULL;
	size_t i, n = 0;

	for (i = 1; i < d->patched->nr_syms; i++) {
		struct kelf_symbol *p = d->patched->syms[i], *out = p->out;
		unsigned char *data;

		if (!needs_annotation(p))
			continue;
		if (!sec) {
			sec = kelf_add_section(d->out, NOENDBR, &sh, NULL, 0);
			rela = kelf_rela_section(d->out, sec);
		}
		data = xrealloc(sec->data, (n + 1) * ENTRY_SIZE);
		memset(data + n * ENTRY_SIZE, 0, ENTRY_SIZE);
		sec->data = data;
		sec->size = (n + 1) * ENTRY_SIZE;
		kelf_add_rela(rela, n * ENTRY_SIZE, R_X86_64_PC32,
			      (long)out->sym.st_value, out->sec->secsym);
		n++;
	}
	return 0;
}
