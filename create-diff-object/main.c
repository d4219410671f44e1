// SPDX-License-Identifier: GPL-2.0
/*
 * create-diff-object: compare an object built from the original source with
 * the same object built from the patched source, and write an object that
 * holds just what the patch needs.  See doc/PIPELINE.md.
 */
#include "cdo.h"

#include <getopt.h>
#include <stdlib.h>
#include <string.h>

static void usage(FILE *f)
{
	fprintf(f, "usage: create-diff-object [--prefix ID] [--report FILE] "
		"[--json FILE] [--manifest FILE] [--objtool-on-link]\n"
		"       ORIG.o PATCHED.o OUT.o\n"
		"--objtool-on-link: the kernel's kbuild runs objtool on the "
		"linked module (IBT, LTO):\n  objtool's tables are left out, "
		"it makes them again\n"
		"exit status: 0 changed (OUT.o written), 1 error, "
		"2 refused, 3 no change\n");
}

static int parse_args(int argc, char **argv, struct diff *d,
		      const char **report_path, const char **json_path)
{
	static const struct option opts[] = {
		{ "prefix", required_argument, NULL, 'p' },
		{ "report", required_argument, NULL, 'r' },
		{ "json", required_argument, NULL, 'j' },
		{ "manifest", required_argument, NULL, 'm' },
		{ "objtool-on-link", no_argument, NULL, 'O' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	int c;

	while ((c = getopt_long(argc, argv, "p:r:j:h", opts, NULL)) != -1) {
		switch (c) {
		case 'p':
			d->prefix = optarg;
			break;
		case 'r':
			*report_path = optarg;
			break;
		case 'j':
			*json_path = optarg;
			break;
		case 'm':
			report_manifest(optarg);
			break;
		case 'O':
			d->objtool_on_link = true;
			break;
		case 'h':
			usage(stdout);
			exit(0);
		default:
			usage(stderr);
			return -1;
		}
	}
	if (argc - optind != 3) {
		usage(stderr);
		return -1;
	}
	return 0;
}

/*
 * Whether the output replaces something: a changed function, or a
 * callback.  New functions alone (a renamed function whose callers are in
 * other files) would be a livepatch that patches nothing.
 */
static bool anything_changed(struct diff *d)
{
	size_t i;

	for (i = 1; i < d->patched->nr_syms; i++) {
		struct kelf_symbol *s = d->patched->syms[i];

		if (s->include && ((is_function(s) &&
				    s->status == KELF_CHANGED) ||
				   starts(s->name, KPB_CB_PREFIX)))
			return true;
	}
	return false;
}

/* An object as kbuild compiles it, or NULL (said why). */
static struct kelf *load(struct diff *d, const char *path)
{
	struct kelf *k = kelf_open(path);

	if (k && k->ehdr.e_type != ET_REL) {
		diag(d, path, DIAG_ERROR, NULL, -1, "e_type %u: not a relocatable "
		     "object (ET_REL)", k->ehdr.e_type);
		kelf_close(k);
		return NULL;
	}
	return k;
}

static void free_state(struct diff *d)
{
	size_t i;

	for (i = 0; d->state && i < d->patched->nr_syms; i++) {
		free(d->state[i].why);
		free(d->state[i].out_name);
	}
	free(d->state);
}

int main(int argc, char **argv)
{
	struct diff d = { .prefix = "0" };
	const char *report_path = NULL, *json_path = NULL;
	int ret = EXIT_ERROR;

	if (parse_args(argc, argv, &d, &report_path, &json_path))
		return EXIT_ERROR;
	d.objname = argv[optind + 1];
	if (report_open(&d, report_path, json_path))
		return EXIT_ERROR;
	d.orig = load(&d, argv[optind]);
	d.patched = load(&d, argv[optind + 1]);
	if (!d.orig || !d.patched)
		goto out;
	d.state = xcalloc(d.patched->nr_syms, sizeof(*d.state));

	correlate(&d);
	compare(&d);
	kpatch_macros_ignore(&d);
	propagate(&d);
	check(&d);
	check_layouts(&d);
	check_loader_tables(&d);
	check_ftrace_entries(&d);
	if (!d.nr_refused && !d.nr_errors) {
		kpatch_macros_select(&d);
		select_needed(&d);
		report_printk_index(&d);
	}
	if (d.nr_errors) {
		ret = EXIT_ERROR;
	} else if (d.nr_refused) {
		ret = EXIT_REFUSED;
	} else if (!anything_changed(&d)) {
		ret = EXIT_NO_CHANGE;
	} else if (!write_output(&d, argv[optind + 2])) {
		report(&d);
		ret = EXIT_CHANGED;
	}
out:
	free_state(&d);
	pcrel_free();
	kelf_close(d.out);
	kelf_close(d.patched);
	kelf_close(d.orig);
	if (report_close(&d) && ret != EXIT_ERROR)
		ret = EXIT_ERROR;
	return ret;
}
