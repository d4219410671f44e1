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
 * known; OBJ is the patched object unless another file is meant.  Errors
 * and refusals are counted here.  An error is the input's fault or the
 * tool's (a malformed object, a misused patch macro, a file that cannot be
 * written): exit status 1.  A refusal is a change that a livepatch cannot
 * carry: exit status 2 (refuse() in check.c also writes its report line).
 */
#include "cdo.h"

#include <stdarg.h>

static const char *const kinds[] = {
	[DIAG_ERROR] = "error: ",
	[DIAG_REFUSED] = "refused ",
	[DIAG_WARNING] = "warning: ",
};

void vdiag(struct diff *d, const char *obj, enum diag_kind kind,
	   const char *where, long offset, const char *fmt, va_list ap)
{
	fprintf(stderr, "create-diff-object: %s: %s", obj ? obj : d->objname,
		kinds[kind]);
	if (where && offset >= 0)
		fprintf(stderr, "%s+0x%lx: ", where, offset);
	else if (where)
		fprintf(stderr, "%s: ", where);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	if (kind == DIAG_ERROR)
		d->nr_errors++;
	else if (kind == DIAG_REFUSED)
		d->nr_refused++;
}

void diag(struct diff *d, const char *obj, enum diag_kind kind,
	  const char *where, long offset, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vdiag(d, obj, kind, where, offset, fmt, ap);
	va_end(ap);
}
