// SPDX-License-Identifier: GPL-2.0
/*
 * The printk index (CONFIG_PRINTK_INDEX): every printk() with a constant
 * format adds a struct pi_entry (format, __func__, __FILE__, __LINE__,
 * level, subsystem prefix; include/linux/printk.h) in read-only data and a
 * pointer to it in .printk_index.  kernel/printk/index.c lists vmlinux's
 * and each module's entries in debugfs (printk/index/vmlinux,
 * printk/index/MODULE): it is a catalogue for people, nothing reads it to
 * run.
 *
 * So the entries are not kernel state: a changed one (an edited message, a
 * moved __LINE__) is not refused as changed data, it belongs to the
 * function that prints (its __func__).  The livepatch module does not
 * carry them (they would be listed as the livepatch module's, not
 * vmlinux's): a "dropped" line names each kept function whose formats
 * changed.
 */
#include "cdo.h"

#include <stdlib.h>
#include <string.h>

#define PRINTK_INDEX	".printk_index"
#define PI_FMT		0	/* offsetof(struct pi_entry, fmt) */
#define PI_FUNC		8	/* offsetof(struct pi_entry, func) */

/* The struct pi_entry a .printk_index relocation points at, or NULL. */
static struct kelf_symbol *pi_entry_of(struct kelf *k,
				       const struct kelf_rela *r)
{
	struct target t;

	rela_target(k, r, &t);
	return t.sym && is_data(t.sym) && !t.addend ? t.sym : NULL;
}

bool is_printk_index_data(struct kelf *k, const struct kelf_symbol *s)
{
	struct kelf_section *sec = kelf_find_section(k, PRINTK_INDEX);
	size_t i;

	if (!sec || !is_data(s))
		return false;
	if (s->sec == sec)
		return true;
	for (i = 0; sec->rela && i < sec->rela->nr_relas; i++)
		if (pi_entry_of(k, &sec->rela->relas[i]) == s)
			return true;
	return false;
}

/* The string a pointer field of entry e points at, or "". */
static const char *pi_string(struct kelf *k, const struct kelf_symbol *e,
			     unsigned long field)
{
	const struct kelf_section *rela = e->sec->rela;
	const struct kelf_symbol *s;
	const char *str;
	struct target t;
	size_t i;

	for (i = 0; rela && i < rela->nr_relas; i++) {
		const struct kelf_rela *r = &rela->relas[i];

		if (r->offset != e->sym.st_value + field)
			continue;
		rela_target(k, r, &t);
		str = target_string(&t);
		if (str)
			return str;
		s = t.sym;
		/* __func__ is an object of its own: "__func__.N" */
		if (s && is_data(s) && s->sec->data && s->sym.st_size &&
		    s->sym.st_value + s->sym.st_size <= s->sec->size &&
		    !s->sec->data[s->sym.st_value + s->sym.st_size - 1])
			return (const char *)s->sec->data + s->sym.st_value;
		return "";
	}
	return "";
}

static int by_string(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* The formats of function "func"'s entries in k, sorted (caller frees). */
static size_t formats(struct kelf *k, const char *func, const char ***out)
{
	struct kelf_section *sec = kelf_find_section(k, PRINTK_INDEX);
	size_t i, n = 0, max = sec && sec->rela ? sec->rela->nr_relas : 0;
	const char **list = xcalloc(max ? max : 1, sizeof(*list));

	for (i = 0; i < max; i++) {
		struct kelf_symbol *e = pi_entry_of(k, &sec->rela->relas[i]);

		if (e && !strcmp(pi_string(k, e, PI_FUNC), func))
			list[n++] = pi_string(k, e, PI_FMT);
	}
	qsort(list, n, sizeof(*list), by_string);
	*out = list;
	return n;
}

static bool same_formats(struct diff *d, const struct kelf_symbol *p)
{
	const char **pf, **of;
	size_t np, no, i;
	bool same;

	np = formats(d->patched, p->name, &pf);
	no = p->twin ? formats(d->orig, p->twin->name, &of) :
		       (of = xcalloc(1, sizeof(*of)), 0);
	same = np == no;
	for (i = 0; same && i < np; i++)
		same = !strcmp(pf[i], of[i]);
	free(pf);
	free(of);
	return same;
}

/* After select_needed(): name the kept functions whose entries changed. */
void report_printk_index(struct diff *d)
{
	size_t i;

	if (!kelf_find_section(d->patched, PRINTK_INDEX) &&
	    !kelf_find_section(d->orig, PRINTK_INDEX))
		return;
	for (i = 1; i < d->patched->nr_syms; i++) {
		struct kelf_symbol *p = d->patched->syms[i];

		if (!p->include || !is_function(p) || same_formats(d, p))
			continue;
		warn_dropped(d, p->name, "its printk index entries (%s, the "
			     "formats of its messages) changed: not carried: "
			     "debugfs printk/index/vmlinux keeps listing the "
			     "original formats; the messages print as patched",
			     PRINTK_INDEX);
	}
}
