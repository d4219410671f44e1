// SPDX-License-Identifier: GPL-2.0
/*
 * MODULE_IMPORT_NS(NS) puts "import_ns=NS" into the object's .modinfo
 * ("MODNAME.import_ns=NS" when the object is built into vmlinux).  The new
 * code may call the namespace's exports, and the kernel loads a module
 * that uses a namespaced export only if the module imports the namespace
 * (modpost says so too).  So the output carries every namespace the
 * patched object imports, as "import_ns=NS" in its own .modinfo: the
 * livepatch module's link puts it into the module's .modinfo.  The differ
 * cannot tell which exports are namespaced (Module.symvers can): an
 * import the new code does not need costs nothing.
 */
#include "cdo.h"

#include <stdlib.h>
#include <string.h>

#define IMPORT_NS	"import_ns="

/* The NS of "import_ns=NS" or "MODNAME.import_ns=NS", else NULL. */
static const char *import_ns(const char *entry)
{
	const char *dot = strchr(entry, '.'), *eq = strchr(entry, '=');

	if (starts(entry, IMPORT_NS))
		return entry + strlen(IMPORT_NS);
	if (dot && (!eq || dot < eq) && starts(dot + 1, IMPORT_NS))
		return dot + 1 + strlen(IMPORT_NS);
	return NULL;
}

/* Appends "import_ns=NS\0" to buf unless it has it already. */
static bool add_entry(char **buf, size_t *len, const char *ns)
{
	size_t n = strlen(IMPORT_NS) + strlen(ns) + 1, off;

	for (off = 0; off < *len; off += strlen(*buf + off) + 1)
		if (!strcmp(*buf + off + strlen(IMPORT_NS), ns))
			return false;
	*buf = xrealloc(*buf, *len + n);
	memcpy(*buf + *len, IMPORT_NS, strlen(IMPORT_NS));
	memcpy(*buf + *len + strlen(IMPORT_NS), ns, n - strlen(IMPORT_NS));
	*len += n;
	return true;
}

int write_import_ns(struct diff *d)
{
	struct kelf_section *sec = kelf_find_section(d->patched, ".modinfo");
	GElf_Shdr sh = { .sh_type = SHT_PROGBITS, .sh_flags = SHF_ALLOC,
			 .sh_addralign = 1 };
	char *buf = NULL;
	size_t off, len = 0;

	if (!sec || !sec->data)
		return 0;
	for (off = 0; off < sec->size; off += strlen((char *)sec->data + off) + 1) {
		const char *entry = (const char *)sec->data + off;
		const char *ns;

		if (!memchr(entry, '\0', sec->size - off))
			break;	/* not NUL-terminated: not an entry */
		ns = import_ns(entry);
		if (!ns || !*ns || !add_entry(&buf, &len, ns))
			continue;
		report_item(d, "import-ns", ns, "MODULE_IMPORT_NS(%s) of %s, "
			    "kept in the livepatch module's .modinfo: the new "
			    "code may use the namespace's exports", ns,
			    d->objname);
	}
	if (len)
		kelf_add_section(d->out, ".modinfo", &sh, buf, len);
	free(buf);
	return 0;
}
