// SPDX-License-Identifier: GPL-2.0
/*
 * The report: one line per changed or new item, "KIND NAME [why]", read by
 * people and by kpatch-build (see doc/PIPELINE.md).
 */
#include "cdo.h"

static void report_symbol(struct diff *d, struct kelf_symbol *s)
{
	if (!s->include)
		return;
	if (s->status == KELF_CHANGED && is_function(s)) {
		fprintf(d->report, "changed-function %s differs at offset "
			"0x%lx\n", s->name,
			(unsigned long)symbol_diff_offset(d, s));
	} else if (s->status == KELF_NEW && is_function(s)) {
		fprintf(d->report, "new-function %s\n", s->name);
	} else if (s->status == KELF_NEW && is_data(s)) {
		fprintf(d->report, "new-data %s\n", s->name);
	} else if (is_cold_part(s)) {
		fprintf(d->report, "new-function %s cold part, copied with "
			"its function\n", s->name);
	}
}

void report(struct diff *d)
{
	size_t i;

	for (i = 1; i < d->patched->nr_syms; i++)
		report_symbol(d, d->patched->syms[i]);
}
