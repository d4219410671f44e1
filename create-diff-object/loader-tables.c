// SPDX-License-Identifier: GPL-2.0
/*
 * Tables that only the kernel's link, its boot or its module loader read,
 * and that a livepatch module cannot carry: the running kernel read
 * vmlinux's copy once (at boot, at device discovery) and never reads the
 * livepatch module's.  Nothing a patch changes in them may vanish
 * silently: every entry of the original and of the patched object is
 * compared, by what it says and what its relocations point at (never by
 * its offset), and each new, removed or changed entry is refused when it
 * is (part of) the fix, or named in a "dropped" report line and a warning
 * when the running kernel does not miss it.
 *
 * This table is the one place that lists them (glob(7) patterns of section
 * names; Linux 6.1 and 6.12, x86_64).  An entry is named by its symbol when
 * the table's entries are C objects (__setup_NAME, __param_NAME), else by
 * what its first relocation points at (the hook, the initcall, the
 * exported symbol).
 */
#include "cdo.h"

#include <fnmatch.h>
#include <stdlib.h>
#include <string.h>

enum policy { REFUSE, WARN };

#define WHOLE	(~0u)

struct loader_table {
	const char *pattern;	/* section names, a glob(7) pattern */
	/*
	 * relocations per entry for tables written in asm (no symbols);
	 * 0: one entry per relocation, ending after it (variable length);
	 * WHOLE: the section is one entry (6.1's "___ksymtab+NAME": 3
	 * relocations from C, 2 from assembly)
	 */
	unsigned int relocs;
	const char *what;
	const char *why;	/* why the livepatch module cannot carry it */
	enum policy added, removed, changed;
};

#define BOOT	"the kernel ran it at boot, and the livepatch module's " \
		"copy is never read"

#define TRACE_DEFS	"create-diff-object does not carry new tracepoint " \
		"or trace event definitions; use the kernel's tracepoints, " \
		"or trace_printk() while debugging"

/* Read once, at boot: every new, removed or changed entry is refused. */
#define BOOT_ONLY(pattern, relocs, what) \
	{ pattern, relocs, what, BOOT, REFUSE, REFUSE, REFUSE }
#define TRACE_DEF(pattern, relocs, what) \
	{ pattern, relocs, what, TRACE_DEFS, REFUSE, WARN, REFUSE }

static const struct loader_table tables[] = {
	{ ".pci_fixup_*", 1, "PCI quirk (DECLARE_PCI_FIXUP_*)",
	  "the PCI core applies only vmlinux's quirk tables (at device "
	  "discovery, enable, resume): a module's are never read; apply the "
	  "quirk to the devices present from a KPATCH_POST_PATCH_CALLBACK, "
	  "or ship it in a kernel update", REFUSE, REFUSE, REFUSE },
	{ "___ksymtab*", WHOLE, "export (EXPORT_SYMBOL*)",
	  "the kernel's exports are vmlinux's, fixed at link time; a "
	  "livepatch does not add, remove or change one (nothing outside "
	  "the patch uses a new one yet): the symbol stays as the running "
	  "kernel has it", WARN, WARN, WARN },
	{ ".export_symbol", 0, "export (EXPORT_SYMBOL*)",
	  "the kernel's exports are vmlinux's, fixed at link time (modpost "
	  "reads this section); a livepatch does not add, remove or change "
	  "one: the symbol stays as the running kernel has it", WARN, WARN,
	  WARN },
	{ "__param", 3, "module parameter (module_param*)",
	  "the kernel parsed it from the command line at boot and made its "
	  "/sys/module/*/parameters file then; the livepatch module's "
	  "__param would be a parameter of the livepatch module; keep the "
	  "parameter as it is (a KPATCH_PRE_PATCH_CALLBACK can change the "
	  "variable)", REFUSE, REFUSE, REFUSE },
	{ "__modver", 2, "module version (MODULE_VERSION)",
	  "sysfs shows the version the kernel registered at boot", WARN, WARN,
	  WARN },
	{ ".initcall*", 1, "initcall", BOOT " (a changed level or function "
	  "would never run); do the work in a KPATCH_POST_PATCH_CALLBACK",
	  REFUSE, REFUSE, REFUSE },
	BOOT_ONLY(".con_initcall.init", 1,
		  "console initcall (console_initcall)"),
	{ ".init.setup", 2, "boot parameter (__setup, early_param)",
	  "the kernel parsed the command line at boot, and the livepatch "
	  "module's table is never read; read the value another way (sysfs, "
	  "a KPATCH_PRE_PATCH_CALLBACK)", REFUSE, REFUSE, REFUSE },
	BOOT_ONLY(".init_array*", 1, "constructor (.init_array)"),
	BOOT_ONLY(".ctors*", 1, "constructor (.ctors)"),
	BOOT_ONLY(".x86_cpu_dev.init", 1,
		  "CPU vendor driver (cpu_dev_register)"),
	BOOT_ONLY(".apicdrivers", 1, "APIC driver (apic_driver)"),
	BOOT_ONLY(".lsm_info.init", 2, "security module (DEFINE_LSM)"),
	BOOT_ONLY(".early_lsm_info.init", 2,
		  "security module (DEFINE_EARLY_LSM)"),
	BOOT_ONLY("__earlycon_table", 2, "early console (EARLYCON_DECLARE)"),
	BOOT_ONLY("__*_of_table", 1, "device tree early driver (*_OF_DECLARE)"),
	BOOT_ONLY("__*_acpi_probe_table", 1,
		  "ACPI early driver (ACPI_DECLARE_PROBE_ENTRY)"),
	BOOT_ONLY("__*_thermal_table", 1, "thermal governor (THERMAL_TABLE)"),
	TRACE_DEF("__tracepoints_ptrs", 1,
		  "tracepoint definition (DEFINE_TRACE)"),
	TRACE_DEF("_ftrace_events", 1, "trace event definition (TRACE_EVENT)"),
	TRACE_DEF("_ftrace_eval_map", 1,
		  "trace event enum map (TRACE_DEFINE_ENUM)"),
	TRACE_DEF("__bpf_raw_tp_map", 2, "BPF raw tracepoint (TRACE_EVENT)"),
	{ "_kprobe_blacklist", 1, "kprobe blacklist entry (NOKPROBE_SYMBOL)",
	  "the kernel's blacklist is made from vmlinux's table at boot; "
	  "the livepatch module's copy of the function would not be on it; "
	  "keep the function as it is", REFUSE, WARN, REFUSE },
	{ "_error_injection_whitelist", 1,
	  "error injection entry (ALLOW_ERROR_INJECTION)",
	  "the kernel's list is made from vmlinux's table at boot", WARN, WARN,
	  WARN },
};

/* One entry of a table, in one object. */
struct lentry {
	const struct loader_table *row;
	const char *sec;
	char *id;		/* what names it */
	char *key;		/* everything it says */
	bool matched;
};

struct lentries {
	struct lentry *list;
	size_t nr, alloc;
};

static const struct loader_table *table_of(const struct kelf_section *sec)
{
	size_t i;

	if (kelf_is_rela(sec))
		return NULL;
	for (i = 0; i < ARRAY_SIZE(tables); i++)
		if (!fnmatch(tables[i].pattern, sec->name, 0))
			return &tables[i];
	return NULL;
}

bool is_loader_table(const struct kelf_section *sec)
{
	return table_of(sec);
}

/* The name of what a relocation points at, as the original object says. */
static void describe(FILE *f, struct kelf *k, bool patched,
		     const struct kelf_rela *r, bool content)
{
	const struct kelf_symbol *s;
	const char *str;
	struct target t;
	size_t i;

	rela_target(k, r, &t);
	if (t.sym) {
		s = patched && t.sym->twin ? t.sym->twin : t.sym;
		fprintf(f, "%s%+ld", s->name, t.addend);
		/* read-only data (a __setup string) says what it holds */
		if (!content || !is_data(t.sym) || !t.sym->sec->data ||
		    (t.sym->sec->sh.sh_flags & SHF_WRITE) ||
		    t.sym->sym.st_value + t.sym->sym.st_size > t.sym->sec->size)
			return;
		fputc('=', f);
		for (i = 0; i < t.sym->sym.st_size && i < 256; i++)
			fprintf(f, "%02x", t.sym->sec->data[t.sym->sym.st_value
							    + i]);
		return;
	}
	str = target_string(&t);
	if (str)
		fprintf(f, "\"%s\"", str);
	else if (t.sec)
		fprintf(f, "%s%+ld", patched && t.sec->twin ?
			t.sec->twin->name : t.sec->name, t.addend);
}

/* The bytes of [start, end) of sec and what its relocations point at. */
static char *entry_key(struct kelf *k, bool patched,
		       const struct kelf_section *sec, unsigned long start,
		       unsigned long end)
{
	const struct kelf_rela *r;
	char *buf = NULL;
	size_t len, i;
	FILE *f = open_memstream(&buf, &len);

	if (!f)
		return xstrdup("");
	fprintf(f, "%s:", sec->name);
	for (i = start; sec->data && i < end && i < sec->size; i++)
		fprintf(f, "%02x", sec->data[i]);
	kelf_for_each_rela_in(r, sec, start, end, i) {
		fprintf(f, " @%lu:%u:", r->offset - start, r->type);
		describe(f, k, patched, r, true);
	}
	fclose(f);
	return buf;
}

/* The name of the first relocation's target in [start, end). */
static char *entry_id(struct kelf *k, bool patched,
		      const struct kelf_section *sec, unsigned long start,
		      unsigned long end)
{
	const struct kelf_rela *first = NULL, *r;
	char *buf = NULL;
	size_t len, i;
	FILE *f;

	kelf_for_each_rela_in(r, sec, start, end, i)
		if (!first || r->offset < first->offset)
			first = r;
	f = open_memstream(&buf, &len);
	if (!f)
		return xstrdup("?");
	if (first) {
		struct target t;

		rela_target(k, first, &t);
		if (t.sym)
			fputs(patched && t.sym->twin ? t.sym->twin->name :
			      t.sym->name, f);
		else
			describe(f, k, patched, first, false);
	} else {
		fprintf(f, "%s+0x%lx", sec->name, start);
	}
	fclose(f);
	return buf;
}

static void add_entry(struct lentries *l, const struct loader_table *row,
		      const struct kelf_section *sec, char *id, char *key)
{
	if (l->nr == l->alloc) {
		l->alloc = l->alloc ? 2 * l->alloc : 64;
		l->list = xrealloc(l->list, l->alloc * sizeof(*l->list));
	}
	l->list[l->nr++] = (struct lentry){ row, sec->name, id, key, false };
}

/* Entries that are C objects: one per sized OBJECT symbol. */
static bool split_by_symbols(struct kelf *k, bool patched,
			     const struct loader_table *row,
			     struct kelf_section *sec, struct lentries *l)
{
	size_t i, n = 0;

	for (i = 0; i < sec->nr_syms; i++) {
		const struct kelf_symbol *s = sec->syms[i];
		unsigned long start = s->sym.st_value;

		if (!is_data(s) || !s->sym.st_size)
			continue;
		add_entry(l, row, sec, xstrdup(patched && s->twin ?
					       s->twin->name : s->name),
			  entry_key(k, patched, sec, start,
				    start + s->sym.st_size));
		n++;
	}
	return n;
}

/* Entries of one size, row->relocs relocations each, at like offsets. */
static int split_fixed(struct diff *d, struct kelf *k, bool patched,
		       const struct loader_table *row,
		       struct kelf_section *sec, struct lentries *l)
{
	size_t nr = sec->rela ? sec->rela->nr_relas : 0, count, size, i, bad;

	if (!nr)
		return 0;
	count = nr / row->relocs;
	size = count ? sec->size / count : 0;
	if (nr % row->relocs || !size || sec->size % count ||
	    !entries_alike(sec, size, count, row->relocs, NULL, &bad)) {
		refuse_unforceable(d, sec->name, "cannot split section %s of "
			"%s (%zu bytes, %zu relocations, %u per %s entry) into "
			"entries that all have their relocations at the same "
			"offsets; create-diff-object cannot tell which entries "
			"the patch adds or removes; please report this with "
			"the patch", sec->name, k->path, sec->size, nr,
			row->relocs, row->what);
		return -1;
	}
	for (i = 0; i < count; i++)
		add_entry(l, row, sec, entry_id(k, patched, sec, i * size,
						(i + 1) * size),
			  entry_key(k, patched, sec, i * size, (i + 1) * size));
	return 0;
}

static unsigned long rela_end(const struct kelf_rela *r)
{
	return r->offset + (r->type == R_X86_64_64 ||
			    r->type == R_X86_64_PC64 ? 8 : 4);
}

/* Where the record that ends with relocation r starts: after the last one. */
static unsigned long record_start(const struct kelf_section *sec,
				  const struct kelf_rela *r)
{
	unsigned long start = 0;
	size_t i;

	for (i = 0; i < sec->rela->nr_relas; i++) {
		const struct kelf_rela *o = &sec->rela->relas[i];

		if (o->offset < r->offset && rela_end(o) > start)
			start = rela_end(o);
	}
	return start;
}

/* Records of any length, each ending with its one relocation (6.12). */
static void split_by_relocs(struct kelf *k, bool patched,
			    const struct loader_table *row,
			    struct kelf_section *sec, struct lentries *l)
{
	size_t i;

	for (i = 0; sec->rela && i < sec->rela->nr_relas; i++) {
		const struct kelf_rela *r = &sec->rela->relas[i];

		add_entry(l, row, sec,
			  entry_id(k, patched, sec, r->offset, rela_end(r)),
			  entry_key(k, patched, sec, record_start(sec, r),
				    rela_end(r)));
	}
}

static int collect(struct diff *d, struct kelf *k, bool patched,
		   struct lentries *l)
{
	size_t i;
	int ret = 0;

	for (i = 1; i < k->nr_secs; i++) {
		struct kelf_section *sec = k->secs[i];
		const struct loader_table *row = table_of(sec);

		if (!row || split_by_symbols(k, patched, row, sec, l))
			continue;
		if (row->relocs == WHOLE)
			add_entry(l, row, sec, entry_id(k, patched, sec, 0,
							sec->size),
				  entry_key(k, patched, sec, 0, sec->size));
		else if (!row->relocs)
			split_by_relocs(k, patched, row, sec, l);
		else if (split_fixed(d, k, patched, row, sec, l))
			ret = -1;
	}
	return ret;
}

static struct lentry *find(struct lentries *l, const struct lentry *e,
			   bool by_key)
{
	size_t i;

	for (i = 0; i < l->nr; i++) {
		struct lentry *o = &l->list[i];

		if (o->matched || o->row->what != e->row->what)
			continue;
		if (by_key ? !strcmp(o->key, e->key) : !strcmp(o->id, e->id))
			return o;
	}
	return NULL;
}

static void tell(struct diff *d, enum policy p, const char *verb,
		 const struct lentry *e, const struct lentry *was)
{
	char where[256] = "";

	if (was && strcmp(was->sec, e->sec))
		snprintf(where, sizeof(where), " (was in %s)", was->sec);
	if (p == REFUSE)
		refuse(d, e->id, "%s %s in section %s%s: %s", verb,
		       e->row->what, e->sec, where, e->row->why);
	else
		warn_dropped(d, e->id, "%s %s in section %s%s: not carried: %s",
			     verb, e->row->what, e->sec, where, e->row->why);
}

static void compare_entries(struct diff *d, struct lentries *o,
			    struct lentries *p)
{
	struct lentry *e, *twin;
	size_t i;

	for (i = 0; i < p->nr; i++) {
		e = &p->list[i];
		twin = find(o, e, true);
		if (twin)
			e->matched = twin->matched = true;
	}
	for (i = 0; i < p->nr; i++) {
		e = &p->list[i];
		if (e->matched)
			continue;
		twin = find(o, e, false);
		e->matched = true;
		if (twin)
			twin->matched = true;
		tell(d, twin ? e->row->changed : e->row->added,
		     twin ? "changed" : "new", e, twin);
	}
	for (i = 0; i < o->nr; i++)
		if (!o->list[i].matched)
			tell(d, o->list[i].row->removed, "removed",
			     &o->list[i], NULL);
}

static void free_entries(struct lentries *l)
{
	size_t i;

	for (i = 0; i < l->nr; i++) {
		free(l->list[i].id);
		free(l->list[i].key);
	}
	free(l->list);
}

void check_loader_tables(struct diff *d)
{
	struct lentries o = { 0 }, p = { 0 };

	if (!collect(d, d->orig, false, &o) &&
	    !collect(d, d->patched, true, &p))
		compare_entries(d, &o, &p);
	free_entries(&o);
	free_entries(&p);
}
