#!/usr/bin/env bash
# Benchmark of builds through distcc (README "Builds over several
# machines"): one cumulative livepatch of every configured .c change of a
# Debian update whose patch alone was proven (the corpus of real fixes,
# test/updates/), in distro mode, built four times: locally and through a
# distccd on 127.0.0.1, each cold (an empty private ccache) and warm (that
# ccache again).  Prints the wall times, the two compiling steps, the
# compile times distccd logged per object, whether the modules are byte
# for byte the same, and what N hosts would give, from the measured
# figures.  Asserts nothing.  The distccd shares this machine's CPUs: its
# figure is distcc's overhead, not a speed-up.
#
# usage: bench/bench-distcc.sh [--results TABLE] [--jobs N] [OLD NEW RELEASE]
#   TABLE: a table of test/updates/run.sh whose "proven" files make the
#   patch (default test/updates/results-6.1.187-1-6.1.190-1.md; a fuller
#   one gives a bigger patch); OLD NEW RELEASE default to 6.1.187-1
#   6.1.190-1 6.1.0-53-cloud-amd64; --jobs: make jobs, and the distccd's
#   and each estimated host's job slots (default 2).
set -euo pipefail

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
here=$repo/test/updates
kpb=$repo/kpatch-build/kpatch-build
cache=${KPB_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/kpatch-build}
work=$(mktemp -d "${TMPDIR:-/tmp}/kpb-bench-distcc.XXXXXX")

# shellcheck source=kpatch-build/common.sh
. "$repo/kpatch-build/common.sh"
# shellcheck source=kpatch-build/distro.sh
. "$repo/kpatch-build/distro.sh"
# shellcheck source=test/updates/corpus.sh
. "$here/corpus.sh"
# shellcheck source=test/integration/distccd.sh
. "$repo/test/integration/distccd.sh"
log() { printf '%s\n' "$*" >&2; }
die() { log "bench-distcc: error: $*"; exit 1; }
cleanup() { stop_distccd; rm -rf "$work"; }
trap cleanup EXIT
trap 'exit 130' INT TERM

# The files of TABLE's "proven" rows.
proven_files() {
	awk -F'|' '$4 ~ /^ *proven *$/ { f = $3; gsub(/[ `]/, "", f); print f }' "$1"
}

# step_time LOG STEP: the seconds kpatch-build gave STEP.
step_time() {
	awk -v s="$2" '{ line = $0; sub(/^kpatch-build: /, "", line) }
		index(line, s) == 1 && $NF ~ /^[0-9.]+s$/ { sub(/s$/, "", $NF); print $NF; exit }' "$1"
}

# run LABEL CCACHE [VAR=VALUE...]: one timed build into $work/LABEL; prints
# its line, sets T_TOTAL and T_COMPILE (the two compiling steps).
run() {
	local label=$1 ccache=$2 out=$work/$1 rc=0 t0 t1 o p
	shift 2
	mkdir -p "$out" "$ccache"
	t0=$(date +%s.%N)
	env -u DISTCC_HOSTS CCACHE_DIR="$ccache" "$@" "$kpb" \
		--kernel-release "$release" -n cumulative -o "$out" -j "$jobs" \
		"$work/cumulative.patch" >"$out/log" 2>&1 || rc=$?
	t1=$(date +%s.%N)
	T_TOTAL=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.1f", b - a }')
	o=$(step_time "$out/log" "build original objects")
	p=$(step_time "$out/log" "build patched objects")
	T_COMPILE=$(awk -v o="${o:-0}" -v p="${p:-0}" 'BEGIN { printf "%.1f", o + p }')
	printf '%-22s total %7.1f s   compiling (original + patched) %6.1f s%s\n' \
		"$label" "$T_TOTAL" "$T_COMPILE" \
		"$([ "$rc" -eq 0 ] || echo "  FAILED, see below")"
	[ "$rc" -eq 0 ] || { tail -n 8 "$out/log" | sed 's/^/    /'; return 1; }
}

# estimate JOBS_FILE OBJECTS T_TOTAL T_COMPILE: the cold distributed build
# with N hosts of $jobs slots each.  Each of the two compiling steps takes
# its local part (make, preprocessing, sending: the measured step less the
# hosts' work as one host ran it) plus the hosts' work spread over N * slots,
# but never less than the longest single compile.
estimate() {
	awk -v k="$2" -v total="$3" -v comp="$4" -v s="$jobs" '
	{ t = $1 / 1000; w += t; if (t > max) max = t; n++ }
	END {
		if (n == 0) { print "  no compile reached distccd: no estimate"; exit }
		printf "  distccd: %d compiles of %d objects, %.2f s each on average, longest %.2f s, %.1f s in all\n",
			n, k, w / n, max, w
		step = w / 2
		one = (step / s > max) ? step / s : max
		localpart = comp / 2 - one
		if (localpart < 0) localpart = 0
		other = total - comp
		printf "  not compiling %.1f s; per compiling step: local part %.1f s, hosts %.1f s\n",
			other, localpart, one
		for (h = 1; h <= 16; h *= 2) {
			spread = step / (h * s)
			if (spread < max) spread = max
			printf "  %2d host(s) x %d slots (-j %d): about %6.1f s cold\n",
				h, s, h * s, other + 2 * (localpart + spread)
		}
	}' "$1"
}

main() {
	local table=$here/results-6.1.187-1-6.1.190-1.md args=() files=() f
	local old new k from cold_local cold_dist
	jobs=2
	while [ $# -gt 0 ]; do
		case $1 in
		--results) table=$2; shift 2 ;;
		--jobs) jobs=$2; shift 2 ;;
		*) args+=("$1"); shift ;;
		esac
	done
	[[ $jobs =~ ^[1-9][0-9]*$ ]] || die "bad --jobs '$jobs'"
	[ -f "$table" ] || die "no results table $table (test/updates/run.sh writes one)"
	command -v distccd >/dev/null || die "distccd is not installed (make deps)"
	old_version=${args[0]:-6.1.187-1}
	new_version=${args[1]:-6.1.190-1}
	release=${args[2]:-6.1.0-53-cloud-amd64}
	make -C "$repo" -s all >/dev/null
	old=$(source_dir "$old_version")
	new=$(source_dir "$new_version")
	mapfile -t files < <(proven_files "$table")
	[ ${#files[@]} -gt 0 ] || die "$table has no proven file"
	for f in "${files[@]}"; do
		cut_patch "$f" "$old" "$new"
	done >"$work/cumulative.patch"
	printf 'cumulative patch of %d files proven alone in %s (%s -> %s), %d lines, for %s, -j %s\n' \
		"${#files[@]}" "${table##*/}" "$old_version" "$new_version" \
		"$(wc -l <"$work/cumulative.patch")" "$release" "$jobs"
	printf '  %s\n' "${files[@]}"
	[ -f "$cache/distro/$release/src/.kpb-prepared" ] ||
		printf 'note: %s is not prepared yet: the first build includes fetching and preparing it\n' "$release"
	start_distccd "$work/distccd.log" "$jobs" || die "cannot start distccd"
	dist=(DISTCC_HOSTS="127.0.0.1:$DISTCCD_PORT/$jobs" DISTCC_FALLBACK=0)

	run "local cold" "$work/cc-local"
	cold_local=$T_TOTAL
	run "local warm" "$work/cc-local"
	from=$(wc -l <"$work/distccd.log")
	run "distcc cold" "$work/cc-distcc" "${dist[@]}"
	cold_dist=$T_TOTAL
	distccd_jobs "$work/distccd.log" "$from" >"$work/jobs.cold"
	k=$(sed -n 's/^kpatch-build: affected objects: //p' "$work/distcc cold/log" | wc -w)
	local comp_dist=$T_COMPILE
	from=$(wc -l <"$work/distccd.log")
	run "distcc warm" "$work/cc-distcc" "${dist[@]}"
	printf '  (warm through distcc: %d compiles sent)\n' \
		"$(distccd_jobs "$work/distccd.log" "$from" | wc -l)"
	if cmp -s "$work/local cold/livepatch-cumulative.ko" "$work/distcc cold/livepatch-cumulative.ko"; then
		echo "modules: local and distributed byte-identical"
	else
		echo "modules: local and distributed DIFFER"
	fi
	printf 'distcc overhead on one machine (cold): %+.1f s\n' \
		"$(awk -v a="$cold_dist" -v b="$cold_local" 'BEGIN { print a - b }')"
	echo "estimate for N remote hosts like this machine's CPUs, from the cold distributed build:"
	estimate "$work/jobs.cold" "$k" "$cold_dist" "$comp_dist"
}

main "$@"
