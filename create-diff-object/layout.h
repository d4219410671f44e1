/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The layout check's parts (layout.c, layout-compare.c): the DWARF of one
 * struct, union or enum in the original and in the patched object, compared.
 */
#ifndef LAYOUT_H
#define LAYOUT_H

#include <elfutils/libdw.h>

/*
 * How the definition p (patched object) differs from o (original) in what
 * existing objects have: size, members' names, offsets, bit sizes and
 * types, enumerators' values.  A malloc'ed text ("member 'x' moved from
 * offset 24 to 16; size 96 -> 88"), or NULL when the layouts are the same.
 */
char *layout_difference(Dwarf_Die *o, Dwarf_Die *p);

/* The DIE that DIE's attribute ATTR refers to, in *buf; NULL if none. */
Dwarf_Die *layout_ref(Dwarf_Die *die, int attr, Dwarf_Die *buf);

/* "struct", "union", "enum" for their DW_TAG_*, else NULL. */
const char *layout_kind(int tag);

#endif
