// SPDX-License-Identifier: GPL-2.0
/*
 * __LINE__ that the #line directives of the driver did not remove: a
 * function whose only differences are line numbers passed to a call is not
 * changed.
 *
 * GCC loads a constant argument with "mov $imm32, %reg".  A differing byte
 * is accepted only when it lies in the imm32 of such a mov to %esi, %edx or
 * %ecx (the 2nd, 3rd or 4th argument; no prefix before the opcode, so it is
 * not %r14d and the like), both values look like line numbers, and the mov
 * is followed, through at most a few instructions that load other argument
 * registers, by a direct call, where either
 *
 *   - the line is in %esi and the call is to one of the kernel's
 *     line-taking functions below (Linux 6.1: include/linux/kernel.h,
 *     include/linux/sched.h, include/asm-generic/bug.h), or
 *   - the argument before it holds this file's __FILE__: the string, loaded
 *     with "mov $str, %reg" just before the mov or on the way to the call,
 *     is the name of the object's source file (printk("%s:%d", __FILE__,
 *     __LINE__), might_sleep() and their like).
 *
 * The relocations of both functions must be the same.  Anything else is a
 * change.  The line field of __bug_table entries (WARN, BUG) is left out of
 * the comparison in special.c's table instead.
 */
#include "cdo.h"

#include <string.h>

static const char *const line_functions[] = {
	"__might_sleep",	/* might_sleep() */
	"__might_resched",	/* cond_resched(), might_sleep() */
	"__might_fault",	/* might_fault() */
	"__cant_sleep",		/* cant_sleep() */
	"__cant_migrate",	/* cant_migrate() */
	"warn_slowpath_fmt",	/* __WARN_printf() without __WARN_FLAGS */
};

#define MAX_LINE	(1u << 20)
#define MAX_BETWEEN	8	/* instructions between the mov and the call */

/* Register numbers of the argument registers, in order. */
enum { RCX = 1, RDX = 2, RSI = 6, RDI = 7 };

/* The register that holds the argument before the one in reg. */
static int previous_argument(int reg)
{
	switch (reg) {
	case RSI:
		return RDI;
	case RDX:
		return RSI;
	case RCX:
		return RDX;
	default:
		return -1;
	}
}

struct scan {
	struct diff *d;
	const struct kelf_symbol *p;
	const unsigned char *b;		/* p's bytes */
	size_t size;
	int line_reg, file_reg;
	bool file_seen;
};

static unsigned int le32(const unsigned char *b)
{
	return b[0] | b[1] << 8 | b[2] << 16 | (unsigned int)b[3] << 24;
}

static const struct kelf_rela *rela_at(const struct kelf_symbol *f,
				       unsigned long offset)
{
	const struct kelf_section *rela = f->sec->rela;
	size_t i;

	for (i = 0; rela && i < rela->nr_relas; i++)
		if (rela->relas[i].offset == f->sym.st_value + offset)
			return &rela->relas[i];
	return NULL;
}

static bool is_line_function(const struct kelf_rela *r)
{
	size_t i;

	if (!r || (r->type != R_X86_64_PLT32 && r->type != R_X86_64_PC32))
		return false;
	for (i = 0; i < ARRAY_SIZE(line_functions); i++)
		if (!strcmp(r->sym->name, line_functions[i]))
			return true;
	return false;
}

/* The name of the object's source file (its STT_FILE symbol). */
static const char *source_file(struct kelf *k)
{
	size_t i;

	for (i = 1; i < k->nr_syms; i++)
		if (kelf_type(k->syms[i]) == STT_FILE && k->syms[i]->name[0])
			return k->syms[i]->name;
	return NULL;
}

/* Whether the relocation at offset of the scanned function is __FILE__. */
static bool is_file_string(struct scan *s, size_t offset)
{
	const struct kelf_rela *r = rela_at(s->p, offset);
	const char *file = source_file(s->d->patched), *str;
	size_t fl, sl;
	struct target t;

	if (!r || !file)
		return false;
	rela_target(s->d->patched, r, &t);
	str = target_string(&t);
	if (!str)
		return false;
	fl = strlen(file);
	sl = strnlen(str, t.sec->size - (str - (char *)t.sec->data));
	return sl >= fl && !strcmp(str + sl - fl, file) &&
	       (sl == fl || str[sl - fl - 1] == '/');
}

/* "mov $imm32, %r64" (48 c7 /0): the register, or -1. */
static int mov_imm64_reg(const unsigned char *b, size_t left)
{
	if (left < 7 || b[0] != 0x48 || b[1] != 0xc7 || (b[2] & 0xf8) != 0xc0)
		return -1;
	return b[2] & 7;
}

/*
 * The length of an instruction that may come between the line's mov and the
 * call: one that loads an argument register other than the line's (or one
 * of r8-r15), or 0.  Notes a load of __FILE__ into the file's register.
 */
static size_t between_len(struct scan *s, size_t pos)
{
	const unsigned char *b = s->b + pos;
	size_t left = s->size - pos, rex = (b[0] & 0xf0) == 0x40;
	int reg = mov_imm64_reg(b, left);

	if (reg >= 0) {
		if (reg == s->line_reg)
			return 0;
		if (reg == s->file_reg && is_file_string(s, pos + 3))
			s->file_seen = true;
		return 7;
	}
	if (left < rex + 2)
		return 0;
	if (rex && (b[0] & 1))
		reg = 8;		/* REX.B: r8-r15, never the line's */
	if ((b[rex] & 0xf8) == 0xb8) {		/* mov $imm, %reg */
		size_t len = rex && (b[0] & 8) ? 10 : rex + 5;

		if (left < len)
			return 0;
		return (reg < 0 ? b[rex] & 7 : reg) == s->line_reg ? 0 : len;
	}
	if ((b[rex] == 0x89 || b[rex] == 0x31) && (b[rex + 1] >> 6) == 3)
		/* mov or xor between registers: writes ModRM.rm */
		return (reg < 0 ? b[rex + 1] & 7 : reg) == s->line_reg ?
		       0 : rex + 2;
	return 0;
}

/* Whether the mov at x feeds a line to a call (see the top of the file). */
static bool feeds_line_call(struct scan *s, size_t x)
{
	size_t pos = x + 5, n, len;

	if (x >= 7 && mov_imm64_reg(s->b + x - 7, 7) == s->file_reg &&
	    is_file_string(s, x - 4))
		s->file_seen = true;
	for (n = 0; n <= MAX_BETWEEN && pos < s->size; n++) {
		if (s->b[pos] == 0xe8 && pos + 5 <= s->size) {
			const struct kelf_rela *r = rela_at(s->p, pos + 1);

			if (!r || (r->type != R_X86_64_PLT32 &&
				   r->type != R_X86_64_PC32))
				return false;
			return s->file_seen ||
			       (s->line_reg == RSI && is_line_function(r));
		}
		len = between_len(s, pos);
		if (!len)
			return false;
		pos += len;
	}
	return false;
}

/* The register a "mov $imm32, %r32" at b loads, if it is esi, edx or ecx. */
static int line_register(unsigned char opcode)
{
	switch (opcode) {
	case 0xbe:
		return RSI;
	case 0xba:
		return RDX;
	case 0xb9:
		return RCX;
	default:
		return -1;
	}
}

/* Whether x is "mov $line, %reg" in both functions, its imm covering i. */
static bool is_line_mov(struct scan *s, const unsigned char *ob, size_t x,
			size_t i)
{
	const unsigned char *pb = s->b;
	unsigned int pv, ov;
	size_t k;

	if (x < 1 || x + 5 > s->size || i >= x + 5 || pb[x] != ob[x])
		return false;
	s->line_reg = line_register(pb[x]);
	s->file_reg = previous_argument(s->line_reg);
	s->file_seen = false;
	if (s->line_reg < 0)
		return false;
	if ((pb[x - 1] & 0xf0) == 0x40 || pb[x - 1] == 0x66)
		return false;	/* a prefix: another register */
	pv = le32(pb + x + 1);
	ov = le32(ob + x + 1);
	if (!pv || !ov || pv >= MAX_LINE || ov >= MAX_LINE)
		return false;
	for (k = x; k < x + 5; k++)
		if (rela_at(s->p, k))
			return false;
	return feeds_line_call(s, x);
}

bool only_line_numbers_differ(struct diff *d, struct kelf_symbol *p)
{
	struct kelf_symbol *o = p->twin;
	struct scan s = { .d = d, .p = p, .size = p->sym.st_size };
	const unsigned char *ob;
	size_t i, x;
	bool found;

	if (!p->sec->data || !o->sec->data || s.size != o->sym.st_size ||
	    relas_diff_offset(d, p) >= 0)
		return false;
	s.b = p->sec->data + p->sym.st_value;
	ob = o->sec->data + o->sym.st_value;
	for (i = 0; i < s.size; i++) {
		if (s.b[i] == ob[i])
			continue;
		found = false;
		for (x = i >= 4 ? i - 4 : 0; x < i && !found; x++) {
			if (is_line_mov(&s, ob, x, i)) {
				found = true;
				i = x + 4;	/* past the imm32 */
			}
		}
		if (!found)
			return false;
	}
	return true;
}
