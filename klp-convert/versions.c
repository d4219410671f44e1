// SPDX-License-Identifier: GPL-2.0
/*
 * With CONFIG_MODVERSIONS the loader compares the CRC that the module's
 * __versions section records for each symbol it uses with the running
 * kernel's.  kbuild takes those CRCs from the Module.symvers of the tree the
 * module is built against; check that they are the target's, so a module
 * built against a tree that differs from the target is refused here rather
 * than by the loader ("disagrees about version of symbol").
 */
#include "klp.h"

#include <stdio.h>
#include <string.h>

/* struct modversion_info of the kernel: a CRC, then a NUL-padded name. */
#define MODVERSION_SIZE		64
#define MODVERSION_NAME_OFFSET	8

static int check_entry(const struct kelf *k, const unsigned char *e,
		       const struct symvers *sv, const char *symvers_path)
{
	char name[MODVERSION_SIZE - MODVERSION_NAME_OFFSET + 1];
	unsigned long crc, want;

	memcpy(&crc, e, sizeof(crc));
	memcpy(name, e + MODVERSION_NAME_OFFSET, sizeof(name) - 1);
	name[sizeof(name) - 1] = '\0';
	if (!symvers_crc(sv, name, &want)) {
		fprintf(stderr, "error: %s: __versions names %s, which %s does "
			"not export; build the livepatch against the target's "
			"tree and Module.symvers\n", k->path, name,
			symvers_path);
		return -1;
	}
	if ((crc & 0xffffffffUL) != (want & 0xffffffffUL)) {
		fprintf(stderr, "error: %s: symbol %s has CRC 0x%08lx in the "
			"module but 0x%08lx in the target's %s: the tree the "
			"module was built against is not the target's "
			"(different config or source); the kernel would refuse "
			"to load it\n", k->path, name, crc & 0xffffffffUL,
			want & 0xffffffffUL, symvers_path);
		return -1;
	}
	return 0;
}

int check_versions(const struct kelf *k, const struct symvers *sv,
		   const char *symvers_path)
{
	struct kelf_section *sec = kelf_find_section((struct kelf *)k,
						     "__versions");
	size_t off;
	int ret = 0;

	if (!sec || !sec->data)
		return 0;	/* built without MODVERSIONS */
	if (sec->size % MODVERSION_SIZE) {
		fprintf(stderr, "error: %s: __versions is %zu bytes, not a "
			"multiple of %d\n", k->path, sec->size,
			MODVERSION_SIZE);
		return -1;
	}
	for (off = 0; off < sec->size; off += MODVERSION_SIZE)
		ret |= check_entry(k, sec->data + off, sv, symvers_path);
	return ret;
}
