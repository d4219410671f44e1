#!/usr/bin/env bash
# Benchmark of distro mode: wall time of every kpatch-build step for a
# one-file patch (default: the meminfo sample, fs/proc/meminfo.c) against
# Debian's kernel, from a cold cache and from a warm one.  Prints figures;
# asserts nothing (the targets are cold <= 300 s, warm <= 60 s).
#
# usage: bench/bench-distro.sh [PATCH]
#
#   cold            empty cache: download and unpack the packages (the -dbg
#                   vmlinux too), unpack the source, configure and prepare
#                   it, build the module
#   warm            the same cache again: build only
#   warm (again)    once more
#   cold, System.map only
#                   empty cache, --no-dbg-vmlinux: only System.map from the
#                   -dbg package, lookup from it
#   warm, System.map only
#
# The cold runs use a fresh cache (KPB_CACHE) that is removed afterwards;
# ccache is disabled so that "cold" compiles for real.  Environment:
# KPB_DISTRO_RELEASE (default auto), KPB_DISTRO_FLAVOUR (default
# cloud-amd64), KPB_DISTRO_SOURCE (default /usr/src/linux-source-6.1.tar.xz).
set -euo pipefail

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
patch=$(readlink -f "${1:-$repo/test/integration/samples/meminfo.patch}")
release=${KPB_DISTRO_RELEASE:-auto}
flavour=${KPB_DISTRO_FLAVOUR:-cloud-amd64}
source=${KPB_DISTRO_SOURCE:-/usr/src/linux-source-6.1.tar.xz}
work=$(mktemp -d "${TMPDIR:-/tmp}/kpb-bench-distro.XXXXXX")
trap 'rm -rf "$work"' EXIT

log() { printf 'bench: %s\n' "$*" >&2; }

# run LABEL CACHE [OPTION...]: one timed kpatch-build; prints its steps.
run() {
	local label=$1 cache=$2 t0 t1 rc=0
	shift 2
	printf '\n== %s (cache %s)\n' "$label" "$cache"
	rm -rf "$work/out"
	t0=$(date +%s.%N)
	KPB_CACHE=$cache CCACHE_DISABLE=1 "$repo/kpatch-build/kpatch-build" \
		--kernel-release "$release" --flavour "$flavour" --distro-source "$source" -n bench \
		-o "$work/out" "$@" "$patch" >"$work/log" 2>&1 || rc=$?
	t1=$(date +%s.%N)
	grep -E '^kpatch-build: .* [0-9.]+s$|in [0-9.]+s$' "$work/log" |
		grep -v '^kpatch-build: total' | sed 's/^kpatch-build: /  /'
	if [ "$rc" -ne 0 ] || [ ! -f "$work/out/livepatch-bench.ko" ]; then
		tail -n 20 "$work/log" >&2
		log "kpatch-build failed ($label)"
		return 1
	fi
	awk -v a="$t0" -v b="$t1" -v l="$label" \
		'BEGIN { printf "TOTAL %-34s %8.2f s\n", l, b - a }'
}

main() {
	make -C "$repo" -s all
	log "patch $patch, release $release, flavour $flavour, $(nproc) CPUs"
	run "cold" "$work/cache"
	run "warm" "$work/cache"
	run "warm (again)" "$work/cache"
	rm -rf "$work/cache"
	run "cold, System.map only" "$work/cache-map" --no-dbg-vmlinux
	run "warm, System.map only" "$work/cache-map" --no-dbg-vmlinux
	rm -rf "$work/cache-map"
}

main "$@"
