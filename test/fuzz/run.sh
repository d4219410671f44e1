#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# make fuzz: runs the libFuzzer targets of create-diff-object, lookup and
# klp-convert (build/fuzz/fuzz-TOOL, made by make) for FUZZ_SECONDS in all
# (default 600), split evenly among them, after the regression inputs of
# test/fuzz/regress/TOOL/.  Exit status non-zero if any target found a
# crash, hang (FUZZ_TIMEOUT seconds for one input, default 10), leak,
# undefined behaviour or corrupt output; the reproducer's path is printed.
# FUZZ_JOBS (default: the number of CPUs) processes fuzz each target
# (libFuzzer's -fork).  See test/fuzz/README.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/../.." && pwd)
seconds=${FUZZ_SECONDS:-600}
timeout=${FUZZ_TIMEOUT:-10}
dir=${FUZZ_DIR:-$root/build/fuzz}
jobs=${FUZZ_JOBS:-$(nproc)}
targets=(create-diff-object lookup klp-convert)
failed=0
total=0

log() { printf 'fuzz: %s\n' "$*"; }

tmp_base() {
	if [ -d /dev/shm ] && [ -w /dev/shm ]; then
		echo /dev/shm
	else
		echo "$dir"
	fi
}

# The reproducer libFuzzer wrote, from its log.
artifact_of() {
	sed -n 's/.*Test unit written to \(.*\)$/\1/p' "$1" | tail -n 1
}

# What went wrong, from its log: the sanitizer's or libFuzzer's summary.
what_of() {
	grep -m1 -E '^SUMMARY: |ERROR: libFuzzer: |fuzz: the tool wrote' "$1" ||
		echo "exit status $2"
}

report() {
	local t=$1 logf=$2 rc=$3 a
	a=$(artifact_of "$logf")
	log "$t: FAILED: $(what_of "$logf" "$rc")"
	log "$t: log: $logf"
	[ -z "$a" ] || log "$t: reproduce: $dir/fuzz-$t $a"
	failed=$((failed + 1))
}

# Every regression input must run clean (one run each).
regress() {
	local t=$1 inputs=("$here/regress/$1"/*) logf=$dir/logs/$1-regress.log rc=0
	[ -e "${inputs[0]}" ] || return 0
	"$dir/fuzz-$t" -timeout="$timeout" -close_fd_mask=3 \
		-artifact_prefix="$dir/artifacts/$t-" "${inputs[@]}" \
		>"$logf" 2>&1 || rc=$?
	if [ "$rc" -ne 0 ]; then
		report "$t" "$logf" "$rc"
		return
	fi
	log "$t: ${#inputs[@]} regression inputs pass"
}

# How many inputs ran, from its log: libFuzzer's final statistics, or in
# fork mode its last progress line ("#N: cov: ...").
executions() {
	sed -n -e 's/^stat::number_of_executed_units: *//p' \
		-e 's/^#\([0-9]*\): cov:.*/\1/p' "$1" | tail -n 1
}

fuzz() {
	local t=$1 secs=$2 logf=$dir/logs/$1.log rc=0 n fork=()
	((jobs > 1)) && fork=(-fork="$jobs")
	mkdir -p "$dir/corpus/$t"
	"$dir/fuzz-$t" "${fork[@]}" -max_total_time="$secs" \
		-timeout="$timeout" -rss_limit_mb=2048 -malloc_limit_mb=1024 \
		-close_fd_mask=3 -print_final_stats=1 \
		-artifact_prefix="$dir/artifacts/$t-" \
		"$dir/corpus/$t" "$dir/seeds/$t" >"$logf" 2>&1 || rc=$?
	n=$(executions "$logf")
	total=$((total + ${n:-0}))
	if [ "$rc" -ne 0 ]; then
		report "$t" "$logf" "$rc"
		return
	fi
	log "$t: ${n:-0} executions in ${secs}s, nothing found" \
		"(corpus: $(find "$dir/corpus/$t" -type f | wc -l) inputs)"
}

main() {
	local t per
	for t in "${targets[@]}"; do
		[ -x "$dir/fuzz-$t" ] || { log "$dir/fuzz-$t is not built (make fuzz)"; exit 1; }
	done
	mkdir -p "$dir/logs" "$dir/artifacts"
	rm -rf "$dir/seeds"
	bash "$here/seeds.sh" "$dir/seeds" | sed 's/^/fuzz: /'
	# The harness's files, in memory if it can (4 times faster).
	tmp=$(mktemp -d "$(tmp_base)/kpb-fuzz-run.XXXXXX")
	trap 'rm -rf "$tmp"' EXIT
	export TMPDIR=$tmp
	for t in "${targets[@]}"; do
		regress "$t"
	done
	per=$((seconds / ${#targets[@]}))
	((per > 0)) || per=1
	((failed)) || for t in "${targets[@]}"; do
		fuzz "$t" "$per"
	done
	log "$total executions, $failed targets failed"
	[ "$failed" -eq 0 ]
}

main "$@"
