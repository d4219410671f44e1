// SPDX-License-Identifier: GPL-2.0
/*
 * __LINE__ that the #line directives of the driver did not remove: a
 * function whose only differences are line numbers passed to the kernel's
 * line-taking debug functions is not changed.
 *
 * Linux 6.1 passes __FILE__, __LINE__ to these (include/linux/kernel.h,
 * include/linux/sched.h, include/asm-generic/bug.h), always with the line as
 * the second argument, so in %esi.  GCC loads a constant line with
 * "mov $imm32, %esi" (be imm32).  A differing byte is accepted only when
 *
 *   - it lies in the imm32 of such a mov (no prefix before the opcode, so it
 *     is not "mov $imm32, %r14d"), both values look like line numbers, and
 *   - the mov is followed, through at most a few instructions that load
 *     other argument registers and do not write %esi, by a call whose
 *     relocation names one of the functions below,
 *
 * and the relocations of both functions are the same.  Anything else is a
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
#define MAX_BETWEEN	6	/* instructions between the mov and the call */

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
	for (i = 0; i < sizeof(line_functions) / sizeof(line_functions[0]); i++)
		if (!strcmp(r->sym->name, line_functions[i]))
			return true;
	return false;
}

/* A register-to-register mov (89 /r) that does not write %esi/%rsi. */
static size_t reg_mov_len(const unsigned char *b, size_t left)
{
	size_t rex = (b[0] & 0xf0) == 0x40;
	unsigned char modrm;

	if (left < rex + 2 || b[rex] != 0x89)
		return 0;
	modrm = b[rex + 1];
	if ((modrm >> 6) != 3)
		return 0;
	if ((modrm & 7) == 6 && !(rex && (b[0] & 1)))
		return 0;	/* destination %esi */
	return rex + 2;
}

/*
 * The length of an instruction that may come between the line's mov and the
 * call: a load of another argument register.  0 for anything else.
 */
static size_t between_len(const unsigned char *b, size_t left)
{
	if (left >= 7 && b[0] == 0x48 && b[1] == 0xc7 &&
	    (b[2] == 0xc7 || b[2] == 0xc1 || b[2] == 0xc2))
		return 7;	/* mov $imm32, %rdi / %rcx / %rdx */
	if (left >= 5 && (b[0] == 0xbf || b[0] == 0xba || b[0] == 0xb9))
		return 5;	/* mov $imm32, %edi / %edx / %ecx */
	if (left >= 2 && b[0] == 0x31 &&
	    (b[1] == 0xc0 || b[1] == 0xd2 || b[1] == 0xc9 || b[1] == 0xff))
		return 2;	/* xor %eax/%edx/%ecx/%edi */
	return reg_mov_len(b, left);
}

/* Whether the mov at x, in p, feeds a call to a line-taking function. */
static bool feeds_line_call(const struct kelf_symbol *p, size_t x)
{
	const unsigned char *b = p->sec->data + p->sym.st_value;
	size_t size = p->sym.st_size, pos = x + 5, n, len;

	for (n = 0; n <= MAX_BETWEEN && pos < size; n++) {
		if (b[pos] == 0xe8 && pos + 5 <= size)
			return is_line_function(rela_at(p, pos + 1));
		len = between_len(b + pos, size - pos);
		if (!len)
			return false;
		pos += len;
	}
	return false;
}

/* Whether x is "mov $line, %esi" in both functions, imm covering byte i. */
static bool is_line_mov(const struct kelf_symbol *p,
			const struct kelf_symbol *o, size_t x, size_t i)
{
	const unsigned char *pb = p->sec->data + p->sym.st_value;
	const unsigned char *ob = o->sec->data + o->sym.st_value;
	unsigned int pv, ov;
	size_t k;

	if (x < 1 || x + 5 > p->sym.st_size || i >= x + 5)
		return false;
	if (pb[x] != 0xbe || ob[x] != 0xbe)
		return false;
	if ((pb[x - 1] & 0xf0) == 0x40 || pb[x - 1] == 0x66)
		return false;	/* a prefix: not %esi */
	pv = le32(pb + x + 1);
	ov = le32(ob + x + 1);
	if (!pv || !ov || pv >= MAX_LINE || ov >= MAX_LINE)
		return false;
	for (k = x; k < x + 5; k++)
		if (rela_at(p, k))
			return false;
	return feeds_line_call(p, x);
}

bool only_line_numbers_differ(struct diff *d, struct kelf_symbol *p)
{
	struct kelf_symbol *o = p->twin;
	const unsigned char *pb, *ob;
	size_t i, x, size = p->sym.st_size;
	bool found;

	if (!p->sec->data || !o->sec->data || size != o->sym.st_size ||
	    relas_diff_offset(d, p) >= 0)
		return false;
	pb = p->sec->data + p->sym.st_value;
	ob = o->sec->data + o->sym.st_value;
	for (i = 0; i < size; i++) {
		if (pb[i] == ob[i])
			continue;
		found = false;
		for (x = i >= 4 ? i - 4 : 0; x < i && !found; x++) {
			if (is_line_mov(p, o, x, i)) {
				found = true;
				i = x + 4;	/* past the imm32 */
			}
		}
		if (!found)
			return false;
	}
	return true;
}
