// SPDX-License-Identifier: GPL-2.0
/*
 * lookup --vmlinux VMLINUX --symvers Module.symvers [--objname vmlinux]
 *        [--linked OTHER.o ...] [--verbose] ORIG.o DIFF.o [ORIG.o DIFF.o ...]
 * lookup --module MODULE.ko [--module-debug DEBUG.ko] --objname MODNAME
 *        --symvers Module.symvers [--linked OTHER.o ...] [--verbose] ORIG.o DIFF.o [ORIG.o DIFF.o ...]
 *
 * Renames, in each DIFF.o (rewritten in place), the UNDEF symbols the module
 * loader cannot resolve to ".klp.sym.OBJNAME.NAME,POS", and prints one line
 * "func OBJNAME NAME SYMPOS ALIAS" per function the diff objects replace.
 * The pairs are the objects of one klp_object (vmlinux, or module MODNAME);
 * OTHER.o are the diff objects of the other klp_objects of the same livepatch
 * (read, not written): what they define, the livepatch module links.
 * DEBUG.ko is MODULE.ko before --strip-debug (a -dbg package's copy): its
 * STT_FILE symbols tell same-named statics of MODULE.ko apart.
 * --module-deps: a module's export that an entry of a section the loader
 * reads early refers to (a static key in __jump_table) stays a plain
 * reference: the livepatch module then depends on that module.
 * Nothing is written unless every name resolves.  See doc/PIPELINE.md.
 */
#include "lookup.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct opts {
	const char *vmlinux;
	const char *module;
	const char *module_debug;
	const char *symvers;
	const char *objname;
	bool verbose;
	bool module_deps;
	char **paths;		/* ORIG.o DIFF.o pairs */
	size_t nr_paths;
	char **linked;		/* --linked OTHER.o */
	size_t nr_linked;
};

static void usage(FILE *f)
{
	fprintf(f, "usage: lookup --vmlinux VMLINUX --symvers Module.symvers "
		"[--objname vmlinux] [--linked OTHER.o ...] [--module-deps] [--verbose] "
		"ORIG.o DIFF.o [ORIG.o DIFF.o ...]\n"
		"       lookup --module MODULE.ko [--module-debug DEBUG.ko] "
		"--objname MODNAME "
		"--symvers Module.symvers [--linked OTHER.o ...] [--module-deps] [--verbose] "
		"ORIG.o DIFF.o [ORIG.o DIFF.o ...]\n");
}

static int check_objname(const char *objname)
{
	if (!objname[0] || strchr(objname, '.') ||
	    strlen(objname) > KLP_OBJNAME_MAX) {
		fprintf(stderr, "error: --objname %s: the kernel reads object "
			"names of 1 to %d characters without '.' (vmlinux, "
			"or a module name as in /sys/module)\n", objname,
			KLP_OBJNAME_MAX);
		return -1;
	}
	return 0;
}

static int parse_args(int argc, char **argv, struct opts *o)
{
	static const struct option longopts[] = {
		{ "vmlinux", required_argument, NULL, 'v' },
		{ "module", required_argument, NULL, 'm' },
		{ "module-debug", required_argument, NULL, 'd' },
		{ "linked", required_argument, NULL, 'l' },
		{ "symvers", required_argument, NULL, 's' },
		{ "objname", required_argument, NULL, 'o' },
		{ "verbose", no_argument, NULL, 'V' },
		{ "module-deps", no_argument, NULL, 'D' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	int c;

	while ((c = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		switch (c) {
		case 'v':
			o->vmlinux = optarg;
			break;
		case 'm':
			o->module = optarg;
			break;
		case 'd':
			o->module_debug = optarg;
			break;
		case 'l':
			o->linked = xrealloc(o->linked, (o->nr_linked + 1) *
					     sizeof(*o->linked));
			o->linked[o->nr_linked++] = optarg;
			break;
		case 's':
			o->symvers = optarg;
			break;
		case 'o':
			o->objname = optarg;
			break;
		case 'V':
			o->verbose = true;
			break;
		case 'D':
			o->module_deps = true;
			break;
		case 'h':
			usage(stdout);
			exit(0);
		default:
			usage(stderr);
			return -1;
		}
	}
	o->paths = argv + optind;
	o->nr_paths = argc - optind;
	if (!o->vmlinux == !o->module || !o->symvers || !o->nr_paths ||
	    o->nr_paths % 2) {
		fprintf(stderr, "error: lookup needs one target (--vmlinux or "
			"--module), --symvers and pairs of objects ORIG.o "
			"DIFF.o\n");
		usage(stderr);
		return -1;
	}
	if (check_objname(o->objname))
		return -1;
	if (o->module && !strcmp(o->objname, "vmlinux")) {
		fprintf(stderr, "error: --module %s needs --objname MODNAME, "
			"the module's name as in /sys/module\n", o->module);
		return -1;
	}
	if (o->vmlinux && strcmp(o->objname, "vmlinux")) {
		fprintf(stderr, "error: --objname %s is a module: give its .ko "
			"with --module, not --vmlinux\n", o->objname);
		return -1;
	}
	return 0;
}

static int load_linked(struct run *r, const struct opts *o)
{
	size_t i;

	r->linked = xcalloc(o->nr_linked, sizeof(*r->linked));
	for (i = 0; i < o->nr_linked; i++) {
		r->linked[i] = kelf_open(o->linked[i]);
		if (!r->linked[i])
			return -1;
		r->nr_linked++;
	}
	return 0;
}

static int load_pairs(struct run *r, const struct opts *o)
{
	size_t i;

	r->nr_pairs = o->nr_paths / 2;
	r->origs = xcalloc(r->nr_pairs, sizeof(*r->origs));
	r->diffs = xcalloc(r->nr_pairs, sizeof(*r->diffs));
	for (i = 0; i < r->nr_pairs; i++) {
		r->origs[i] = orig_load(o->paths[2 * i], r->t);
		if (!r->origs[i])
			return -1;
		r->diffs[i] = kelf_open(o->paths[2 * i + 1]);
		if (!r->diffs[i])
			return -1;
		if (r->diffs[i]->ehdr.e_type != ET_REL) {
			fprintf(stderr, "error: %s: not a relocatable object "
				"(create-diff-object output)\n",
				r->diffs[i]->path);
			return -1;
		}
	}
	return 0;
}

/* Renames in every diff object, then collects the func lines into *lines. */
static int resolve_all(struct run *r, char **lines)
{
	size_t i, size;
	FILE *out = open_memstream(lines, &size);
	int ret = 0;

	if (!out) {
		perror("error: open_memstream");
		return -1;
	}
	for (i = 0; i < r->nr_pairs; i++)
		if (rename_undefs(r, i))
			ret = -1;
	for (i = 0; !ret && i < r->nr_pairs; i++)
		if (print_funcs(r, i, out))
			ret = -1;
	fclose(out);
	return ret;
}

static int write_all(struct run *r)
{
	size_t i;

	for (i = 0; i < r->nr_pairs; i++)
		if (kelf_write(r->diffs[i], r->diffs[i]->path))
			return -1;
	return 0;
}

static void free_run(struct run *r)
{
	size_t i;

	for (i = 0; i < r->nr_pairs; i++) {
		if (r->origs)
			orig_free(r->origs[i]);
		if (r->diffs)
			kelf_close(r->diffs[i]);
	}
	for (i = 0; i < r->nr_linked; i++)
		kelf_close(r->linked[i]);
	free(r->linked);
	free(r->origs);
	free(r->diffs);
	symvers_free(r->sv);
	target_free(r->t);
}

int main(int argc, char **argv)
{
	struct opts o = { .objname = "vmlinux" };
	struct run r = { 0 };
	char *lines = NULL;
	int ret = 1;

	if (parse_args(argc, argv, &o))
		return 1;
	r.verbose = o.verbose;
	r.module_deps = o.module_deps;
	r.t = target_load(o.vmlinux ? o.vmlinux : o.module, o.objname);
	if (!r.t || (o.module_debug &&
		     target_adopt_debug(r.t, o.module_debug)))
		goto out;
	r.sv = symvers_load(o.symvers);
	if (!r.sv || load_linked(&r, &o) || load_pairs(&r, &o) ||
	    resolve_all(&r, &lines) || write_all(&r))
		goto out;
	fputs(lines, stdout);
	if (fflush(stdout)) {
		perror("error: lookup: writing the func lines");
		goto out;
	}
	ret = 0;
out:
	free(lines);
	free(o.linked);
	free_run(&r);
	return ret;
}
