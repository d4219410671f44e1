// SPDX-License-Identifier: GPL-2.0
/*
 * klp-convert [--verbose] --symvers Module.symvers IN.ko OUT.ko
 *
 * Marks the module's ".klp.sym.OBJ.NAME,POS" symbols SHN_LIVEPATCH and moves
 * the relocations that refer to them into .klp.rela.OBJ.SEC sections, so
 * that livepatch, not the module loader, resolves and applies them.  Every
 * other undefined symbol must be exported.  See doc/PIPELINE.md.
 */
#include "klp.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct opts {
	const char *symvers;
	const char *in;
	const char *out;
	bool verbose;
};

static void usage(FILE *f)
{
	fprintf(f, "usage: klp-convert [--verbose] --symvers Module.symvers "
		"IN.ko OUT.ko\n");
}

static int parse_args(int argc, char **argv, struct opts *o)
{
	static const struct option longopts[] = {
		{ "symvers", required_argument, NULL, 's' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	int c;

	while ((c = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		switch (c) {
		case 's':
			o->symvers = optarg;
			break;
		case 'v':
			o->verbose = true;
			break;
		case 'h':
			usage(stdout);
			exit(0);
		default:
			usage(stderr);
			return -1;
		}
	}
	if (!o->symvers || argc - optind != 2) {
		fprintf(stderr, "error: klp-convert needs --symvers and the "
			"paths IN.ko OUT.ko\n");
		usage(stderr);
		return -1;
	}
	o->in = argv[optind];
	o->out = argv[optind + 1];
	return 0;
}

/* Whether .modinfo holds "livepatch=Y" (MODULE_INFO(livepatch, "Y")). */
static bool is_livepatch_module(struct kelf *k)
{
	struct kelf_section *sec = kelf_find_section(k, ".modinfo");
	size_t off = 0;

	if (!sec || !sec->data)
		return false;
	while (off < sec->size) {
		const char *s = (const char *)sec->data + off;
		size_t len = strnlen(s, sec->size - off);

		if (len < sec->size - off && !strcmp(s, "livepatch=Y"))
			return true;
		off += len + 1;
	}
	return false;
}

static int convert(struct kelf *k, const struct opts *o,
		   const struct symvers *sv)
{
	int nr_syms;
	long moved;

	nr_syms = mark_klp_symbols(k);
	if (nr_syms < 0 || check_undefs(k, sv, o->symvers) ||
	    check_versions(k, sv, o->symvers))
		return -1;
	if (nr_syms && !is_livepatch_module(k)) {
		fprintf(stderr, "error: %s: has livepatch symbols but no "
			"\"livepatch=Y\" in .modinfo, so the loader would not "
			"keep its symbol table for livepatch; add "
			"MODULE_INFO(livepatch, \"Y\") to the module\n",
			k->path);
		return -1;
	}
	drop_module_static_call_sites(k);
	drop_module_tracepoint_entries(k);
	moved = move_klp_relocs(k, o->verbose);
	if (moved == KLP_REFUSED)
		return KLP_REFUSED;
	if (moved < 0)
		return -1;
	if (o->verbose)
		fprintf(stderr, "klp-convert: %s: %d livepatch symbols, %ld "
			"relocations moved\n", k->path, nr_syms, moved);
	return 0;
}

int main(int argc, char **argv)
{
	struct opts o = { 0 };
	struct symvers *sv = NULL;
	struct kelf *k = NULL;
	int ret = 1;

	if (parse_args(argc, argv, &o))
		return 1;
	sv = symvers_load(o.symvers);
	if (!sv)
		goto out;
	k = kelf_open(o.in);
	if (!k)
		goto out;
	if (k->ehdr.e_type != ET_REL) {
		fprintf(stderr, "error: %s: not a kernel module (ET_REL); "
			"klp-convert takes the .ko that kbuild linked\n",
			o.in);
		goto out;
	}
	switch (convert(k, &o, sv)) {
	case 0:
		break;
	case KLP_REFUSED:
		ret = 2;	/* refused, as create-diff-object says it */
		goto out;
	default:
		goto out;
	}
	if (kelf_write(k, o.out))
		goto out;
	ret = 0;
out:
	free_klp_symbols(k);
	kelf_close(k);
	symvers_free(sv);
	return ret;
}
