// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer target for one tool, chosen at compile time: FUZZ_CDO,
 * FUZZ_LOOKUP or FUZZ_KLP_CONVERT (see test/fuzz/README).
 *
 * One input holds the tool's input files, separated by the line
 * FUZZ_SEPARATOR:
 *
 *   create-diff-object  ORIG.o  PATCHED.o
 *   lookup              TARGET (vmlinux, System.map or MODULE.ko)
 *                       Module.symvers  ORIG.o  DIFF.o  [LINKED.o]
 *   klp-convert         IN.ko  Module.symvers
 *
 * They are written to a private directory and the tool's main() runs on
 * them in this process, as its command line would.  Besides what the
 * sanitizers and libFuzzer catch (crash, hang, leak, exit()), an object
 * that the tool writes with exit status 0 must load again with kelf_open():
 * a tool that accepts a corrupt input must not pass it on.
 */
#define _GNU_SOURCE		/* memmem */
#define main tool_main
#if defined(FUZZ_CDO)
#include "../../create-diff-object/main.c"
#elif defined(FUZZ_LOOKUP)
#include "../../lookup/main.c"
#elif defined(FUZZ_KLP_CONVERT)
#include "../../klp-convert/main.c"
#else
#error "define FUZZ_CDO, FUZZ_LOOKUP or FUZZ_KLP_CONVERT"
#endif
#undef main

#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define FUZZ_SEPARATOR	"\n--kpb-fuzz-next-file--\n"
#define MAX_PARTS	5
#define LEN(a)		(sizeof(a) / sizeof((a)[0]))

static char dir[64];
static FILE *out;	/* stderr, kept open when libFuzzer closes fd 2 */

static char *path_of(const char *name)
{
	static char buf[MAX_PARTS + 2][128];
	static unsigned int next;
	char *p = buf[next++ % LEN(buf)];

	snprintf(p, sizeof(buf[0]), "%s/%s", dir, name);
	return p;
}

static void write_file(const char *path, const uint8_t *data, size_t size)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);

	if (fd < 0 || (size && write(fd, data, size) != (ssize_t)size) ||
	    close(fd)) {
		perror(path);
		abort();
	}
}

/* Cuts data at the separators; returns how many parts (at most max). */
static size_t split(const uint8_t *data, size_t size, const uint8_t **part,
		    size_t *len, size_t max)
{
	const size_t seplen = sizeof(FUZZ_SEPARATOR) - 1;
	size_t n = 0;

	while (n < max) {
		const uint8_t *sep = n + 1 < max ?
			memmem(data, size, FUZZ_SEPARATOR, seplen) : NULL;

		part[n] = data;
		len[n++] = sep ? (size_t)(sep - data) : size;
		if (!sep)
			break;
		size -= sep - data + seplen;
		data = sep + seplen;
	}
	return n;
}

/* An object the tool wrote (exit status 0) must be one kelf reads. */
static void check_written(const char *path)
{
	struct kelf *k = kelf_open(path);

	if (!k) {
		fprintf(out, "fuzz: the tool wrote %s, which does not load "
			"again\n", path);
		fflush(out);
		abort();
	}
	kelf_close(k);
}

static int run_tool(int argc, char **argv)
{
	optind = 0;		/* glibc: start getopt afresh */
	return tool_main(argc, argv);
}

#if defined(FUZZ_CDO)
static const char *const names[] = { "orig.o", "patched.o" };

static void fuzz_one(void)
{
	char *argv[] = {
		"create-diff-object", "--prefix", "f",
		"--report", path_of("report"), "--json", path_of("report.json"),
		path_of("orig.o"), path_of("patched.o"), path_of("out.o"), NULL,
	};

	if (run_tool(LEN(argv) - 1, argv) == EXIT_CHANGED)
		check_written(path_of("out.o"));
	unlink(path_of("out.o"));
}
#elif defined(FUZZ_LOOKUP)
static const char *const names[] = {
	"target", "Module.symvers", "orig.o", "diff.o", "linked.o",
};

/* TARGET is a module if it is a relocatable ELF file. */
static bool input_is_module(const uint8_t *p, size_t n)
{
	return n > EI_NIDENT + 1 && !memcmp(p, ELFMAG, SELFMAG) &&
	       p[EI_NIDENT] == ET_REL;
}

static void fuzz_one(bool module, bool linked)
{
	char *argv[16];
	int argc = 0;

	argv[argc++] = "lookup";
	argv[argc++] = module ? "--module" : "--vmlinux";
	argv[argc++] = path_of("target");
	argv[argc++] = "--objname";
	argv[argc++] = module ? "fake_mod" : "vmlinux";
	argv[argc++] = "--symvers";
	argv[argc++] = path_of("Module.symvers");
	if (linked) {
		argv[argc++] = "--linked";
		argv[argc++] = path_of("linked.o");
	}
	argv[argc++] = path_of("orig.o");
	argv[argc++] = path_of("diff.o");
	argv[argc] = NULL;
	if (run_tool(argc, argv) == 0)
		check_written(path_of("diff.o"));
}
#else
static const char *const names[] = { "in.ko", "Module.symvers" };

static void fuzz_one(void)
{
	char *argv[] = {
		"klp-convert", "--symvers", path_of("Module.symvers"),
		path_of("in.ko"), path_of("out.ko"), NULL,
	};

	if (run_tool(LEN(argv) - 1, argv) == 0)
		check_written(path_of("out.ko"));
	unlink(path_of("out.ko"));
}
#endif

static void remove_dir(void)
{
	size_t i;

	for (i = 0; i < LEN(names); i++)
		unlink(path_of(names[i]));
	unlink(path_of("report"));
	unlink(path_of("report.json"));
	rmdir(dir);
}

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	const char *tmp = getenv("TMPDIR");

	(void)argc;
	(void)argv;
	out = fdopen(dup(2), "w");
	if (!out)
		abort();
	snprintf(dir, sizeof(dir), "%s/kpb-fuzz.XXXXXX", tmp ? tmp : "/tmp");
	if (!mkdtemp(dir)) {
		perror(dir);
		abort();
	}
	atexit(remove_dir);
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const uint8_t *part[MAX_PARTS];
	size_t len[MAX_PARTS], i, n;

	n = split(data, size, part, len, LEN(names));
	for (i = 0; i < LEN(names); i++)
		write_file(path_of(names[i]), i < n ? part[i] : NULL,
			   i < n ? len[i] : 0);
#if defined(FUZZ_LOOKUP)
	fuzz_one(input_is_module(part[0], len[0]), n > 4 && len[4]);
#else
	fuzz_one();
#endif
	return 0;
}
