// SPDX-License-Identifier: GPL-2.0
/*
 * Every message create-diff-object prints on stderr, in one form that names
 * the tool, the object and where in it:
 *
 *   create-diff-object: OBJ: error: WHERE: what, and what to do
 *   create-diff-object: OBJ: refused WHERE: what, and what to do
 *   create-diff-object: OBJ: warning: WHERE: what
 *
 * WHERE is a symbol or a section, "+0xOFFSET" after it when the spot is
 * known.  An error is the input's fault or the tool's (a malformed object,
 * a misused patch macro, a file that cannot be written): exit status 1.  A
 * refusal is a change that a livepatch cannot carry: exit status 2 (see
 * refuse() in check.c, which also writes the report line).
 */
#include "cdo.h"

#include <stdarg.h>

static const char *const kinds[] = {
	[DIAG_ERROR] = "error: ",
	[DIAG_REFUSED] = "refused ",
	[DIAG_WARNING] = "warning: ",
};

void vdiag(const char *obj, enum diag_kind kind, const char *where,
	   long offset, const char *fmt, va_list ap)
{
	fprintf(stderr, "create-diff-object: %s: %s", obj, kinds[kind]);
	if (where && offset >= 0)
		fprintf(stderr, "%s+0x%lx: ", where, offset);
	else if (where)
		fprintf(stderr, "%s: ", where);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
}

void diag_error(struct diff *d, const char *where, long offset,
		const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vdiag(d->objname, DIAG_ERROR, where, offset, fmt, ap);
	va_end(ap);
	d->nr_errors++;
}

void diag_warning(struct diff *d, const char *where, long offset,
		  const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vdiag(d->objname, DIAG_WARNING, where, offset, fmt, ap);
	va_end(ap);
}

void diag(const char *obj, enum diag_kind kind, const char *where,
	  long offset, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vdiag(obj, kind, where, offset, fmt, ap);
	va_end(ap);
}
