#!/usr/bin/env bash
# Unit tests of the driver's pure helpers (kpatch-build/tree.sh, target.sh):
# which files a patch touches, the #line directives that keep line numbers,
# which klp_object an object belongs to, and where a module's .ko is found.
# Ends with "N passed, N failed".
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=/dev/null
. "$here/../../../kpatch-build/common.sh"
# shellcheck source=/dev/null
. "$here/../../../kpatch-build/tree.sh"
# shellcheck source=/dev/null
. "$here/../../../kpatch-build/target.sh"
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

# vmlinux without -DMODULE; a module's name from KBUILD_MODNAME, '-' as '_'.
test_object_owner() {
	local got
	cat > "$work/.a.o.cmd" <<-'EOF'
	cmd_fs/a.o := gcc -O2 -DKBUILD_MODNAME='"a"' -c -o fs/a.o fs/a.c
	EOF
	cat > "$work/.b.o.cmd" <<-'EOF'
	cmd_fs/b.o := gcc -O2 -DMODULE  -DKBUILD_BASENAME='"b"' -DKBUILD_MODNAME='"foo-bar"' -c -o fs/b.o fs/b.c
	source_fs/b.o := fs/b.c
	EOF
	cat > "$work/.c.o.cmd" <<-'EOF'
	cmd_fs/c.o := gcc -DMODULE -c -o fs/c.o fs/c.c
	EOF
	got="$(object_owner "$work/.a.o.cmd") $(object_owner "$work/.b.o.cmd")"
	object_owner "$work/.c.o.cmd" >/dev/null || got="$got no-modname"
	object_owner "$work/.missing.o.cmd" >/dev/null || got="$got no-record"
	result object-owner "$got" "vmlinux foo_bar no-modname no-record"
}

# A fake module: a .modinfo section with its name and vermagic.
fake_ko() {
	local out=$1 name=$2 rel=$3
	printf 'name=%s\0vermagic=%s SMP mod_unload \0' "$name" "$rel" > "$work/modinfo.bin"
	objcopy -I binary -O elf64-x86-64 \
		--rename-section .data=.modinfo,contents,alloc,load,readonly,data \
		"$work/modinfo.bin" "$out"
}

# fails_with REGEX COMMAND...: COMMAND (in a subshell: die exits) fails and
# says REGEX.
fails_with() {
	local re=$1
	shift
	! ("$@") 2>"$work/err" && grep -q -- "$re" "$work/err"
}

# The tree's module from modules.order; else --modules-dir; a wrong one is
# refused by name or vermagic; none, or two, are errors that say what to do.
test_find_module() {
	local got
	SRC=$work/tree
	WORK=$work/w
	MODULES_DIR=
	mkdir -p "$SRC/fs/sub" "$SRC/include/config" "$WORK/modules" "$work/mods/kernel"
	echo 6.1.99 > "$SRC/include/config/kernel.release"
	printf 'fs/foo-bar.ko\nfs/sub/other.ko\n' > "$SRC/modules.order"
	fake_ko "$SRC/fs/foo-bar.ko" foo_bar 6.1.99
	fake_ko "$SRC/fs/sub/other.ko" other 6.1.98
	fake_ko "$work/mods/kernel/foo_bar.ko" foo_bar 6.1.99
	cp "$work/mods/kernel/foo_bar.ko" "$work/mods/foo-bar.ko"
	find_module_ko foo_bar fs/x.o
	got=${KO#"$work"/}
	if (check_module_ko foo_bar "$KO"); then got="$got ok"; fi
	if fails_with "names module 'foo_bar', not other" \
			check_module_ko other "$KO"; then
		got="$got name"
	fi
	if fails_with "built for kernel 6.1.98, but .* is 6.1.99" \
			check_module_ko other "$SRC/fs/sub/other.ko"; then
		got="$got vermagic"
	fi
	if fails_with "fs/y.o belongs to module nosuch, but no nosuch.ko .*--modules-dir" \
			find_module_ko nosuch fs/y.o; then
		got="$got none"
	fi
	# shellcheck disable=SC2034 # read by find_module_ko
	MODULES_DIR=$work/mods
	if fails_with "several files .*foo-bar.ko .*foo_bar.ko" \
			find_module_ko foo_bar fs/x.o; then
		got="$got two"
	fi
	rm "$work/mods/foo-bar.ko"
	find_module_ko foo_bar fs/x.o
	got="$got ${KO#"$work"/}"
	result find-module "$got" "tree/fs/foo-bar.ko ok name vermagic none two mods/kernel/foo_bar.ko"
}

test_patch_files
test_line_numbers
test_macro_continuation
test_same_length
test_object_owner
test_find_module
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
