// SPDX-License-Identifier: GPL-2.0
/*
 * The report: one line per changed or new item, "KIND NAME [why]", for
 * people (kpatch-build shows it) and tests (see doc/PIPELINE.md), and with
 * --json the same lines as a JSON array of {"kind", "name", "why"} objects.
 *
 * Every pass writes its lines to d->report, which is a memory stream until
 * report_close() copies it to the report file and converts it to JSON, so
 * the two always say the same thing.
 *
 * With --manifest FILE, what kpatch-build's generator needs of this object
 * (doc/PIPELINE.md, "manifest"): one "callback ID KIND ENTRY" line per
 * callback, written by report_callback() with its report line.
 */
#define _GNU_SOURCE		/* vasprintf */
#include "cdo.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

static char *report_buf;
static size_t report_len;
static const char *report_path, *json_path, *manifest_path;
static FILE *manifest;

void report_manifest(const char *path)
{
	manifest_path = path;
}

int report_open(struct diff *d, const char *path, const char *json)
{
	report_path = path;
	json_path = json;
	if (manifest_path && !(manifest = fopen(manifest_path, "w"))) {
		diag(d, NULL, DIAG_ERROR, NULL, -1, "the manifest %s: %s",
		     manifest_path, strerror(errno));
		return -1;
	}
	d->report = open_memstream(&report_buf, &report_len);
	if (!d->report) {
		diag(d, NULL, DIAG_ERROR, NULL, -1, "the report: %s",
		     strerror(errno));
		if (manifest)
			fclose(manifest);
		manifest = NULL;
		return -1;
	}
	return 0;
}

/* Callback ENTRY of KIND, which calls function fn: report and manifest. */
void report_callback(struct diff *d, const char *fn, const char *kind,
		     const char *entry)
{
	report_item(d, "callback", fn, "%s %s", kind, entry);
	if (manifest)
		fprintf(manifest, "callback %s %s %s\n", d->prefix, kind, entry);
}

void report_vitem(struct diff *d, const char *kind, const char *name,
		  const char *fmt, va_list ap)
{
	char *why = NULL;

	if (fmt && vasprintf(&why, fmt, ap) < 0)
		why = NULL;
	fprintf(d->report, "%s %s%s%s\n", kind, name, why && *why ? " " : "",
		why ? why : "");
	free(why);
}

void report_item(struct diff *d, const char *kind, const char *name,
		 const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	report_vitem(d, kind, name, fmt, ap);
	va_end(ap);
}

static void report_function(struct diff *d, struct kelf_symbol *s)
{
	const struct symstate *st = sym_state(d, s);
	const char *sep;
	char from[256];

	clone_origin(s->name, from, sizeof(from));
	sep = from[0] ? ", " : "";
	if (s->status == KELF_CHANGED)
		report_item(d, "changed-function", s->name, "%s%s%s",
			    st->why ? st->why : "differs", sep, from);
	else if (is_cold_part(s))
		report_item(d, "new-function", s->name, "%s%s, copied with it",
			    st->copied ? "changed " : "", from);
	else if (st->copied)
		report_item(d, "new-function", s->name, "%s%s%s", st->why, sep,
			    from);
	else if (s->status == KELF_NEW)
		report_item(d, "new-function", s->name, "%s", from);
}

static void report_data(struct diff *d, struct kelf_symbol *s)
{
	const struct symstate *st = sym_state(d, s);

	if (report_dyndbg(d, s) || (is_constant(s) && !st->copied))
		return;	/* a constant is copied like a string literal */

	if (st->copied)
		report_item(d, "new-data", out_name(d, s), "%s", st->why);
	else if (s->status == KELF_NEW && strcmp(out_name(d, s), s->name))
		report_item(d, "new-data", out_name(d, s), "%s in the patched "
			    "object, renamed: the original's %s is another "
			    "variable", s->name, s->name);
	else if (s->status == KELF_NEW)
		report_item(d, "new-data", s->name, "%s", "");
}

static void report_symbol(struct diff *d, struct kelf_symbol *s)
{
	if (!s->include)
		return;
	if (is_function(s))
		report_function(d, s);
	else if (is_data(s))
		report_data(d, s);
}

void report(struct diff *d)
{
	size_t i;

	for (i = 1; i < d->patched->nr_syms; i++)
		report_symbol(d, d->patched->syms[i]);
}

static void json_string(FILE *f, const char *s, size_t len)
{
	size_t i;

	fputc('"', f);
	for (i = 0; i < len; i++) {
		unsigned char c = s[i];

		if (c == '"' || c == '\\')
			fprintf(f, "\\%c", c);
		else if (c == '\t')
			fputs("\\t", f);
		else if (c < 0x20)
			fprintf(f, "\\u%04x", c);
		else
			fputc(c, f);
	}
	fputc('"', f);
}

/* The word at *p (up to a space or end), and *p past it and its space. */
static size_t word(const char **p, const char *end)
{
	const char *sp = memchr(*p, ' ', end - *p);
	size_t len = (sp ? sp : end) - *p;

	*p = sp ? sp + 1 : end;
	return len;
}

/* One report line, "KIND NAME why...", as a JSON object. */
static void json_line(FILE *f, const char *line, size_t len, bool first)
{
	const char *p = line, *end = line + len, *name;
	size_t kind_len, name_len;

	kind_len = word(&p, end);
	name = p;
	name_len = word(&p, end);
	fputs(first ? "\n  {\"kind\": " : ",\n  {\"kind\": ", f);
	json_string(f, line, kind_len);
	fputs(", \"name\": ", f);
	json_string(f, name, name_len);
	fputs(", \"why\": ", f);
	json_string(f, p, end - p);
	fputc('}', f);
}

static int write_json(struct diff *d, const char *path)
{
	const char *p = report_buf, *end = report_buf + report_len, *nl;
	bool first = true;
	FILE *f = fopen(path, "w");

	if (!f) {
		diag(d, path, DIAG_ERROR, NULL, -1, "%s", strerror(errno));
		return -1;
	}
	fputc('[', f);
	for (; p < end; p = nl + 1) {
		nl = memchr(p, '\n', end - p);
		if (!nl)
			nl = end;
		if (nl > p) {
			json_line(f, p, nl - p, first);
			first = false;
		}
	}
	fputs(first ? "]\n" : "\n]\n", f);
	return fclose(f) ? -1 : 0;
}

/* Write the report (and its JSON) out; -1 if a file cannot be written. */
int report_close(struct diff *d)
{
	FILE *f = stdout;
	int ret = 0;

	if (!d->report)
		return 0;
	fclose(d->report);
	d->report = NULL;
	if (report_path)
		f = fopen(report_path, "w");
	if (!f) {
		diag(d, report_path, DIAG_ERROR, NULL, -1, "%s",
		     strerror(errno));
		ret = -1;
	} else {
		fwrite(report_buf, 1, report_len, f);
		if (f != stdout && fclose(f))
			ret = -1;
	}
	if (json_path && write_json(d, json_path))
		ret = -1;
	if (manifest && fclose(manifest)) {
		perror(manifest_path);
		ret = -1;
	}
	manifest = NULL;
	free(report_buf);
	return ret;
}
