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
	base = klp_sym_base(key->sym, &len);
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
	code = table_rela_at(jt, key->offset - KEY_OFFSET);
	if (!code || !site_is_nop(code))
		return false;
	snprintf(name, max, "%.*s", (int)(len - strlen(TP_PREFIX)),
		 base + strlen(TP_PREFIX));
	return true;
}

static void note(const struct kelf *k, const struct kelf_rela *key,
		 const char *name, const char *obj)
{
	(void)key;
	fprintf(stderr, "klp-convert: %s: note: tracepoint %s of module %s "
		"stays off in the patched functions: its " JUMP_TABLE " entry "
		"is left out (the loader would read it before livepatch writes "
		"the key's address); its events are not emitted from the new "
		"code\n", k->path, name, obj);
}

long drop_module_tracepoint_entries(struct kelf *k)
{
	static const struct table_drop tracepoints = {
		.section = JUMP_TABLE,
		.entry_size = ENTRY_SIZE,
		.leaves = module_tracepoint_off,
		.note = note,
	};

	return drop_table_entries(k, &tracepoints);
}
