#!/usr/bin/env bash
# Builds through distcc (README "Builds over several machines"), against a
# distccd of this test's own on 127.0.0.1: the objects kpatch-build diffs are
# compiled there (distccd's log says so, for each of the original and the
# patched build), and the module and those objects are byte-identical to the
# ones of a local build.  Every build has a private, empty ccache, so that
# no ccache hit hides distcc; a second build with the same ccache sends
# nothing (ccache comes first, distcc on a miss).
#
# Usage: distcc.sh [CASE...]     (default: all; see the test_ functions)
#
# Environment: KPB_TREE (the built test tree, default kernel.sh's),
# KPB_DRIVER (the kpatch-build to test, default the repository's).  Needs
# distcc (make deps) and root (distccd runs as nobody; the case of a tree
# configured with CC='distcc gcc' mounts an overlay).  Each case is one
# test; the last line is "N passed, N failed".
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/../.." && pwd)
kpb=${KPB_DRIVER:-$repo/kpatch-build/kpatch-build}
samples=$here/samples
# shellcheck source=test/integration/cases.sh
. "$here/cases.sh"
# shellcheck source=test/integration/distccd.sh
. "$here/distccd.sh"
work=$(mktemp -d "${TMPDIR:-/tmp}/kpb-distcc.XXXXXX")
tree=
port=
cache=${KPB_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/kpatch-build}
# the objects meminfo.patch diffs, and its source as distccd logs it
object=fs/proc/meminfo.o
source=fs/proc/meminfo.c

log() { printf '%s\n' "$*"; }
indent() { sed 's/^/    /'; }

cleanup() {
	local m
	stop_distccd
	awk -v w="$work/" 'index($2, w) == 1 { print $2 }' /proc/mounts |
		while IFS= read -r m; do umount "$m" 2>/dev/null || true; done
	[ -n "${KPB_KEEP:-}" ] || rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# The compiles of FILE that distccd finished since the log had LINES lines.
compiled_there() {
	distccd_jobs "$work/distccd.log" "$2" | awk -v f="$1" '$2 == f' | wc -l
}

# kpb NAME [VAR=VALUE...] [ARG...]: the driver on the tree with meminfo.patch,
# into $work/NAME/o, work directory kept under $work/NAME/tmp, ccache in
# $work/NAME/ccache unless CCACHE_DIR is given; output in $work/NAME/log,
# status in $rc.
kpb() {
	local name=$1 d=$work/$1 a
	local -a vars=() args=()
	shift
	for a; do
		if [[ $a == [A-Z_]*=* ]]; then vars+=("$a"); else args+=("$a"); fi
	done
	mkdir -p "$d/o" "$d/tmp" "$d/ccache"
	rc=0
	env -u DISTCC_HOSTS CCACHE_DIR="$d/ccache" TMPDIR="$d/tmp" \
		KPB_CACHE="$cache" "${vars[@]}" \
		"$kpb" -s "$tree" -o "$d/o" -j 2 --skip-cleanup "${args[@]}" \
		"$samples/meminfo.patch" >"$d/log" 2>&1 || rc=$?
	if [ "$rc" -ne 0 ]; then
		log "  kpatch-build ($name) failed with status $rc:"
		tail -n 10 "$d/log" | indent
		return 1
	fi
}

# sent NAME N [VAR=VALUE...] [ARG...]: kpb NAME ..., during which distccd
# compiled the diffed source N times (2: the original and the patched).
sent() {
	local name=$1 want=$2 from n
	shift 2
	from=$(wc -l <"$work/distccd.log")
	kpb "$name" "$@" || return 1
	n=$(compiled_there "$source" "$from")
	[ "$n" -eq "$want" ] && return 0
	log "  distccd compiled $source $n times for the $name build, not $want"
	return 1
}

# A HOME whose ~/.distcc/hosts names our distccd.
hosts_home() {
	mkdir -p "$work/home/.distcc"
	printf '127.0.0.1:%s/2\n' "$port" >"$work/home/.distcc/hosts"
}

# The local build, once.
local_build() {
	[ -f "$work/local/o/livepatch-meminfo.ko" ] || kpb local
}

# same FILE NAME NAME: FILE (under the work directory) of two runs is the
# same, byte for byte.
same() {
	local f=$1 a b
	a=$(printf '%s\n' "$work/$2"/tmp/kpatch-build.*/"$f")
	b=$(printf '%s\n' "$work/$3"/tmp/kpatch-build.*/"$f")
	if [ ! -f "$a" ] || [ ! -f "$b" ]; then
		log "  no $f in the work directories"
		return 1
	fi
	cmp "$a" "$b" >/dev/null ||
		{ log "  $f differs between the $2 and the $3 build"; return 1; }
}

# Through distcc, by DISTCC_HOSTS (no fallback to a local compile), and
# locally: the distccd compiled the diffed object twice (original,
# patched), and the module and objects are the local build's.
test_distcc_is_local() {
	local bad=0
	local_build || return 1
	sent distcc 2 DISTCC_HOSTS="127.0.0.1:$port/2" DISTCC_FALLBACK=0 || bad=1
	[ -f "$work/distcc/o/livepatch-meminfo.ko" ] || return 1
	grep -q "compiling through distcc on 127.0.0.1:$port/2" "$work/distcc/log" ||
		{ log "  kpatch-build did not say it compiles through distcc"; bad=1; }
	cmp "$work/local/o/livepatch-meminfo.ko" "$work/distcc/o/livepatch-meminfo.ko" ||
		{ log "  the module built through distcc differs from the local one"; bad=1; }
	same "orig/$object" local distcc || bad=1
	same "patched/$object" local distcc || bad=1
	return "$bad"
}

# --distcc with distcc's own host list (here: DISTCC_HOSTS in ~/.distcc/hosts
# of a HOME of ours), then the same ccache again: every compile a ccache
# hit, none sent.
test_option_and_ccache_first() {
	local bad=0
	hosts_home
	sent opt 2 HOME="$work/home" DISTCC_FALLBACK=0 --distcc || bad=1
	sent opt2 0 HOME="$work/home" CCACHE_DIR="$work/opt/ccache" \
		DISTCC_FALLBACK=0 --distcc || bad=1
	[ "$bad" -eq 0 ] || return 1
	cmp "$work/opt/o/livepatch-meminfo.ko" "$work/opt2/o/livepatch-meminfo.ko" ||
		{ log "  the module from ccache differs"; bad=1; }
	return "$bad"
}

# DISTCC_HOSTS set but naming no host: refused before any build, saying so.
test_no_hosts() {
	local d=$work/nohosts rc=0
	mkdir -p "$d/o"
	DISTCC_HOSTS=' ' "$kpb" -s "$tree" -o "$d/o" "$samples/meminfo.patch" \
		>"$d/log" 2>&1 || rc=$?
	[ "$rc" -ne 0 ] && grep -q 'distcc has no hosts to send compiles to' "$d/log" &&
		return 0
	log "  kpatch-build (status $rc) did not refuse DISTCC_HOSTS without hosts:"
	tail -n 5 "$d/log" | indent
	return 1
}

# A tree built with CC='distcc gcc' (an overlay of the test tree,
# configured again and its tools and prepare outputs rebuilt so, with distcc
# compiling locally): with the hosts of ~/.distcc/hosts, its compiles go
# through distcc with kpatch-build's flags (the wrapper stands in for
# distcc too), and the module is the one of the test tree (of
# the local build).
test_tree_cc_distcc() {
	local m=$work/dtree-src bad=0 orig=$tree
	mkdir -p "$m" "$work/dt-up" "$work/dt-wk"
	mount -t overlay kpb-distcc -o "lowerdir=$tree,upperdir=$work/dt-up,workdir=$work/dt-wk" "$m" ||
		{ log "  cannot mount the tree overlay (root needed)"; return 1; }
	if ! DISTCC_HOSTS=localhost PATH=/usr/lib/ccache:$PATH CCACHE_DIR="$work/dt-ccache" \
			make -C "$m" -s -j2 CC="distcc gcc" syncconfig modules_prepare \
			>"$work/dt-prepare.log" 2>&1; then
		log "  cannot configure and prepare the overlay with CC='distcc gcc':"
		tail -n 5 "$work/dt-prepare.log" | indent
		umount "$m"
		return 1
	fi
	grep -q '"distcc gcc"' "$m/include/config/auto.conf.cmd" ||
		{ log "  the overlay's record has no CC='distcc gcc'"; umount "$m"; return 1; }
	local_build || { umount "$m"; return 1; }
	hosts_home
	tree=$m
	sent dtree 2 HOME="$work/home" DISTCC_FALLBACK=0 || bad=1
	tree=$orig
	umount "$m"
	[ -f "$work/dtree/o/livepatch-meminfo.ko" ] || return 1
	grep -q "configured with CC='distcc gcc'" "$work/dtree/log" ||
		{ log "  kpatch-build did not see the tree's CC='distcc gcc'"; bad=1; }
	cmp "$work/local/o/livepatch-meminfo.ko" "$work/dtree/o/livepatch-meminfo.ko" ||
		{ log "  the module of the tree with CC='distcc gcc' differs from the test tree's"; bad=1; }
	return "$bad"
}

main() {
	command -v distccd >/dev/null ||
		{ log "distccd not installed (make deps)"; log "0 passed, 1 failed"; exit 1; }
	tree=${KPB_TREE:-$(bash "$here/kernel.sh")}
	make -C "$repo" -s all >/dev/null
	start_distccd "$work/distccd.log" 2 || { log "0 passed, 1 failed"; exit 1; }
	port=$DISTCCD_PORT
	run_cases "$@"
}

main "$@"
