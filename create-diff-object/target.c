// SPDX-License-Identifier: GPL-2.0
/*
 * What a relocation points at.  Relocations against a section symbol are
 * turned into "symbol + offset" when a function or object covers the spot,
 * so that two builds compare equal when only the layout of a section moved.
 */
#include "cdo.h"

#include <string.h>

static bool is_pcrel(unsigned int type)
{
	return type == R_X86_64_PC32 || type == R_X86_64_PLT32 ||
	       type == R_X86_64_PC64 || type == R_X86_64_GOTPCREL ||
	       type == R_X86_64_GOTPCRELX || type == R_X86_64_REX_GOTPCRELX;
}

/*
 * A PC-relative reference from an instruction carries "- 4 - N" in its
 * addend: the distance from the displacement to the end of the instruction,
 * N being the size of an immediate operand that follows it (0, 1, 2 or 4).
 * The byte it means is that much further on.  pcrel.c knows the bias (also
 * for data, where it is 0); the offset meant is then exact.
 */
static long spot(struct kelf *k, const struct kelf_rela *r, long addend)
{
	long bias;

	if (!is_pcrel(r->type))
		return addend;
	bias = rela_pc_bias(k, r);
	return bias < 0 || addend + bias < 0 ? -1 : addend + bias;
}

/* Code that did not decode: take the first guess that a symbol covers. */
static struct kelf_symbol *guess_cover(struct kelf *k, struct kelf_section *sec,
				       long addend)
{
	static const long bias[] = { 4, 5, 6, 8 };
	struct kelf_symbol *s;
	size_t i;

	for (i = 0; i < ARRAY_SIZE(bias); i++) {
		s = kelf_symbol_at(k, sec, addend + bias[i]);
		if (s)
			return s;
	}
	return NULL;
}

/*
 * A spot no symbol covers may be the end of one: ORC and similar tables
 * point at the end of a function, and "table + ARRAY_SIZE(table)" (an
 * end-of-table pointer) at the end of an object.  Such a relocation means
 * that symbol plus its size.  A symbol that starts there covers the spot
 * and is taken first (cover()): both are in one section, so in the kernel
 * too that symbol's address is the other's end, whichever is named.
 */
static struct kelf_symbol *symbol_ending_at(struct kelf_section *sec,
					    long offset)
{
	size_t i;

	for (i = 0; i < sec->nr_syms; i++) {
		struct kelf_symbol *s = sec->syms[i];

		if ((kelf_type(s) == STT_FUNC || kelf_type(s) == STT_OBJECT) &&
		    s->sym.st_size &&
		    (long)(s->sym.st_value + s->sym.st_size) == offset)
			return s;
	}
	return NULL;
}

static struct kelf_symbol *cover(struct kelf *k, const struct kelf_rela *r,
				 const struct target *t)
{
	struct kelf_symbol *s = NULL;

	if (t->spot >= 0)
		s = kelf_symbol_at(k, t->sec, t->spot);
	else if (is_pcrel(r->type))
		s = guess_cover(k, t->sec, t->addend);
	if (!s)
		s = kelf_symbol_at(k, t->sec, t->addend);
	if (!s)
		s = symbol_ending_at(t->sec, t->spot >= 0 ? t->spot : t->addend);
	return s;
}

/*
 * A relocation against a section, or against a label in a mergeable
 * section (".LC3", which the assembler keeps there: strings,
 * .rodata.cst16), means a spot in that section: the function or object
 * covering it, if any, else strings, constants or anonymous data.
 */
void rela_target(struct kelf *k, const struct kelf_rela *r, struct target *t)
{
	struct kelf_symbol *s = r->sym, *c;
	struct kelf_section *sec = s->sec;

	t->sym = s;
	t->sec = NULL;
	t->addend = r->addend;
	t->spot = -1;
	if (!sec || (kelf_type(s) != STT_SECTION && !is_merge_section(sec)))
		return;
	t->sym = NULL;
	t->sec = sec;
	if (kelf_type(s) != STT_SECTION)
		t->addend += (long)s->sym.st_value;
	t->spot = spot(k, r, t->addend);
	if (is_merge_section(sec))
		return;
	c = cover(k, r, t);
	if (!c)
		return;
	t->sym = c;
	t->sec = NULL;
	t->addend -= (long)c->sym.st_value;
}

/* The string a relocation into a string section means. */
const char *target_string(const struct target *t)
{
	const struct kelf_section *sec = t->sec;
	long off = t->spot >= 0 ? t->spot : t->addend + 4;

	if (!sec || !is_string_section(sec) || !sec->data)
		return NULL;
	if (off < 0 || (size_t)off >= sec->size)
		off = t->addend;
	if (off < 0 || (size_t)off >= sec->size)
		return NULL;
	return (const char *)sec->data + off;
}
