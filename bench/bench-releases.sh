#!/usr/bin/env bash
# Benchmark of distro mode for the releases a fleet runs: a one-file patch
# (default: the meminfo sample) for an older release than the installed
# source's (its own source fetched), cold and warm, and for three releases
# in one command, warm.  Prints wall times; asserts nothing (the targets:
# one older release cold <= 300 s, warm <= 20 s; three releases warm <=
# 60 s).
#
# usage: bench/bench-releases.sh [PATCH]
# Environment: KPB_BENCH_RELEASE (default 6.1.0-55-cloud-amd64),
# KPB_BENCH_RELEASES (default 6.1.0-55,-56,-57 cloud-amd64).  The cold run
# uses a fresh cache (KPB_CACHE, removed afterwards) and no ccache.
set -euo pipefail

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
patch=$(readlink -f "${1:-$repo/test/integration/samples/meminfo.patch}")
one=${KPB_BENCH_RELEASE:-6.1.0-55-cloud-amd64}
three=${KPB_BENCH_RELEASES:-6.1.0-55-cloud-amd64,6.1.0-56-cloud-amd64,6.1.0-57-cloud-amd64}
work=$(mktemp -d "${TMPDIR:-/tmp}/kpb-bench-releases.XXXXXX")
trap 'rm -rf "$work"' EXIT

# run LABEL CACHE RELEASES [ENV...]: one timed kpatch-build.
run() {
	local label=$1 cache=$2 rels=$3 t0 t1 rc=0
	shift 3
	rm -rf "$work/out"
	t0=$(date +%s.%N)
	env KPB_CACHE="$cache" "$@" "$repo/kpatch-build/kpatch-build" \
		--kernel-release "$rels" -n bench -o "$work/out" "$patch" \
		>"$work/log" 2>&1 || rc=$?
	t1=$(date +%s.%N)
	grep -E '^kpatch-build: (distro: .*|fetched .*|the archive .*|.*objects +)[0-9.]+s$|^  [0-9]' "$work/log" || true
	awk -v a="$t0" -v b="$t1" -v l="$label" -v rc="$rc" \
		'BEGIN { printf "TOTAL %-40s %8.1f s%s\n", l, b - a, rc ? "  (FAILED)" : "" }'
}

main() {
	local cold=$work/cache
	make -C "$repo" -s all
	printf 'installed linux-source-6.1: %s\n' \
		"$(dpkg-query -W -f '${Version}' linux-source-6.1 2>/dev/null || echo none)"
	run "$one cold (fresh cache, no ccache)" "$cold" "$one" CCACHE_DISABLE=1
	run "$one warm" "$cold" "$one"
	rm -rf "$cold"
	run "$three warm (the usual cache)" \
		"${KPB_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/kpatch-build}" "$three"
	run "$three warm, again" \
		"${KPB_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/kpatch-build}" "$three"
}

main "$@"
