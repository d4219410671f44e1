/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Symbol names between the stages, in one place: those of the livepatch ELF
 * format (the kernel's Documentation/livepatch/module-elf-format.rst), and
 * kpatch-build's private ones, with who writes and who reads each.  The
 * parsers are in klp-names.c.
 *
 *   __kpb_new.ID.NAME     create-diff-object (write.c): a GLOBAL FUNC alias
 *                         of the new code of function NAME in the diff object
 *                         of prefix ID (o1, o2, ...; --prefix).  lookup reads
 *                         it (kpb_new_target()) and prints its "func" line;
 *                         the generated livepatch-main.c calls it new_func.
 *   __kpb_cb.ID.KIND      create-diff-object (kpatch-sections.c): the GLOBAL
 *                         pointer to the KPATCH_*_CALLBACK of KIND
 *                         (pre_patch, post_patch, pre_unpatch, post_unpatch)
 *                         of diff object ID.  Its manifest line "callback ID
 *                         KIND ENTRY" names it, so no stage parses it: the
 *                         generated livepatch-main.c refers to it by name.
 *   .kpb.for.OBJ..klp.sym.SYMOBJ.NAME,POS
 *                         lookup (rename.c): see KPB_FOR_PREFIX below;
 *                         klp-convert reads it (kpb_for_object()).
 *   .klp.sym.OBJ.NAME,POS, .klp.rela.OBJ.SEC
 *                         the kernel's: lookup writes the first, klp-convert
 *                         both.
 */
#ifndef KLP_NAMES_H
#define KLP_NAMES_H

#include <stddef.h>

/* ".klp.sym.OBJ.NAME,POS": symbol NAME of object OBJ (vmlinux or a module). */
#define KLP_SYM_PREFIX		".klp.sym."
/* ".klp.rela.OBJ.SEC": relocations livepatch applies once OBJ is there. */
#define KLP_RELA_PREFIX		".klp.rela."
/* The field widths of the kernel's sscanf() in klp_resolve_symbols(). */
#define KLP_OBJNAME_MAX		55
#define KLP_SYMNAME_MAX		511

/* "__kpb_new.ID.NAME" and "__kpb_cb.ID.KIND" (above). */
#define KPB_NEW_PREFIX		"__kpb_new."
#define KPB_CB_PREFIX		"__kpb_cb."

/*
 * ".kpb.for.OBJ..klp.sym.SYMOBJ.NAME,POS": a livepatch symbol of SYMOBJ
 * that the new code of klp_object OBJ uses, where OBJ is not SYMOBJ (a
 * module's code using another module's export).  klp-convert drops the
 * prefix and puts the relocations in .klp.rela.OBJ.*, so that they are
 * written when OBJ is patched, not when SYMOBJ is.
 */
#define KPB_FOR_PREFIX		".kpb.for."

/* NAME of "__kpb_new.ID.NAME", or NULL if name is not of that form. */
const char *kpb_new_target(const char *name);

/*
 * OBJ of ".kpb.for.OBJ..klp.sym.REST" (its start; its length in *len, 1 to
 * KLP_OBJNAME_MAX characters without '.'), or NULL if name is not of that
 * form.  The livepatch symbol ".klp.sym.REST" starts at OBJ + *len + 1.
 */
const char *kpb_for_object(const char *name, size_t *len);

/*
 * Sections the module loader reads while it loads the livepatch module
 * (jump labels, static calls, alternatives, paravirt, lock prefixes), before
 * livepatch writes the relocations of a module's .klp.rela sections: an
 * entry there cannot refer to a module's symbol through livepatch.
 */
int klp_early_section(const char *name);

#endif
