#!/usr/bin/env bash
# Unit tests of the driver's pure helpers (kpatch-build/tree.sh): which files
# a patch touches, and the #line directives that keep line numbers.
# Ends with "N passed, N failed".
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=/dev/null
. "$here/../../../kpatch-build/tree.sh"
work=$(mktemp -d "${TMPDIR:-/tmp}/kpb-driver.XXXXXX")
trap 'rm -rf "$work"' EXIT
pass=0
fail=0

result() {
	if [ "$2" = "$3" ]; then
		echo "PASS $1"; pass=$((pass + 1))
	else
		printf 'FAIL %s: expected\n%s\ngot\n%s\n' "$1" "$3" "$2"
		fail=$((fail + 1))
	fi
}

test_patch_files() {
	cat > "$work/p.patch" <<'P'
diff --git a/fs/a.c b/fs/a.c
--- a/fs/a.c	2026-01-01 00:00:00
+++ b/fs/a.c	2026-01-01 00:00:01
@@ -1 +1 @@
-x
+y
--- /dev/null
+++ b/fs/new.c
@@ -0,0 +1 @@
+z
--- a/fs/gone.c
+++ /dev/null
@@ -1 +0,0 @@
-w
P
	result patch-files "$(patch_files "$work/p.patch" | tr '\n' ' ')" \
		"fs/a.c fs/new.c fs/gone.c "
}

# Lines added, removed, at the end, and next to a macro continuation.
test_line_numbers() {
	printf 'a\nb\nc\nd\ne\n#define M \\\n  1\nf\n' > "$work/o.c"
	printf 'a\nX\nY\nb\nc\ne\n#define M \\\n  2\nf\nZ\n' > "$work/p.c"
	keep_line_numbers "$work/o.c" "$work/p.c"
	result line-numbers "$(tr '\n' '|' < "$work/p.c")" \
		'a|X|Y|#line 2|b|c|#line 5|e|#define M \|  2|f|Z|'
}

# Never inside a macro that continues on the next line.
test_macro_continuation() {
	printf '#define M \\\n  1 \\\n  2\nx\n' > "$work/o.c"
	printf '#define M \\\n  2\nx\n' > "$work/p.c"
	keep_line_numbers "$work/o.c" "$work/p.c"
	result macro-continuation "$(tr '\n' '|' < "$work/p.c")" '#define M \|  2|#line 4|x|'
}

test_same_length() {
	printf 'a\nb\n' > "$work/o.c"
	printf 'a\nB\n' > "$work/p.c"
	keep_line_numbers "$work/o.c" "$work/p.c"
	result same-length-untouched "$(tr '\n' '|' < "$work/p.c")" 'a|B|'
}

test_patch_files
test_line_numbers
test_macro_continuation
test_same_length
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
