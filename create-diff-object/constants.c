// SPDX-License-Identifier: GPL-2.0
/*
 * Data that is what it holds, not where it is.
 *
 * Constants: the compiler's read-only data that no code can tell apart from
 * a copy: the entries of mergeable sections (.rodata.cst16, .rodata.str1.1:
 * the linker merges equal ones anyway, code reaches them through .LCn
 * labels), __func__, __FUNCTION__ and __PRETTY_FUNCTION__ (name.N) and
 * switch tables (CSWTCH.N).  Patched code gets copies of them in the
 * livepatch; a reference to the kernel's would need the kernel to have the
 * label (.LCn is in no symbol table) or the name once (__func__.N is in
 * every object).
 *
 * Dynamic debug descriptors (struct _ddebug in section __dyndbg, one per
 * pr_debug()/dev_dbg() call site, named __UNIQUE_ID_ddebugN.M with N from
 * __COUNTER__): the module loader registers a module's __dyndbg for that
 * module, the livepatch too, so a patched function gets descriptors of its
 * own (dyndbg.c writes them).
 *
 * Both are compared by content, never by name or number: bytes (without a
 * descriptor's __LINE__) and what their relocations point at.  Except for
 * switch tables, which propagate.c handles as changed data of their
 * function, they are never paired with an original symbol.
 */
#include "cdo.h"

#include <string.h>

/* How deep constants pointing at constants are compared. */
#define MAX_DEPTH	4

bool is_merge_section(const struct kelf_section *sec)
{
	return (sec->sh.sh_flags & SHF_MERGE) &&
	       !(sec->sh.sh_flags & SHF_WRITE);
}

static bool read_only(const struct kelf_section *sec)
{
	return (sec->sh.sh_flags & SHF_ALLOC) &&
	       !(sec->sh.sh_flags & (SHF_WRITE | SHF_EXECINSTR));
}

/*
 * A static const object of .rodata without relocations: a netlink policy
 * table, NL_SET_ERR_MSG()'s "static const char __msg[]", a lookup table.
 * Only this file's code can name it and it holds no pointer (an ops
 * structure, whose address the kernel compares, has pointers).  Unchanged,
 * it is the kernel's; changed, propagate.c copies it with every function
 * that reads it (as a switch table), and as a static local it has no state
 * to pair (locals.c).
 */
bool is_plain_rodata(const struct kelf_symbol *s)
{
	const struct kelf_rela *r;
	size_t pos;

	if (kelf_bind(s) != STB_LOCAL || kelf_type(s) != STT_OBJECT ||
	    !s->sec || !read_only(s->sec) || is_merge_section(s->sec) ||
	    strncmp(s->sec->name, ".rodata", strlen(".rodata")) ||
	    !s->sym.st_size)
		return false;
	kelf_for_each_rela_in(r, s->sec, s->sym.st_value,
			      s->sym.st_value + s->sym.st_size, pos)
		return false;
	return true;
}

bool is_constant(const struct kelf_symbol *s)
{
	static const char *const names[] = {
		"__func__", "__FUNCTION__", "__PRETTY_FUNCTION__", "CSWTCH",
	};
	size_t i;

	if (!is_data(s) || !read_only(s->sec))
		return false;
	if (is_merge_section(s->sec))
		return true;
	for (i = 0; i < ARRAY_SIZE(names); i++)
		if (is_numbered(s->name, names[i]))
			return true;
	return false;
}

bool is_dyndbg_descriptor(const struct kelf_symbol *s)
{
	return is_data(s) && !strcmp(s->sec->name, "__dyndbg");
}

bool by_content(const struct kelf_symbol *s)
{
	return is_dyndbg_descriptor(s) ||
	       (is_constant(s) && !is_numbered(s->name, "CSWTCH"));
}

/*
 * struct _ddebug (Linux 6.1 and 6.12): modname, function, filename,
 * format, then "unsigned int lineno:18, class_id:6, flags:8".  The line
 * moves with any edit above the call site.
 */
#define DDEBUG_LINE_OFFSET	32
#define DDEBUG_LINE_MASK	0x3ffffu

static unsigned char byte_of(const struct kelf_symbol *s, size_t i)
{
	unsigned char b = s->sec->data[s->sym.st_value + i];
	size_t bit = (i - DDEBUG_LINE_OFFSET) * 8;

	if (is_dyndbg_descriptor(s) && i >= DDEBUG_LINE_OFFSET &&
	    i < DDEBUG_LINE_OFFSET + 4 && bit < 32)
		b &= (unsigned char)~(DDEBUG_LINE_MASK >> bit);
	return b;
}

static bool same_bytes(const struct kelf_symbol *p, const struct kelf_symbol *o)
{
	size_t i;

	if (p->sym.st_size != o->sym.st_size)
		return false;
	if (!p->sec->data || !o->sec->data)
		return !p->sec->data && !o->sec->data;
	if (p->sym.st_value + p->sym.st_size > p->sec->size ||
	    o->sym.st_value + o->sym.st_size > o->sec->size)
		return false;
	for (i = 0; i < p->sym.st_size; i++)
		if (byte_of(p, i) != byte_of(o, i))
			return false;
	return true;
}

/* The relocations of s's section inside s, from *pos on: the next one. */
static const struct kelf_rela *next_rela(const struct kelf_symbol *s,
					 size_t *pos)
{
	return kelf_next_rela(s->sec, s->sym.st_value,
			      s->sym.st_value + s->sym.st_size, pos);
}

bool same_content(struct diff *d, const struct kelf_symbol *p,
		  const struct kelf_symbol *o)
{
	static int depth;
	const struct kelf_rela *pr, *or;
	size_t pi = 0, oi = 0;
	bool same = true;

	if (!same_bytes(p, o) || depth >= MAX_DEPTH)
		return false;
	depth++;
	for (;;) {
		pr = next_rela(p, &pi);
		or = next_rela(o, &oi);
		if (!pr || !or) {
			same = !pr && !or;
			break;
		}
		if (pr->offset - p->sym.st_value !=
		    or->offset - o->sym.st_value || !same_rela(d, pr, or)) {
			same = false;
			break;
		}
	}
	depth--;
	return same;
}

/* The entry of a mergeable section that t means: its start, or -1. */
static long entry_start(const struct target *t, long *within)
{
	long size = t->sec->sh.sh_entsize ? (long)t->sec->sh.sh_entsize : 1;
	long off = t->spot >= 0 ? t->spot : t->addend + 4;

	if (off < 0 || (size_t)off >= t->sec->size)
		off = t->addend;
	if (off < 0 || (size_t)off >= t->sec->size)
		return -1;
	*within = off % size;
	return off - *within;
}

/* Two spots in non-string mergeable sections: the same constant? */
bool same_merged_constant(const struct target *pt, const struct target *ot)
{
	long pw, ow, ps = entry_start(pt, &pw), os = entry_start(ot, &ow);
	size_t size = pt->sec->sh.sh_entsize ? pt->sec->sh.sh_entsize : 1;

	if (ps < 0 || os < 0 || pw != ow ||
	    pt->sec->sh.sh_entsize != ot->sec->sh.sh_entsize ||
	    !pt->sec->data || !ot->sec->data ||
	    (size_t)ps + size > pt->sec->size ||
	    (size_t)os + size > ot->sec->size)
		return false;
	return !memcmp(pt->sec->data + ps, ot->sec->data + os, size);
}

static unsigned long hash_bytes(unsigned long h, const void *p, size_t n)
{
	const unsigned char *b = p;
	size_t i;

	for (i = 0; i < n; i++)
		h = (h ^ b[i]) * 1099511628211ul;
	return h;
}

static unsigned long hash_string(unsigned long h, const char *s)
{
	return hash_bytes(h, s, strlen(s) + 1);
}

static unsigned long content_hash(struct diff *d, struct kelf *k,
				  const struct kelf_symbol *s, int depth)
{
	unsigned long h = 1469598103934665603ul;
	const struct kelf_rela *r;
	size_t i, pos = 0;

	for (i = 0; s->sec->data && i < s->sym.st_size &&
		    s->sym.st_value + i < s->sec->size; i++) {
		unsigned char b = byte_of(s, i);

		h = hash_bytes(h, &b, 1);
	}
	while ((r = next_rela(s, &pos)))
		h = h * 31 + rela_token(d, k, r, depth + 1);
	return h;
}

/* The content of the constant at t in a mergeable section. */
static unsigned long merged_hash(unsigned long h, const struct target *t)
{
	size_t size = t->sec->sh.sh_entsize ? t->sec->sh.sh_entsize : 1;
	long within, start = entry_start(t, &within);

	if (start < 0 || !t->sec->data || (size_t)start + size > t->sec->size)
		return h;
	return hash_bytes(h, t->sec->data + start, size) +
	       (unsigned long)within;
}

static const char *name_of(bool patched, const struct kelf_symbol *s)
{
	return patched && s->twin ? s->twin->name : s->name;
}

/*
 * What a relocation means, as a number equal for both objects when it
 * means the same: the original's name of a paired symbol, the content of
 * a string or constant, a static local's name without its number.
 */
unsigned long rela_token(struct diff *d, struct kelf *k,
			 const struct kelf_rela *r, int depth)
{
	unsigned long h = 1469598103934665603ul, addend;
	bool patched = k == d->patched;
	struct target t;
	char canon[512];

	rela_target(k, r, &t);
	addend = (unsigned long)t.addend;
	if (t.sym && by_content(t.sym) && depth < MAX_DEPTH)
		return content_hash(d, k, t.sym, depth) * 7 + addend;
	if (t.sym && is_static_local(t.sym)) {
		canonical_name(t.sym->name, canon, sizeof(canon));
		return hash_string(hash_string(h, "local"), canon);
	}
	if (t.sym) {
		h = hash_string(h, name_of(patched, t.sym));
		return is_function(t.sym) ? h : h + addend;
	}
	if (!t.sec)
		return h;
	if (is_string_section(t.sec) && target_string(&t))
		return hash_string(h, target_string(&t));
	if (is_merge_section(t.sec))
		return merged_hash(h, &t);
	return hash_string(h, patched && t.sec->twin ? t.sec->twin->name :
			   t.sec->name) + addend;
}
