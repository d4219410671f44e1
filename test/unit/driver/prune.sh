#!/usr/bin/env bash
# Unit tests of the header pruning: used-code's reduction of preprocessed
# C (which static inline functions go), and prune.sh on a small fake tree
# compiled with the real gcc -E: which includers of a changed header are
# skipped for a static inline change, a macro change and a struct change,
# the commands it refuses to turn into a preprocessing, and the cache.
# Ends with "N passed, N failed".
# shellcheck disable=SC2034 # the settings are read by prune.sh
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
top=$(cd "$here/../../.." && pwd)
# shellcheck source=/dev/null
. "$top/kpatch-build/common.sh"
# shellcheck source=/dev/null
. "$top/kpatch-build/tree.sh"
# shellcheck source=/dev/null
. "$top/kpatch-build/prune.sh"
# shellcheck source=test/unit/driver/lib.sh
. "$here/lib.sh"
USED_CODE=$top/used-code/used-code
TEMPLATES=$top/templates
[ -x "$USED_CODE" ] || make -C "$top" -s used-code/used-code

# reduce C: the names of the static inline functions used-code keeps, and
# "|" then those it leaves out.
reduce() {
	"$USED_CODE" --list "$work/list" >/dev/null 2>&1 <<<"$1" || { echo error; return; }
	printf '%s|%s\n' \
		"$(awk '$2 == "used" { print $1 }' "$work/list" | sort | paste -sd ' ')" \
		"$(awk '$2 == "unused" { print $1 }' "$work/list" | sort | paste -sd ' ')"
}

test_used_code() {
	result unused-inline "$(reduce '
static inline __attribute__((__unused__)) int a(int x) { return x + 1; }
static inline int b(void) { return 2; }
int f(void) { return a(1); }')" "a|b"
	result through-inline "$(reduce '
static inline int leaf(void) { return 1; }
static inline int mid(void) { return leaf(); }
static inline int lone(void) { return leaf() + 1; }
int f(void) { return mid(); }')" "leaf mid|lone"
	result initializer "$(reduce '
static inline void cb(void) { }
struct ops { void (*fn)(void); };
static const struct ops o = { .fn = cb };')" "cb|"
	result asm-string "$(reduce '
static inline void target(void) { }
void g(void) { asm volatile("call target"); }')" "target|"
	result kept-by-attribute "$(reduce '
static inline __attribute__((used)) void keep(void) { }
static inline __attribute__((constructor)) void ctor(void) { }')" "|"
	result used-static-inside "$(reduce '
static inline void v(void) { static int x __attribute__((__used__)); }')" "|"
	result pragma-inside "$(reduce '
static inline void w(void) {
#pragma GCC optimize("O0")
}')" "|"
	result prototype-no-use "$(reduce '
static inline int p(void);
static inline int p(void) { return 0; }')" "|p"
	result static-not-inline "$(reduce '
static int s(void) { return 0; }
static inline int i(void) { return s(); }')" "|i"
	result unbalanced "$(reduce 'static inline int a(void) { return 0;')" error
	# the same tokens with other spacing reduce the same; other tokens not
	local one two three
	one=$("$USED_CODE" <<<'int  x =  a-- - b ;')
	two=$("$USED_CODE" <<<'int x =
	a-- -	b ;')
	three=$("$USED_CODE" <<<'int x = a - --b;')
	result spacing "$([ "$one" = "$two" ] && [ "$one" != "$three" ] && echo ok)" ok
}

# A fake tree: include/h.h with a static inline function, a macro and a
# struct; a.c calls the function, b.c expands the macro, c.c uses the
# struct, d.c uses nothing of it; each with a kbuild record whose command
# is gcc's.
fake_tree() {
	SRC=$work/tree
	WORK=$work/w
	rm -rf "$SRC" "$WORK"
	mkdir -p "$SRC/include" "$SRC/dir" "$WORK/backup/include" \
		"$WORK/patched-src/include"
	cat >"$SRC/include/h.h" <<-'EOF'
	struct s { int a; };
	#define M 1
	static inline int f(int x)
	{
		return x + 1;
	}
	static inline int g(void) { return f(2); }
	EOF
	printf '#include "h.h"\nint a(void) { return f(1); }\n' >"$SRC/dir/a.c"
	printf '#include "h.h"\nint b(void) { return M; }\n' >"$SRC/dir/b.c"
	printf '#include "h.h"\nint c(struct s *p) { return p->a; }\n' >"$SRC/dir/c.c"
	printf '#include "h.h"\nint d(void) { return 0; }\n' >"$SRC/dir/d.c"
	local o
	for o in a b c d; do
		cat >"$SRC/dir/.$o.o.cmd" <<-EOF
		cmd_dir/$o.o := gcc -Wp,-MMD,dir/.$o.o.d -O2 -Iinclude -c -o dir/$o.o dir/$o.c   ; true dir/$o.o

		source_dir/$o.o := dir/$o.c

		deps_dir/$o.o := \\
		  include/h.h \\

		dir/$o.o: \$(deps_dir/$o.o)
		EOF
	done
	# a record names a file as the compiler opened it
	sed -i 's|^  include/h.h|  dir/../include/h.h|' "$SRC/dir/.d.o.cmd"
	# the same identity (size, time) each time: the cache can answer
	find "$SRC" -exec touch -d @1700000000 {} +
	cp -p "$SRC/include/h.h" "$WORK/backup/include/h.h"
	TOUCHED=(include/h.h)
	TARGETS=()
	OBJECTS=(dir/a.o dir/b.o dir/c.o dir/d.o)
	FROM_HEADER=([dir/a.o]=include/h.h [dir/b.o]=include/h.h
		[dir/c.o]=include/h.h [dir/d.o]=include/h.h)
	JOBS=2
	TREE_CC=gcc
	PRUNE=1
	JSON_OUT=
}

# prune_with SED: h.h patched by the sed program; the objects still built
# and the report line.
prune_with() {
	local msg
	sed "$1" "$SRC/include/h.h" >"$WORK/patched-src/include/h.h"
	prune_includers 2>"$work/msg"
	msg=$(grep 'includers of' "$work/msg" || true)
	printf '%s|%s\n' "${OBJECTS[*]}" "${msg#kpatch-build: }"
}

test_prune() {
	local got
	export KPB_CACHE=$work/cache
	fake_tree
	prune_with 's/x + 1/x + 2/' >"$work/got"
	got=$(cat "$work/got")
	result prune-inline "${got%% (*}" "dir/a.o|3 of 4 includers of include/h.h skipped: they do not refer to f"
	got=$(cat "$SRC/include/h.h")
	result prune-puts-back "$got" "$(cat "$WORK/backup/include/h.h")"
	fake_tree
	prune_with 's/define M 1/define M 2/' >"$work/got"
	got=$(cat "$work/got")
	result prune-macro "${got%% (*}" "dir/b.o|3 of 4 includers of include/h.h skipped: they do not refer to M"
	fake_tree
	prune_with 's/int a; }/int a, b; }/' >"$work/got"
	got=$(cat "$work/got")
	result prune-struct "${got%%:*}" "dir/a.o dir/b.o dir/c.o dir/d.o|0 of 4 includers of include/h.h skipped"
	# again: every answer from the cache, nothing preprocessed
	fake_tree
	prune_with 's/x + 1/x + 2/' >"$work/got"
	got=$(cut -d: -f1 "$work/got")
	result prune-cached "$got $(find "$WORK/prune" -name '*.err' | wc -l)" \
		"dir/a.o|3 of 4 includers of include/h.h skipped 0"
	mkdir -p "$work/badbin"
	printf '#!/bin/sh\nexit 1\n' >"$work/badbin/gcc"
	chmod +x "$work/badbin/gcc"
	# without the cache, a failing preprocessing keeps the object
	export KPB_CACHE=$work/cache2
	fake_tree
	PATH=$work/badbin:$PATH prune_with 's/x + 1/x + 2/' >"$work/got"
	got=$(cut -d: -f1 "$work/got")
	result prune-fails-keeps "${got%%:*}" "dir/a.o dir/b.o dir/c.o dir/d.o|0 of 4 includers of include/h.h skipped"
	# a record whose command is not a plain compile keeps its object
	fake_tree
	sed -i 's/ -c -o dir\/d.o dir\/d.c / -c -o dir\/d.o other.c /' "$SRC/dir/.d.o.cmd"
	prune_with 's/x + 1/x + 2/' >"$work/got"
	got=$(cat "$work/got")
	result prune-odd-command "${got%%|*}" "dir/a.o dir/d.o"
	got=$(cat "$WORK/prune/keep")
	result prune-odd-why "$got" "4 its kbuild command is not a plain compile (-c -o OBJ SRC)"
	# nor one with make escapes ($$ for $)
	fake_tree
	# shellcheck disable=SC2016 # a literal $$, as kbuild writes it
	sed -i 's/ -O2 / -O2 -DX=$$y /' "$SRC/dir/.c.o.cmd"
	prune_with 's/x + 1/x + 2/' >"$work/got"
	got="$(cut -d'|' -f1 "$work/got") $(cat "$WORK/prune/keep")"
	result prune-make-escape "$got" "dir/a.o dir/c.o 3 its kbuild command has make escapes or substitutions"
	# no object with a record: nothing tried, every one built
	fake_tree
	rm "$SRC"/dir/.?.o.cmd
	prune_with 's/x + 1/x + 2/' >"$work/got"
	got=$(cut -d'|' -f1 "$work/got")
	result prune-no-records "$got" "dir/a.o dir/b.o dir/c.o dir/d.o"
	# --no-prune
	fake_tree
	PRUNE=0
	prune_with 's/x + 1/x + 2/' >"$work/got"
	got=$(cat "$work/got")
	result no-prune "${got%%|*}" "dir/a.o dir/b.o dir/c.o dir/d.o"
}

test_used_code
test_prune
finish
