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
	vdiag(d, NULL, DIAG_REFUSED, name, -1, fmt, ap);
	report_vitem(d, "refused", name, fmt, again);
	va_end(again);
}

void refuse(struct diff *d, const char *name, const char *fmt, ...)
{
	va_list ap;
	bool forced;

	va_start(ap, fmt);
	forced = kpatch_macros_force(d, name, fmt, ap);
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
	vdiag(d, NULL, DIAG_WARNING, name, -1, fmt, ap);
	va_end(ap);
	va_start(ap, fmt);
	report_vitem(d, "dropped", name, fmt, ap);
	va_end(ap);
}

static bool is_exit_section(const struct kelf_section *sec)
{
	return starts(sec->name, ".exit.");
}

/*
 * A function or object that moved between run-time and init sections
 * (__init, __initdata, __exit added or removed) may be unchanged in its
 * bytes, but the running kernel has it where the original object put it.
 */
static bool moved(const struct kelf_symbol *p)
{
	return p->twin &&
	       is_init_section(p->sec) != is_init_section(p->twin->sec);
}

static void check_moved(struct diff *d, struct kelf_symbol *p)
{
	const char *from = p->twin->sec->name, *to = p->sec->name;

	if (is_init_section(p->twin->sec))
		refuse(d, p->name, "moved from %s to %s: in the running kernel "
		       "it is %s, so the patched code cannot use it and a "
		       "livepatch cannot bring it back; leave it where it is "
		       "and give the run-time code a copy of its own under "
		       "another name", from, to,
		       is_exit_section(p->twin->sec) ?
		       "__exit code or data, which only a module's unload "
		       "runs (and which vmlinux does not even have)" :
		       "init code or data, which ran at boot and was freed");
	else if (p->status == KELF_CHANGED)
		refuse(d, p->name, "changed and moved from %s to %s: the "
		       "running kernel keeps it as run-time code or data, and "
		       "a livepatch cannot move it; leave it where it is and "
		       "make the change in place", from, to);
	else
		warn_dropped(d, p->name, "moved from %s to %s: not carried: "
			     "the running kernel keeps it where it was, with "
			     "the same contents, so nothing runs differently",
			     from, to);
}

/*
 * A code section's kind, GCC's own placement (.text.NAME, .text.unlikely.NAME)
 * aside.
 */
static const char *code_kind(const struct kelf_section *sec)
{
	return starts(sec->name, ".text") ? ".text" : sec->name;
}

/*
 * A function moved between run-time code sections of other kinds (noinstr,
 * __kprobes, __sched, entry code): the section is what the patch changes.
 */
static void check_code_kind(struct diff *d, struct kelf_symbol *p)
{
	const struct kelf_section *from = p->twin->sec, *to = p->sec;

	if (!strcmp(code_kind(from), code_kind(to)))
		return;
	refuse(d, p->name, "moved from %s to %s%s: what a section means for "
	       "its code (noinstr, __kprobes, __sched, entry code, ...) is "
	       "part of the change, and a livepatch cannot move a function: "
	       "the running kernel keeps it in %s, and the patched copy would "
	       "be in the livepatch module's .text; leave its section as it "
	       "is", from->name, to->name,
	       p->status == KELF_CHANGED ? " and changed" : "", from->name);
}

static void check_function(struct diff *d, struct kelf_symbol *p)
{
	if (moved(p)) {
		check_moved(d, p);
		return;
	}
	if (p->twin && !is_init_section(p->sec))
		check_code_kind(d, p);
	if (p->status != KELF_CHANGED || !is_init_section(p->sec))
		return;
	if (is_exit_section(p->sec))
		refuse(d, p->name,
		       "changed __exit function (section %s): it runs only "
		       "when its module is unloaded (in vmlinux __exit code "
		       "is discarded at link time and never runs), and "
		       "livepatch does not redirect it; leave the __exit "
		       "function as it is and make the change in a run-time "
		       "function that it calls (a changed callee is patched)",
		       p->sec->name);
	else
		refuse(d, p->name,
		       "changed __init function (section %s): init code has "
		       "already run and has been freed, so a livepatch cannot "
		       "change it; leave the __init function as it is and "
		       "make the change where its effect is used at run time "
		       "(or in a KPATCH_*_CALLBACK)", p->sec->name);
}

/* Changed init or exit data: read by code that does not run again. */
static void check_init_data(struct diff *d, struct kelf_symbol *p)
{
	if (is_exit_section(p->sec))
		refuse(d, p->name, "changed __exit data (section %s): only "
		       "__exit code reads it, when its module is unloaded, "
		       "and a livepatch cannot change that code; keep the "
		       "data as it is", p->sec->name);
	else
		refuse(d, p->name, "changed __initdata/__initconst object "
		       "(section %s, first difference at offset %ld): init "
		       "code read it at boot, and the kernel has freed it, so "
		       "the change would never take effect; keep the data as "
		       "it is and make the change where its effect is used at "
		       "run time (or in a KPATCH_*_CALLBACK)", p->sec->name,
		       symbol_diff_offset(d, p));
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
	if (is_loader_table(p->sec) || is_ignored_section(p->sec) ||
	    (p->status != KELF_CHANGED && !moved(p)) ||
	    is_printk_index_data(d->patched, p))
		return;	/* loader-tables.c, printk-index.c */
	if (moved(p)) {
		check_moved(d, p);
		return;
	}
	if (is_init_section(p->sec)) {
		check_init_data(d, p);
		return;
	}
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
