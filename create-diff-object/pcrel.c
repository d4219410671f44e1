// SPDX-License-Identifier: GPL-2.0
/*
 * Where a PC-relative relocation really points.  In code, the CPU adds the
 * displacement to the address of the next instruction, so the relocation's
 * addend is "target - 4 - N", N being the size of the immediate after the
 * 4-byte field (0 for calls, jumps and most loads; 1 for "cmpb $0, x(%rip)",
 * 4 for "movl $1, x(%rip)").  Guessing N picks the wrong one of two
 * adjacent small variables (the one-byte flags of WARN_ONCE), so the code
 * of every function is decoded once (insn.c) and N looked up.  In data
 * (".long x - ." in the tables of special sections), the addend is exact.
 *
 * Per object, every relocation section of allocated code or data gets an
 * array of biases (4 + N in code, 0 in data, -1 where the code did not
 * decode); they are found from the relocation pointer by binary search.
 */
#include "insn.h"

#include <stdlib.h>
#include <string.h>

struct biases {
	const struct kelf_rela *relas;	/* a relocation section's array */
	size_t nr;
	signed char *bias;		/* by relocation; NULL: all 0 */
};

struct object {
	const struct kelf *k;
	struct biases *secs;
	size_t nr;
};

static struct object objects[4];
static size_t nr_objects;

/* Decode [start, end) of sec; after[F] = bytes from F + 4 to the end. */
static void decode(const struct kelf_section *sec, size_t start, size_t end,
		   signed char *after)
{
	struct insn insn;

	while (start < end &&
	       !insn_decode(sec->data + start, end - start, &insn)) {
		if (insn.disp_off >= 0)
			after[start + insn.disp_off] =
				(signed char)(insn.len - insn.disp_off - 4);
		start += insn.len;
	}
}

static void decode_section(const struct kelf_section *sec, signed char *after)
{
	size_t i, funcs = 0;

	for (i = 0; i < sec->nr_syms; i++) {
		const struct kelf_symbol *f = sec->syms[i];
		size_t end = f->sym.st_value + f->sym.st_size;

		if (kelf_type(f) != STT_FUNC || !f->sym.st_size ||
		    end > sec->size)
			continue;
		decode(sec, f->sym.st_value, end, after);
		funcs++;
	}
	if (!funcs)
		decode(sec, 0, sec->size, after);
}

static void fill(const struct kelf_section *sec, struct biases *b)
{
	signed char *after;
	size_t i;

	b->relas = sec->rela->relas;
	b->nr = sec->rela->nr_relas;
	if (!kelf_is_exec(sec))
		return;
	b->bias = xmalloc(b->nr);
	memset(b->bias, -1, b->nr);
	after = sec->data ? malloc(sec->size) : NULL;
	if (!after)
		return;
	memset(after, -1, sec->size);
	decode_section(sec, after);
	for (i = 0; i < b->nr; i++)
		if (b->relas[i].offset < sec->size &&
		    after[b->relas[i].offset] >= 0)
			b->bias[i] = 4 + after[b->relas[i].offset];
	free(after);
}

static int by_address(const void *a, const void *b)
{
	const struct biases *x = a, *y = b;

	return x->relas < y->relas ? -1 : x->relas > y->relas;
}

static struct object *load(const struct kelf *k)
{
	struct object *o;
	size_t i;

	for (i = 0; i < nr_objects; i++)
		if (objects[i].k == k)
			return &objects[i];
	if (nr_objects == ARRAY_SIZE(objects))
		return NULL;
	o = &objects[nr_objects++];
	o->k = k;
	o->secs = xcalloc(k->nr_secs, sizeof(*o->secs));
	for (i = 1; i < k->nr_secs; i++) {
		const struct kelf_section *sec = k->secs[i];

		if ((sec->sh.sh_flags & SHF_ALLOC) && sec->rela &&
		    sec->rela->nr_relas)
			fill(sec, &o->secs[o->nr++]);
	}
	qsort(o->secs, o->nr, sizeof(*o->secs), by_address);
	return o;
}

long rela_pc_bias(const struct kelf *k, const struct kelf_rela *r)
{
	struct object *o = load(k);
	size_t lo = 0, hi = o ? o->nr : 0;

	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		const struct biases *b = &o->secs[mid];

		if (r < b->relas)
			hi = mid;
		else if (r >= b->relas + b->nr)
			lo = mid + 1;
		else
			return b->bias ? b->bias[r - b->relas] : 0;
	}
	return -1;
}

/* Forget the biases of every object (before the objects are closed). */
void pcrel_free(void)
{
	size_t i, j;

	for (i = 0; i < nr_objects; i++) {
		for (j = 0; j < objects[i].nr; j++)
			free(objects[i].secs[j].bias);
		free(objects[i].secs);
	}
	memset(objects, 0, sizeof(objects));
	nr_objects = 0;
}
