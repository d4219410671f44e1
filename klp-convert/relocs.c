// SPDX-License-Identifier: GPL-2.0
/*
 * Relocations to livepatch symbols move from .rela.SEC to .klp.rela.OBJ.SEC:
 * the module loader skips sections flagged SHF_RELA_LIVEPATCH and livepatch
 * applies them once OBJ is there (klp_apply_section_relocs() in
 * kernel/livepatch/core.c), after resolving every symbol they refer to, all
 * of which must be livepatch symbols.  They are SHF_ALLOC so that the loader
 * keeps them in memory for that (module-elf-format.rst, 3.1).
 *
 * Only relocations of allocated sections move: the loader does not apply
 * the others at all (apply_relocations() in kernel/module/main.c).
 *
 * The .klp.rela.vmlinux.* sections are written by the loader itself, in
 * apply_relocations(), before it reads the special sections (jump labels,
 * static calls, alternatives, ...: the comment of klp_apply_section_relocs()
 * says so), so a static key or static call key that vmlinux does not export
 * (every tracepoint's) works in the patched code.  A module's .klp.rela
 * sections are written only when livepatch patches that module, possibly
 * much later, after the loader has read those sections: a livepatch
 * relocation to a module's symbol there would leave the loader an
 * unresolved address.  Those are refused, with what the author can do.
 */
#include "klp.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define KLP_RELA_FLAGS	(SHF_ALLOC | SHF_INFO_LINK | SHF_RELA_LIVEPATCH)

static char *klp_rela_name(const char *obj, const char *secname)
{
	char *name = xmalloc(strlen(KLP_RELA_PREFIX) + strlen(obj) +
			     strlen(secname) + 2);

	/* ".klp.rela.vmlinux" + ".text.foo", as in module-elf-format.rst */
	sprintf(name, KLP_RELA_PREFIX "%s%s%s", obj,
		secname[0] == '.' ? "" : ".", secname);
	return name;
}

/* The .klp.rela.OBJ.SEC section for base, created on first use. */
static struct kelf_section *klp_rela_section(struct kelf *k, const char *obj,
					     struct kelf_section *base)
{
	char *name = klp_rela_name(obj, base->name);
	struct kelf_section *sec = kelf_find_section(k, name);

	if (sec && sec->base != base) {
		fprintf(stderr, "error: %s: section %s already exists and "
			"applies to section %s, not %s\n", k->path, name,
			sec->base ? sec->base->name : "(none)", base->name);
		free(name);
		return NULL;
	}
	if (!sec) {
		sec = kelf_add_rela_section(k, name, base);
		sec->sh.sh_flags = KLP_RELA_FLAGS;
	}
	free(name);
	return sec;
}

struct early_section {
	const char *name;
	const char *what;	/* what the loader does with it */
	const char *instead;	/* what the patch author can do */
};

static const struct early_section early_sections[] = {
	{ "__jump_table",
	  "registers the jump labels with their static keys "
	  "(jump_label_add_module())",
	  "the patched code uses a static key of a module: test it with static_key_enabled() instead "
	  "of static_branch_likely()/static_branch_unlikely(), or, when the module exports the key, "
	  "build with --module-deps: the livepatch module then depends on that module (loading it "
	  "loads the module, which stays loaded while the livepatch is)" },
	{ ".static_call_sites",
	  "registers the static call sites with their keys "
	  "(static_call_add_module())",
	  "the patched code uses a static call key of a module other than "
	  "in a call to its trampoline __SCT__NAME (such sites are left "
	  "out, static-calls.c): call the function it points to "
	  "directly instead of through static_call()" },
	{ ".altinstructions",
	  "patches the alternatives into the code (apply_alternatives())",
	  "keep the symbol out of alternatives (ALTERNATIVE(), "
	  "alternative_call(), static_cpu_has()) in the patched code: call a "
	  "helper function from the alternative, or test boot_cpu_has()" },
	{ ".altinstr_replacement",
	  "copies the alternative instructions into the code "
	  "(apply_alternatives())",
	  "keep the symbol out of alternatives (ALTERNATIVE(), "
	  "alternative_call(), static_cpu_has()) in the patched code: call a "
	  "helper function from the alternative, or test boot_cpu_has()" },
	{ ".altinstr_aux",
	  "uses it for the alternatives of static_cpu_has() "
	  "(apply_alternatives())",
	  "use boot_cpu_has() instead of static_cpu_has() in the patched "
	  "code" },
	{ ".parainstructions",
	  "patches the paravirt call sites (apply_paravirt())",
	  "keep paravirt operations that need livepatch symbols out of the "
	  "patched code, or move them into a helper function that is not "
	  "patched" },
	{ ".smp_locks",
	  "records the LOCK prefixes to patch (alternatives_smp_module_add())",
	  "keep the atomic operation on a symbol that is not exported out of "
	  "the patched code, or move it into a helper function that is not "
	  "patched" },
};

static const struct early_section unknown_early = {
	"(an early section)", "reads it before livepatch writes relocations",
	"keep the module's symbol out of it in the patched code"
};

static const struct early_section *early_section(const char *name)
{
	size_t i;

	if (!klp_early_section(name))
		return NULL;

	for (i = 0; i < sizeof(early_sections) / sizeof(early_sections[0]);
	     i++)
		if (!strcmp(early_sections[i].name, name))
			return &early_sections[i];
	return &unknown_early;
}

/* Entries of these sections are at most this long (struct alt_instr: 14). */
#define EARLY_ENTRY_MAX		16

/*
 * The function whose code an entry of a special section is about: the one
 * its nearest relocation into code, at or before r, points into.
 */
static const char *site_function(struct kelf *k,
				 const struct kelf_section *rela,
				 const struct kelf_rela *r)
{
	const struct kelf_rela *best = NULL;
	const struct kelf_symbol *fn;
	size_t i;

	for (i = 0; i < rela->nr_relas; i++) {
		const struct kelf_rela *c = &rela->relas[i];

		if (c->offset > r->offset ||
		    r->offset - c->offset >= EARLY_ENTRY_MAX ||
		    !kelf_is_exec(c->sym->sec))
			continue;
		if (!best || c->offset > best->offset)
			best = c;
	}
	if (!best)
		return NULL;
	if (kelf_type(best->sym) == STT_FUNC)
		return best->sym->name;
	if (kelf_type(best->sym) != STT_SECTION || best->addend < 0)
		return NULL;
	fn = kelf_symbol_at(k, best->sym->sec, best->addend);
	return fn ? fn->name : NULL;
}

/*
 * The OBJ (klp_symbol_objname()) and NAME of ".klp.sym.OBJ.NAME,POS", for
 * messages; the whole name as NAME, OBJ empty, if it is not one.
 */
static void klp_sym_parts(const char *klp, char obj[KLP_OBJNAME_MAX + 1],
			  char name[KLP_SYMNAME_MAX + 1])
{
	const char *p;

	snprintf(name, KLP_SYMNAME_MAX + 1, "%s", klp);
	if (klp_symbol_objname(klp, obj)) {
		obj[0] = 0;
		return;
	}
	p = klp + strlen(KLP_SYM_PREFIX) + strlen(obj) + 1;
	snprintf(name, KLP_SYMNAME_MAX + 1, "%.*s", (int)strcspn(p, ","), p);
}

/*
 * A refusal, not an error: the patch is sound C, but what its new code
 * needs cannot be carried by a livepatch module (exit status 2).
 */
static void refuse_early(struct kelf *k, const struct kelf_section *rela,
			 const struct kelf_rela *r, const char *obj,
			 const struct early_section *e)
{
	const char *fn = site_function(k, rela, r);
	char symobj[KLP_OBJNAME_MAX + 1], name[KLP_SYMNAME_MAX + 1];

	klp_sym_parts(r->sym->name, symobj, name);
	fprintf(stderr, "klp-convert: %s: refused %s: its entry in %s "
		"(+0x%lx) refers to %s of %s%s, which livepatch can only "
		"resolve when %s is patched; but the module loader reads %s "
		"when it loads the livepatch module, earlier: it %s and would "
		"use an unresolved address. What to do: %s\n", k->path,
		fn ? fn : "(a site)", rela->base->name, r->offset, name,
		strcmp(symobj, "vmlinux") ? "module " : "",
		symobj[0] ? symobj : obj, obj, rela->base->name, e->what,
		e->instead);
}

static bool is_klp_rela_section(const struct kelf_section *sec)
{
	return sec->sh.sh_flags & SHF_RELA_LIVEPATCH;
}

static bool movable(const struct kelf_section *sec)
{
	return !sec->removed && kelf_is_rela(sec) && sec->base &&
	       !is_klp_rela_section(sec) &&
	       (sec->base->sh.sh_flags & SHF_ALLOC);
}

static int move_one(struct kelf *k, struct kelf_section *rela,
		    const struct kelf_rela *r, bool verbose)
{
	char buf[KLP_OBJNAME_MAX + 1];
	const struct early_section *early;
	struct kelf_section *klp;
	const char *obj;

	obj = klp_rela_objname(r->sym, buf);
	if (!obj) {
		fprintf(stderr, "error: %s: %s: relocation at 0x%lx refers to "
			"the malformed livepatch symbol %s\n", k->path,
			rela->name, r->offset, r->sym->name);
		return -1;
	}
	early = early_section(rela->base->name);
	if (early && strcmp(obj, "vmlinux")) {
		refuse_early(k, rela, r, obj, early);
		return KLP_REFUSED;
	}
	klp = klp_rela_section(k, obj, rela->base);
	if (!klp)
		return -1;
	kelf_add_rela(klp, r->offset, r->type, r->addend, r->sym);
	if (verbose)
		fprintf(stderr, "klp-convert: %s+0x%lx -> %s (%s)\n",
			rela->base->name, r->offset, klp->name, r->sym->name);
	return 0;
}

/* Of two results (0, KLP_REFUSED, -1), the one to report: an error wins. */
static int worse(int a, int b)
{
	if (a == -1 || b == -1)
		return -1;
	return a ? a : b;
}

/*
 * Moves rela's relocations to livepatch symbols; returns how many, -1 on an
 * error, KLP_REFUSED when one cannot be carried.
 */
static long split_section(struct kelf *k, struct kelf_section *rela,
			  bool verbose)
{
	size_t i, kept = 0;
	long moved = 0;
	int ret = 0;

	for (i = 0; i < rela->nr_relas; i++) {
		const struct kelf_rela *r = &rela->relas[i];

		if (!is_klp_symbol(r->sym)) {
			rela->relas[kept++] = *r;
			continue;
		}
		ret = worse(ret, move_one(k, rela, r, verbose));
		moved++;	/* go on: report them all */
	}
	if (ret)
		return ret;
	rela->nr_relas = kept;
	if (!kept && moved)	/* nothing left to apply at load time */
		kelf_remove_section(rela);
	return moved;
}

long move_klp_relocs(struct kelf *k, bool verbose)
{
	size_t i, nr_secs = k->nr_secs;	/* the ones added here are done */
	long total = 0;
	int ret = 0;

	for (i = 1; i < nr_secs; i++) {
		struct kelf_section *sec = k->secs[i];
		long moved;

		if (!sec || !movable(sec))
			continue;
		moved = split_section(k, sec, verbose);
		if (moved < 0)
			ret = worse(ret, (int)moved);	/* report them all */
		else
			total += moved;
	}
	return ret ? ret : total;
}
