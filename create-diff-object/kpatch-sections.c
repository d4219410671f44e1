// SPDX-License-Identifier: GPL-2.0
/*
 * The tables that templates/kpatch-macros.h puts in the patched object, and
 * what they do to the diff:
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
 * Also here, as the one refusal that KPATCH_FORCE_UNSAFE cannot lift: a
 * changed function must have an ftrace entry in the running kernel, or
 * livepatch cannot redirect it (propagate.c patches the callers of what it
 * can; kpatch_sections_check() refuses what is left).
 *
 * Hooks: main() calls kpatch_sections_ignore() after compare(),
 * kpatch_sections_check() after check() and kpatch_sections_select() before
 * select_needed(); refuse() asks kpatch_sections_force() whether the
 * function it names is forced.  Malformed tables and functions without
 * ftrace entry are refused with refuse_unforceable().
 */
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
	refuse_unforceable(d, entry->name, "%s in section %s does not name a "
		      "function defined in this source file (%s); use it in "
		      "the file that defines the function", macro,
		      entry->sec->name, f ? f->name : "not a function");
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
	fprintf(d->report, "ignored %s changed, but %s: not patched\n",
		s->name, why);
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
			refuse_unforceable(d, sec->syms[i]->name, "entry of %s is "
				      "not a section name; use "
				      "KPATCH_IGNORE_SECTION(\".name\") with "
				      "a string literal", IGNORE_SECTIONS);
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

void kpatch_sections_ignore(struct diff *d)
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

bool kpatch_sections_force(struct diff *d, const char *name, const char *fmt,
			   va_list ap)
{
	va_list again;

	if (!is_forced(d, name))
		return false;
	va_copy(again, ap);
	fprintf(stderr, "create-diff-object: %s: warning: KPATCH_FORCE_UNSAFE(%s) "
		"overrides this refusal: ", d->objname, name);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	fprintf(d->report, "forced %s by KPATCH_FORCE_UNSAFE, although: ",
		name);
	vfprintf(d->report, fmt, again);
	fputc('\n', d->report);
	va_end(again);
	return true;
}

void kpatch_sections_check(struct diff *d)
{
	bool *traced = ftrace_entries(d->orig);
	size_t i;

	for (i = 1; i < d->patched->nr_syms; i++) {
		struct kelf_symbol *p = d->patched->syms[i];

		if (!is_function(p) || p->status != KELF_CHANGED ||
		    !p->twin || is_init_section(p->sec) ||
		    is_ignored_section(p->sec) || is_cold_part(p))
			continue;
		if (traced[p->twin->index])
			continue;
		refuse_unforceable(d, p->name, "changed function without an ftrace "
			      "entry (no __mcount_loc record of a call to "
			      "__fentry__ at its start in the original "
			      "object: its file is built without "
			      "-pg/-mfentry, as lib/ is, or it is notrace), so "
			      "livepatch cannot redirect calls to it, and its "
			      "callers cannot be patched in its place (it is "
			      "global, its address is taken, or no traceable "
			      "code of this object calls it); "
			      "KPATCH_FORCE_UNSAFE cannot change that: make the "
			      "change in a traceable caller");
	}
	free(traced);
}

/* Select an entry and what it points at, as select.c selects a symbol. */
static void include_entry(struct diff *d, struct kelf_symbol *e)
{
	struct kelf_section *rela = e->sec->rela;
	unsigned long start = e->sym.st_value;
	size_t i;

	e->include = true;
	for (i = 0; rela && i < rela->nr_relas; i++)
		if (rela->relas[i].offset >= start &&
		    rela->relas[i].offset < start + e->sym.st_size)
			include_target(d, e->sec, &rela->relas[i]);
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
			refuse_unforceable(d, e->name, "a second %s in this source "
				      "file (the first is %s); each file gives "
				      "its klp_object one %s callback: call "
				      "both functions from one callback",
				      callbacks[kind].macro, first->name,
				      callbacks[kind].kind);
			continue;
		}
		first = e;
		f = entry_target(d, e);
		if (!f) {
			refuse_unforceable(d, e->name, "%s in section %s does not "
				      "point at a function",
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

void kpatch_sections_select(struct diff *d)
{
	size_t kind;

	for (kind = 0; kind < sizeof(callbacks) / sizeof(callbacks[0]); kind++)
		select_callbacks(d, kind);
}
