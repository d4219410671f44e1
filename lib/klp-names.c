// SPDX-License-Identifier: GPL-2.0
/*
 * The parsers of kpatch-build's private symbol names (klp-names.h).
 */
#include "klp-names.h"
#include "kelf.h"		/* starts() */

#include <string.h>

const char *kpb_new_target(const char *name)
{
	const char *dot;

	if (!starts(name, KPB_NEW_PREFIX))
		return NULL;
	name += strlen(KPB_NEW_PREFIX);
	dot = strchr(name, '.');
	return dot && dot[1] ? dot + 1 : NULL;
}

const char *kpb_for_object(const char *name, size_t *len)
{
	const char *p = name + strlen(KPB_FOR_PREFIX);

	if (!starts(name, KPB_FOR_PREFIX))
		return NULL;
	*len = strcspn(p, ".");
	if (!*len || *len > KLP_OBJNAME_MAX || p[*len] != '.' ||
	    !starts(p + *len + 1, KLP_SYM_PREFIX))
		return NULL;
	return p;
}

int klp_early_section(const char *name)
{
	static const char *const early[] = {
		"__jump_table", ".static_call_sites", ".altinstructions",
		".altinstr_replacement", ".altinstr_aux", ".parainstructions",
		".smp_locks",
	};
	unsigned int i;

	for (i = 0; i < sizeof(early) / sizeof(early[0]); i++)
		if (!strcmp(early[i], name))
			return 1;
	return 0;
}
