// SPDX-License-Identifier: GPL-2.0
/*
 * Static calls through a key that a module owns (static_call(kvm_x86_*) in
 * kvm.ko, kvm-amd.ko, kvm-intel.ko).  The call site's .static_call_sites
 * entry would name the key by a livepatch symbol of that module, which
 * livepatch writes only when it patches the module, after the loader has
 * read the entry (static_call_add_module()): relocs.c refuses that.  But a
 * call through the trampoline __SCT__NAME is always right without an
 * entry: static_call_update() rewrites the trampoline as well as the sites
 * it knows.  So such an entry is left out (the section shrinks by it), the
 * call keeps going to the trampoline (a livepatch symbol of the module,
 * written with the module's other relocations), and a note says so.
 *
 * An entry is left out only when it is what objtool writes for a call:
 * struct static_call_site { s32 addr; s32 key; } (Linux 6.1 and 6.12), its
 * addr at a call or jmp (0xe8, 0xe9) whose relocation refers to the
 * trampoline of its key (its key __SCK__NAME, or the trampoline __SCT__NAME
 * itself, which objtool writes for a key that is not exported).  Anything
 * else is still refused by relocs.c.
 */
#include "klp.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define SITES		".static_call_sites"
#define SITE_SIZE	8	/* struct static_call_site: two s32 */
#define KEY_PREFIX	"__SCK__"
#define TRAMP_PREFIX	"__SCT__"

/* Whether the call at the site the relocation addr points at is to tramp. */
static bool calls_tramp(const struct kelf_rela *addr, const char *tramp,
			size_t len)
{
	const struct kelf_section *code = addr->sym->sec;
	const struct kelf_rela *call;
	const char *name;
	size_t n;
	long off;

	if (!kelf_is_exec(code) || !code->data)
		return false;
	off = addr->addend + (kelf_type(addr->sym) == STT_SECTION ? 0 :
			      (long)addr->sym->sym.st_value);
	if (off < 0 || (size_t)off + 5 > code->size ||
	    (code->data[off] != 0xe8 && code->data[off] != 0xe9))
		return false;
	call = table_rela_at(code, off + 1);
	if (!call)
		return false;
	name = klp_sym_base(call->sym, &n);
	return n == len && !strncmp(name, tramp, len);
}

/*
 * Whether entry n, whose key relocation is key, is a call site through a
 * module's key that the trampoline serves.
 */
static bool served_by_tramp(const struct kelf_section *sites,
			    const struct kelf_rela *key, char *tramp,
			    size_t max)
{
	char obj[KLP_OBJNAME_MAX + 1];
	const struct kelf_rela *addr;
	const char *name;
	size_t len;

	if (key->offset % SITE_SIZE != 4 || !is_klp_symbol(key->sym) ||
	    !klp_rela_objname(key->sym, obj) || !strcmp(obj, "vmlinux"))
		return false;
	name = klp_sym_base(key->sym, &len);
	if (len <= strlen(KEY_PREFIX) || len >= max)
		return false;
	if (!strncmp(name, TRAMP_PREFIX, strlen(TRAMP_PREFIX)))
		/* the trampoline stands for a key that is not exported */
		snprintf(tramp, max, "%.*s", (int)len, name);
	else if (!strncmp(name, KEY_PREFIX, strlen(KEY_PREFIX)))
		snprintf(tramp, max, TRAMP_PREFIX "%.*s",
			 (int)(len - strlen(KEY_PREFIX)),
			 name + strlen(KEY_PREFIX));
	else
		return false;
	addr = table_rela_at(sites, key->offset - 4);
	return addr && calls_tramp(addr, tramp, strlen(tramp));
}

static void note(const struct kelf *k, const struct kelf_rela *key,
		 const char *tramp, const char *obj)
{
	size_t len;
	const char *name = klp_sym_base(key->sym, &len);

	fprintf(stderr, "klp-convert: %s: note: a static call through %.*s, "
		"a key of module %s, goes through its trampoline %s: its "
		SITES " entry is left out (the loader would read it before "
		"livepatch writes the key's address; static_call_update() "
		"keeps the trampoline current)\n", k->path, (int)len, name,
		obj, tramp);
}

long drop_module_static_call_sites(struct kelf *k)
{
	static const struct table_drop sites = {
		.section = SITES,
		.entry_size = SITE_SIZE,
		.leaves = served_by_tramp,
		.note = note,
	};

	return drop_table_entries(k, &sites);
}
