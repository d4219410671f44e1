// SPDX-License-Identifier: GPL-2.0
/*
 * verify-target [--symvers Module.symvers] [--same-as OTHER] VMLINUX
 *
 * What kpatch-build compares between the target vmlinux and the tree it
 * builds the livepatch from (kpatch-build/verify-target.sh decides).  Only
 * the symbol table, the notes and the few bytes named below are read, so a
 * -dbg vmlinux of hundreds of megabytes is quick.  Prints, one per line:
 *
 *   banner TEXT            linux_banner ("Linux version RELEASE (...) ...")
 *   build-id HEX           its NT_GNU_BUILD_ID note
 *   crcs N                 the number of __crc_* symbols (CONFIG_MODVERSIONS)
 *   crc NAME VMLINUX SYMVERS
 *                          a vmlinux export whose CRC differs
 *   crc-only-vmlinux NAME CRC
 *                          a __crc_ symbol Module.symvers does not list
 *   crc-only-symvers NAME CRC
 *                          a vmlinux export of Module.symvers with a CRC
 *                          other than 0 that vmlinux has no __crc_ for
 *   other-build-id HEX     --same-as: OTHER's build id
 *   functions N ONLY ONLY_OTHER
 *                          --same-as: N function names once in each,
 *                          compared by size; how many are in one only
 *   function NAME SIZE OTHER_SIZE
 *                          one of them whose sizes differ
 *
 * A CRC is the value of an absolute __crc_ symbol (up to Linux 6.2) or the
 * 32-bit word at its address (6.3+, and kernels that backported that).
 * Exit status: 0 = facts printed, 1 = error (the file named).
 */
#include "kelf.h"
#include "symvers.h"

#include <errno.h>
#include <fcntl.h>
#include <gelf.h>
#include <getopt.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define CRC_PREFIX	"__crc_"

struct image {
	const char *path;
	int fd;
	Elf *elf;
	Elf_Data *symdata;
	size_t nr_syms;
	size_t strndx;		/* the symbol table's string table */
};

struct named {
	const char *name;
	unsigned long value;
	bool twice;		/* the name is there more than once */
};

static int image_open(struct image *im, const char *path)
{
	GElf_Ehdr eh;
	Elf_Scn *scn = NULL;

	im->path = path;
	im->fd = open(path, O_RDONLY);
	if (im->fd < 0) {
		fprintf(stderr, "error: %s: cannot open: %s\n", path,
			strerror(errno));
		return -1;
	}
	im->elf = elf_begin(im->fd, ELF_C_READ_MMAP, NULL);
	if (!im->elf || elf_kind(im->elf) != ELF_K_ELF ||
	    !gelf_getehdr(im->elf, &eh)) {
		fprintf(stderr, "error: %s: not an ELF file; give the target's "
			"vmlinux\n", path);
		return -1;
	}
	if (eh.e_type != ET_EXEC && eh.e_type != ET_DYN) {
		fprintf(stderr, "error: %s: not a linked kernel (ELF type %u); "
			"give the target's vmlinux\n", path, eh.e_type);
		return -1;
	}
	while ((scn = elf_nextscn(im->elf, scn))) {
		GElf_Shdr sh;

		if (!gelf_getshdr(scn, &sh) || sh.sh_type != SHT_SYMTAB ||
		    !sh.sh_entsize)
			continue;
		im->symdata = elf_getdata(scn, NULL);
		im->nr_syms = sh.sh_size / sh.sh_entsize;
		im->strndx = sh.sh_link;
		break;
	}
	if (!im->symdata) {
		fprintf(stderr, "error: %s: no symbol table (stripped?); give "
			"the unstripped vmlinux (Debian: the -dbg package's)\n",
			path);
		return -1;
	}
	return 0;
}

static void image_close(struct image *im)
{
	if (im->elf)
		elf_end(im->elf);
	if (im->fd >= 0)
		close(im->fd);
}

static const char *sym_name(const struct image *im, const GElf_Sym *s)
{
	const char *n = elf_strptr(im->elf, im->strndx, s->st_name);

	return n ? n : "";
}

/*
 * size bytes at address addr of section shndx, or NULL when they are not
 * in the file (NOBITS, out of range).
 */
static const unsigned char *bytes_at(const struct image *im, size_t shndx,
				     GElf_Addr addr, size_t size)
{
	Elf_Scn *scn = elf_getscn(im->elf, shndx);
	Elf_Data *d;
	GElf_Shdr sh;

	if (!scn || !gelf_getshdr(scn, &sh) || sh.sh_type == SHT_NOBITS ||
	    addr < sh.sh_addr || addr - sh.sh_addr + size > sh.sh_size)
		return NULL;
	d = elf_getdata(scn, NULL);
	if (!d || !d->d_buf || addr - sh.sh_addr + size > d->d_size)
		return NULL;
	return (const unsigned char *)d->d_buf + (addr - sh.sh_addr);
}

static void print_banner(const struct image *im, const GElf_Sym *s)
{
	const unsigned char *b = bytes_at(im, s->st_shndx, s->st_value,
					  s->st_size);
	size_t i;

	if (!b || !s->st_size)
		return;
	fputs("banner ", stdout);
	for (i = 0; i < s->st_size && b[i]; i++)
		putchar(b[i] < 0x20 || b[i] == 0x7f ? ' ' : b[i]);
	putchar('\n');
}

static void print_build_id(const struct image *im, const char *what)
{
	Elf_Scn *scn = NULL;

	while ((scn = elf_nextscn(im->elf, scn))) {
		GElf_Shdr sh;
		GElf_Nhdr nh;
		size_t off = 0, name_off, desc_off, i;
		Elf_Data *d;

		if (!gelf_getshdr(scn, &sh) || sh.sh_type != SHT_NOTE)
			continue;
		d = elf_getdata(scn, NULL);
		if (!d)
			continue;
		while ((off = gelf_getnote(d, off, &nh, &name_off, &desc_off))) {
			const unsigned char *desc =
				(unsigned char *)d->d_buf + desc_off;

			if (nh.n_type != NT_GNU_BUILD_ID || nh.n_namesz != 4 ||
			    memcmp((char *)d->d_buf + name_off, "GNU", 4))
				continue;
			printf("%s ", what);
			for (i = 0; i < nh.n_descsz; i++)
				printf("%02x", desc[i]);
			putchar('\n');
			return;
		}
	}
}

static int by_name(const void *a, const void *b)
{
	return strcmp(((const struct named *)a)->name,
		      ((const struct named *)b)->name);
}

static struct named *find(struct named *v, size_t n, const char *name)
{
	struct named key = { .name = name };

	return bsearch(&key, v, n, sizeof(*v), by_name);
}

/* Sorts v by name and marks the names that are there more than once. */
static void sort_named(struct named *v, size_t n)
{
	size_t i;

	qsort(v, n, sizeof(*v), by_name);
	for (i = 1; i < n; i++)
		if (!strcmp(v[i].name, v[i - 1].name))
			v[i].twice = v[i - 1].twice = true;
}

/*
 * The banner and, into crcs (names without the prefix), the CRC of every
 * __crc_ symbol; or, funcs set, the size of every named function.
 */
static size_t scan(const struct image *im, struct named **out, bool funcs)
{
	struct named *v = xcalloc(im->nr_syms ? im->nr_syms : 1, sizeof(*v));
	size_t i, n = 0;

	for (i = 1; i < im->nr_syms; i++) {
		const unsigned char *b;
		const char *name;
		GElf_Sym s;

		if (!gelf_getsym(im->symdata, (int)i, &s))
			continue;
		name = sym_name(im, &s);
		if (funcs) {
			if (GELF_ST_TYPE(s.st_info) != STT_FUNC || !name[0] ||
			    s.st_shndx == SHN_UNDEF)
				continue;
			v[n].name = name;
			v[n++].value = s.st_size;
			continue;
		}
		if (!strcmp(name, "linux_banner") &&
		    GELF_ST_TYPE(s.st_info) == STT_OBJECT)
			print_banner(im, &s);
		if (strncmp(name, CRC_PREFIX, strlen(CRC_PREFIX)) ||
		    s.st_shndx == SHN_UNDEF)
			continue;
		v[n].name = name + strlen(CRC_PREFIX);
		if (s.st_shndx == SHN_ABS) {
			v[n++].value = s.st_value & 0xffffffffu;
		} else if ((b = bytes_at(im, s.st_shndx, s.st_value, 4))) {
			v[n++].value = (uint32_t)b[0] | (uint32_t)b[1] << 8 |
				       (uint32_t)b[2] << 16 | (uint32_t)b[3] << 24;
		}
	}
	sort_named(v, n);
	*out = v;
	return n;
}

struct crc_check {
	struct named *crcs;
	size_t nr_crcs;
};

static void check_export(const char *name, const char *module,
			 unsigned long crc, void *arg)
{
	struct crc_check *c = arg;
	struct named *v;

	if (strcmp(module, "vmlinux"))
		return;
	v = find(c->crcs, c->nr_crcs, name);
	if (!v) {
		if (crc)
			printf("crc-only-symvers %s 0x%08lx\n", name, crc);
		return;
	}
	if (v->value != crc)
		printf("crc %s 0x%08lx 0x%08lx\n", name, v->value, crc);
}

static int check_crcs(struct named *crcs, size_t n, const char *path)
{
	struct symvers *sv = symvers_load(path);
	struct crc_check c = { .crcs = crcs, .nr_crcs = n };
	size_t i;

	if (!sv)
		return -1;
	symvers_each(sv, check_export, &c);
	for (i = 0; i < n; i++)
		if (!symvers_module(sv, crcs[i].name))
			printf("crc-only-vmlinux %s 0x%08lx\n", crcs[i].name,
			       crcs[i].value);
	symvers_free(sv);
	return 0;
}

/* The sizes of the functions whose names each file has once. */
static void compare_functions(const struct image *im, const struct image *other)
{
	struct named *a, *b, *m;
	size_t na, nb, i, same = 0, only_a = 0, only_b = 0;

	na = scan(im, &a, true);
	nb = scan(other, &b, true);
	for (i = 0; i < na; i++) {
		if (a[i].twice)
			continue;
		m = find(b, nb, a[i].name);
		if (!m) {
			only_a++;
			continue;
		}
		if (m->twice)
			continue;
		same++;
		if (m->value != a[i].value)
			printf("function %s %lu %lu\n", a[i].name, a[i].value,
			       m->value);
	}
	for (i = 0; i < nb; i++)
		if (!find(a, na, b[i].name))
			only_b++;
	printf("functions %zu %zu %zu\n", same, only_a, only_b);
	free(a);
	free(b);
}

static void usage(FILE *f)
{
	fprintf(f, "usage: verify-target [--symvers Module.symvers] "
		"[--same-as OTHER_VMLINUX] VMLINUX\n");
}

int main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "symvers", required_argument, NULL, 's' },
		{ "same-as", required_argument, NULL, 'a' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *symvers = NULL, *same_as = NULL;
	struct image im = { .fd = -1 }, other = { .fd = -1 };
	struct named *crcs;
	size_t n;
	int c, ret = 1;

	while ((c = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
		switch (c) {
		case 's':
			symvers = optarg;
			break;
		case 'a':
			same_as = optarg;
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 1;
		}
	}
	if (optind != argc - 1) {
		usage(stderr);
		return 1;
	}
	if (elf_version(EV_CURRENT) == EV_NONE) {
		fprintf(stderr, "error: libelf: %s\n", elf_errmsg(-1));
		return 1;
	}
	if (image_open(&im, argv[optind]))
		goto out;
	print_build_id(&im, "build-id");
	n = scan(&im, &crcs, false);
	printf("crcs %zu\n", n);
	if (symvers && check_crcs(crcs, n, symvers)) {
		free(crcs);
		goto out;
	}
	free(crcs);
	if (same_as) {
		if (image_open(&other, same_as))
			goto out;
		print_build_id(&other, "other-build-id");
		compare_functions(&im, &other);
	}
	ret = 0;
out:
	image_close(&im);
	image_close(&other);
	return ret;
}
