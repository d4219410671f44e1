// SPDX-License-Identifier: GPL-2.0
/*
 * Write the diff object: every selected function and object in a section of
 * its own, the selected whole sections (strings, anonymous read-only data,
 * alternative pieces), the kept special-section entries, and relocations
 * rewritten to point at what the output holds or, for everything else, at
 * the original object's symbol by name (UNDEF), for lookup to resolve.
 */
#include "cdo.h"

#include <stdlib.h>
#include <string.h>

static char *join(const char *a, const char *sep, const char *b)
{
	char *s = xmalloc(strlen(a) + strlen(sep) + strlen(b) + 1);

	sprintf(s, "%s%s%s", a, sep, b);
	return s;
}

static void add_section_symbol(struct diff *d, struct kelf_section *sec)
{
	GElf_Sym s = { .st_info = GELF_ST_INFO(STB_LOCAL, STT_SECTION) };

	kelf_add_symbol(d->out, "", &s, sec);
}

/* Longest padding kept (CONFIG_FUNCTION_PADDING_BYTES is 16 on x86). */
#define MAX_PADDING	64
#define X86_NOP		0x90

/*
 * With CONFIG_CALL_PADDING (x86, Linux 6.2 and later) gcc puts NOPs before
 * every function (-fpatchable-function-entry=N,N), so that its symbol
 * starts N bytes into its section.  The kernel writes there: call depth
 * tracking its accounting thunk (for a module, callthunks_patch_module_calls()
 * warns when the bytes before a called function are not NOPs), FineIBT its
 * preamble.  The copy of such a function keeps them, the symbol N bytes in.
 */
static unsigned long padding_before(const struct kelf_symbol *p)
{
	unsigned long i, n = p->sym.st_value;

	if (!is_function(p) || !n || n > MAX_PADDING || !p->sec->data)
		return 0;
	for (i = 0; i < n; i++)
		if (((const unsigned char *)p->sec->data)[i] != X86_NOP)
			return 0;
	return n;
}

static bool owns_section(const struct kelf_symbol *p, unsigned long pad)
{
	return p->sym.st_value == pad && p->sym.st_size + pad == p->sec->size;
}

static int copy_relas(struct diff *d, struct kelf_section *from,
		      struct kelf_section *to, unsigned long start,
		      unsigned long end)
{
	const struct kelf_rela *r;
	size_t i;

	kelf_for_each_rela_in(r, from, start, end, i) {
		struct target t;

		if (r->offset + kelf_rela_width(r->type) > end) {
			diag(d, NULL, DIAG_ERROR, from->name, r->offset,
			     "the relocation crosses the end of what is "
			     "copied (0x%lx)", end);
			return -1;
		}
		rela_target(d->patched, r, &t);
		if (special_skip_rela(d, from, &t))
			continue;
		if (out_relocate(d, to, r, r->offset - start))
			return -1;
	}
	return 0;
}

static void add_alias(struct diff *d, struct kelf_symbol *p,
		      struct kelf_symbol *out)
{
	/* the kernel knows the function by its original name */
	const char *old = p->twin ? p->twin->name : p->name;
	char *name = xmalloc(strlen(d->prefix) + strlen(old) + 16);
	GElf_Sym s = out->sym;

	sprintf(name, KPB_NEW_PREFIX "%s.%s", d->prefix, old);
	s.st_info = GELF_ST_INFO(STB_GLOBAL, STT_FUNC);
	s.st_other = STV_DEFAULT;
	kelf_add_symbol(d->out, name, &s, out->sec);
	free(name);
}

/*
 * The name of p in the output.  A new static local can have the number
 * that another variable has in the original object, and the new code
 * refers to that one by its original name (an UNDEF symbol): the new one
 * gets a ".new" suffix.  Not a constant or descriptor: nothing refers to
 * the kernel's (constants.c).
 */
const char *out_name(struct diff *d, struct kelf_symbol *p)
{
	struct symstate *st = sym_state(d, p);

	if (!st->out_name && p->status == KELF_NEW && is_static_local(p) &&
	    !by_content(p) && kelf_find_symbol(d->orig, p->name))
		st->out_name = join(p->name, "", ".new");
	return st->out_name ? st->out_name : p->name;
}

struct kelf_symbol *out_symbol_for(struct diff *d, struct kelf_symbol *p)
{
	struct kelf_section *sec;
	struct kelf_symbol *out;
	GElf_Sym s = p->sym;
	unsigned long pad = padding_before(p);
	unsigned long start = p->sym.st_value - pad, size = p->sym.st_size + pad;
	GElf_Shdr sh;
	char *name;

	if (p->out)
		return p->out;
	sh = p->sec->sh;
	if (owns_section(p, pad)) {
		name = xstrdup(p->sec->name);
	} else {
		name = join(p->sec->name, ".", out_name(d, p));
		/* a piece of merged strings or constants is not one */
		sh.sh_flags &= ~(unsigned long)(SHF_MERGE | SHF_STRINGS);
	}
	sec = kelf_add_section(d->out, name, &sh,
			       p->sec->data ? p->sec->data + start : NULL,
			       size);
	free(name);
	add_section_symbol(d, sec);
	s.st_value = pad;
	if (p->status == KELF_CHANGED)	/* the kernel has its own */
		s.st_info = GELF_ST_INFO(STB_LOCAL, kelf_type(p));
	out = kelf_add_symbol(d->out, out_name(d, p), &s, sec);
	p->out = out;
	if (p->status == KELF_CHANGED && is_function(p))
		add_alias(d, p, out);
	if (copy_relas(d, p->sec, sec, start, start + size))
		return NULL;
	return out;
}

struct kelf_section *out_section_for(struct diff *d, struct kelf_section *p)
{
	struct kelf_section *sec;

	if (p->out)
		return p->out;
	sec = kelf_add_section(d->out, p->name, &p->sh, p->data, p->size);
	add_section_symbol(d, sec);
	p->out = sec;
	if (copy_relas(d, p, sec, 0, p->size))
		return NULL;
	return sec;
}

/* The output's UNDEF symbol called name, created on first use. */
struct kelf_symbol *out_undef(struct diff *d, const char *name)
{
	GElf_Sym s = { .st_info = GELF_ST_INFO(STB_GLOBAL, STT_NOTYPE) };
	size_t i;

	for (i = 1; i < d->out->nr_syms; i++)
		if (kelf_is_undef(d->out->syms[i]) &&
		    !strcmp(d->out->syms[i]->name, name))
			return d->out->syms[i];
	return kelf_add_symbol(d->out, name, &s, NULL);
}

/* The section of the patched object that relocation r applies to. */
static const char *rela_home(struct diff *d, const struct kelf_rela *r)
{
	size_t i;

	for (i = 1; i < d->patched->nr_secs; i++) {
		const struct kelf_section *rela = d->patched->secs[i]->rela;

		if (rela && r >= rela->relas && r < rela->relas + rela->nr_relas)
			return d->patched->secs[i]->name;
	}
	return "?";
}

static struct kelf_symbol *out_target(struct diff *d, const struct target *t,
				      const struct kelf_rela *r)
{
	struct kelf_section *sec;

	if (t->sym && t->sym->include)
		return out_symbol_for(d, t->sym);
	if (t->sym && !t->sym->sec)
		return out_undef(d, t->sym->name);
	if (t->sym && t->sym->twin)
		return out_undef(d, t->sym->twin->name);
	if (t->sec && t->sec->include) {
		sec = out_section_for(d, t->sec);
		return sec ? sec->secsym : NULL;
	}
	diag(d, NULL, DIAG_ERROR, rela_home(d, r), r->offset, "the relocation "
	     "refers to %s, which is neither in the original object nor "
	     "selected", t->sym ? t->sym->name : t->sec->name);
	return NULL;
}

/*
 * Whether a reference the compiler wrote against a section stays so.
 * objtool, which Linux 6.2+ with IBT runs on the linked livepatch module,
 * takes a jump to a function symbol for a tail call (an alternative's jump
 * back into its function, a cold part's), and reads its annotations
 * (.discard.*) only against section symbols.
 */
static bool keep_section_relative(const struct kelf_section *out_sec,
				  const struct kelf_rela *r,
				  const struct target *t)
{
	if (kelf_type(r->sym) != STT_SECTION || !t->sym || !is_function(t->sym))
		return false;
	if (starts(out_sec->name, ".discard."))
		return true;
	return kelf_is_exec(out_sec) && t->spot >= 0 &&
	       t->spot != (long)t->sym->sym.st_value;
}

int out_relocate(struct diff *d, struct kelf_section *out_sec,
		 const struct kelf_rela *r, unsigned long new_offset)
{
	struct kelf_symbol *sym;
	struct target t;

	rela_target(d->patched, r, &t);
	sym = out_target(d, &t, r);
	if (!sym)
		return -1;
	if (keep_section_relative(out_sec, r, &t) && sym->sec) {
		t.addend += (long)sym->sym.st_value;
		sym = sym->sec->secsym;
	}
	kelf_add_rela(kelf_rela_section(d->out, out_sec), new_offset, r->type,
		      t.addend, sym);
	return 0;
}

static void add_file_symbol(struct diff *d)
{
	size_t i;

	for (i = 1; i < d->patched->nr_syms; i++) {
		struct kelf_symbol *s = d->patched->syms[i];

		if (kelf_type(s) == STT_FILE) {
			GElf_Sym file = s->sym;

			file.st_shndx = SHN_ABS;	/* whatever it said */
			kelf_add_symbol(d->out, s->name, &file, NULL);
			return;
		}
	}
}

int write_output(struct diff *d, const char *path)
{
	GElf_Shdr note = { .sh_type = SHT_PROGBITS, .sh_addralign = 1 };
	size_t i;

	d->out = kelf_new(&d->patched->ehdr, path);
	add_file_symbol(d);
	if (write_dyndbg(d))
		return -1;
	for (i = 1; i < d->patched->nr_syms; i++) {
		struct kelf_symbol *s = d->patched->syms[i];

		if (s->include && !out_symbol_for(d, s))
			return -1;
	}
	for (i = 1; i < d->patched->nr_secs; i++) {
		struct kelf_section *sec = d->patched->secs[i];

		if (sec->include && !out_section_for(d, sec))
			return -1;
	}
	for (i = 1; i < d->patched->nr_secs; i++) {
		struct kelf_section *sec = d->patched->secs[i];

		if (special_find(sec) && special_write(d, sec))
			return -1;
	}
	if (write_static_call_keys(d) || write_runtime_consts(d) ||
	    write_noendbr(d) || write_import_ns(d))
		return -1;
	kelf_add_section(d->out, ".note.GNU-stack", &note, NULL, 0);
	return kelf_write(d->out, path);
}
