/* SPDX-License-Identifier: GPL-2.0 */
/*
 * x86-64 instruction lengths (insn.c), and what they tell about relocations
 * in code (pcrel.c).
 */
#ifndef INSN_H
#define INSN_H

#include "cdo.h"

struct insn {
	size_t len;		/* bytes */
	long disp_off;		/* offset of its disp32 or rel32, or -1 */
};

/* Decode the instruction at b; -1 if it is not one insn.c knows. */
int insn_decode(const unsigned char *b, size_t left, struct insn *insn);

#endif
