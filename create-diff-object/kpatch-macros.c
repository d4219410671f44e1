// SPDX-License-Identifier: GPL-2.0
/*
 * The patch author's macros (KPATCH_IGNORE_*, KPATCH_FORCE_UNSAFE,
 * KPATCH_*_CALLBACK): the tables that templates/kpatch-macros.h puts in the
 * patched object, and what they do to the diff:
 *
 *   .kpb.ignore.functions    KPATCH_IGNORE_FUNCTION: a changed function is
 *                            taken as unchanged, so it is not patched
 *   .kpb.ignore.sections     KPATCH_IGNORE_SECTION: every changed function
 *                            or object of that section is taken as unchanged
 *   .kpb.force_unsafe        KPATCH_FORCE_UNSAFE: a refusal that names the
 *                            function becomes a warning ("forced")
 *   .kpb.callbacks.KIND      KPATCH_*_CALLBACK: the entry and its function
 *                            are kept; the entry is renamed to the GLOBAL
 *                            __kpb_cb.ID.KIND, which the generated
 *                            livepatch-main.c calls through
 *
 * Every entry is a static variable of its table section: a pointer to the
 * function (one relocation at the entry's start), or for ignored sections
 * the section's name itself.  The tables themselves are new, local data
 * that nothing refers to, so they never reach the diff object; only the
 * callback entries are selected.
 *
 * Hooks: main() calls kpatch_macros_ignore() after compare() and
 * kpatch_macros_select() before select_needed(); refuse() asks
 * kpatch_macros_force() whether the function it names is forced.
 * A malformed table or a misused macro is an error (diag(): exit
 * status 1), not a refusal: the input is wrong, not the change.
 */
#define _GNU_SOURCE		/* vasprintf */
#include "cdo.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#define CALLBACKS_PREFIX	".kpb.callbacks."
#define IGNORE_FUNCTIONS	".kpb.ignore.functions"
#define IGNORE_SECTIONS		".kpb.ignore.sections"
#define FORCE_UNSAFE		".kpb.force_unsafe"

/* The klp_callbacks members, and the macro that fills each. */
static const struct {
	const char *kind;
	const char *macro;
} callbacks[] = {
	{ "pre_patch",		"KPATCH_PRE_PATCH_CALLBACK" },
	{ "post_patch",		"KPATCH_POST_PATCH_CALLBACK" },
	{ "pre_unpatch",	"KPATCH_PRE_UNPATCH_CALLBACK" },
	{ "post_unpatch",	"KPATCH_POST_UNPATCH_CALLBACK" },
};

static bool is_entry(const struct kelf_symbol *s)
{
	return kelf_type(s) == STT_OBJECT;
}

/*
 * What the pointer an entry holds points at: a function of this object, or
 * an UNDEF symbol (a function defined elsewhere).  NULL if it is anything
 * else.
 */
static struct kelf_symbol *entry_target(struct diff *d,
					const struct kelf_symbol *entry)
{
	const struct kelf_section *rela = entry->sec->rela;
	struct target t;
	size_t i;

	for (i = 0; rela && i < rela->nr_relas; i++) {
		const struct kelf_rela *r = &rela->relas[i];

		if (r->offset != entry->sym.st_value)
			continue;
		rela_target(d->patched, r, &t);
		if (!t.sym || t.addend)
			return NULL;
		if (is_function(t.sym) || kelf_is_undef(t.sym))
			return t.sym;
		return NULL;
	}
	return NULL;
}

/* The function a KPATCH_IGNORE_FUNCTION or KPATCH_FORCE_UNSAFE entry names. */
static struct kelf_symbol *entry_function(struct diff *d,
					  const struct kelf_symbol *entry,
					  const char *macro)
{
	struct kelf_symbol *f = entry_target(d, entry);

	if (f && is_function(f))
		return f;
	diag(d, NULL, DIAG_ERROR, entry->name, -1, "%s in section %s does "
	     "not name a function defined in this source file (%s); use it "
	     "in the file that defines the function", macro, entry->sec->name,
	     f ? f->name : "not a function");
	return NULL;
}

static void ignore_symbol(struct diff *d, struct kelf_symbol *s,
			  const char *why)
{
	if (s->status != KELF_CHANGED)
		return;
	s->status = KELF_SAME;
	if (s->twin)
		s->twin->status = KELF_SAME;
	report_item(d, "ignored", s->name, "changed, but %s: not patched", why);
}

static void ignore_functions(struct diff *d)
{
	struct kelf_section *sec = kelf_find_section(d->patched,
						     IGNORE_FUNCTIONS);
	size_t i;

	for (i = 0; sec && i < sec->nr_syms; i++) {
		struct kelf_symbol *f;

		if (!is_entry(sec->syms[i]))
			continue;
		f = entry_function(d, sec->syms[i], "KPATCH_IGNORE_FUNCTION");
		if (f)
			ignore_symbol(d, f, "KPATCH_IGNORE_FUNCTION");
	}
}

/* The name an entry of .kpb.ignore.sections holds, or NULL. */
static const char *entry_string(const struct kelf_symbol *e)
{
	const struct kelf_section *sec = e->sec;
	size_t start = e->sym.st_value, end = start + e->sym.st_size;

	if (!sec->data || !e->sym.st_size || end > sec->size ||
	    sec->data[end - 1] != '\0')
		return NULL;
	return (const char *)sec->data + start;
}

static void ignore_sections(struct diff *d)
{
	struct kelf_section *sec = kelf_find_section(d->patched,
						     IGNORE_SECTIONS);
	size_t i, j;

	for (i = 0; sec && i < sec->nr_syms; i++) {
		struct kelf_section *target;
		const char *name;
		char why[512];

		if (!is_entry(sec->syms[i]))
			continue;
		name = entry_string(sec->syms[i]);
		if (!name) {
			diag(d, NULL, DIAG_ERROR, sec->syms[i]->name, -1,
			     "entry of %s is not a section name; use "
			     "KPATCH_IGNORE_SECTION(\".name\") with a string "
			     "literal", IGNORE_SECTIONS);
			continue;
		}
		/* other objects of the patch may have it: not an error */
		target = kelf_find_section(d->patched, name);
		if (!target)
			continue;
		snprintf(why, sizeof(why), "KPATCH_IGNORE_SECTION(\"%s\")",
			 name);
		for (j = 0; j < target->nr_syms; j++)
			ignore_symbol(d, target->syms[j], why);
	}
}

/* The force table must name functions of this object. */
static void check_force_table(struct diff *d)
{
	struct kelf_section *sec = kelf_find_section(d->patched, FORCE_UNSAFE);
	size_t i;

	for (i = 0; sec && i < sec->nr_syms; i++)
		if (is_entry(sec->syms[i]))
			entry_function(d, sec->syms[i], "KPATCH_FORCE_UNSAFE");
}

void kpatch_macros_ignore(struct diff *d)
{
	ignore_functions(d);
	ignore_sections(d);
	check_force_table(d);
}

static bool is_forced(struct diff *d, const char *name)
{
	struct kelf_section *sec = kelf_find_section(d->patched, FORCE_UNSAFE);
	size_t i;

	for (i = 0; sec && i < sec->nr_syms; i++) {
		struct kelf_symbol *f;

		if (!is_entry(sec->syms[i]))
			continue;
		f = entry_target(d, sec->syms[i]);
		if (f && is_function(f) && !strcmp(f->name, name))
			return true;
	}
	return false;
}

bool kpatch_macros_force(struct diff *d, const char *name, const char *fmt,
			 va_list ap)
{
	char *why;

	if (!is_forced(d, name))
		return false;
	if (vasprintf(&why, fmt, ap) < 0)
		why = NULL;
	diag(d, NULL, DIAG_WARNING, name, -1, "KPATCH_FORCE_UNSAFE overrides "
	     "this refusal: %s", why ? why : "");
	report_item(d, "forced", name, "by KPATCH_FORCE_UNSAFE, although: %s",
		    why ? why : "");
	free(why);
	return true;
}

/* Select an entry and what it points at, as select.c selects a symbol. */
static void include_entry(struct diff *d, struct kelf_symbol *e)
{
	unsigned long start = e->sym.st_value;
	const struct kelf_rela *r;
	size_t i;

	e->include = true;
	kelf_for_each_rela_in(r, e->sec, start, start + e->sym.st_size, i)
		include_target(d, e->sec, r);
}

static void select_callbacks(struct diff *d, size_t kind)
{
	char name[256];
	struct kelf_section *sec;
	struct kelf_symbol *e, *f, *first = NULL;
	size_t i;

	snprintf(name, sizeof(name), CALLBACKS_PREFIX "%s",
		 callbacks[kind].kind);
	sec = kelf_find_section(d->patched, name);
	for (i = 0; sec && i < sec->nr_syms; i++) {
		e = sec->syms[i];
		if (!is_entry(e))
			continue;
		if (first) {
			diag(d, NULL, DIAG_ERROR, e->name, -1, "a second %s in "
			     "this source file (the first is %s); each file "
			     "gives its klp_object one %s callback: call both "
			     "functions from one callback",
			     callbacks[kind].macro, first->name,
			     callbacks[kind].kind);
			continue;
		}
		first = e;
		f = entry_target(d, e);
		if (!f) {
			diag(d, NULL, DIAG_ERROR, e->name, -1, "%s in section "
			     "%s does not point at a function",
			     callbacks[kind].macro, sec->name);
			continue;
		}
		include_entry(d, e);
		snprintf(name, sizeof(name), KPB_CB_PREFIX "%s.%s", d->prefix,
			 callbacks[kind].kind);
		report_callback(d, f->name, callbacks[kind].kind, name);
		kelf_rename_symbol(d->patched, e, name);
		e->sym.st_info = GELF_ST_INFO(STB_GLOBAL, STT_OBJECT);
		e->sym.st_other = STV_DEFAULT;
	}
}

void kpatch_macros_select(struct diff *d)
{
	size_t kind;

	for (kind = 0; kind < sizeof(callbacks) / sizeof(callbacks[0]); kind++)
		select_callbacks(d, kind);
}
