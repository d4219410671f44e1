#!/usr/bin/env bash
# Benchmark: a header change, built with every includer (--no-prune, the
# behaviour before prune.sh) and with the includers it cannot change
# skipped, cold (an empty cache) and warm (the same run again), on the
# built integration test kernel tree.  Prints the objects built and the wall
# time of each run; asserts nothing.
#
# usage: bench/bench-header.sh [PATCH]
#        (default: header-prune/set-task-comm.patch, set_task_comm() of
#        include/linux/sched.h returns early for an empty name)
set -euo pipefail

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
patch=${1:-$repo/test/integration/header-prune/set-task-comm.patch}
work=$(mktemp -d "${TMPDIR:-/tmp}/kpb-bench-header.XXXXXX")
trap 'rm -rf "$work"' EXIT
jobs=${KPB_BENCH_JOBS:-$(nproc)}

log() { printf 'bench: %s\n' "$*" >&2; }

# run LABEL KPATCH-BUILD-OPTION...: one timed run; its step lines, then
# "TOTAL LABEL SECONDS s, N objects built".
run() {
	local label=$1 t0 t1 n
	shift
	printf '\n== %s\n' "$label"
	t0=$(date +%s.%N)
	"$repo/kpatch-build/kpatch-build" -s "$tree" -j"$jobs" -n bench \
		-o "$work/out" "$@" "$patch" >"$work/log" 2>&1 || {
		tail -n 20 "$work/log"
		log "no module built"
		return 1
	}
	t1=$(date +%s.%N)
	grep -E '^kpatch-build: .* [0-9.]+s$|includers of' "$work/log" || true
	# the objects built: the last list of them the run printed
	n=$(awk '/^kpatch-build: (affected objects|objects to build): / {
		sub(/^[^:]*: [^:]*: /, ""); n = split($0, w, " ") }
		END { print n + 0 }' "$work/log")
	rm -f "$work/out/livepatch-bench.ko"
	awk -v a="$t0" -v b="$t1" -v l="$label" -v n="$n" \
		'BEGIN { printf "TOTAL %-36s %8.2f s, %s objects built twice\n", l, b - a, n }'
}

main() {
	make -C "$repo" -s all
	tree=$(bash "$repo/test/integration/kernel.sh")
	log "built tree: $tree, patch ${patch##*/}, -j$jobs"
	run "every includer (--no-prune)" --no-prune | tee "$work/a"
	mkdir -p "$work/cache"
	KPB_CACHE=$work/cache run "pruned, cold cache" | tee "$work/b"
	KPB_CACHE=$work/cache run "pruned, warm cache" | tee "$work/c"
	printf '\n'
	cat "$work/a" "$work/b" "$work/c" | grep '^TOTAL'
}

main "$@"
