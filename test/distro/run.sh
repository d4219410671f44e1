#!/usr/bin/env bash
# The distro proof: livepatch modules for a kernel Debian ships, built by
# kpatch-build's distro mode (no kernel build) and proven in QEMU (TCG) on
# that kernel's own vmlinuz, with test/integration's busybox VM (vm.sh), its
# guest protocol (guest-protocol.sh) and its samples.
#
# Usage: run.sh [--keep] [NAME[:sysmap|:stuff]...]
#
# NAME is a sample of test/integration/samples (NAME.patch, NAME.check and
# the optional NAME.setup, NAME.after-insmod, NAME.protocol,
# NAME.build-expect, as there); NAME:sysmap builds it with --no-dbg-vmlinux,
# so that lookup works from the -dbg package's System.map alone; NAME:stuff
# proves it in a VM with call depth tracking on (6.12: see STUFF_CPU).  A
# NAME-FAIL sample must be refused with output matching NAME-FAIL.expect.
# The name "release-mismatch" is the refusal of an image whose version is
# not the source's; "header-inline" is that sample built in distro mode,
# where Debian's config compiles the changed static inline nowhere (see
# run_header_inline); "sysmap-check" runs sysmap-check.sh (lookup from
# System.map never disagrees with lookup from the vmlinux, on the statics
# of KPB_SYSMAP_FILES source files, default 20).  Without names, the samples that apply to a
# distribution kernel (DEFAULT_SAMPLES_6_1 or _6_12, by the source).  The modules a snippet insmods
# (/root/X.ko) come from the image package.
#
# Environment: KPB_DISTRO_RELEASE (default "auto": the release whose image
# has the version of the installed linux-source), KPB_DISTRO_FLAVOUR
# (default cloud-amd64), KPB_DISTRO_SOURCE (default
# /usr/src/linux-source-6.1.tar.xz: the proof is of Debian's 6.1), KPB_CACHE, KPB_VM_TIMEOUT (default 300),
# KPB_BUILD_TIMEOUT (default 1800).
#
# Each sample is one test; besides, the prepared source in the cache must
# be left as it was.  The last line is "N passed, N failed".
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/../.." && pwd)
integ=$repo/test/integration
samples=$integ/samples
release=${KPB_DISTRO_RELEASE:-auto}
flavour=${KPB_DISTRO_FLAVOUR:-cloud-amd64}
source=${KPB_DISTRO_SOURCE:-/usr/src/linux-source-6.1.tar.xz}
vm_timeout=${KPB_VM_TIMEOUT:-300}
build_timeout=${KPB_BUILD_TIMEOUT:-1800}

# The samples that apply to Debian's 6.1 kernel: vmlinux and module
# (binfmt_misc) patches, callbacks, shadow variables, two livepatches,
# tracepoints, jump labels, alternatives, exception tables, a header change
# (header-macro: the prepared source was never built, so its objects are
# found by the include scan); the shapes of real fixes (a struct's layout
# refused, a .c #included by another, constants copied, a new
# pr_*_once(), MODULE_IMPORT_NS).
DEFAULT_SAMPLES_6_1=(
	meminfo meminfo:sysmap cmdline new-function new-static-var
	shadow-var shadow-var:sysmap syscall callbacks module-binfmt
	module-loaded-after vmlinux-and-module replace non-replace
	tracepoint jump-label alternatives extable warn-once
	init-FAIL global-init-FAIL read-mostly-FAIL asm-FAIL
	header-macro header-inline release-mismatch sysmap-check
	struct-layout-FAIL included-c rodata-cst once-added import-ns
)
# Debian's 6.12 (IBT, call padding, call depth tracking, objtool on the
# linked module, runtime constants): the same kinds, samples/6.12/ patches
# where the code differs, and the :stuff variants with call depth tracking.
DEFAULT_SAMPLES_6_12=(
	meminfo meminfo:sysmap meminfo:stuff cmdline new-function
	new-static-var shadow-var syscall callbacks callbacks:stuff
	module-binfmt module-binfmt:stuff module-loaded-after
	vmlinux-and-module replace
	non-replace tracepoint tracepoint:stuff jump-label alternatives
	extable extable:stuff warn-once clone header-macro header-inline
	init-FAIL global-init-FAIL read-mostly-FAIL asm-FAIL runtime-shift-FAIL
	struct-layout-FAIL included-c rodata-cst once-added import-ns
)

# NAME:stuff: the VM runs with call depth tracking (Linux 6.2+,
# CONFIG_MITIGATION_CALL_DEPTH_TRACKING): an Intel CPU model that TCG runs
# and retbleed=stuff, so that the loader patches the livepatch's calls to go
# through the accounting thunks in the padding before each function.
STUFF_CPU=Skylake-Client-v1
STUFF_APPEND="spectre_v2=retpoline retbleed=stuff"
# shellcheck disable=SC2016 # expanded in the guest
STUFF_GUEST_CHECK='grep -q "Mitigation: Stuffing" /sys/devices/system/cpu/vulnerabilities/retbleed || { echo "call depth tracking is off: $(cat /sys/devices/system/cpu/vulnerabilities/retbleed)"; exit 1; }'
vm_stuff=0

work=
keep=0
kpb=
image=
moddir=
srctree=
npass=0
nfail=0

log() { printf '%s\n' "$*"; }
indent() { sed 's/^/    /'; }
passed() { npass=$((npass + 1)); log "PASS: $1"; }
failed() { nfail=$((nfail + 1)); log "FAIL: $1"; }

summary() {
	log "$npass passed, $nfail failed"
	[ "$nfail" -eq 0 ]
}

cleanup() {
	[ -n "$work" ] || return 0
	if [ "$keep" = 1 ]; then
		printf 'run.sh: work directory kept: %s\n' "$work" >&2
	else
		rm -rf "$work"
	fi
}

# A failure before any sample could run: one failed test, then stop.
setup_failed() {
	failed "setup: $*"
	summary || true
	exit 1
}

# Installed like a package: the driver finds distro.sh in libexec.
install_project() {
	make -C "$repo" -s all >"$work/make.log" 2>&1 ||
		{ tail -n 20 "$work/make.log" | indent; setup_failed "make failed"; }
	make -C "$repo" install PREFIX=/usr DESTDIR="$work/inst" \
		>>"$work/make.log" 2>&1 ||
		{ tail -n 20 "$work/make.log" | indent; setup_failed "make install failed"; }
	kpb=$work/inst/usr/bin/kpatch-build
}

# kpatch_build LOGNAME NAME PATCH [OPTION...]: the installed driver in
# distro mode; output in $work/LOGNAME.log, module in $work/out.
kpatch_build() {
	local logname=$1 name=$2 patch=$3 rc=0
	shift 3
	rm -rf "$work/out"
	mkdir -p "$work/out"
	timeout "$build_timeout" "$kpb" --kernel-release "$release" \
		--flavour "$flavour" --distro-source "$source" -n "$name" -o "$work/out" "$@" "$patch" \
		>"$work/$logname.log" 2>&1 || rc=$?
	return "$rc"
}

# From the driver's "distro ..." line: the image, the modules, the source.
read_distro_line() {
	local line
	line=$(grep -m1 '^kpatch-build: distro .*, image ' "$1") || return 1
	image=$(sed -n 's/.*, image \([^ ,]*\),.*/\1/p' <<<"$line")
	moddir=$(sed -n 's/.*, modules \([^ ,]*\)$/\1/p' <<<"$line")
	srctree=$(sed -n 's/.*: source \([^ ,]*\),.*/\1/p' <<<"$line")
	[ -f "$image" ] && [ -d "$moddir" ] && [ -d "$srctree" ]
}

# Fetch and prepare once (the first build does it), learn the paths, and
# snapshot the prepared source.
setup_distro() {
	log "=== setup: kpatch-build --kernel-release $release (flavour $flavour): fetch and prepare, build meminfo"
	if ! kpatch_build setup meminfo "$samples/meminfo.patch"; then
		tail -n 30 "$work/setup.log" | indent
		setup_failed "kpatch-build in distro mode failed"
	fi
	grep -E '^kpatch-build: (distro|release|compiler|vermagic)' \
		"$work/setup.log" | indent
	read_distro_line "$work/setup.log" ||
		setup_failed "kpatch-build did not say where the image, modules and source are"
	tree_state >"$work/tree.base"
}

tree_state() {
	(cd "$srctree" && find . ! -type d -printf '%y %p %s %T@ %l\n' | LC_ALL=C sort)
}

# The /root/X.ko a snippet loads, from the image package.
snippet_modules() {
	local f m
	for f in "$@"; do
		[ -n "$f" ] || continue
		sed -n 's|.*/root/\([A-Za-z0-9_-]*\.ko\).*|\1|p' "$f"
	done | sort -u | while read -r m; do
		unpacked_module "$m"
	done
}

# The image's module M (NAME.ko), uncompressed (6.12's are .ko.xz, and
# busybox's insmod hands the file to the kernel as it is) into $work/mods.
unpacked_module() {
	local m=$1 f
	f=$(find "$moddir" \( -name "$m" -o -name "$m.xz" -o -name "$m.zst" \
		-o -name "$m.gz" \) -print -quit)
	[ -n "$f" ] || return 0
	mkdir -p "$work/mods"
	case $f in
	*.xz) xz -dc "$f" >"$work/mods/$m" ;;
	*.zst) zstd -qdc "$f" >"$work/mods/$m" ;;
	*.gz) gzip -dc "$f" >"$work/mods/$m" ;;
	*) cp "$f" "$work/mods/$m" ;;
	esac
	printf '%s\n' "$work/mods/$m"
}

# A sample's patch for this source: samples/M.m/NAME.patch where the
# source's code differs from 6.1's (the checks stay the same), else
# samples/NAME.patch.
sample_patch() {
	local mm
	mm=$(basename "$source" .tar.xz)
	mm=${mm#linux-source-}
	if [ -f "$samples/$mm/$1.patch" ]; then
		printf '%s\n' "$samples/$mm/$1.patch"
	else
		printf '%s\n' "$samples/$1.patch"
	fi
}

snippet() {
	[ ! -f "$samples/$1.$2" ] || printf '%s\n' "$samples/$1.$2"
}

# prove KO CHECK SYSFS SETUP AFTER [SECOND_KO SECOND_CHECK SECOND_SYSFS
# REPLACE]: guest-protocol.sh in the VM; then the taint the unsigned
# module leaves is shown.
prove() {
	local ko=$1 check=$2 sysfs=$3 setup=$4 after=$5 vmdir rc=0
	local opts='' files=() mods=()
	vmdir=$(mktemp -d "$work/vm.XXXXXX")
	cp "$integ/guest-protocol.sh" "$vmdir/"
	cp "$check" "$vmdir/test.check"
	files=("$vmdir/guest-protocol.sh" "$vmdir/test.check" "$ko")
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
	if [ $# -gt 5 ]; then
		cp "$7" "$vmdir/second.check"
		files+=("$6" "$vmdir/second.check")
		opts="$opts --second /root/$(basename "$6") --second-name $8"
		opts="$opts --second-check /root/second.check --replace $9"
	fi
	mapfile -t mods < <(snippet_modules "$setup" "$after")
	cat >"$vmdir/test.sh" <<EOF
#!/bin/sh
$( [ "$vm_stuff" -eq 0 ] || echo "$STUFF_GUEST_CHECK" )
sh /root/guest-protocol.sh$opts /root/$(basename "$ko") $sysfs /root/test.check
rc=\$?
echo "kernel: \$(uname -r), tainted: \$(cat /proc/sys/kernel/tainted)"
dmesg | grep -E 'taint|signature' | sed 's/^/  dmesg: /'
exit \$rc
EOF
	if [ "$vm_stuff" -eq 1 ]; then
		export KPB_VM_CPU=$STUFF_CPU KPB_VM_APPEND=$STUFF_APPEND
	fi
	bash "$integ/vm.sh" --timeout "$vm_timeout" "$image" "$vmdir/test.sh" \
		"${files[@]}" "${mods[@]}" 2>&1 | indent || rc=${PIPESTATUS[0]}
	unset KPB_VM_CPU KPB_VM_APPEND
	return "$rc"
}

# Every regex line of NAME.build-expect matches the build's output (its
# "exactly" lines are the test tree's functions, its "tree " lines what
# only the built test tree does, e.g. header pruning from kbuild's
# dependency records: test/integration/run.sh).
build_output_ok() {
	local name=$1 logname=$2 re bad=0
	[ -f "$samples/$name.build-expect" ] || return 0
	while IFS= read -r re; do
		case $re in '' | '#'* | 'exactly '* | 'tree '*) continue ;; esac
		grep -E -q -e "$re" "$work/$logname.log" ||
			{ log "  output does not match /$re/"; bad=1; }
	done <"$samples/$name.build-expect"
	return "$bad"
}

show_log() {
	log "  kpatch-build output (last 30 lines):"
	tail -n 30 "$work/$1.log" | indent
}

# Reads NAME.protocol: P_SECOND, P_REPLACE (empty without one).
read_protocol() {
	local file=$samples/$1.protocol
	P_SECOND=
	P_REPLACE=
	[ -f "$file" ] || return 0
	P_SECOND=$(awk '$1 == "second" { print $2 }' "$file")
	P_REPLACE=$(awk '$1 == "replace" { print $2 }' "$file")
	if [ -z "$P_SECOND" ] || [ -z "$P_REPLACE" ]; then
		log "  $file: needs 'second NAME' and 'replace yes|no'"
		return 1
	fi
}

# A sample kpatch-build must refuse: no module, the expected message.
run_fail() {
	local name=$1 re bad=0
	if kpatch_build "$name" "$name" "$(sample_patch "$name")"; then
		log "  kpatch-build succeeded, but this patch must be refused"
		show_log "$name"
		return 1
	fi
	while IFS= read -r re; do
		case $re in '' | '#'*) continue ;; esac
		if grep -E -q -e "$re" "$work/$name.log"; then
			log "  output matches /$re/"
		else
			log "  output does not match /$re/"
			bad=1
		fi
	done <"$samples/$name.expect"
	[ -z "$(find "$work/out" -name '*.ko')" ] ||
		{ log "  a module was left behind"; bad=1; }
	[ "$bad" -eq 0 ] || show_log "$name"
	return "$bad"
}

# The image of another release of the flavour, whose version is not the
# source's (from apt's lists), must be refused, naming both versions.
run_mismatch() {
	local srcver other names=()
	srcver=$(grep -m1 -o '([0-9][^)]*): source' "$work/setup.log" | sed 's/^(//; s/): source$//')
	mapfile -t names < <(apt-cache search --names-only \
		"^linux-image-[0-9.]+-[0-9]+-$flavour\$" | awk '{ print $1 }')
	other=
	[ ${#names[@]} -eq 0 ] ||
		other=$(apt-cache madison "${names[@]}" 2>/dev/null | awk -F'|' -v v="$srcver" '
			{ gsub(/ /, "", $1); gsub(/ /, "", $2) }
			$2 != v { print $1; exit }')
	other=${other#linux-image-}
	if [ -z "$other" ]; then
		log "  apt knows no $flavour image of a version other than $srcver: nothing to refuse (counted as passed)"
		return 0
	fi
	log "  target $other, source version $srcver"
	if release=$other kpatch_build mismatch m "$samples/meminfo.patch"; then
		log "  kpatch-build succeeded for $other"
		return 1
	fi
	grep -E "linux-image-$other is version .*, but the source .* is $srcver: no match" \
		"$work/mismatch.log" | indent | grep -q . ||
		{ show_log mismatch; return 1; }
	[ -z "$(find "$work/out" -name '*.ko')" ]
}

# header-inline changes a static inline of include/linux/cn_proc.h that
# only a kernel without CONFIG_PROC_EVENTS compiles.  Debian's has it (the
# function is drivers/connector/cn_proc.c's), so distro mode must find the
# objects that include the header (by the include scan: the prepared source
# has no dependency records), build them, and then say that no function
# changed.  Without CONFIG_PROC_EVENTS it is proven as any sample.
run_header_inline() {
	grep -qx 'CONFIG_PROC_EVENTS=y' "$srctree/.config" || return 2
	if kpatch_build header-inline header-inline "$samples/header-inline.patch"; then
		log "  kpatch-build succeeded, but no compiled function changes"
		return 1
	fi
	if ! grep -qE 'include/linux/cn_proc.h: [0-9]+ objects \(0 from dependency records, [0-9]+ from the include scan\)' \
			"$work/header-inline.log" ||
	   ! grep -qE '^kpatch-build: affected objects: .*fs/proc/base\.o.* kernel/sys\.o' \
			"$work/header-inline.log" ||
	   ! grep -q 'the patches change no function' "$work/header-inline.log"; then
		show_log header-inline
		return 1
	fi
	grep -E 'cn_proc.h: |affected objects:|change no function' \
		"$work/header-inline.log" | indent
	log "  CONFIG_PROC_EVENTS=y: the objects were found and built, no function changed"
	[ -z "$(find "$work/out" -name '*.ko')" ]
}

run_one() {
	local spec=$1 name=${1%%:*} opts=() second=() ko
	vm_stuff=0
	case $name in
	release-mismatch) run_mismatch; return ;;
	header-inline)
		local rc=0
		run_header_inline || rc=$?
		[ "$rc" -eq 2 ] || return "$rc" ;;
	sysmap-check)
		bash "$here/sysmap-check.sh" --files "${KPB_SYSMAP_FILES:-20}" \
			"$(basename "$(dirname "$srctree")")" 2>&1 | indent
		return "${PIPESTATUS[0]}" ;;
	*-FAIL) run_fail "$name"; return ;;
	esac
	case $spec in
	*:sysmap) opts=(--no-dbg-vmlinux) ;;
	*:stuff) vm_stuff=1 ;;
	"$name") ;;
	*) log "  unknown variant ${spec#*:} (sysmap, stuff)"; return 1 ;;
	esac
	if [ ! -f "$(sample_patch "$name")" ] || [ ! -f "$samples/$name.check" ]; then
		log "  no sample $name (.patch and .check) in $samples"
		return 1
	fi
	read_protocol "$name" || return 1
	[ "$P_REPLACE" != no ] || opts+=(-R)
	if [ -n "$P_SECOND" ]; then
		if ! kpatch_build "$spec-second" "$P_SECOND" \
				"$(sample_patch "$P_SECOND")" "${opts[@]}"; then
			log "  kpatch-build of the second livepatch $P_SECOND failed"
			show_log "$spec-second"
			return 1
		fi
		mkdir -p "$work/second"
		cp "$work/out/livepatch-$P_SECOND.ko" "$work/second/"
		second=("$work/second/livepatch-$P_SECOND.ko" \
			"$samples/$P_SECOND.check" "livepatch_${P_SECOND//-/_}" \
			"$P_REPLACE")
	fi
	if ! kpatch_build "$spec" "$name" "$(sample_patch "$name")" "${opts[@]}"; then
		log "  kpatch-build failed"
		show_log "$spec"
		return 1
	fi
	ko=$work/out/livepatch-$name.ko
	log "  kpatch-build: ok ($(grep -m1 -o 'total [0-9.]*s' "$work/$spec.log"), symbols from $(sed -n 's/.*, symbols \([^ ,]*\),.*/\1/p' "$work/$spec.log" | head -n 1 | xargs basename))"
	build_output_ok "$name" "$spec" || { show_log "$spec"; return 1; }
	prove "$ko" "$samples/$name.check" "livepatch_${name//-/_}" \
		"$(snippet "$name" setup)" "$(snippet "$name" after-insmod)" \
		"${second[@]}"
}

main() {
	local names=() name
	while [ $# -gt 0 ]; do
		case $1 in
		--keep) keep=1; shift ;;
		-h|--help) sed -n '2,30p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; exit 0 ;;
		-*) log "run.sh: unknown option $1"; exit 2 ;;
		*) names+=("$1"); shift ;;
		esac
	done
	if [ ${#names[@]} -eq 0 ]; then
		case $source in
		*linux-source-6.1.tar.*) names=("${DEFAULT_SAMPLES_6_1[@]}") ;;
		*linux-source-6.12.tar.*) names=("${DEFAULT_SAMPLES_6_12[@]}") ;;
		*) log "run.sh: no default samples for $source: name them"; exit 2 ;;
		esac
	fi
	work=$(mktemp -d "${TMPDIR:-/tmp}/kpb-distro.XXXXXX")
	trap cleanup EXIT
	trap 'exit 130' INT TERM
	install_project
	setup_distro
	for name in "${names[@]}"; do
		log "=== sample $name"
		if run_one "$name"; then passed "$name"; else failed "$name"; fi
	done
	log "=== the prepared source $srctree"
	if tree_state | cmp -s - "$work/tree.base"; then
		passed "prepared source left as it was"
	else
		tree_state | diff "$work/tree.base" - | head -n 20 | indent
		failed "prepared source changed"
	fi
	summary
}

main "$@"
