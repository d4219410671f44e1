#!/usr/bin/env bash
# The promise to the user's tree, under faults and hostile patches: after
# every run (success, refusal, full disk, SIGINT, SIGTERM, SIGKILL) the test
# kernel tree is exactly as before: every file and directory with the same
# type, mode, size, mtime and ctime (a write, chmod, rename or delete of
# anything changes a ctime), none new, none missing; a failed run leaves no
# module in -o (an older one neither) and no work directory, and says why.
#
# Usage: tree-safety.sh [CASE...]     (default: all; see the test_ functions)
#
# Environment: KPB_TREE (the built test tree, default kernel.sh's), KPB_DRIVER
# (the kpatch-build to test, default the repository's).  Needs
# root for the small filesystems of the full-disk cases.  Each case is one
# test; the last line is "N passed, N failed".
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/../.." && pwd)
kpb=${KPB_DRIVER:-$repo/kpatch-build/kpatch-build}
samples=$here/samples
# shellcheck source=test/integration/cases.sh
. "$here/cases.sh"
work=$(mktemp -d "${TMPDIR:-/tmp}/kpb-safety.XXXXXX")

cleanup() {
	local m
	awk -v w="$work/" 'index($2, w) == 1 { print $2 }' /proc/mounts |
		while IFS= read -r m; do umount "$m" 2>/dev/null || true; done
	rm -rf "$work"
}
trap cleanup EXIT

log() { printf '%s\n' "$*"; }
indent() { sed 's/^/    /'; }

# Everything a run could disturb, ctime included.
tree_state() {
	(cd "$tree" && find . -printf '%y %m %p %s %T@ %C@ %l\n') | LC_ALL=C sort
}

# tree_same: the tree is as recorded; else show the difference.
tree_same() {
	tree_state >"$work/state.now"
	cmp -s "$work/state.base" "$work/state.now" && return 0
	log "  the tree changed (- before, + after):"
	diff -U0 "$work/state.base" "$work/state.now" | grep '^[-+][^-+]' |
		head -n 20 | indent || true
	tree_state >"$work/state.base"
	return 1
}

# kpb OUTDIR [ARG...]: the driver on the tree, its output in $work/out.log,
# its status in $rc; its own TMPDIR so that left work directories are seen.
kpb() {
	local out=$1
	shift
	rc=0
	mkdir -p "$out" "$work/tmp"
	TMPDIR=${KPB_TMP:-$work/tmp} "$kpb" -s "$tree" -o "$out" "$@" \
		>"$work/out.log" 2>&1 || rc=$?
}

# The checks after a run that must fail: non-zero, saying REGEX, no module
# in OUTDIR, no work directory left, the tree as it was.
failed_cleanly() {
	local re=$1 out=$2 bad=0 left
	if [ "$rc" -eq 0 ]; then
		log "  kpatch-build succeeded; it must fail"
		bad=1
	elif ! grep -Eq -- "$re" "$work/out.log"; then
		log "  the output does not say /$re/"
		bad=1
	fi
	left=$(find "$out" -name '*.ko*' 2>/dev/null)
	[ -z "$left" ] || { log "  module left behind: $left"; bad=1; }
	left=$(find "${KPB_TMP:-$work/tmp}" -maxdepth 1 -name 'kpatch-build.*' 2>/dev/null)
	[ -z "$left" ] || { log "  work directory left behind: $left"; bad=1; }
	tree_same || bad=1
	[ "$bad" -eq 0 ] || { log "  output:"; tail -n 15 "$work/out.log" | indent; }
	return "$bad"
}

succeeded_cleanly() {
	local out=$1 bad=0
	if [ "$rc" -ne 0 ] || [ ! -f "$out/livepatch-${2:-meminfo}.ko" ]; then
		log "  kpatch-build failed (status $rc) or wrote no module"
		tail -n 15 "$work/out.log" | indent
		bad=1
	fi
	tree_same || bad=1
	return "$bad"
}

# meminfo.patch plus SECTION (a file) appended: a patch that also does
# something else to the tree.
with_section() {
	cat "$samples/meminfo.patch" "$1" >"$work/mixed.patch"
}

test_rename() {
	cat >"$work/s" <<-'EOF'
	diff --git a/fs/proc/internal.h b/fs/proc/internal2.h
	similarity index 100%
	rename from fs/proc/internal.h
	rename to fs/proc/internal2.h
	EOF
	with_section "$work/s"
	kpb "$work/o" -n rename "$work/mixed.patch"
	failed_cleanly 'git rename' "$work/o"
}

test_copy() {
	cat >"$work/s" <<-'EOF'
	diff --git a/fs/proc/internal.h b/fs/proc/internal3.h
	similarity index 100%
	copy from fs/proc/internal.h
	copy to fs/proc/internal3.h
	EOF
	with_section "$work/s"
	kpb "$work/o" -n copy "$work/mixed.patch"
	failed_cleanly 'git copy' "$work/o"
}

test_mode_change() {
	cat >"$work/s" <<-'EOF'
	diff --git a/fs/proc/array.c b/fs/proc/array.c
	old mode 100644
	new mode 100755
	EOF
	with_section "$work/s"
	kpb "$work/o" -n mode "$work/mixed.patch"
	failed_cleanly 'mode change' "$work/o"
}

test_deletion() {
	{
		printf 'diff --git a/fs/proc/version.c b/fs/proc/version.c\n'
		printf 'deleted file mode 100644\n'
		diff -u "$tree/fs/proc/version.c" /dev/null |
			sed -e '1s|.*|--- a/fs/proc/version.c|' -e '2s|.*|+++ /dev/null|'
	} >"$work/s" || true
	with_section "$work/s"
	kpb "$work/o" -n deletion "$work/mixed.patch"
	failed_cleanly 'file deletion' "$work/o"
}

# A context diff after a unified one, changing a Makefile.
test_context_diff() {
	cp "$tree/fs/proc/Makefile" "$work/Makefile.new"
	echo '# changed' >>"$work/Makefile.new"
	(cd "$work" && diff -c "$tree/fs/proc/Makefile" Makefile.new |
		sed -e '1s|^\*\*\* [^	]*|*** a/fs/proc/Makefile|' \
		    -e '2s|^--- [^	]*|--- b/fs/proc/Makefile|') >"$work/s" || true
	with_section "$work/s"
	kpb "$work/o" -n context "$work/mixed.patch"
	failed_cleanly 'context diff' "$work/o"
}

test_binary() {
	cat >"$work/s" <<-'EOF'
	diff --git a/fs/proc/blob.bin b/fs/proc/blob.bin
	new file mode 100644
	index 0000000..1111111
	GIT binary patch
	literal 1
	IcmZo*000310RR91

	literal 0
	HcmV?d00001

	EOF
	with_section "$work/s"
	kpb "$work/o" -n binary "$work/mixed.patch"
	failed_cleanly 'binary change' "$work/o"
}

# A file GNU patch creates without ---/+++ lines (git's empty new file):
# only what patch really did shows it.
test_hidden_new_file() {
	cat >"$work/s" <<-'EOF'
	diff --git a/fs/proc/sneaky.c b/fs/proc/sneaky.c
	new file mode 100644
	index 0000000..e69de29
	EOF
	with_section "$work/s"
	kpb "$work/o" -n hidden "$work/mixed.patch"
	failed_cleanly 'did more than change the files the patch headers name.*created: fs/proc/sneaky.c' "$work/o"
}

test_unsafe_path() {
	sed 's|fs/proc/meminfo.c|fs/proc/../../MAINTAINERS|' \
		"$samples/meminfo.patch" >"$work/mixed.patch"
	kpb "$work/o" -n unsafe "$work/mixed.patch"
	failed_cleanly 'unsafe path' "$work/o"
}

# The patch applies three lines off: a warning naming the hunk; refused
# with --strict.
test_offset() {
	# every hunk's line numbers 3 off
	awk '/^@@ / { split($2, o, ","); split($3, n, ",");
		$2 = "-" (substr(o[1], 2) + 3) "," o[2]; $3 = "+" (substr(n[1], 2) + 3) "," n[2] }
		{ print }' "$samples/meminfo.patch" >"$work/offset.patch"
	kpb "$work/o" -n offset "$work/offset.patch"
	succeeded_cleanly "$work/o" offset || return 1
	grep -q 'applies only with fuzz or at an offset' "$work/out.log" &&
		grep -q 'fs/proc/meminfo.c: Hunk #1 succeeded at .*offset' "$work/out.log" ||
		{ log "  no warning naming the hunk"; return 1; }
	rm -rf "$work/o"
	kpb "$work/o" -n offset --strict "$work/offset.patch"
	failed_cleanly 'applies only with fuzz or at an offset \(--strict\)' "$work/o"
}

# An older module of the same name does not survive a failed run.
test_old_module_removed() {
	mkdir -p "$work/o"
	echo old >"$work/o/livepatch-rename.ko"
	test_rename
}

# A failed run keeps no work directory, -d does and says where; one of a
# killed run is removed by the next run.
test_work_dirs() {
	local d bad=0
	kpb "$work/o" -n rename "$work/mixed.patch"
	kpb "$work/o" -d -n meminfo "$samples/meminfo.patch"
	d=$(sed -n 's/^kpatch-build: work directory kept: //p' "$work/out.log")
	[ -n "$d" ] && [ -d "$d" ] || { log "  -d did not keep and name its work directory"; bad=1; }
	mkdir -p "$work/tmp/kpatch-build.dead00"
	echo 999999 >"$work/tmp/kpatch-build.dead00/pid"
	rm -rf "$work/o"
	kpb "$work/o" -n meminfo "$samples/meminfo.patch"
	succeeded_cleanly "$work/o" || bad=1
	[ ! -e "$work/tmp/kpatch-build.dead00" ] ||
		{ log "  the work directory of a dead run was not removed"; bad=1; }
	[ -z "$d" ] || [ -d "$d" ] || { log "  the kept work directory was removed"; bad=1; }
	rm -rf "$work/tmp"
	return "$bad"
}

# small_fs SIZE: a tmpfs of that size, its path printed.
small_fs() {
	local m
	m=$(mktemp -d "$work/fs.XXXXXX")
	mount -t tmpfs -o "size=$1" kpb-test "$m" || return 1
	printf '%s\n' "$m"
}

# The work filesystem fills up at several points of the run: every run
# either succeeds or fails saying so; the tree stays as it was.  (Up to
# 3ad0bd1, sizes from 4.6 MB on filled it while the tree was half backed up:
# fs/proc/meminfo.c was deleted.)
test_full_work_fs() {
	local size fs bad=0 n=0
	for size in 64k 200k 300k 400k 500k 600k 800k 1m 4600k 5m 6m; do
		fs=$(small_fs "$size") || { log "  cannot mount a tmpfs (root needed)"; return 1; }
		rm -rf "$work/o"
		KPB_TMP=$fs kpb "$work/o" -n meminfo "$samples/meminfo.patch"
		if [ "$rc" -eq 0 ]; then
			succeeded_cleanly "$work/o" || bad=1
		else
			n=$((n + 1))
			KPB_TMP=$fs failed_cleanly 'no space left|space|full|free' "$work/o" || bad=1
		fi
		log "  TMPDIR of $size: status $rc"
	done
	[ "$n" -gt 0 ] || { log "  no size made the work filesystem full"; bad=1; }
	return "$bad"
}

# A read-only output directory and a full one are found before the build.
test_output_dir() {
	local fs bad=0
	fs=$(small_fs 1m) || return 1
	mount -o remount,ro "$fs"
	kpb "$fs" -n meminfo "$samples/meminfo.patch"
	failed_cleanly 'cannot write into the output directory' "$fs" || bad=1
	! grep -q 'build original objects' "$work/out.log" ||
		{ log "  the read-only output directory was found after the build"; bad=1; }
	fs=$(small_fs 64k) || return 1
	kpb "$fs" -n meminfo "$samples/meminfo.patch"
	failed_cleanly 'less than .* free' "$fs" || bad=1
	return "$bad"
}

# signal_run SIGNAL SECONDS: kill the run (only its main process, as the OOM
# killer does) after SECONDS; wait for all it started to end; then the tree
# must be as it was, no module written, and the next run must work.
signal_run() {
	local sig=$1 t=$2 pid bad=0
	rm -rf "$work/o"
	mkdir -p "$work/o" "$work/tmp"
	TMPDIR=$work/tmp setsid "$kpb" -s "$tree" -o "$work/o" -n meminfo \
		"$samples/meminfo.patch" >"$work/out.log" 2>&1 &
	pid=$!
	sleep "$t"
	kill -s "$sig" "$pid" 2>/dev/null || true
	wait "$pid" 2>/dev/null || true
	while pgrep -s "$pid" >/dev/null; do sleep 0.1; done
	tree_same || bad=1
	if [ -n "$(find "$work/o" -name '*.ko*')" ] && ! grep -q SUCCESS "$work/out.log"; then
		log "  a module was left by the killed run"
		bad=1
	fi
	if [ "$sig" != KILL ] && ! grep -q SUCCESS "$work/out.log" &&
	   ! grep -q "interrupted ($sig) during" "$work/out.log"; then
		log "  the interrupted run did not say what happened:"
		tail -n 5 "$work/out.log" | indent
		bad=1
	fi
	rm -rf "$work/o"
	kpb "$work/o" -n meminfo "$samples/meminfo.patch"
	succeeded_cleanly "$work/o" || bad=1
	[ -z "$(find "$work/tmp" -maxdepth 1 -name 'kpatch-build.*')" ] ||
		{ log "  the killed run's work directory is still there"; bad=1; }
	rm -rf "$work/tmp"
	return "$bad"
}

test_sigkill() {
	local t bad=0
	for t in 0.2 0.6 1.0 1.5 2.0 2.5 3.0 3.5 4.0 4.5; do
		signal_run KILL "$t" || { log "  (SIGKILL after ${t}s)"; bad=1; }
	done
	return "$bad"
}

test_sigint() {
	local t bad=0
	for t in 0.3 1.2 2.2 3.2 4.2; do
		signal_run INT "$t" || { log "  (SIGINT after ${t}s)"; bad=1; }
		signal_run TERM "$t" || { log "  (SIGTERM after ${t}s)"; bad=1; }
	done
	return "$bad"
}

# The tree at another path and configured with CC="ccache gcc" (a tree
# moved after its build, or built with other make variables): kbuild would
# configure it again and rebuild objtool and the prepare outputs; the driver
# builds with the tree's own make variables, in its view, and leaves it as
# it was.  The moved tree is an overlay of the test tree (nothing copied).
test_moved_ccache_tree() {
	local orig=$tree bad=0 m=$work/moved
	mkdir -p "$m" "$work/mv-up" "$work/mv-wk"
	mount -t overlay kpb-test -o "lowerdir=$orig,upperdir=$work/mv-up,workdir=$work/mv-wk" "$m" ||
		{ log "  cannot mount the moved tree (root needed)"; return 1; }
	make -C "$m" -s CC="ccache gcc" syncconfig >/dev/null 2>&1 ||
		{ log "  cannot configure the moved tree with CC='ccache gcc'"; return 1; }
	grep -q '"ccache gcc"' "$m/include/config/auto.conf.cmd" ||
		{ log "  the moved tree's record has no CC='ccache gcc'"; return 1; }
	tree=$m
	tree_state >"$work/state.base"
	kpb "$work/o" -d -n meminfo "$samples/meminfo.patch"
	succeeded_cleanly "$work/o" || bad=1
	grep -q "the tree's make variables: CC=ccache gcc" "$work/out.log" ||
		{ log "  the build did not use the tree's CC='ccache gcc'"; bad=1; }
	tree=$orig
	umount "$m"
	tree_state >"$work/state.base"
	return "$bad"
}

# The driver in a place without mount namespaces builds in a copy.
test_copy_fallback() {
	rm -rf "$work/o"
	KPB_NO_NAMESPACE=1 kpb "$work/o" -n meminfo "$samples/meminfo.patch"
	succeeded_cleanly "$work/o" || return 1
	grep -q 'building in a copy' "$work/out.log" ||
		{ log "  the run did not say it built in a copy"; return 1; }
}

# Each case starts without an output or work directory of the one before.
before_case() {
	rm -rf "$work/o" "$work/tmp"
}

main() {
	tree=${KPB_TREE:-$(bash "$here/kernel.sh")}
	make -C "$repo" -s all >/dev/null
	tree_state >"$work/state.base"
	run_cases "$@"
}

main "$@"
