// SPDX-License-Identifier: GPL-2.0
/*
 * The dynamic debug descriptors of the patched functions (pr_debug(),
 * dev_dbg(), netdev_dbg() with CONFIG_DYNAMIC_DEBUG: one struct _ddebug per
 * call site in section __dyndbg), written into one section of OUT.o named
 * __dyndbg.  The module loader finds a module's descriptors by that name
 * (find_module_sections(), Linux 6.1 and 6.12) and registers them for the
 * module itself (dynamic_debug_setup() or the MODULE_STATE_COMING notifier),
 * the livepatch too: a patched function's pr_debug() works through its own
 * descriptor, listed under the livepatch module in
 * <debugfs>/dynamic_debug/control, starting as compiled (off unless DEBUG).
 * The kernel's descriptor stays with the old function.  Their static keys
 * are in the descriptors, and the __jump_table entries of the patched code
 * point at the copies.
 */
#include "cdo.h"

#include <stdlib.h>
#include <string.h>

static bool wanted(const struct kelf_symbol *s)
{
	return s->include && is_dyndbg_descriptor(s);
}

static unsigned long align_up(unsigned long n, unsigned long a)
{
	return a > 1 ? (n + a - 1) / a * a : n;
}

/* The layout: where each descriptor goes (st_value in OUT.o), the size. */
static size_t place(struct diff *d, const struct kelf_section **first)
{
	size_t i, size = 0;

	*first = NULL;
	for (i = 1; i < d->patched->nr_syms; i++) {
		struct kelf_symbol *s = d->patched->syms[i];

		if (!wanted(s))
			continue;
		if (!*first)
			*first = s->sec;
		size = align_up(size, s->sec->sh.sh_addralign);
		size += s->sym.st_size;
	}
	return size;
}

static int copy_descriptor(struct diff *d, struct kelf_section *out,
			   struct kelf_symbol *p, unsigned long at)
{
	unsigned long start = p->sym.st_value;
	const struct kelf_rela *r;
	GElf_Sym s = p->sym;
	size_t i;

	memcpy(out->data + at, p->sec->data + p->sym.st_value, p->sym.st_size);
	s.st_value = at;
	p->out = kelf_add_symbol(d->out, out_name(d, p), &s, out);
	kelf_for_each_rela_in(r, p->sec, start, start + p->sym.st_size, i)
		if (out_relocate(d, out, r, at + r->offset - start))
			return -1;
	return 0;
}

int write_dyndbg(struct diff *d)
{
	GElf_Sym secsym = { .st_info = GELF_ST_INFO(STB_LOCAL, STT_SECTION) };
	const struct kelf_section *first;
	struct kelf_section *out;
	unsigned char *buf;
	size_t i, size = place(d, &first), at = 0;

	if (!size)
		return 0;
	buf = xcalloc(1, size);
	out = kelf_add_section(d->out, "__dyndbg", &first->sh, buf, size);
	free(buf);
	kelf_add_symbol(d->out, "", &secsym, out);
	for (i = 1; i < d->patched->nr_syms; i++) {
		struct kelf_symbol *p = d->patched->syms[i];

		if (!wanted(p) || !p->sec->data)
			continue;
		at = align_up(at, p->sec->sh.sh_addralign);
		if (copy_descriptor(d, out, p, at))
			return -1;
		at += p->sym.st_size;
	}
	return 0;
}

bool report_dyndbg(struct diff *d, struct kelf_symbol *s)
{
	if (!is_dyndbg_descriptor(s))
		return false;
	report_item(d, "new-data", out_name(d, s), "dynamic debug call site "
		    "(pr_debug, dev_dbg) of a patched function: its own "
		    "descriptor in the livepatch's __dyndbg, registered by the "
		    "module loader for the livepatch module; its dynamic_debug "
		    "settings start as compiled");
	return true;
}
