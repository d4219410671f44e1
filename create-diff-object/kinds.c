// SPDX-License-Identifier: GPL-2.0
/*
 * What a symbol or a section is: a function, data, code with ENDBR64, a
 * string table, a section that never matters for the running kernel, init
 * code and data.  The passes ask here.
 */
#include "cdo.h"

#include <string.h>

bool is_function(const struct kelf_symbol *s)
{
	return s->sec && kelf_type(s) == STT_FUNC;
}

/* Whether function f starts with ENDBR64 (IBT: -fcf-protection=branch). */
bool has_endbr(const struct kelf_symbol *f)
{
	static const unsigned char endbr64[] = { 0xf3, 0x0f, 0x1e, 0xfa };

	return f->sec->data && f->sym.st_size >= sizeof(endbr64) &&
	       !memcmp((const unsigned char *)f->sec->data + f->sym.st_value,
		       endbr64, sizeof(endbr64));
}

bool is_data(const struct kelf_symbol *s)
{
	return s->sec && kelf_type(s) == STT_OBJECT;
}

bool is_string_section(const struct kelf_section *sec)
{
	return (sec->sh.sh_flags & SHF_STRINGS) &&
	       (sec->sh.sh_flags & SHF_MERGE);
}

/* Sections that never matter for the running kernel's behaviour. */
bool is_ignored_section(const struct kelf_section *sec)
{
	static const char *const prefixes[] = {
		".discard", ".comment", ".note", ".eh_frame", ".debug",
		".llvm", ".BTF", ".GCC.command.line", ".symtab", ".strtab",
		".shstrtab", ".modinfo", "__ksymtab", "__kcrctab",
	};
	size_t i;

	if (kelf_is_rela(sec))
		return true;
	for (i = 0; i < ARRAY_SIZE(prefixes); i++)
		if (starts(sec->name, prefixes[i]))
			return true;
	return false;
}

/* Code and data that only run at boot (or at unload): never patchable. */
bool is_init_section(const struct kelf_section *sec)
{
	return starts(sec->name, ".init.") || starts(sec->name, ".exit.") ||
	       starts(sec->name, ".initcall");
}
