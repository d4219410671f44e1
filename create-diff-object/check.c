// SPDX-License-Identifier: GPL-2.0
/*
 * Refuse what cannot be live-patched safely.  Each refusal names the object,
 * the symbol and its section, says what changed and what the author can do.
 */
#include "cdo.h"

#include <stdarg.h>
#include <string.h>

static void print_refusal(struct diff *d, const char *name, const char *fmt,
			  va_list ap)
{
	va_list again;

	va_copy(again, ap);
	fprintf(stderr, "create-diff-object: %s: refused %s: ", d->objname,
		name);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	fprintf(d->report, "refused %s ", name);
	vfprintf(d->report, fmt, again);
	fputc('\n', d->report);
	va_end(again);
	d->nr_refused++;
}

void refuse(struct diff *d, const char *name, const char *fmt, ...)
{
	va_list ap;
	bool forced;

	va_start(ap, fmt);
	forced = kpatch_sections_force(d, name, fmt, ap);
	va_end(ap);
	if (forced)
		return;
	va_start(ap, fmt);
	print_refusal(d, name, fmt, ap);
	va_end(ap);
}

void refuse_unforceable(struct diff *d, const char *name, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	print_refusal(d, name, fmt, ap);
	va_end(ap);
}

void warn_dropped(struct diff *d, const char *name, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	fprintf(stderr, "create-diff-object: %s: warning: %s: ", d->objname,
		name);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
	va_start(ap, fmt);
	report_vitem(d, "dropped", name, fmt, ap);
	va_end(ap);
}

static void check_function(struct diff *d, struct kelf_symbol *p)
{
	if (p->status != KELF_CHANGED || !is_init_section(p->sec))
		return;
	refuse(d, p->name,
	       "changed __init function (section %s): init code has already "
	       "run and has been freed, so a livepatch cannot change it; "
	       "leave the __init function as it is and make the change where "
	       "its effect is used at run time (or in a KPATCH_*_CALLBACK)",
	       p->sec->name);
}

/* What the section of a changed object says about it, for the message. */
static const char *data_hint(const struct kelf_section *sec)
{
	if (!strcmp(sec->name, ".data..read_mostly"))
		return "__read_mostly data is mostly set once, at boot, and the "
		       "kernel keeps the value it has; ";
	if (!strcmp(sec->name, ".data.once") ||
	    !strcmp(sec->name, ".data..once"))
		return "a WARN_ONCE()/DO_ONCE() flag keeps its state in the "
		       "kernel; ";
	return "";
}

static void check_data(struct diff *d, struct kelf_symbol *p)
{
	if (p->status != KELF_CHANGED || is_ignored_section(p->sec) ||
	    is_init_section(p->sec) || is_loader_table(p->sec))
		return;	/* loader tables: loader-tables.c */
	refuse(d, p->name,
	       "changed existing %s data (section %s, first difference at "
	       "offset %ld): %sa livepatch replaces functions, it cannot "
	       "change the initial value or layout of data that already lives "
	       "in the running kernel; keep the data as it is and use shadow "
	       "variables (klp_shadow_*) or a KPATCH_PRE_PATCH_CALLBACK to "
	       "change its value",
	       kelf_bind(p) == STB_LOCAL ? "static" : "global", p->sec->name,
	       symbol_diff_offset(d, p), data_hint(p->sec));
}

void check(struct diff *d)
{
	size_t i;

	for (i = 1; i < d->patched->nr_syms; i++) {
		struct kelf_symbol *p = d->patched->syms[i];

		if (is_function(p))
			check_function(d, p);
		else if (is_data(p))
			check_data(d, p);
	}
}
