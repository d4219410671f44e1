#!/usr/bin/env bash
# Integration tests: build each sample patch into a livepatch module with the
# installed kpatch-build and prove it in QEMU.
#
# Usage:
#   run.sh [--keep] [NAME...]
#       every samples/NAME.patch (or just the NAMEs given)
#   run.sh [--keep] --module KO --check FILE --name SYSFSNAME
#          [--setup FILE] [--after-insmod FILE]
#       only the VM protocol, on a module built already
#   run.sh [--keep] --selftest
#       the VM protocol on the kernel's samples/livepatch/livepatch-sample.c,
#       built as an external module: proves the harness without kpatch-build
#
# A sample NAME.patch must build; its module must pass the protocol of
# guest-protocol.sh with the check NAME.check (a sh snippet that exits 0 iff
# the patched behaviour is visible), and the optional snippets NAME.setup
# (run first) and NAME.after-insmod (run once the livepatch is enabled); the
# tree's modules (modules.order) are in the guest's /root for them.  Every
# sample has a NAME.build-expect (lines starting "tree " hold for the built
# test tree only, not for distro builds): its lines "exactly changed-function F" and
# "exactly new-function F" are exactly the changed and new functions of the
# report kpatch-build writes with --json (which must be well-formed, with
# result "success" and the module's name), so that a module that patches
# more than it should fails; every other line is a regex (ERE) that must
# match kpatch-build's output.  A NAME.protocol file makes it a test of two livepatches: its lines
# "second OTHER" and "replace yes|no" load sample OTHER's module on top of
# NAME's, and OTHER must replace NAME (atomic replace, "yes") or both must
# stay enabled ("no": both are built with -R); see guest-protocol.sh.
# A sample NAME-FAIL.patch must make kpatch-build fail with output matching
# every regex line of NAME-FAIL.expect, and leave no module behind.  An
# optional NAME.more-patches names further patch files (in samples/, one per
# line) that kpatch-build gets after NAME.patch, in that order: each applies
# on top of the ones before.  After
# every sample the kernel tree must be as it was: the same files and
# directories with the same types, modes, sizes, mtimes and ctimes, and the
# files the patches touch with the same contents.
#
# Environment: KPB_TREE (use this built tree instead of kernel.sh's),
# KPB_VM_TIMEOUT (seconds per VM run, default 300), KPB_BUILD_TIMEOUT
# (seconds per kpatch-build run, default 1800).
#
# Each sample, module or selftest is one test; the last line is
# "N passed, N failed" and the exit status is non-zero if any failed.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/../.." && pwd)
samples=$here/samples
vm_timeout=${KPB_VM_TIMEOUT:-300}
build_timeout=${KPB_BUILD_TIMEOUT:-1800}

work=
keep=0
tree=
bzimage=
kpb=
install_error=
touched=()
# the second livepatch of a NAME.protocol sample, for prove_module
pair_ko=
pair_check=
pair_sysfs=
pair_replace=
npass=0
nfail=0

log() { printf '%s\n' "$*"; }
die() { printf 'run.sh: error: %s\n' "$*" >&2; exit 2; }

# A failure before any test could run: counted as one failed test.
setup_failed() {
	failed "setup: $*"
	summary || true
	exit 1
}
indent() { sed 's/^/    /'; }

cleanup() {
	[ -n "$work" ] || return 0
	if [ "$keep" = 1 ]; then
		printf 'run.sh: work directory kept: %s\n' "$work" >&2
	else
		rm -rf "$work"
	fi
}

usage() {
	sed -n '/^# Usage:/,/^# A sample/p' "${BASH_SOURCE[0]}" |
		sed -e '$d' -e 's/^# \{0,1\}//'
}

passed() {
	npass=$((npass + 1))
	log "PASS: $1"
}

failed() {
	nfail=$((nfail + 1))
	log "FAIL: $1"
}

summary() {
	log "$npass passed, $nfail failed"
	[ "$nfail" -eq 0 ]
}

get_tree() {
	if [ -n "${KPB_TREE:-}" ]; then
		tree=$KPB_TREE
	else
		tree=$(bash "$here/kernel.sh") ||
			setup_failed "kernel.sh could not build the test kernel"
	fi
	bzimage=$tree/arch/x86/boot/bzImage
	[ -f "$tree/vmlinux" ] || setup_failed "$tree has no vmlinux"
	[ -f "$bzimage" ] || setup_failed "$tree has no arch/x86/boot/bzImage"
}

# Two runs on one tree would see each other's changes: wait for the other.
# The lock file sits next to the tree, not in it.
lock_tree() {
	exec 9>"$tree.lock"
	if ! flock -n 9; then
		log "waiting for another integration run on $tree"
		flock 9
	fi
}

# Install the project like a package would, and use the installed driver.
# A failed install is remembered: every sample then fails with its reason.
install_project() {
	local inst=$work/inst
	if make -C "$repo" install PREFIX=/usr DESTDIR="$inst" \
			>"$work/install.log" 2>&1; then
		kpb=$inst/usr/bin/kpatch-build
		[ -x "$kpb" ] || install_error="make install did not install $kpb"
	else
		install_error="make install failed"
	fi
	if [ -n "$install_error" ]; then
		log "$install_error; last lines of its output:"
		tail -n 20 "$work/install.log" | indent
	fi
}

# Paths (from the tree root) of the files a patch touches.
patch_files() {
	sed -n -e 's/^+++ [^/]*\/\([^[:space:]]*\).*/\1/p' \
		-e 's/^--- [^/]*\/\([^[:space:]]*\).*/\1/p' "$1" |
		sed '/^dev\/null$/d' | sort -u
}

# Everything kpatch-build could disturb: every file and directory under the
# tree with its type, mode, size, mtime and ctime (any write, chmod, rename or
# removal changes a ctime; a new or missing entry shows), and the contents
# of the files the patches touch.
tree_state() {
	local f
	(cd "$tree" && find . -printf '%y %m %p %s %T@ %C@ %l\n' | LC_ALL=C sort)
	for f in "${touched[@]}"; do
		if [ -f "$tree/$f" ]; then
			(cd "$tree" && sha1sum -- "$f")
		else
			printf 'missing %s\n' "$f"
		fi
	done
}

record_baseline() {
	tree_state >"$work/tree.base"
}

# Compare the tree with the baseline; on a difference show it, and take the
# changed tree as the new baseline so later samples report only their own.
tree_unchanged() {
	tree_state >"$work/tree.now"
	if cmp -s "$work/tree.base" "$work/tree.now"; then
		return 0
	fi
	log "  the kernel tree changed (- before, + after):"
	diff -U0 "$work/tree.base" "$work/tree.now" | grep '^[-+][^-+]' |
		head -n 30 | indent || true
	mv "$work/tree.now" "$work/tree.base"
	return 1
}

# The modules the tree built, for the guest.
tree_modules() {
	local m
	[ -f "$tree/modules.order" ] || return 0
	while read -r m; do
		m=${m%.o}
		m=${m%.ko}.ko
		[ ! -f "$tree/$m" ] || printf '%s\n' "$tree/$m"
	done <"$tree/modules.order"
}

# Run the VM protocol on one module, with the optional setup and after-insmod
# snippets (empty: none).  Status 0 iff every step passed.
prove_module() {
	local ko=$1 check=$2 sysfs=$3 setup=${4:-} after=${5:-} vmdir rc=0
	local opts='' files=() mods=()
	vmdir=$(mktemp -d "$work/vm.XXXXXX")
	cp "$here/guest-protocol.sh" "$vmdir/guest-protocol.sh"
	cp "$check" "$vmdir/test.check"
	files=("$vmdir/guest-protocol.sh" "$vmdir/test.check")
	if [ -n "$setup" ]; then
		cp "$setup" "$vmdir/test.setup"
		files+=("$vmdir/test.setup")
		opts="$opts --setup /root/test.setup"
	fi
	if [ -n "$after" ]; then
		cp "$after" "$vmdir/test.after-insmod"
		files+=("$vmdir/test.after-insmod")
		opts="$opts --after-insmod /root/test.after-insmod"
	fi
	if [ -n "$pair_ko" ]; then
		cp "$pair_check" "$vmdir/second.check"
		files+=("$vmdir/second.check" "$pair_ko")
		opts="$opts --second /root/$(basename "$pair_ko")"
		opts="$opts --second-name $pair_sysfs"
		opts="$opts --second-check /root/second.check"
		opts="$opts --replace $pair_replace"
	fi
	mapfile -t mods < <(tree_modules)
	printf '#!/bin/sh\nexec sh /root/guest-protocol.sh%s /root/%s %s /root/test.check\n' \
		"$opts" "$(basename "$ko")" "$sysfs" >"$vmdir/test.sh"
	bash "$here/vm.sh" --timeout "$vm_timeout" "$bzimage" "$vmdir/test.sh" \
		"${files[@]}" "${mods[@]}" "$ko" 2>&1 |
		indent || rc=${PIPESTATUS[0]}
	return "$rc"
}

# The sample's optional snippet NAME.SUFFIX, or nothing.
sample_snippet() {
	[ ! -f "$samples/$1.$2" ] || printf '%s\n' "$samples/$1.$2"
}

# The patch files of sample NAME, in the order kpatch-build gets them:
# NAME.patch, then the ones NAME.more-patches lists.
sample_patches() {
	local f
	printf '%s\n' "$samples/$1.patch"
	[ -f "$samples/$1.more-patches" ] || return 0
	while read -r f; do
		case $f in '' | '#'*) continue ;; esac
		printf '%s\n' "$samples/$f"
	done <"$samples/$1.more-patches"
}

# kpatch-build NAME [OPTION...]: run the installed driver on sample NAME's
# patches; its output goes to $work/NAME.log, its status is returned.
kpatch_build() {
	local name=$1 rc=0 patches=()
	shift
	mapfile -t patches < <(sample_patches "$name")
	rm -rf "$work/out" "$work/cwd" "$work/$name.json"
	mkdir -p "$work/out" "$work/cwd"
	(cd "$work/cwd" && timeout "$build_timeout" "$kpb" -s "$tree" \
		-v "$tree/vmlinux" -n "$name" -o "$work/out" \
		--json "$work/$name.json" "$@" \
		"${patches[@]}") >"$work/$name.log" 2>&1 || rc=$?
	return "$rc"
}

# Reads samples/NAME.protocol, if any, into P_SECOND and P_REPLACE.
read_protocol() {
	local file=$samples/$1.protocol key value rest
	P_SECOND=
	P_REPLACE=
	[ -f "$file" ] || return 0
	while read -r key value rest; do
		case $key in '' | '#'*) continue ;; esac
		case $key:$value:$rest in
		second:?*:) P_SECOND=$value ;;
		replace:yes: | replace:no:) P_REPLACE=$value ;;
		*)
			log "  $file: bad line '$key $value $rest' (want 'second NAME' or 'replace yes|no')"
			return 1 ;;
		esac
	done <"$file"
	if [ -z "$P_SECOND" ] || [ -z "$P_REPLACE" ]; then
		log "  $file: needs a 'second NAME' and a 'replace yes|no' line"
		return 1
	fi
	if [ ! -f "$samples/$P_SECOND.patch" ] || [ ! -f "$samples/$P_SECOND.check" ]; then
		log "  $file: no sample $P_SECOND (.patch and .check)"
		return 1
	fi
}

# Builds the second livepatch of a NAME.protocol sample into $work/second
# and sets pair_*.  Status 0 on success.
build_second() {
	local name=$1 opts=() rc=0
	[ "$P_REPLACE" = yes ] || opts=(-R)
	kpatch_build "$P_SECOND" "${opts[@]}" || rc=$?
	if [ "$rc" -ne 0 ] || [ ! -f "$work/out/livepatch-$P_SECOND.ko" ]; then
		log "  kpatch-build of the second livepatch $P_SECOND failed (exit status $rc)"
		show_build_log "$P_SECOND"
		return 1
	fi
	log "  kpatch-build of the second livepatch $P_SECOND${opts[*]:+ (${opts[*]})}: ok"
	rm -rf "$work/second"
	mkdir -p "$work/second"
	cp "$work/out/livepatch-$P_SECOND.ko" "$work/second/"
	pair_ko=$work/second/livepatch-$P_SECOND.ko
	pair_check=$samples/$P_SECOND.check
	pair_sysfs=livepatch_${P_SECOND//-/_}
	pair_replace=$P_REPLACE
}

show_build_log() {
	log "  kpatch-build output (last 40 lines):"
	tail -n 40 "$work/$1.log" | indent
}

# Sample NAME's patches apply to the tree, one after the other: to copies
# of the files they touch (the tree is not written).
patch_applies() {
	local dir=$work/applies p f patches=()
	mapfile -t patches < <(sample_patches "$1")
	rm -rf "$dir"
	mkdir -p "$dir"
	for p in "${patches[@]}"; do
		[ -f "$p" ] || { echo "$p: no such file" >"$work/dry-run.log"; return 1; }
		while IFS= read -r f; do
			[ ! -f "$tree/$f" ] || [ -e "$dir/$f" ] ||
				{ mkdir -p "$dir/$(dirname "$f")" && cp "$tree/$f" "$dir/$f"; }
		done < <(patch_files "$p")
		patch -p1 -s -f -d "$dir" <"$p" >"$work/dry-run.log" 2>&1 || return 1
	done
}

# A sample that must build and pass the protocol.
run_build_sample() {
	local name=$1 check=$samples/$1.check ko rc=0
	local opts=()
	ko=$work/out/livepatch-$name.ko
	[ -f "$check" ] || { log "  $check is missing"; return 1; }
	pair_ko=
	read_protocol "$name" || return 1
	if [ -n "$P_SECOND" ]; then
		build_second "$name" || return 1
		[ "$P_REPLACE" = yes ] || opts=(-R)
	fi
	kpatch_build "$name" "${opts[@]}" || rc=$?
	if [ "$rc" -ne 0 ]; then
		log "  kpatch-build failed (exit status $rc)"
		show_build_log "$name"
		return 1
	fi
	log "  kpatch-build: ok"
	if [ ! -f "$ko" ]; then
		log "  kpatch-build succeeded but $ko does not exist"
		show_build_log "$name"
		return 1
	fi
	if [ ! -f "$samples/$name.build-expect" ]; then
		log "  $samples/$name.build-expect is missing (the exact changed and new functions)"
		return 1
	fi
	if ! output_matches "$name" "$samples/$name.build-expect" ||
	   ! functions_exact "$name" "$samples/$name.build-expect"; then
		show_build_log "$name"
		return 1
	fi
	prove_module "$ko" "$check" "livepatch_${name//-/_}" \
		"$(sample_snippet "$name" setup)" \
		"$(sample_snippet "$name" after-insmod)"
}

# output_matches NAME FILE: every regex line (ERE) of FILE matches
# kpatch-build's output for NAME; shows the matches and the misses.
output_matches() {
	local name=$1 expect=$2 re bad=0
	while IFS= read -r re; do
		case $re in '' | '#'* | 'exactly '*) continue ;; esac
		re=${re#tree }	# (a line of the built test tree only)
		if grep -E -q -e "$re" "$work/$name.log"; then
			log "  output matches /$re/:"
			grep -E -m 3 -e "$re" "$work/$name.log" | indent
		else
			log "  output does not match /$re/"
			bad=1
		fi
	done <"$expect"
	[ "$bad" -eq 0 ]
}

# The changed-function and new-function items of --json's report for
# NAME, "KIND NAME" sorted; fails if the file is not the driver's report of
# a successful build of livepatch-NAME.
json_functions() {
	python3 - "$work/$1.json" "livepatch-$1" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))
if r.get("module") != sys.argv[2] or r.get("result") != "success":
    sys.exit("module %r, result %r" % (r.get("module"), r.get("result")))
if not isinstance(r.get("ignored"), list) or not r.get("objects"):
    sys.exit("no objects, or no ignored list")
out = []
for o in r["objects"]:
    if sorted(o) != ["items", "klp_object", "object", "status"]:
        sys.exit("object with keys %s" % sorted(o))
    for i in o["items"]:
        if sorted(i) != ["kind", "name", "why"]:
            sys.exit("item with keys %s" % sorted(i))
        if i["kind"] in ("changed-function", "new-function"):
            out.append(i["kind"] + " " + i["name"])
print("\n".join(sorted(out)))
PY
}

# functions_exact NAME FILE: the "exactly KIND F" lines of FILE are the
# changed and new functions of NAME's --json report, no more, no fewer.
functions_exact() {
	local want got
	if ! got=$(json_functions "$1" 2>&1); then
		log "  the --json report $work/$1.json is not right: $got"
		return 1
	fi
	want=$(sed -n 's/^exactly \([^ ]* [^ ]*\)$/\1/p' "$2" | LC_ALL=C sort)
	got=$(LC_ALL=C sort <<<"$got")
	if [ "$want" != "$got" ]; then
		log "  the changed and new functions are not exactly the 'exactly' lines of $2:"
		diff <(printf '%s\n' "$want") <(printf '%s\n' "$got") | sed -n 's/^</  expected, not built:/p; s/^>/  built, not expected:/p' | indent
		return 1
	fi
	log "  changed and new functions, exactly: $(paste -sd, <<<"$got")"
}

# A sample that kpatch-build must refuse with the expected message.
run_fail_sample() {
	local name=$1 expect=$samples/$1.expect
	local rc=0 bad=0 left
	[ -f "$expect" ] || { log "  $expect is missing"; return 1; }
	kpatch_build "$name" || rc=$?
	if [ "$rc" -eq 0 ]; then
		log "  kpatch-build succeeded, but this patch must be refused"
		show_build_log "$name"
		return 1
	fi
	log "  kpatch-build: failed as expected (exit status $rc)"
	output_matches "$name" "$expect" || bad=1
	left=$(find "$work/out" -name '*.ko')
	if [ -n "$left" ]; then
		log "  a module was left behind: $left"
		bad=1
	fi
	if [ "$bad" -ne 0 ]; then
		show_build_log "$name"
		return 1
	fi
}

run_sample() {
	local name=$1 ok=1
	log "=== sample $name"
	if [ ! -f "$samples/$name.patch" ]; then
		failed "$name: no such sample ($samples/$name.patch)"
		return 0
	fi
	if [ -n "$install_error" ]; then
		failed "$name: $install_error"
		return 0
	fi
	if ! patch_applies "$name"; then
		log "  the sample does not apply to $tree:"
		indent <"$work/dry-run.log"
		failed "$name: patch does not apply"
		return 0
	fi
	case $name in
	*-FAIL) run_fail_sample "$name" || ok=0 ;;
	*) run_build_sample "$name" || ok=0 ;;
	esac
	if ! tree_unchanged; then
		log "  the kernel tree was not left as it was"
		ok=0
	fi
	if [ "$ok" = 1 ]; then
		passed "$name"
	else
		failed "$name"
	fi
}

run_samples() {
	local names=("$@") name p f series=()
	touched=()
	if [ ${#names[@]} -eq 0 ]; then
		for p in "$samples"/*.patch; do
			[ -e "$p" ] || continue
			p=${p##*/}
			names+=("${p%.patch}")
		done
	fi
	for name in "${names[@]}"; do
		[ -f "$samples/$name.patch" ] || continue
		mapfile -t series < <(sample_patches "$name")
		# and the second livepatch's, for a NAME.protocol sample
		p=$(awk '$1 == "second" { print $2 }' \
			"$samples/$name.protocol" 2>/dev/null) || true
		[ -z "$p" ] || [ ! -f "$samples/$p.patch" ] ||
			mapfile -t -O "${#series[@]}" series < <(sample_patches "$p")
		for p in "${series[@]}"; do
			[ ! -f "$p" ] || while IFS= read -r f; do
				touched+=("$f")
			done < <(patch_files "$p")
		done
	done
	get_tree
	lock_tree
	install_project
	record_baseline
	for name in "${names[@]}"; do
		run_sample "$name"
	done
}

run_module() {
	local ko=$1 check=$2 sysfs=$3 setup=$4 after=$5 f
	[ -f "$ko" ] || die "module $ko not found"
	for f in "$check" "$setup" "$after"; do
		[ -z "$f" ] || [ -f "$f" ] || die "file $f not found"
	done
	get_tree
	log "=== module $ko"
	if prove_module "$ko" "$check" "$sysfs" "$setup" "$after"; then
		passed "module $(basename "$ko")"
	else
		failed "module $(basename "$ko")"
	fi
}

# Build the kernel's livepatch sample against the tree and prove it.
run_selftest() {
	local dir=$work/selftest
	get_tree
	mkdir -p "$dir"
	cp "$tree/samples/livepatch/livepatch-sample.c" "$dir/"
	echo 'obj-m := livepatch-sample.o' >"$dir/Kbuild"
	echo "grep -q 'this has been live patched' /proc/cmdline" \
		>"$dir/livepatch-sample.check"
	log "=== selftest: samples/livepatch/livepatch-sample.c"
	if ! make -C "$tree" M="$dir" >"$dir/build.log" 2>&1; then
		tail -n 20 "$dir/build.log" | indent
		failed "selftest: livepatch-sample.ko did not build"
		return 0
	fi
	if prove_module "$dir/livepatch-sample.ko" "$dir/livepatch-sample.check" \
			livepatch_sample; then
		passed "selftest livepatch-sample"
	else
		failed "selftest livepatch-sample"
	fi
}

main() {
	local mode=samples ko='' check='' sysfs='' setup='' after=''
	while [ $# -gt 0 ]; do
		case $1 in
		--keep) keep=1; shift ;;
		--selftest) mode=selftest; shift ;;
		--module|--check|--name|--setup|--after-insmod)
			[ $# -ge 2 ] || die "$1 needs a value"
			case $1 in
			--module) ko=$2 ;;
			--check) check=$2 ;;
			--name) sysfs=$2 ;;
			--setup) setup=$(readlink -f "$2") ;;
			--after-insmod) after=$(readlink -f "$2") ;;
			esac
			mode=module
			shift 2
			;;
		-h|--help) usage; exit 0 ;;
		--) shift; break ;;
		-*) usage >&2; die "unknown option $1" ;;
		*) break ;;
		esac
	done
	if [ "$mode" = module ]; then
		if [ -z "$ko" ] || [ -z "$check" ] || [ -z "$sysfs" ]; then
			die "--module, --check and --name go together"
		fi
		[ $# -eq 0 ] || die "no sample names with --module"
		ko=$(readlink -f "$ko")
		check=$(readlink -f "$check")
	fi

	work=$(mktemp -d "${TMPDIR:-/tmp}/kpb-integration.XXXXXX")
	trap cleanup EXIT
	trap 'exit 130' INT TERM

	case $mode in
	samples) run_samples "$@" ;;
	module) run_module "$ko" "$check" "$sysfs" "$setup" "$after" ;;
	selftest) run_selftest ;;
	esac
	summary
}

main "$@"
