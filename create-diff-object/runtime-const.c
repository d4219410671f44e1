// SPDX-License-Identifier: GPL-2.0
/*
 * Runtime constants (x86, Linux 6.11 and later, asm/runtime-const.h): some
 * values are immediates in vmlinux code that the kernel writes once, at
 * boot.  runtime_const_ptr(SYM) is "movabs $PLACEHOLDER, %reg" with an entry
 * of section runtime_ptr_SYM at its 8-byte immediate (USER_PTR_MAX of every
 * inlined access_ok(), dentry_hashtable); runtime_const_shift_right_32(v,
 * SYM) is "shrl $12, %reg" with an entry of runtime_shift_SYM at its 1-byte
 * immediate.  The module loader does not write them (modules are compiled to
 * read the variables instead), so a copied function would use the
 * placeholder.
 *
 * A pointer constant becomes what a module does: the 10-byte movabs is
 * rewritten into "mov SYM(%rip), %reg" (7 bytes) and a 3-byte NOP, the same
 * length, so nothing else moves.  A shift constant has no such rewrite in
 * place: a changed function that uses one is refused.
 */
#include "cdo.h"

#include <string.h>

#define PTR_PREFIX	"runtime_ptr_"
#define SHIFT_PREFIX	"runtime_shift_"
#define MOVABS_LEN	10	/* REX.W, B8+r, imm64 */
#define MOV_RIP_LEN	7	/* REX.W, 8B, ModRM, disp32 */

bool is_runtime_const_section(const struct kelf_section *sec)
{
	return starts(sec->name, PTR_PREFIX) || starts(sec->name, SHIFT_PREFIX);
}

/* SYM of section runtime_ptr_SYM or runtime_shift_SYM. */
static const char *const_name(const struct kelf_section *sec)
{
	return sec->name + strlen(starts(sec->name, PTR_PREFIX) ? PTR_PREFIX :
							      SHIFT_PREFIX);
}

/* The kept function an entry's immediate is in, and its offset there. */
static struct kelf_symbol *entry_site(struct diff *d, const struct kelf_rela *r,
				      long *offset)
{
	struct target t;

	rela_target(d->patched, r, &t);
	if (!t.sym || !is_function(t.sym) || !t.sym->include)
		return NULL;
	*offset = t.addend;
	return t.sym;
}

/* The register of "movabs $imm64, %reg" whose immediate is at imm, or -1. */
static int movabs_register(const unsigned char *code, long imm)
{
	unsigned char rex, op;

	if (imm < 2)
		return -1;
	rex = code[imm - 2];
	op = code[imm - 1];
	if ((rex & 0xfe) != 0x48 || op < 0xb8 || op > 0xbf)
		return -1;
	return (op - 0xb8) | ((rex & 1) << 3);
}

static void refuse_site(struct diff *d, struct kelf_symbol *f,
			const struct kelf_section *sec, long offset,
			const char *what)
{
	refuse(d, f->name, "uses the runtime constant %s at offset 0x%lx (%s): "
	       "the kernel writes it into vmlinux code at boot, the module "
	       "loader does not; leave this function unchanged (move the "
	       "change into a new helper it calls)", const_name(sec),
	       (unsigned long)offset, what);
}

/* Refuses the kept functions whose runtime constants cannot be rewritten. */
void check_runtime_consts(struct diff *d, struct kelf_section *sec)
{
	size_t i;

	for (i = 0; sec->rela && i < sec->rela->nr_relas; i++) {
		struct kelf_symbol *f;
		long off;

		f = entry_site(d, &sec->rela->relas[i], &off);
		if (!f)
			continue;
		if (starts(sec->name, SHIFT_PREFIX))
			refuse_site(d, f, sec, off,
				    "runtime_const_shift_right_32()");
		else if (!f->sec->data || movabs_register(f->sec->data,
					(long)f->sym.st_value + off) < 0)
			refuse_site(d, f, sec, off, "not a movabs instruction");
	}
}

/* mov SYM(%rip), %reg; nopl (%rax): as long as the movabs it replaces. */
static void rewrite(unsigned char *at, int reg)
{
	static const unsigned char nop3[] = { 0x0f, 0x1f, 0x00 };

	at[0] = 0x48 | (reg >> 3 ? 0x04 : 0);	/* REX.W, REX.R */
	at[1] = 0x8b;
	at[2] = 0x05 | (reg & 7) << 3;		/* ModRM: RIP + disp32 */
	memset(at + 3, 0, 4);
	memcpy(at + MOV_RIP_LEN, nop3, sizeof(nop3));
}

static struct kelf_symbol *const_symbol(struct diff *d, const char *name)
{
	struct kelf_symbol *s = kelf_find_symbol(d->patched, name);

	if (s && s->include)
		return out_symbol_for(d, s);
	return out_undef(d, s && s->twin ? s->twin->name : name);
}

static int rewrite_section(struct diff *d, struct kelf_section *sec)
{
	const char *name = const_name(sec);
	size_t i;

	for (i = 0; sec->rela && i < sec->rela->nr_relas; i++) {
		struct kelf_symbol *f, *out, *sym;
		unsigned char *code;
		long off, at;
		int reg;

		f = entry_site(d, &sec->rela->relas[i], &off);
		if (!f)
			continue;
		out = out_symbol_for(d, f);
		sym = const_symbol(d, name);
		if (!out || !sym)
			return -1;
		code = out->sec->data;
		at = (long)out->sym.st_value + off - (MOVABS_LEN - 8);
		reg = movabs_register(code, at + 2);
		if (reg < 0)
			return -1;	/* check_runtime_consts() refused it */
		rewrite(code + at, reg);
		kelf_add_rela(kelf_rela_section(d->out, out->sec), at + 3,
			      R_X86_64_PC32, -4, sym);
	}
	return 0;
}

int write_runtime_consts(struct diff *d)
{
	size_t i;

	for (i = 1; i < d->patched->nr_secs; i++) {
		struct kelf_section *sec = d->patched->secs[i];

		if (sec && starts(sec->name, PTR_PREFIX) &&
		    rewrite_section(d, sec))
			return -1;
	}
	return 0;
}
