// SPDX-License-Identifier: GPL-2.0
/*
 * A System.map as the target vmlinux, for a kernel whose vmlinux with its
 * symbol table is not at hand (a distribution's image without its -dbg
 * package's vmlinux).
 *
 * System.map is "nm -n vmlinux" less some symbols (scripts/mksysmap): one
 * "ADDRESS TYPE NAME" line per symbol, in address order, which is also
 * kallsyms' order, so positions are counted as for an ELF vmlinux.  What
 * it lacks are the STT_FILE groups: which object a static symbol comes from.
 * resolve.c tells same-named statics apart by their neighbours instead: the
 * linker keeps each object's functions (and its data) together, so the
 * right one is surrounded by other names the original object defines.
 */
#include "lookup.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* An ELF file starts with "\177ELF"; anything else is taken as a map. */
bool sysmap_detect(const char *path)
{
	char magic[4] = { 0 };
	FILE *f = fopen(path, "r");
	size_t n;

	if (!f)
		return false;		/* kelf_open reports it */
	n = fread(magic, 1, sizeof(magic), f);
	fclose(f);
	return n == sizeof(magic) && memcmp(magic, "\177ELF", 4);
}

/* Types kallsyms does not list: absolute, undefined, weak undefined, debug. */
static bool listed_type(char type)
{
	return !strchr("aAUwN", type);
}

static unsigned char bind_of(char type)
{
	if (type == 'W' || type == 'V')
		return STB_WEAK;
	return isupper((unsigned char)type) || type == 'u' ? STB_GLOBAL :
							     STB_LOCAL;
}

static char *read_all(const char *path, size_t *size)
{
	FILE *f = fopen(path, "r");
	char *buf = NULL;
	size_t len = 0, alloc = 0, n;

	if (!f) {
		fprintf(stderr, "error: %s: %s\n", path, strerror(errno));
		return NULL;
	}
	do {
		if (alloc - len < 65536) {
			alloc = alloc ? alloc * 2 : 1 << 20;
			buf = xrealloc(buf, alloc + 1);
		}
		n = fread(buf + len, 1, alloc - len, f);
		len += n;
	} while (n);
	if (ferror(f)) {
		fprintf(stderr, "error: %s: read error\n", path);
		fclose(f);
		free(buf);
		return NULL;
	}
	fclose(f);
	buf[len] = '\0';
	*size = len;
	return buf;
}

/* Splits one line "ADDRESS TYPE NAME" in place; -1 if it is not one. */
static int parse_line(char *line, unsigned long *addr, char *type,
		      const char **name)
{
	char *end, *p;

	errno = 0;
	*addr = strtoul(line, &end, 16);
	if (errno || end == line || *end != ' ' || !end[1] || end[2] != ' ')
		return -1;
	*type = end[1];
	p = end + 3;
	if (!*p || strchr(p, ' ') || strchr(p, '\t'))
		return -1;
	*name = p;
	return 0;
}

static int add_line(struct target *t, char *line, size_t lineno)
{
	struct tsym *ts;
	unsigned long addr;
	const char *name;
	char type;

	if (parse_line(line, &addr, &type, &name)) {
		fprintf(stderr, "error: %s: line %zu is not \"ADDRESS TYPE "
			"NAME\" (%.80s); is it a System.map? (Debian's image "
			"package ships a stub: the real one is in its -dbg "
			"package)\n", t->path, lineno, line);
		return -1;
	}
	if (!listed_type(type))
		return 0;
	ts = &t->syms[t->nr_syms];
	ts->name = name;
	ts->addr = addr;
	ts->index = t->nr_syms;		/* map order, for ties */
	ts->order = addr;
	ts->type = type;
	ts->bind = bind_of(type);
	ts->group = -1;
	t->nr_syms++;
	return 0;
}

static int cmp_addr(const void *a, const void *b)
{
	const struct tsym *x = *(const struct tsym *const *)a;
	const struct tsym *y = *(const struct tsym *const *)b;

	if (x->addr != y->addr)
		return x->addr < y->addr ? -1 : 1;
	return x->index < y->index ? -1 : x->index > y->index;
}

/* Fills t->syms (unsorted) from the map's lines. */
static int parse_map(struct target *t)
{
	char *p = t->map_text, *nl;
	size_t lines = 1, lineno = 0;

	for (nl = p; (nl = strchr(nl, '\n')); nl++)
		lines++;
	t->syms = xcalloc(lines, sizeof(*t->syms));
	while (*p) {
		nl = strchr(p, '\n');
		if (nl)
			*nl = '\0';
		lineno++;
		if (*p && add_line(t, p, lineno))
			return -1;
		if (!nl)
			break;
		p = nl + 1;
	}
	return 0;
}

/*
 * Loads the map into t: syms as symtab.c's (sorted by name, then address)
 * and by_addr, every symbol in address order with its rank there.
 */
int sysmap_load(struct target *t, const char *path)
{
	size_t i, size;

	t->path = path;
	t->map_text = read_all(path, &size);
	if (!t->map_text || parse_map(t))
		return -1;
	if (!t->nr_syms) {
		fprintf(stderr, "error: %s: no symbols in this System.map\n",
			path);
		return -1;
	}
	t->by_addr = xcalloc(t->nr_syms, sizeof(*t->by_addr));
	for (i = 0; i < t->nr_syms; i++)
		t->by_addr[i] = &t->syms[i];
	qsort(t->by_addr, t->nr_syms, sizeof(*t->by_addr), cmp_addr);
	/* by_addr points into syms, which are sorted by name next: keep the
	 * address order as a rank, and rebuild by_addr after that sort */
	for (i = 0; i < t->nr_syms; i++)
		((struct tsym *)t->by_addr[i])->rank = i;
	return 0;
}

/* After t->syms is sorted by name: by_addr from the ranks. */
void sysmap_index(struct target *t)
{
	size_t i;

	for (i = 0; i < t->nr_syms; i++)
		t->by_addr[t->syms[i].rank] = &t->syms[i];
}

void sysmap_free(struct target *t)
{
	free(t->by_addr);
	free(t->map_text);
}
