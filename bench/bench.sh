#!/usr/bin/env bash
# Benchmark: wall time of each kpatch-build step and the total, for the
# meminfo sample, on the built integration test kernel tree and on a
# configured-but-unbuilt copy of the same source.  Prints figures; asserts
# nothing.
#
# usage: bench/bench.sh [PATCH]     (default: the meminfo sample)
set -euo pipefail

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
patch=${1:-$repo/test/integration/samples/meminfo.patch}
work=$(mktemp -d "${TMPDIR:-/tmp}/kpb-bench.XXXXXX")
trap 'rm -rf "$work"' EXIT

log() { printf 'bench: %s\n' "$*" >&2; }

setup() {
	make -C "$repo" -s all
	tree=$(bash "$repo/test/integration/kernel.sh")
	log "built tree: $tree"
}

# A configured, never built copy: the same source and .config, nothing else.
unbuilt_copy() {
	local tarball=${KPB_LINUX_TARBALL:-/usr/src/linux-source-6.1.tar.xz}
	log "unpacking a configured-but-unbuilt copy (not timed)"
	mkdir -p "$work/unbuilt"
	tar -xJf "$tarball" -C "$work/unbuilt" --strip-components=1
	cp "$tree/.config" "$work/unbuilt/.config"
}

# run LABEL SRC: one timed kpatch-build run; prints its step lines.
run() {
	local label=$1 src=$2 t0 t1
	printf '\n== %s: %s\n' "$label" "$src"
	t0=$(date +%s.%N)
	"$repo/kpatch-build/kpatch-build" -s "$src" -v "$tree/vmlinux" \
		--symvers "$tree/Module.symvers" -n bench -o "$work/out" \
		"$patch" 2>&1 | grep -E '^kpatch-build: .* [0-9.]+s$|error' || true
	t1=$(date +%s.%N)
	[ -f "$work/out/livepatch-bench.ko" ] || { log "no module built"; return 1; }
	rm -f "$work/out/livepatch-bench.ko"
	awk -v a="$t0" -v b="$t1" -v l="$label" \
		'BEGIN { printf "TOTAL %-28s %8.2f s\n", l, b - a }'
}

main() {
	setup
	run "built tree" "$tree"
	run "built tree (again)" "$tree"
	unbuilt_copy
	run "configured, unbuilt" "$work/unbuilt"
	log "make modules_prepare in the copy (not timed): kpatch-build never writes the tree, so it prepares an unprepared one in its view each run"
	make -C "$work/unbuilt" -s -j"$(nproc)" modules_prepare >/dev/null 2>&1
	run "configured, prepared" "$work/unbuilt"
	rm -rf "$work/unbuilt"
	unbuilt_copy
	CCACHE_DISABLE=1 run "configured, unbuilt, no ccache" "$work/unbuilt"
}

main "$@"
