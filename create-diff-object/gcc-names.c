// SPDX-License-Identifier: GPL-2.0
/*
 * The names GCC gives to what it makes of a function or a variable, and
 * what they say; every rule about them is here:
 *
 *   foo.isra.0, foo.constprop.1, foo.part.2   IPA clones of foo
 *   foo.cold, foo.part.2.cold                 the unlikely blocks of foo,
 *                                             moved out ("cold part")
 *   count.3                                   a static local variable, or
 *                                             an object GCC made (CSWTCH.7)
 *
 * The numbers (".N") change from build to build when the source around
 * them changes: canonical_name() drops them, so that correlate.c can pair
 * a renumbered clone, cold part or static local with its original.
 */
#include "cdo.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>

/* Whether s is all decimal digits (and not empty). */
static bool all_digits(const char *s)
{
	return *s && strspn(s, "0123456789") == strlen(s);
}

/* name without its ".N" components, in buf */
void canonical_name(const char *name, char *buf, size_t len)
{
	size_t o = 0;
	const char *p = name;

	while (*p && o + 1 < len) {
		if (*p == '.' && isdigit((unsigned char)p[1])) {
			const char *q = p + 1;

			while (isdigit((unsigned char)*q))
				q++;
			if (!*q || *q == '.') {
				p = q;
				continue;
			}
		}
		buf[o++] = *p++;
	}
	buf[o] = '\0';
}

bool has_number_suffix(const char *name)
{
	const char *dot = strrchr(name, '.');

	return dot && dot != name && all_digits(dot + 1);
}

bool is_numbered(const char *name, const char *prefix)
{
	size_t n = strlen(prefix);

	return !strncmp(name, prefix, n) && name[n] == '.' &&
	       all_digits(name + n + 1);
}

bool is_cold_part(const struct kelf_symbol *s)
{
	return is_function(s) && strstr(s->name, ".cold");
}

bool is_cold_part_of(const struct kelf_symbol *f,
		     const struct kelf_symbol *p)
{
	size_t n = strlen(p->name);

	return is_cold_part(f) && !strncmp(f->name, p->name, n) &&
	       !strncmp(f->name + n, ".cold", 5);
}

void base_name(const char *name, char *buf, size_t len)
{
	snprintf(buf, len, "%s", name);
	buf[strcspn(buf, ".")] = '\0';
}

void clone_origin(const char *name, char *buf, size_t len)
{
	static const char *const kinds[] = { ".isra.", ".constprop.",
					     ".part.", ".cold" };
	const char *first = NULL, *p;
	size_t i;

	for (i = 0; i < ARRAY_SIZE(kinds); i++) {
		p = strstr(name, kinds[i]);
		if (p && (!first || p < first))
			first = p;
	}
	buf[0] = '\0';
	if (first && first > name)
		snprintf(buf, len, "%s of %.*s",
			 strncmp(first, ".cold", 5) ? "clone" : "cold part",
			 (int)(first - name), name);
}
