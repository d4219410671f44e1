/* SPDX-License-Identifier: GPL-2.0 */
/*
 * symvers: the exported symbols of a kernel build, read from its
 * Module.symvers ("CRC<TAB>NAME<TAB>MODULE<TAB>EXPORT_TYPE[<TAB>NAMESPACE]"
 * per line, as modpost writes it).
 */
#ifndef SYMVERS_H
#define SYMVERS_H

#include <stdbool.h>
#include <stddef.h>

struct symvers;

/* Prints one message naming the file (and line) and returns NULL on error. */
struct symvers *symvers_load(const char *path);
/*
 * The module that exports name as Module.symvers writes it ("vmlinux", or
 * the module's path in its build without .ko: "fs/foo-bar"), or NULL.
 */
const char *symvers_module(const struct symvers *sv, const char *name);
/*
 * The livepatch object name of such a module: "vmlinux", or the module's
 * name as the kernel knows it (its file name with '-' as '_': "foo_bar").
 * Returns buf, or NULL if it does not fit in len bytes.
 */
char *symvers_objname(const char *module, char *buf, size_t len);
/* The CRC Module.symvers gives name (0 without MODVERSIONS); false if absent. */
bool symvers_crc(const struct symvers *sv, const char *name,
		 unsigned long *crc);
/* Calls fn for every export, in no particular order. */
void symvers_each(const struct symvers *sv,
		  void (*fn)(const char *name, const char *module,
			     unsigned long crc, void *arg),
		  void *arg);
void symvers_free(struct symvers *sv);

#endif
