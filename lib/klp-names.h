/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Names of the livepatch ELF format (the kernel's
 * Documentation/livepatch/module-elf-format.rst), and the one form that
 * lookup hands to klp-convert beyond it.
 */
#ifndef KLP_NAMES_H
#define KLP_NAMES_H

/* ".klp.sym.OBJ.NAME,POS": symbol NAME of object OBJ (vmlinux or a module). */
#define KLP_SYM_PREFIX		".klp.sym."
/* ".klp.rela.OBJ.SEC": relocations livepatch applies once OBJ is there. */
#define KLP_RELA_PREFIX		".klp.rela."
/* The field widths of the kernel's sscanf() in klp_resolve_symbols(). */
#define KLP_OBJNAME_MAX		55
#define KLP_SYMNAME_MAX		511

/*
 * ".kpb.for.OBJ..klp.sym.SYMOBJ.NAME,POS": a livepatch symbol of SYMOBJ
 * that the new code of klp_object OBJ uses, where OBJ is not SYMOBJ (a
 * module's code using another module's export).  klp-convert drops the
 * prefix and puts the relocations in .klp.rela.OBJ.*, so that they are
 * written when OBJ is patched, not when SYMOBJ is.
 */
#define KPB_FOR_PREFIX		".kpb.for."

/*
 * Sections the module loader reads while it loads the livepatch module
 * (jump labels, static calls, alternatives, paravirt, lock prefixes), before
 * livepatch writes the relocations of a module's .klp.rela sections: an
 * entry there cannot refer to a module's symbol through livepatch.
 */
static inline int klp_early_section(const char *name)
{
	static const char *const early[] = {
		"__jump_table", ".static_call_sites", ".altinstructions",
		".altinstr_replacement", ".altinstr_aux", ".parainstructions",
		".smp_locks",
	};
	unsigned int i;

	for (i = 0; i < sizeof(early) / sizeof(early[0]); i++)
		if (!__builtin_strcmp(early[i], name))
			return 1;
	return 0;
}

#endif
