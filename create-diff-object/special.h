/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The special-section table of special.c, shared with special-compare.c.
 */
#ifndef SPECIAL_H
#define SPECIAL_H

#include "cdo.h"

enum special_kind { SPECIAL_ENTRIES, SPECIAL_PIECES };

/* Bytes of an entry, for entries of one size (layouts differ by config). */
struct span {
	unsigned int entry_size, offset, len;
};

struct special {
	const char *name;
	enum special_kind kind;
	unsigned int code_relocs;	/* per entry, for SPECIAL_ENTRIES */
	const char *indexed_by;		/* same entry count and owners */
	/*
	 * Whether the entries of a function are compared with the original's
	 * (by content and by what their relocations point at): a difference
	 * makes the function changed.  Tables that only repeat what the code
	 * says (ftrace, ORC, thunk sites) are not compared.
	 */
	bool compare;
	const char *fields;		/* what is compared, for the report */
	struct span ignore;		/* bytes left out: __LINE__ */
	/*
	 * For entries that point at a piece of a SPECIAL_PIECES section: where
	 * the piece's length (one byte) is, counted back from the end of the
	 * entry (struct alt_instr ends with replacementlen, in 6.1's 12-byte
	 * and 6.12's 14-byte layouts alike), so that the piece's bytes are
	 * compared, not where it happens to be.  0: none.
	 */
	unsigned int piece_len_back;
	bool objtool_made;		/* objtool writes it (see cdo.h) */
};

/* The entries of a section: their size and the function each belongs to. */
struct entries {
	size_t count, size;
	struct kelf_symbol **owner;	/* by entry; NULL: no function */
};

const struct special *special_row(size_t n);
int special_split(struct kelf *k, struct kelf_section *sec,
		  const struct special *sp, struct entries *e);
/* special-compare.c: len bytes of two pieces, and their relocations */
bool same_piece(struct diff *d, const struct target *p,
		const struct target *o, size_t len);
/* Why the last special_split() failed. */
const char *special_split_error(void);

#endif
