// SPDX-License-Identifier: GPL-2.0
/*
 * x86-64 instruction lengths, as much as the differ needs: where an
 * instruction ends and where its 4-byte displacement or rel32 is, so that
 * a PC-relative relocation there can be resolved exactly (the target is
 * the end of the instruction plus the displacement, and an immediate may
 * follow the displacement).
 *
 * Legacy prefixes, REX, the one-byte map, the 0f, 0f 38 and 0f 3a maps and
 * VEX are decoded; EVEX, 3DNow! and what 64-bit mode does not allow are
 * not: insn_decode() then fails, and its caller falls back to a guess.
 * The tables follow the opcode maps of the Intel SDM, volume 2, appendix A.
 */
#include "insn.h"

#include <string.h>

/*
 * One letter per opcode, rows of 16:
 *   .  nothing follows            m  ModRM
 *   b  imm8        w  imm16       z  imm16/32 (0x66)   v  imm16/32/64
 *   e  imm16 + imm8 (enter)       a  8-byte address (moffs)
 *   r  rel8        R  rel32
 *   B  ModRM, imm8                Z  ModRM, imm16/32
 *   G  ModRM, imm8/16/32 if ModRM.reg is 0 or 1 (test in group 3)
 *   P  prefix      X  REX         E  0f escape         V  VEX
 *   T  0f 38 map   U  0f 3a map   x  not decoded
 */
static const char *const map_one[16] = {
	"mmmmbzxxmmmmbzxE",	/* 00 */
	"mmmmbzxxmmmmbzxx",	/* 10 */
	"mmmmbzPxmmmmbzPx",	/* 20 */
	"mmmmbzPxmmmmbzPx",	/* 30 */
	"XXXXXXXXXXXXXXXX",	/* 40 */
	"................",	/* 50 */
	"xxxmPPPPzZbB....",	/* 60 */
	"rrrrrrrrrrrrrrrr",	/* 70 */
	"BZxBmmmmmmmmmmmm",	/* 80 */
	"..........x.....",	/* 90 */
	"aaaa....bz......",	/* a0 */
	"bbbbbbbbvvvvvvvv",	/* b0 */
	"BBw.VVBZe.w..bx.",	/* c0 */
	"mmmmxxx.mmmmmmmm",	/* d0 */
	"rrrrbbbbRRxr....",	/* e0 */
	"P.PP..GG......mm",	/* f0 */
};

static const char *const map_0f[16] = {
	"mmmmx.....x.xm.x",	/* 00 */
	"mmmmmmmmmmmmmmmm",	/* 10 */
	"mmmmxxxxmmmmmmmm",	/* 20 */
	"......x.TxUxxxxx",	/* 30 */
	"mmmmmmmmmmmmmmmm",	/* 40 */
	"mmmmmmmmmmmmmmmm",	/* 50 */
	"mmmmmmmmmmmmmmmm",	/* 60 */
	"BBBBmmm.mmxxmmmm",	/* 70 */
	"RRRRRRRRRRRRRRRR",	/* 80 */
	"mmmmmmmmmmmmmmmm",	/* 90 */
	"...mBmxx...mBmmm",	/* a0 */
	"mmmmmmmmmmBmmmmm",	/* b0 */
	"mmBmBBBm........",	/* c0 */
	"mmmmmmmmmmmmmmmm",	/* d0 */
	"mmmmmmmmmmmmmmmm",	/* e0 */
	"mmmmmmmmmmmmmmmm",	/* f0 */
};

struct state {
	const unsigned char *b;
	size_t left, i;
	bool opsize, addr32, rexw;
};

static int next(struct state *s, unsigned char *c)
{
	if (s->i >= s->left || s->i >= 15)
		return -1;
	*c = s->b[s->i++];
	return 0;
}

static char kind(const char *const *map, unsigned char op)
{
	return map[op >> 4][op & 15];
}

static int prefixes(struct state *s, unsigned char *op)
{
	for (;;) {
		if (next(s, op))
			return -1;
		if (kind(map_one, *op) != 'P')
			break;
		s->opsize |= *op == 0x66;
		s->addr32 |= *op == 0x67;
	}
	if ((*op & 0xf0) == 0x40) {
		s->rexw = *op & 8;
		if (next(s, op))
			return -1;
	}
	return 0;
}

/* The kind of a VEX-encoded instruction; *op is c4 or c5 on entry. */
static char vex(struct state *s, unsigned char *op)
{
	unsigned char p1, p2 = 0;

	if (next(s, &p1) || (*op == 0xc4 && next(s, &p2)))
		return 'x';
	if (*op == 0xc4) {
		s->rexw = p2 & 0x80;
		switch (p1 & 0x1f) {
		case 1:
			break;
		case 2:
			return next(s, op) ? 'x' : 'm';
		case 3:
			return next(s, op) ? 'x' : 'B';
		default:
			return 'x';
		}
	}
	return next(s, op) ? 'x' : kind(map_0f, *op);
}

/* The kind of the instruction whose first opcode byte is *op. */
static char opcode(struct state *s, unsigned char *op)
{
	char k = kind(map_one, *op);

	if (k == 'V')
		return vex(s, op);
	if (k != 'E')
		return k;
	if (next(s, op))
		return 'x';
	k = kind(map_0f, *op);
	if (k == 'T' || k == 'U')
		return next(s, op) ? 'x' : (k == 'T' ? 'm' : 'B');
	return k;
}

/* Skips ModRM, SIB and displacement; notes where a disp32 is. */
static int modrm(struct state *s, unsigned char *reg, struct insn *insn)
{
	unsigned char m, sib, mod, rm;
	size_t disp = 0;

	if (next(s, &m))
		return -1;
	mod = m >> 6;
	rm = m & 7;
	*reg = (m >> 3) & 7;
	if (mod != 3 && rm == 4) {
		if (next(s, &sib))
			return -1;
		if ((sib & 7) == 5 && mod == 0)
			disp = 4;
	}
	if (mod == 0 && rm == 5)
		disp = 4;		/* RIP-relative */
	else if (mod == 1)
		disp = 1;
	else if (mod == 2)
		disp = 4;
	if (disp == 4)
		insn->disp_off = s->i;
	s->i += disp;
	return 0;
}

static size_t immediate(const struct state *s, char k, unsigned char op,
			unsigned char reg)
{
	size_t z = s->opsize ? 2 : 4;

	switch (k) {
	case 'b': case 'r': case 'B':
		return 1;
	case 'w':
		return 2;
	case 'e':
		return 3;
	case 'z': case 'Z':
		return z;
	case 'R':
		return 4;
	case 'v':
		return s->rexw ? 8 : z;
	case 'a':
		return s->addr32 ? 4 : 8;
	case 'G':
		return reg > 1 ? 0 : (op == 0xf6 ? 1 : z);
	default:
		return 0;
	}
}

int insn_decode(const unsigned char *b, size_t left, struct insn *insn)
{
	struct state s = { .b = b, .left = left };
	unsigned char op, reg = 0;
	char k;

	insn->disp_off = -1;
	if (prefixes(&s, &op))
		return -1;
	k = opcode(&s, &op);
	if (!strchr(".mbwzveaGrRBZ", k))
		return -1;
	if (strchr("mBZG", k) && modrm(&s, &reg, insn))
		return -1;
	if (k == 'R')
		insn->disp_off = s.i;
	s.i += immediate(&s, k, op, reg);
	if (s.i > left || s.i > 15)
		return -1;
	insn->len = s.i;
	return 0;
}
