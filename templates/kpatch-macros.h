/* SPDX-License-Identifier: GPL-2.0 */
/*
 * kpatch-macros.h: what a patch can tell kpatch-build from inside the
 * patched source.  Include it as "kpatch-macros.h"; kpatch-build puts its
 * directory on the include path of the objects it diffs.
 *
 * The names and their meaning follow dynup/kpatch, so existing patches
 * build unchanged:
 *
 *   KPATCH_PRE_PATCH_CALLBACK(fn)     int fn(patch_object *obj): runs before
 *                                     the object is patched; non-zero
 *                                     refuses the patch
 *   KPATCH_POST_PATCH_CALLBACK(fn)    void fn(patch_object *obj): runs after
 *   KPATCH_PRE_UNPATCH_CALLBACK(fn)   void fn(patch_object *obj): before
 *                                     the object is unpatched
 *   KPATCH_POST_UNPATCH_CALLBACK(fn)  void fn(patch_object *obj): after
 *   KPATCH_IGNORE_FUNCTION(fn)        a change of fn is not patched
 *   KPATCH_IGNORE_SECTION(".name")    changes in section .name are not
 *                                     patched
 *   KPATCH_FORCE_UNSAFE(fn)           fn is patched although
 *                                     create-diff-object would refuse its
 *                                     change; the author vouches for it
 *
 * patch_object is the kernel's struct klp_object (<linux/livepatch.h>):
 * the callbacks are the klp_object's, and run as described in
 * Documentation/livepatch/callbacks.rst.  Every source file of the patch may
 * have callbacks; those of files in the same object (vmlinux or one module)
 * run in the order the files were diffed (the unpatch ones in reverse), and
 * when a pre-patch callback fails, the post-unpatch callbacks of the files
 * whose pre-patch callbacks already ran are called to undo them.
 *
 * How it works: each macro adds one entry to a table section that only
 * create-diff-object reads (create-diff-object/kpatch-macros.c).  The
 * tables never reach the running kernel except the callback entries, which
 * the generated livepatch-main.c calls.
 *
 *   section                     one entry per use: a static variable
 *   .kpb.callbacks.pre_patch    const pointer to the callback
 *   .kpb.callbacks.post_patch        "
 *   .kpb.callbacks.pre_unpatch       "
 *   .kpb.callbacks.post_unpatch      "
 *   .kpb.ignore.functions       const pointer to the function
 *   .kpb.ignore.sections        the section name, a NUL-terminated char array
 *   .kpb.force_unsafe           const pointer to the function
 *
 * Each macro is a complete declaration at file scope; a ';' after it is
 * allowed, as with kpatch.
 */
#ifndef KPATCH_MACROS_H
#define KPATCH_MACROS_H

struct klp_object;
typedef struct klp_object patch_object;

#define __KPB_PASTE_(a, b)	a##b
#define __KPB_PASTE(a, b)	__KPB_PASTE_(a, b)
#define __KPB_UNIQUE(prefix)	__KPB_PASTE(prefix, __COUNTER__)

#define __KPB_TABLE(sec) \
	__attribute__((__used__, __section__(sec), __aligned__(8)))

/* Callbacks: the pointer's type checks fn's signature. */
#define KPATCH_PRE_PATCH_CALLBACK(fn) \
	static int (*const __kpb_pre_patch_##fn)(patch_object *) \
	__KPB_TABLE(".kpb.callbacks.pre_patch") = fn;
#define KPATCH_POST_PATCH_CALLBACK(fn) \
	static void (*const __kpb_post_patch_##fn)(patch_object *) \
	__KPB_TABLE(".kpb.callbacks.post_patch") = fn;
#define KPATCH_PRE_UNPATCH_CALLBACK(fn) \
	static void (*const __kpb_pre_unpatch_##fn)(patch_object *) \
	__KPB_TABLE(".kpb.callbacks.pre_unpatch") = fn;
#define KPATCH_POST_UNPATCH_CALLBACK(fn) \
	static void (*const __kpb_post_unpatch_##fn)(patch_object *) \
	__KPB_TABLE(".kpb.callbacks.post_unpatch") = fn;

#define KPATCH_IGNORE_FUNCTION(fn) \
	static const void *const __kpb_ignore_function_##fn \
	__KPB_TABLE(".kpb.ignore.functions") = (const void *)fn;

#define KPATCH_IGNORE_SECTION(sec) \
	static const char __KPB_UNIQUE(__kpb_ignore_section_)[] \
	__attribute__((__used__, __section__(".kpb.ignore.sections"))) = sec;

#define KPATCH_FORCE_UNSAFE(fn) \
	static const void *const __kpb_force_unsafe_##fn \
	__KPB_TABLE(".kpb.force_unsafe") = (const void *)fn;

#endif /* KPATCH_MACROS_H */
