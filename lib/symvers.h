/* SPDX-License-Identifier: GPL-2.0 */
/*
 * symvers: the exported symbols of a kernel build, read from its
 * Module.symvers ("CRC<TAB>NAME<TAB>MODULE<TAB>EXPORT_TYPE[<TAB>NAMESPACE]"
 * per line, as modpost writes it).
 */
#ifndef SYMVERS_H
#define SYMVERS_H

struct symvers;

/* Prints one message naming the file (and line) and returns NULL on error. */
struct symvers *symvers_load(const char *path);
/* The module that exports name ("vmlinux" or a module's name), or NULL. */
const char *symvers_module(const struct symvers *sv, const char *name);
void symvers_free(struct symvers *sv);

#endif
