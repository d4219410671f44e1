// SPDX-License-Identifier: GPL-2.0
/*
 * used-code [--list FILE] < FILE.i > REDUCED
 *
 * The part of a preprocessed C file (gcc -E -P output) that the compiler
 * can turn into code: the file without the static inline functions that
 * nothing in it refers to, directly or through other static inline
 * functions that are referred to.  GCC emits no code and no debug entry
 * for such a function, so two preprocessed files whose reductions are the
 * same give the same object (line numbers aside).  kpatch-build compares
 * an includer's reduction before and after a header patch (headers.sh).
 *
 * The file is read as a sequence of top-level units: a declaration up to
 * its ';', or a function definition up to the '}' of its body.  A unit is a
 * node when it is a function definition whose specifiers say static and
 * inline and no attribute keeps it or a static variable of its body (used,
 * constructor, ...) and no #pragma is in it; every other unit is a root.  Every identifier of a root (and every word of its string
 * literals: asm("call f")) refers to the nodes of that name, except the
 * declarator name of the unit itself (a declaration does not use it); the
 * nodes referred to, and those their bodies refer to, are used.
 *
 * REDUCED is every unit but the unused nodes, in order, its tokens as
 * written, whitespace between two tokens as one space (none where there
 * was none), a directive line left in the output (#pragma) on a line of
 * its own.  --list FILE writes "NAME used|unused HASH" for every node, HASH
 * a 64-bit hash of its text (to name the functions a patch changes).
 *
 * Exit status: 0 = reduced; 1 = error (brackets that do not match: the
 * file cannot be read as units; the caller keeps the object).
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum tok_kind { T_IDENT, T_STRING, T_LINE, T_OTHER };

struct tok {
	const char *s;
	size_t len;
	enum tok_kind kind;
	bool space;		/* whitespace before it */
};

struct unit {
	size_t start, end;	/* tokens [start, end) */
	long name;		/* the declarator name's token, -1 if none */
	bool node;
	bool used;
	long next_same;		/* the next node of the same name, -1 */
};

struct file {
	char *buf;
	size_t size;
	struct tok *toks;
	size_t ntoks;
	struct unit *units;
	size_t nunits;
	long *heads;		/* hash table of node names: first unit */
	size_t nheads;
};

static void *grow(void *p, size_t *cap, size_t n, size_t size)
{
	if (n < *cap)
		return p;
	*cap = *cap ? *cap * 2 : 1024;
	p = realloc(p, *cap * size);
	if (!p) {
		fprintf(stderr, "used-code: out of memory\n");
		exit(1);
	}
	return p;
}

static void read_input(struct file *f)
{
	size_t cap = 0, n;

	for (;;) {
		f->buf = grow(f->buf, &cap, f->size + 65536, 1);
		n = fread(f->buf + f->size, 1, cap - f->size - 1, stdin);
		f->size += n;
		if (n == 0)
			break;
	}
	if (ferror(stdin)) {
		fprintf(stderr, "used-code: cannot read the input\n");
		exit(1);
	}
	f->buf[f->size] = '\0';
}

static bool ident_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	       (c >= '0' && c <= '9') || c == '_' || c == '$';
}

/* The end of the token that starts at p (p < end, not whitespace). */
static const char *token_end(const char *p, const char *end,
			     enum tok_kind *kind)
{
	char q;

	if (ident_char(*p) && !(*p >= '0' && *p <= '9')) {
		*kind = T_IDENT;
		while (p < end && ident_char(*p))
			p++;
		return p;
	}
	if ((*p >= '0' && *p <= '9') ||
	    (*p == '.' && p + 1 < end && p[1] >= '0' && p[1] <= '9')) {
		/* a preprocessing number: 0x1fUL, 1e+5, 1.5p-3 */
		*kind = T_OTHER;
		for (p++; p < end; p++) {
			if ((*p == '+' || *p == '-') &&
			    strchr("eEpP", p[-1]))
				continue;
			if (!ident_char(*p) && *p != '.')
				break;
		}
		return p;
	}
	if (*p == '"' || *p == '\'') {
		*kind = T_STRING;
		q = *p++;
		while (p < end && *p != q && *p != '\n')
			p += (*p == '\\' && p + 1 < end) ? 2 : 1;
		return p < end && *p == q ? p + 1 : p;
	}
	*kind = T_OTHER;
	return p + 1;
}

static void tokenize(struct file *f)
{
	const char *p = f->buf, *end = f->buf + f->size, *e;
	bool line_start = true, space = false;
	size_t cap = 0;
	enum tok_kind kind;

	while (p < end) {
		if (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r' ||
		    *p == '\f' || *p == '\v') {
			if (*p == '\n')
				line_start = true;
			space = true;
			p++;
			continue;
		}
		if (line_start && *p == '#') {
			kind = T_LINE;
			e = memchr(p, '\n', end - p);
			e = e ? e : end;
		} else {
			e = token_end(p, end, &kind);
		}
		f->toks = grow(f->toks, &cap, f->ntoks, sizeof(*f->toks));
		f->toks[f->ntoks++] = (struct tok){ p, e - p, kind, space };
		p = e;
		space = false;
		line_start = false;
	}
}

static bool tok_is(const struct tok *t, const char *s)
{
	return t->len == strlen(s) && !memcmp(t->s, s, t->len);
}

static bool tok_in(const struct tok *t, const char *const *list)
{
	for (; *list; list++)
		if (tok_is(t, *list))
			return true;
	return false;
}

static bool punct(const struct tok *t, char c)
{
	return t->kind == T_OTHER && t->len == 1 && t->s[0] == c;
}

/* Words before a '(' that are not the declarator: __attribute__((...)) */
static const char *const skipped_before_paren[] = {
	"__attribute__", "__attribute", "__asm__", "__asm", "asm",
	"__declspec", "_Alignas", "alignas", NULL
};

/* Keywords: a '(' after one of them has no declarator name before it. */
static const char *const keywords[] = {
	"auto", "break", "case", "char", "const", "continue", "default",
	"do", "double", "else", "enum", "extern", "float", "for", "goto",
	"if", "inline", "int", "long", "register", "restrict", "return",
	"short", "signed", "sizeof", "static", "struct", "switch",
	"typedef", "union", "unsigned", "void", "volatile", "while",
	"_Bool", "_Complex", "_Static_assert", "_Alignof", "_Atomic",
	"_Generic", "_Noreturn", "_Thread_local", "typeof", "__typeof__",
	"__typeof", "__alignof__", "__extension__", "__builtin_offsetof",
	"__volatile__", "__const", "__restrict", "__signed__", "__inline",
	"__inline__", NULL
};

static const char *const inline_words[] = {
	"inline", "__inline", "__inline__", NULL
};

/* Attributes that make GCC emit a function that nothing calls. */
static const char *const keeping_attrs[] = {
	"used", "__used__", "constructor", "__constructor__", "destructor",
	"__destructor__", "externally_visible", "__externally_visible__",
	"retain", "__retain__", NULL
};

/* The token after the bracket that closes the one at i, or 0. */
static size_t matching(const struct file *f, size_t i)
{
	long depth = 0;

	for (; i < f->ntoks; i++) {
		if (punct(&f->toks[i], '(') || punct(&f->toks[i], '[') ||
		    punct(&f->toks[i], '{'))
			depth++;
		else if (punct(&f->toks[i], ')') || punct(&f->toks[i], ']') ||
			 punct(&f->toks[i], '}'))
			depth--;
		if (depth == 0)
			return i + 1;
		if (depth < 0)
			return 0;
	}
	return 0;
}

/*
 * Whether the function definition of tokens [start, end), body from token
 * body on, is a node: static and inline, and nothing in it that GCC would
 * emit or act on without a call: a keeping attribute on it or on a static
 * variable of its body, a directive line (#pragma) that would hold for
 * the code after it.
 */
static bool is_node(const struct file *f, size_t start, size_t body,
		    size_t end)
{
	bool is_static = false, is_inline = false;
	size_t i;

	for (i = start; i < end; i++) {
		if (f->toks[i].kind == T_LINE)
			return false;
		if (f->toks[i].kind != T_IDENT)
			continue;
		if (tok_in(&f->toks[i], keeping_attrs))
			return false;
		if (i >= body)
			continue;
		if (tok_is(&f->toks[i], "static"))
			is_static = true;
		else if (tok_in(&f->toks[i], inline_words))
			is_inline = true;
	}
	return is_static && is_inline;
}

/* One unit from token i on; false when its brackets do not match. */
static bool read_unit(const struct file *f, size_t i, struct unit *u)
{
	long depth = 0;
	bool eq = false, paren_seen = false;
	const struct tok *t, *prev;
	size_t end;

	*u = (struct unit){ i, 0, -1, false, false, -1 };
	if (f->toks[i].kind == T_LINE) {
		u->end = i + 1;
		return true;
	}
	for (; i < f->ntoks; i++) {
		t = &f->toks[i];
		prev = i > u->start ? &f->toks[i - 1] : NULL;
		if (t->kind != T_OTHER || t->len != 1)
			continue;
		switch (t->s[0]) {
		case '(':
			if (depth == 0 && !eq && !paren_seen && prev &&
			    prev->kind == T_IDENT &&
			    !tok_in(prev, skipped_before_paren)) {
				paren_seen = true;
				if (!tok_in(prev, keywords))
					u->name = i - 1;
			}
			depth++;
			break;
		case '{':
			if (depth == 0 && !eq && u->name >= 0 && prev &&
			    punct(prev, ')')) {
				end = matching(f, i);
				if (!end)
					return false;
				u->node = is_node(f, u->start, i, end);
				u->end = end;
				return true;
			}
			depth++;
			break;
		case '[':
			depth++;
			break;
		case ')': case ']': case '}':
			if (--depth < 0)
				return false;
			break;
		case '=':
			eq = eq || depth == 0;
			break;
		case ';':
			if (depth == 0) {
				u->end = i + 1;
				return true;
			}
			break;
		}
	}
	if (depth != 0)
		return false;
	u->end = f->ntoks;
	return true;
}

static bool read_units(struct file *f)
{
	size_t i = 0, cap = 0;
	struct unit u;

	while (i < f->ntoks) {
		if (!read_unit(f, i, &u)) {
			fprintf(stderr, "used-code: brackets do not match in the top-level unit at byte %zu\n",
				(size_t)(f->toks[i].s - f->buf));
			return false;
		}
		f->units = grow(f->units, &cap, f->nunits, sizeof(*f->units));
		f->units[f->nunits++] = u;
		i = u.end;
	}
	return true;
}

static uint64_t hash_bytes(uint64_t h, const char *s, size_t len)
{
	while (len--) {
		h ^= (unsigned char)*s++;
		h *= 0x100000001b3ULL;
	}
	return h;
}

static long *head_of(struct file *f, const char *s, size_t len)
{
	return &f->heads[hash_bytes(0xcbf29ce484222325ULL, s, len) %
			 f->nheads];
}

static void index_nodes(struct file *f)
{
	size_t i;
	long *head;
	const struct tok *name;

	f->nheads = f->nunits * 2 + 1;
	f->heads = malloc(f->nheads * sizeof(*f->heads));
	if (!f->heads) {
		fprintf(stderr, "used-code: out of memory\n");
		exit(1);
	}
	for (i = 0; i < f->nheads; i++)
		f->heads[i] = -1;
	for (i = 0; i < f->nunits; i++) {
		if (!f->units[i].node)
			continue;
		name = &f->toks[f->units[i].name];
		head = head_of(f, name->s, name->len);
		f->units[i].next_same = *head;
		*head = i;
	}
}

struct work {
	long *stack;
	size_t n, cap;
};

/* The word s (len bytes) refers to the nodes of that name. */
static void refer(struct file *f, struct work *w, const char *s, size_t len)
{
	long u;
	const struct tok *name;

	for (u = *head_of(f, s, len); u >= 0; u = f->units[u].next_same) {
		name = &f->toks[f->units[u].name];
		if (f->units[u].used || name->len != len ||
		    memcmp(name->s, s, len))
			continue;
		f->units[u].used = true;
		w->stack = grow(w->stack, &w->cap, w->n, sizeof(*w->stack));
		w->stack[w->n++] = u;
	}
}

/* The words of a string literal or directive line. */
static void refer_words(struct file *f, struct work *w, const struct tok *t)
{
	const char *p = t->s, *end = t->s + t->len, *q;

	while (p < end) {
		if (!ident_char(*p)) {
			p++;
			continue;
		}
		for (q = p; q < end && ident_char(*q); q++)
			;
		refer(f, w, p, q - p);
		p = q;
	}
}

static void refer_unit(struct file *f, struct work *w, const struct unit *u)
{
	size_t i;
	const struct tok *t;

	for (i = u->start; i < u->end; i++) {
		t = &f->toks[i];
		if ((long)i == u->name)
			continue;
		if (t->kind == T_IDENT)
			refer(f, w, t->s, t->len);
		else if (t->kind == T_STRING || t->kind == T_LINE)
			refer_words(f, w, t);
	}
}

static void mark_used(struct file *f)
{
	struct work w = { NULL, 0, 0 };
	size_t i;

	for (i = 0; i < f->nunits; i++)
		if (!f->units[i].node)
			refer_unit(f, &w, &f->units[i]);
	while (w.n)
		refer_unit(f, &w, &f->units[w.stack[--w.n]]);
	free(w.stack);
}

/* Unit u's text: tokens as written, whitespace as one space. */
static uint64_t write_unit(const struct file *f, const struct unit *u,
			   FILE *out)
{
	uint64_t h = 0xcbf29ce484222325ULL;
	const struct tok *t;
	size_t i;

	for (i = u->start; i < u->end; i++) {
		t = &f->toks[i];
		if (t->kind == T_LINE) {
			h = hash_bytes(h, "\n", 1);
			if (out)
				fputc('\n', out);
		} else if (t->space && i > u->start) {
			h = hash_bytes(h, " ", 1);
			if (out)
				fputc(' ', out);
		}
		h = hash_bytes(h, t->s, t->len);
		if (out)
			fwrite(t->s, 1, t->len, out);
		if (t->kind == T_LINE) {
			h = hash_bytes(h, "\n", 1);
			if (out)
				fputc('\n', out);
		}
	}
	if (out)
		fputc('\n', out);
	return h;
}

static void write_output(const struct file *f, FILE *list)
{
	const struct unit *u;
	const struct tok *name;
	uint64_t h;
	size_t i;

	for (i = 0; i < f->nunits; i++) {
		u = &f->units[i];
		h = write_unit(f, u, u->node && !u->used ? NULL : stdout);
		if (!list || !u->node)
			continue;
		name = &f->toks[u->name];
		fprintf(list, "%.*s %s %016llx\n", (int)name->len, name->s,
			u->used ? "used" : "unused", (unsigned long long)h);
	}
}

static void free_file(struct file *f)
{
	free(f->buf);
	free(f->toks);
	free(f->units);
	free(f->heads);
}

int main(int argc, char **argv)
{
	struct file f = { 0 };
	FILE *list = NULL;
	int ret = 0;

	if (argc == 3 && !strcmp(argv[1], "--list")) {
		list = fopen(argv[2], "w");
		if (!list) {
			perror(argv[2]);
			return 1;
		}
	} else if (argc != 1) {
		fprintf(stderr, "usage: used-code [--list FILE] < FILE.i > REDUCED\n");
		return 1;
	}
	read_input(&f);
	tokenize(&f);
	if (read_units(&f)) {
		index_nodes(&f);
		mark_used(&f);
		write_output(&f, list);
	} else {
		ret = 1;
	}
	free_file(&f);
	if (list && fclose(list)) {
		perror(argv[2]);
		ret = 1;
	}
	if (fflush(stdout) || ferror(stdout)) {
		fprintf(stderr, "used-code: cannot write the output\n");
		ret = 1;
	}
	return ret;
}
