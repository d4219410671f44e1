// SPDX-License-Identifier: GPL-2.0
/*
 * Tables whose entry size is not written down but inferred from the object
 * (special.c, loader-tables.c): "N relocations per entry, so the section
 * has this many entries of this size" is only right when every entry has
 * its relocations at the same offsets.  A wrong split (two entries taken
 * for one, an entry cut in two) would keep or drop the wrong bytes: it is
 * checked here, and refused by the callers.
 */
#include "cdo.h"

#include <stdlib.h>
#include <string.h>

static void sort_offsets(unsigned long *o, size_t n)
{
	size_t i, j;

	for (i = 1; i < n; i++)
		for (j = i; j > 0 && o[j - 1] > o[j]; j--) {
			unsigned long tmp = o[j];

			o[j] = o[j - 1];
			o[j - 1] = tmp;
		}
}

/*
 * Whether the relocations of sec that "counts" selects (all: NULL) fall
 * per entries of "size" bytes, "per" in each, at the same offsets within
 * every entry.  If not, *bad is the first entry that differs.
 */
bool entries_alike(const struct kelf_section *sec, size_t size, size_t count,
		   size_t per, bool (*counts)(const struct kelf_rela *),
		   size_t *bad)
{
	const struct kelf_section *rela = sec->rela;
	unsigned long *off;
	size_t *fill, i, n;
	bool ok = true;

	*bad = 0;
	if (!size || !count || !per)
		return true;
	off = xcalloc(count * per, sizeof(*off));
	fill = xcalloc(count, sizeof(*fill));
	for (i = 0; rela && i < rela->nr_relas && ok; i++) {
		const struct kelf_rela *r = &rela->relas[i];

		if (counts && !counts(r))
			continue;
		n = r->offset / size;
		if (n >= count || fill[n] == per) {
			*bad = n < count ? n : count - 1;
			ok = false;
			break;
		}
		off[n * per + fill[n]++] = r->offset % size;
	}
	for (n = 0; ok && n < count; n++) {
		sort_offsets(off + n * per, fill[n]);
		if (fill[n] != per ||
		    (n && memcmp(off, off + n * per, per * sizeof(*off)))) {
			*bad = n;
			ok = false;
		}
	}
	free(fill);
	free(off);
	return ok;
}
