// SPDX-License-Identifier: GPL-2.0
/*
 * Tracepoints of a module in patched code (trace_nfsd_stid_revoke() in
 * nfsd.ko).  Each is a static branch on the key inside the module's struct
 * tracepoint __tracepoint_NAME: a __jump_table entry that names the key by
 * a livepatch symbol of that module, which livepatch writes only when it
 * patches the module, after the loader has read the entry
 * (jump_label_add_module()): relocs.c refuses that.  A tracepoint's branch
 * is compiled off (a NOP where the jump would go): left without its entry,
 * it stays off, so the patched function runs as with the tracepoint
 * disabled.  Such an entry is left out (the section shrinks by it) and a
 * note names the tracepoint, whose events the patched functions do not
 * emit.
 *
 * An entry is left out only when it is a tracepoint's:
 * struct jump_entry { s32 code; s32 target; long key; } (x86_64, Linux 6.1
 * and 6.12), its key a module's __tracepoint_NAME plus the offset of the
 * key in it (bit 0 of the low bits, the branch's sense, clear: an unlikely
 * branch), and the code at its site a NOP.  Anything else is still refused by relocs.c.
 */
#include "klp.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define JUMP_TABLE	"__jump_table"
#define ENTRY_SIZE	16	/* struct jump_entry on x86_64 */
#define KEY_OFFSET	8	/* its key field */
#define TP_PREFIX	"__tracepoint_"
#define TP_KEY_OFFSET	8	/* struct tracepoint { const char *name; key; } */

/* The relocation of sec at offset, or NULL. */
static const struct kelf_rela *rela_at(const struct kelf_section *sec,
				       unsigned long offset)
{
	size_t i;

	for (i = 0; sec->rela && i < sec->rela->nr_relas; i++)
		if (sec->rela->relas[i].offset == offset)
			return &sec->rela->relas[i];
	return NULL;
}

/* NAME of ".klp.sym.OBJ.NAME,POS", its length in *len. */
static const char *klp_base(const char *name, size_t *len)
{
	const char *p = name + strlen(KLP_SYM_PREFIX);

	p += strcspn(p, ".") + 1;
	*len = strcspn(p, ",");
	return p;
}

/* Whether the site the code relocation points at holds a NOP (2 or 5 bytes). */
static bool site_is_nop(const struct kelf_rela *code_rela)
{
	static const unsigned char nop5[] = { 0x0f, 0x1f, 0x44, 0x00, 0x00 };
	static const unsigned char nop2[] = { 0x66, 0x90 };
	const struct kelf_section *code = code_rela->sym->sec;
	long off;

	if (!code || !kelf_is_exec(code) || !code->data)
		return false;
	/* R_X86_64_PC32 at the entry's start: S + A - P, P the field */
	off = code_rela->addend + (kelf_type(code_rela->sym) == STT_SECTION ?
				   0 : (long)code_rela->sym->sym.st_value);
	if (off < 0)
		return false;
	if ((size_t)off + sizeof(nop5) <= code->size &&
	    !memcmp(code->data + off, nop5, sizeof(nop5)))
		return true;
	return (size_t)off + sizeof(nop2) <= code->size &&
	       !memcmp(code->data + off, nop2, sizeof(nop2));
}

/* Whether key (a relocation of the key field) is a module tracepoint's,
 * off at its site; its NAME in name. */
static bool module_tracepoint_off(const struct kelf_section *jt,
				  const struct kelf_rela *key, char *name,
				  size_t max)
{
	char obj[KLP_OBJNAME_MAX + 1];
	const struct kelf_rela *code;
	const char *base;
	size_t len;

	if (key->offset % ENTRY_SIZE != KEY_OFFSET || !is_klp_symbol(key->sym) ||
	    !klp_rela_objname(key->sym, obj) || !strcmp(obj, "vmlinux"))
		return false;
	base = klp_base(key->sym->name, &len);
	if (len <= strlen(TP_PREFIX) || len >= max ||
	    strncmp(base, TP_PREFIX, strlen(TP_PREFIX)))
		return false;
	/* the key field is the key's address + low bits, relative to the
	 * field: A is the offset of the key in struct tracepoint (8) plus
	 * the bits, bit 0 the branch's sense (clear: unlikely, off by
	 * default), bit 1 set by x86's arch_static_branch() */
	if (key->addend < TP_KEY_OFFSET || key->addend - TP_KEY_OFFSET > 3 ||
	    ((key->addend - TP_KEY_OFFSET) & 1))
		return false;
	code = rela_at(jt, key->offset - KEY_OFFSET);
	if (!code || !site_is_nop(code))
		return false;
	snprintf(name, max, "%.*s", (int)(len - strlen(TP_PREFIX)),
		 base + strlen(TP_PREFIX));
	return true;
}

/* Removes entry n of the table (its bytes and relocations). */
static void drop_entry(struct kelf_section *jt, size_t n)
{
	struct kelf_section *rela = jt->rela;
	unsigned long start = n * ENTRY_SIZE, end = start + ENTRY_SIZE;
	size_t i, kept = 0;

	memmove(jt->data + start, jt->data + end, jt->size - end);
	jt->size -= ENTRY_SIZE;
	for (i = 0; i < rela->nr_relas; i++) {
		struct kelf_rela r = rela->relas[i];

		if (r.offset >= start && r.offset < end)
			continue;
		if (r.offset >= end)
			r.offset -= ENTRY_SIZE;
		rela->relas[kept++] = r;
	}
	rela->nr_relas = kept;
}

long drop_module_tracepoint_entries(struct kelf *k)
{
	struct kelf_section *jt = kelf_find_section(k, JUMP_TABLE);
	char name[KLP_SYMNAME_MAX + 1], obj[KLP_OBJNAME_MAX + 1];
	long dropped = 0;
	size_t i;

	if (!jt || jt->removed || !jt->rela || !jt->data ||
	    jt->size % ENTRY_SIZE)
		return 0;
	for (i = 0; i < jt->rela->nr_relas; i++) {
		const struct kelf_rela *key = &jt->rela->relas[i];

		if (!module_tracepoint_off(jt, key, name, sizeof(name)))
			continue;
		if (klp_symbol_objname(key->sym->name, obj))
			strcpy(obj, "?");
		fprintf(stderr, "klp-convert: %s: note: tracepoint %s of module "
			"%s stays off in the patched functions: its "
			JUMP_TABLE " entry is left out (the loader would read "
			"it before livepatch writes the key's address); its "
			"events are not emitted from the new code\n",
			k->path, name, obj);
		drop_entry(jt, key->offset / ENTRY_SIZE);
		dropped++;
		i = (size_t)-1;	/* the relocations moved: again */
	}
	if (dropped && !jt->size)
		kelf_remove_section(jt);
	return dropped;
}
