// SPDX-License-Identifier: GPL-2.0
/*
 * symvers: read Module.symvers into a hash table of name -> exporting module.
 */
#include "symvers.h"
#include "kelf.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define SYMVERS_BUCKETS	(1u << 15)

struct export {
	char *name;
	char *module;
	unsigned long crc;
	struct export *next;
};

struct symvers {
	struct export *hash[SYMVERS_BUCKETS];
};

static unsigned int hash_name(const char *s)
{
	return kelf_hash_name(s) % SYMVERS_BUCKETS;
}

static void add_export(struct symvers *sv, const char *name,
		       const char *module, unsigned long crc)
{
	struct export *e;
	unsigned int b = hash_name(name);

	for (e = sv->hash[b]; e; e = e->next)
		if (!strcmp(e->name, name))
			return;		/* keep the first, as modpost does */
	e = xmalloc(sizeof(*e));
	e->name = xstrdup(name);
	e->module = xstrdup(module);
	e->crc = crc;
	e->next = sv->hash[b];
	sv->hash[b] = e;
}

/* Split line at tabs into at most max fields; returns how many. */
static int split_tabs(char *line, char **field, int max)
{
	int n = 0;

	while (n < max) {
		field[n++] = line;
		line = strchr(line, '\t');
		if (!line)
			break;
		*line++ = '\0';
	}
	return n;
}

static int parse_line(struct symvers *sv, const char *path, size_t lineno,
		      char *line)
{
	char *field[5];
	int n;

	line[strcspn(line, "\r\n")] = '\0';
	if (!line[0])
		return 0;
	n = split_tabs(line, field, 5);
	if (n < 4 || !field[1][0] || !field[2][0]) {
		fprintf(stderr, "error: %s:%zu: not a Module.symvers line "
			"(expected CRC, name, module and export type separated "
			"by tabs); is this the Module.symvers of the target "
			"kernel's build?\n", path, lineno);
		return -1;
	}
	add_export(sv, field[1], field[2], strtoul(field[0], NULL, 16));
	return 0;
}

struct symvers *symvers_load(const char *path)
{
	struct symvers *sv;
	char *line = NULL;
	size_t cap = 0, lineno = 0;
	FILE *f;
	int ret = 0;

	f = fopen(path, "r");
	if (!f) {
		fprintf(stderr, "error: %s: cannot open Module.symvers: %s\n",
			path, strerror(errno));
		return NULL;
	}
	sv = xcalloc(1, sizeof(*sv));
	while (!ret && getline(&line, &cap, f) >= 0)
		ret = parse_line(sv, path, ++lineno, line);
	if (!ret && ferror(f)) {
		fprintf(stderr, "error: %s: cannot read: %s\n", path,
			strerror(errno));
		ret = -1;
	}
	free(line);
	fclose(f);
	if (ret) {
		symvers_free(sv);
		return NULL;
	}
	return sv;
}

bool symvers_crc(const struct symvers *sv, const char *name,
		 unsigned long *crc)
{
	const struct export *e;

	for (e = sv->hash[hash_name(name)]; e; e = e->next) {
		if (!strcmp(e->name, name)) {
			*crc = e->crc;
			return true;
		}
	}
	return false;
}

const char *symvers_module(const struct symvers *sv, const char *name)
{
	const struct export *e;

	for (e = sv->hash[hash_name(name)]; e; e = e->next)
		if (!strcmp(e->name, name))
			return e->module;
	return NULL;
}

char *symvers_objname(const char *module, char *buf, size_t len)
{
	const char *base = strrchr(module, '/');
	size_t i, n;

	base = base ? base + 1 : module;
	n = strlen(base);
	if (n >= 3 && !strcmp(base + n - 3, ".ko"))
		n -= 3;
	if (!n || n >= len)
		return NULL;
	for (i = 0; i < n; i++)
		buf[i] = base[i] == '-' ? '_' : base[i];
	buf[n] = '\0';
	return buf;
}

void symvers_free(struct symvers *sv)
{
	unsigned int i;

	if (!sv)
		return;
	for (i = 0; i < SYMVERS_BUCKETS; i++) {
		while (sv->hash[i]) {
			struct export *e = sv->hash[i];

			sv->hash[i] = e->next;
			free(e->name);
			free(e->module);
			free(e);
		}
	}
	free(sv);
}

void symvers_each(const struct symvers *sv,
		  void (*fn)(const char *name, const char *module,
			     unsigned long crc, void *arg),
		  void *arg)
{
	const struct export *e;
	unsigned int i;

	for (i = 0; i < SYMVERS_BUCKETS; i++)
		for (e = sv->hash[i]; e; e = e->next)
			fn(e->name, e->module, e->crc, arg);
}
