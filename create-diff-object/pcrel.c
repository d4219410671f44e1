// SPDX-License-Identifier: GPL-2.0
/*
 * Where a PC-relative relocation in code really points.  The CPU adds the
 * displacement to the address of the next instruction, so the relocation's
 * addend is "target - 4 - N", N being the size of the immediate after the
 * 4-byte field (0 for calls, jumps and most loads; 1 for "cmpb $0, x(%rip)",
 * 4 for "movl $1, x(%rip)").  Guessing N picks the wrong one of two
 * adjacent small variables (the one-byte flags of WARN_ONCE), so the code
 * of every function is decoded once (insn.c) and N looked up.
 *
 * Per object, the relocation sections of code get an array of N by
 * relocation, -1 where decoding failed; they are found from the relocation
 * pointer by binary search.
 */
#include "insn.h"

#include <stdlib.h>
#include <string.h>

struct tails {
	const struct kelf_rela *relas;	/* a relocation section's array */
	size_t nr;
	signed char *tail;		/* by relocation: N, or -1 */
};

struct object {
	const struct kelf *k;
	struct tails *secs;
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

static void fill(const struct kelf_section *sec, struct tails *t)
{
	signed char *after = malloc(sec->size);
	size_t i;

	t->relas = sec->rela->relas;
	t->nr = sec->rela->nr_relas;
	t->tail = xmalloc(t->nr ? t->nr : 1);
	memset(t->tail, -1, t->nr);
	if (!after)
		return;
	memset(after, -1, sec->size);
	decode_section(sec, after);
	for (i = 0; i < t->nr; i++)
		if (t->relas[i].offset < sec->size)
			t->tail[i] = after[t->relas[i].offset];
	free(after);
}

static int by_address(const void *a, const void *b)
{
	const struct tails *x = a, *y = b;

	return x->relas < y->relas ? -1 : x->relas > y->relas;
}

static struct object *load(const struct kelf *k)
{
	struct object *o;
	size_t i;

	for (i = 0; i < nr_objects; i++)
		if (objects[i].k == k)
			return &objects[i];
	if (nr_objects == sizeof(objects) / sizeof(objects[0]))
		return NULL;
	o = &objects[nr_objects++];
	o->k = k;
	o->secs = xcalloc(k->nr_secs, sizeof(*o->secs));
	for (i = 1; i < k->nr_secs; i++) {
		const struct kelf_section *sec = k->secs[i];

		if (kelf_is_exec(sec) && sec->data && sec->rela &&
		    sec->rela->nr_relas)
			fill(sec, &o->secs[o->nr++]);
	}
	qsort(o->secs, o->nr, sizeof(*o->secs), by_address);
	return o;
}

long code_rela_tail(const struct kelf *k, const struct kelf_rela *r)
{
	struct object *o = load(k);
	size_t lo = 0, hi = o ? o->nr : 0;

	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		const struct tails *t = &o->secs[mid];

		if (r < t->relas)
			hi = mid;
		else if (r >= t->relas + t->nr)
			lo = mid + 1;
		else
			return t->tail[r - t->relas];
	}
	return -1;
}
