#!/usr/bin/env bash
# Unit tests of the driver's pure helpers (kpatch-build/tree.sh, target.sh,
# headers.sh): which files a patch touches, the #line directives that keep
# line numbers, which klp_object an object belongs to, where a module's .ko
# is found, and which objects include a header (the include scan and the
# dependency records, on a small fake tree).
# Ends with "N passed, N failed".
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=/dev/null
. "$here/../../../kpatch-build/common.sh"
# shellcheck source=/dev/null
. "$here/../../../kpatch-build/progress.sh"
# shellcheck source=/dev/null
. "$here/../../../kpatch-build/tree.sh"
# shellcheck source=/dev/null
. "$here/../../../kpatch-build/target.sh"
# shellcheck source=/dev/null
. "$here/../../../kpatch-build/headers.sh"
# shellcheck source=/dev/null
. "$here/../../../kpatch-build/module.sh"
# shellcheck source=/dev/null
. "$here/../../../kpatch-build/distro.sh"
# shellcheck disable=SC2034 # read by headers.sh
LIBEXEC=$(cd "$here/../../../kpatch-build" && pwd)
# shellcheck source=test/unit/driver/lib.sh
. "$here/lib.sh"

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

# What GNU patch would do besides changing contents is refused, naming the
# line; a commit message's lines that merely look like diff syntax are not.
test_patch_refusal() {
	local got='' n=0 body
	for body in \
		'rename from fs/a.c' 'copy to fs/b.c' 'old mode 100644' \
		'deleted file mode 100644' '+++ /dev/null' 'GIT binary patch' \
		$'*** a/fs/a.c\n--- b/fs/a.c' $'***************\n*** 1,3 ****' \
		$'3c3\n< x' '--- "a/fs/x y.c"'; do
		n=$((n + 1))
		printf 'From: x\n\n%s\n' "$body" >"$work/r.patch"
		case $(patch_refusal "$work/r.patch") in
		'') got="$got $n:none" ;;
		*) got="$got $n:refused" ;;
		esac
	done
	printf 'Subject: fix\n\n*** note ***\n1a2 in the text\n--- a/fs/a.c\n+++ b/fs/a.c\n@@ -1 +1 @@\n-x\n+y\n' \
		>"$work/r.patch"
	got="$got ok:$(patch_refusal "$work/r.patch")"
	result patch-refusal "$got" \
		" 1:refused 2:refused 3:refused 4:refused 5:refused 6:refused 7:refused 8:refused 9:refused 10:refused ok:"
}

# Paths from patch headers: relative, inside the tree, plain characters.
test_patch_paths() {
	local got='' f
	for f in fs/a.c include/linux/a-b_c+d.h ../x /etc/passwd fs/../../x \
		'fs/a b.c' 'fs/$(id).c' 'fs/a\b.c'; do
		if (check_patch_path p "$f") 2>/dev/null; then
			got="$got ok"
		else
			got="$got no"
		fi
	done
	result patch-paths "$got" " ok ok no no no no no no"
}

# The sections of dropped files leave the patch, the others stay whole; a
# removed line "-- x" inside a hunk is not taken for a header.
test_patch_filter() {
	cat >"$work/f.patch" <<'P'
Subject: fix

diff --git a/fs/a.c b/fs/a.c
--- a/fs/a.c
+++ b/fs/a.c
@@ -1,2 +1,2 @@
--- x
+y
 z
diff --git a/Documentation/a.rst b/Documentation/a.rst
index 1..2 100644
--- a/Documentation/a.rst
+++ b/Documentation/a.rst
@@ -1 +1 @@
-old
+new
--- a/fs/b.c
+++ b/fs/b.c
@@ -1 +1,2 @@
 k
+l
P
	KPB_DROP=$'Documentation/a.rst\nfs/none.c' \
		awk -f "$LIBEXEC/patch-filter.awk" "$work/f.patch" >"$work/f.out"
	result patch-filter "$(grep -c . "$work/f.out") $(grep -c rst "$work/f.out") $(grep -c '^+l' "$work/f.out") $(grep -c '^--- x' "$work/f.out")" "13 0 1 1"
	result ignored-why "$(for f in Documentation/x.rst tools/perf/a.c MAINTAINERS \
		arch/arm64/a.c arch/x86/a.c fs/a.c scripts/mod/modpost.c \
		scripts/Makefile.build Makefile fs/Kconfig; do
		[ -n "$(ignored_why "$f")" ] && printf 'i' || printf 'b'; done)" "iiiibbibbb"
}

# The progress line: done/total, elapsed, an estimate; with_progress gives
# the command's status and prints nothing for a few objects.
test_progress() {
	local got
	LOG=$work/progress.log
	: >"$LOG"
	got="$(progress_line orig 0 10 3) | $(progress_line orig 5 10 20) | $(progress_line orig 12 10 9)"
	with_progress x 2 sh -c 'echo "  CC      a.o"; exit 3' 2>"$work/progress.err" ||
		got="$got | status $? $(wc -c <"$work/progress.err") $(grep -c 'CC' "$LOG")"
	result progress "$got" "orig: 0/10 objects, 3s, about ? left | orig: 5/10 objects, 20s, about 20s left | orig: 10/10 objects, 9s, about 0s left | status 3 0 1"
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

# fake_file PATH LINE...: a file of the fake tree $SRC with these lines.
fake_file() {
	local f=$SRC/$1
	shift
	mkdir -p "$(dirname "$f")"
	printf '%s\n' "$@" >"$f"
}

# A module without STT_FILE symbols gets its debug copy in distro mode:
# from the root (an installed -dbg package), else unpacked once from the
# -dbg .deb kept in the cache; a module with them, or outside distro mode,
# gets none.  A compressed copy is unpacked like the module.
test_module_debug() {
	local got="" rel=6.1.0-9-cloud-amd64 m=kernel/fs/foo.ko pkg
	WORK=$work/wd
	mkdir -p "$WORK" "$work/dr/lib/modules/$rel/kernel/fs" "$work/dc/debs"
	: >"$WORK/debug-targets"
	fake_ko "$work/dr/lib/modules/$rel/$m" foo 6.1.99
	echo 'static int f(void) { return 0; } int g(void) { return f(); }' >"$work/f.c"
	gcc -c -o "$work/withfile.ko" "$work/f.c"
	find_module_debug foo "$work/withfile.ko" "$work/withfile.ko"
	[ -s "$WORK/debug-targets" ] || got="file"
	DISTRO_RELEASE=
	find_module_debug foo "$work/dr/lib/modules/$rel/$m" "$work/dr/lib/modules/$rel/$m"
	[ -s "$WORK/debug-targets" ] || got="$got nodistro"
	# shellcheck disable=SC2034 # read by distro_module_debug
	DISTRO_RELEASE=$rel DISTRO_ROOT=$work/dr DISTRO_CACHE=$work/dc DISTRO_VERSION=6.1.99-1
	pkg=$work/pkg
	mkdir -p "$pkg/DEBIAN" "$pkg/usr/lib/debug/lib/modules/$rel/kernel/fs"
	printf 'Package: linux-image-%s-dbg\nVersion: 6.1.99-1\nArchitecture: amd64\nMaintainer: t <t@t>\nDescription: t\n' "$rel" >"$pkg/DEBIAN/control"
	cp "$work/withfile.ko" "$pkg/usr/lib/debug/lib/modules/$rel/$m"
	xz -c "$work/withfile.ko" >"$pkg/usr/lib/debug/lib/modules/$rel/kernel/fs/bar.ko.xz"
	dpkg-deb -b -Zgzip "$pkg" "$work/dc/debs/linux-image-$rel-dbg_6.1.99-1_amd64.deb" >/dev/null
	find_module_debug foo "$work/dr/lib/modules/$rel/$m" "$work/dr/lib/modules/$rel/$m" 2>/dev/null
	got="$got $(debug_target_of foo | sed "s|^$work/||")"
	xz -c "$work/dr/lib/modules/$rel/$m" >"$work/dr/lib/modules/$rel/kernel/fs/bar.ko.xz"
	find_module_debug bar "$work/dr/lib/modules/$rel/kernel/fs/bar.ko.xz" "$work/dr/lib/modules/$rel/$m" 2>/dev/null
	cmp -s "$(debug_target_of bar)" "$work/withfile.ko" && got="$got xz"
	: >"$WORK/debug-targets"
	mkdir -p "$work/dr/usr/lib/debug/lib/modules/$rel/kernel/fs"
	cp "$work/withfile.ko" "$work/dr/usr/lib/debug/lib/modules/$rel/$m"
	find_module_debug foo "$work/dr/lib/modules/$rel/$m" "$work/dr/lib/modules/$rel/$m" 2>/dev/null
	got="$got $(debug_target_of foo | sed "s|^$work/||")"
	# shellcheck disable=SC2034 # read by distro_mode
	DISTRO_RELEASE=
	result module-debug "$got" "file nodistro dc/dbg/6.1.99-1/usr/lib/debug/lib/modules/$rel/$m xz dr/usr/lib/debug/lib/modules/$rel/$m"
}

# A fake tree and kbuild's listing of it: which objects include a header.
#   b.h, included by a.h: fs/one.c includes a.h, so it includes b.h
#   fs/local.h ("local.h" in fs/) includes b.h: fs/two.c; fs/sub/five.c
#     says "local.h" too, but fs/sub/ has none and nothing else has it
#   fs/three.c includes <linux/c.h>, found in include/uapi/linux/, whose
#     "b.h" is the uapi b.h of its own directory; fs/four.c includes a.h
#     but is not configured (not in the listing): its record is ignored
#   drivers/six.c <inc/local2.h>: drivers/extra/inc/local2.h through the
#     -I of its directory (the listing's "d" line), which includes b.h
#   <linux/b.h> is include/linux/b.h: the uapi one comes later
#   kernel/seven.o and kernel/eight.o have dependency records: seven's
#     names b.h (through "../"), eight's does not, although eight.c
#     includes b.h: the records are believed
#   fs/one.c includes <linux/n.h>, whose #include_next <linux/n.h> is the
#     uapi one; fs/two.c names <linux/g.h> in a #define (for an
#     "#include MACRO")
#   a header that every object gets by -include affects them all
test_include_scan() {
	local got
	SRC=$work/scan-tree
	WORK=$work/scan-work
	mkdir -p "$WORK/scan"
	fake_file include/linux/b.h '#define B 1'
	fake_file include/uapi/linux/c.h '#include "b.h"'
	fake_file include/linux/a.h '#ifndef A_H' ' #  include <linux/b.h>	/* b */' '#endif'
	fake_file include/linux/forced.h '#define FORCED 1'
	fake_file fs/local.h '#include "../include/linux/b.h"'
	fake_file fs/one.c '#include <linux/a.h>' '#include <linux/n.h>' 'int one;'
	fake_file include/linux/n.h '#include_next <linux/n.h>'
	fake_file include/uapi/linux/n.h '#define N 1'
	fake_file include/linux/g.h '#define G 1'
	fake_file fs/two.c '#include "local.h"' '#define G_FILE <linux/g.h>' \
		'#include MACRO_FILE'
	fake_file fs/three.c '#include <linux/c.h>' '#include <linux/forced.h>'
	fake_file fs/four.c '#include <linux/a.h>'
	fake_file fs/sub/five.c '#include "local.h"'
	fake_file drivers/six.c '#include <inc/local2.h>'
	fake_file drivers/extra/inc/local2.h '#include <linux/b.h>'
	fake_file kernel/seven.c '#include <linux/forced.h>'
	fake_file kernel/eight.c '#include <linux/b.h>'
	cat >"$SRC/kernel/.seven.o.cmd" <<-'EOF'
	cmd_kernel/seven.o := gcc -c kernel/seven.c
	deps_kernel/seven.o := \
	  include/linux/forced.h \
	  kernel/../include/linux/b.h \
	    $(wildcard include/config/B) \

	EOF
	cat >"$SRC/fs/.four.o.cmd" <<-'EOF'
	deps_fs/four.o := \
	  include/linux/b.h \

	EOF
	cat >"$SRC/kernel/.eight.o.cmd" <<-'EOF'
	deps_kernel/eight.o := \
	  include/linux/forced.h
	EOF
	fake_file include/uapi/linux/b.h '#define UAPI_B 1'
	cat >"$WORK/scan/kbuild-objects" <<-EOF
	std -I./include -I$SRC/include/uapi -include=./include/linux/forced.h
	 y fs/one.o fs
	 y fs/two.o fs
	 y fs/three.o fs
	 m fs/sub/five.o fs/sub
	 y drivers/six.o drivers
	 d drivers -I./drivers/extra
	 y kernel/seven.o kernel
	 y kernel/eight.o kernel
	EOF
	got=$(scan_header_objects include/linux/b.h include/linux/a.h \
		include/uapi/linux/b.h include/uapi/linux/n.h include/linux/g.h \
		2>/dev/null | tr '\n' '|')
	result include-scan "$got" "include/linux/a.h fs/one.o scan|include/linux/b.h drivers/six.o scan|include/linux/b.h fs/four.o unconfigured|include/linux/b.h fs/one.o scan|include/linux/b.h fs/two.o scan|include/linux/b.h kernel/seven.o record|include/linux/g.h fs/two.o scan|include/uapi/linux/b.h fs/three.o scan|include/uapi/linux/n.h fs/one.o scan|"
	got=$(scan_header_objects include/linux/forced.h 2>/dev/null | tr '\n' ' ')
	result include-scan-forced "$got" "include/linux/forced.h drivers/six.o scan include/linux/forced.h fs/one.o scan include/linux/forced.h fs/sub/five.o scan include/linux/forced.h fs/three.o scan include/linux/forced.h fs/two.o scan include/linux/forced.h kernel/eight.o record include/linux/forced.h kernel/seven.o record "
}

# objtool's warnings about the generated module stop kpatch-build; those
# in the log before the module's build (the tree's objects) do not.
test_module_objtool() {
	local LOG=$work/objtool.log got
	printf '%s\n' 'fs/x.o: warning: objtool: old warning of the tree' \
		'  LD [M]  livepatch-x.o' > "$LOG"
	got=$( (check_module_objtool 2) 2>&1 && echo accepted) || true
	result objtool-clean "$got" accepted
	echo 'livepatch-x.o: warning: objtool: unexpected relocation symbol type in .rela.discard.reachable' >> "$LOG"
	got=$( (check_module_objtool 2) 2>&1 && echo accepted) || true
	case $got in
	*"objtool found problems in the generated module"*".rela.discard.reachable"*)
		got=refused ;;
	esac
	result objtool-warning "$got" refused
}

# The compiler wrapper adds -ffunction-sections -fdata-sections and -g
# (unless the command has its own -g) to the diffed objects only.
test_gcc_wrapper() {
	local got='' args
	printf '#!/bin/sh\necho "$*"\n' > "$work/fakecc"
	chmod +x "$work/fakecc"
	for args in '-O2 -c -o a.o a.c' '-g -gdwarf-4 -c -o a.o a.c' \
		'-gz=zlib -c -o a.o a.c' '-O2 -c -o b.o b.c'; do
		# shellcheck disable=SC2086 # the words of args on purpose
		got="$got|$(KPB_REAL_CC=$work/fakecc KPB_REAL_PATH=$PATH \
			KPB_DIFF_OBJECTS='x.o a.o' KPB_INCLUDE= \
			sh "$LIBEXEC/gcc-wrapper.sh" $args)"
	done
	result gcc-wrapper "$got" "|-O2 -c -o a.o a.c -ffunction-sections -fdata-sections -g|-g -gdwarf-4 -c -o a.o a.c -ffunction-sections -fdata-sections|-gz=zlib -c -o a.o a.c -ffunction-sections -fdata-sections -g|-O2 -c -o b.o b.c"
}

# Through distcc: the diffed objects only, as "distcc CC ...", or through
# ccache with CCACHE_PREFIX=distcc when CC is ccache's; called as distcc (a
# tree with CC='distcc CC'), everything as "distcc CC ...".  KPB_CPP_FLAG
# goes to the diffed objects.
test_gcc_wrapper_distcc() {
	local got='' bin=$work/wbin cc=$work/ccbin
	mkdir -p "$bin" "$cc" "$work/as"
	printf '#!/bin/sh\necho "$*"\n' >"$bin/fcc"
	printf '#!/bin/sh\necho "distcc $*"\n' >"$bin/distcc"
	printf '#!/bin/sh\necho "ccache[$CCACHE_PREFIX] $*"\n' >"$cc/ccache"
	chmod +x "$bin/fcc" "$bin/distcc" "$cc/ccache"
	ln -sf ccache "$cc/fcc"
	cp "$LIBEXEC/gcc-wrapper.sh" "$work/as/distcc"
	w() { sh "$LIBEXEC/gcc-wrapper.sh" "$@"; }
	export KPB_REAL_CC=fcc KPB_DIFF_OBJECTS=a.o KPB_INCLUDE='' KPB_CPP_FLAG=--directives-only
	got="$got|$(KPB_REAL_PATH=$bin:$PATH KPB_DISTCC=1 w -g -c -o a.o a.c)"
	got="$got|$(KPB_REAL_PATH=$bin:$PATH KPB_DISTCC=1 w -g -c -o b.o b.c)"
	got="$got|$(KPB_REAL_PATH=$cc:$bin:$PATH KPB_DISTCC=1 w -g -c -o a.o a.c)"
	got="$got|$(KPB_REAL_PATH=$bin:$PATH KPB_DISTCC=0 w -g -c -o a.o a.c)"
	got="$got|$(KPB_REAL_PATH=$cc:$bin:$PATH KPB_DISTCC=0 sh "$work/as/distcc" fcc -c -o b.o b.c)"
	got="$got|$(KPB_REAL_PATH=$cc:$bin:$PATH KPB_DISTCC=0 sh "$work/as/distcc" fcc -g -c -o a.o a.c)"
	unset KPB_REAL_CC KPB_DIFF_OBJECTS KPB_INCLUDE KPB_CPP_FLAG
	result gcc-wrapper-distcc "$got" "|distcc fcc -g -c -o a.o a.c -ffunction-sections -fdata-sections --directives-only|-g -c -o b.o b.c|ccache[distcc] -g -c -o a.o a.c -ffunction-sections -fdata-sections --directives-only|-g -c -o a.o a.c -ffunction-sections -fdata-sections --directives-only|distcc fcc -c -o b.o b.c|distcc fcc -g -c -o a.o a.c -ffunction-sections -fdata-sections --directives-only"
}

test_patch_files
test_patch_refusal
test_patch_paths
test_patch_filter
test_progress
test_line_numbers
test_macro_continuation
test_same_length
test_object_owner
test_find_module
test_module_debug
test_include_scan
test_module_objtool
test_gcc_wrapper
test_gcc_wrapper_distcc
finish
