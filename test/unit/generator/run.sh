#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Unit tests of the generator (kpatch-build/generate.awk).
#
# Usage: test/unit/generator/run.sh [CASE...]
#
# Each cases/NAME/ is one test: the generator runs on cases/NAME/manifest and
# template.c (a small template with every placeholder; cases/NAME/template
# instead if there is one), with the environment
# of cases/NAME/env (bash assignments: KPB_MODNAME, KPB_REPLACE,
# KPB_DESCRIPTION).  With cases/NAME/expect, it must exit 0 and write exactly
# that; with cases/NAME/expect-error, exit 1, write nothing on stdout and
# exactly that on stderr.  Prints "PASS NAME" or "FAIL NAME: why" per case,
# then "N passed, N failed"; exits non-zero when a case failed.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/../../.." && pwd)
work=$(mktemp -d "${TMPDIR:-/tmp}/kpb-generator-test.XXXXXX")
trap 'rm -rf "$work"' EXIT
passed=0
failed=0

result() {
	if [ -z "$2" ]; then
		printf 'PASS %s\n' "$1"
		passed=$((passed + 1))
	else
		printf 'FAIL %s: %s\n' "$1" "$2"
		failed=$((failed + 1))
	fi
}

# generate CASE-DIR: the generator's stdout, stderr and status in $work/.
generate() {
	local rc=0 template=$here/template.c
	[ ! -f "$1/template" ] || template=template
	(
		cd "$1"
		set -a
		# shellcheck disable=SC1091 # the case's own file
		. ./env
		exec env LC_ALL=C awk -f "$root/kpatch-build/escape.awk" \
			-f "$root/kpatch-build/generate.awk" manifest "$template"
	) >"$work/out" 2>"$work/err" || rc=$?
	echo "$rc" >"$work/rc"
}

# check CASE-DIR: why the result is not the expected one, or nothing.
check() {
	local c=$1 rc
	rc=$(cat "$work/rc")
	if [ -f "$c/expect" ]; then
		[ "$rc" -eq 0 ] || { echo "exit status $rc: $(head -c 300 "$work/err")"; return; }
		cmp -s "$c/expect" "$work/out" ||
			echo "output differs: $(diff "$c/expect" "$work/out" | head -n 20)"
	elif [ -f "$c/expect-error" ]; then
		[ "$rc" -eq 1 ] || { echo "exit status $rc, expected 1"; return; }
		[ ! -s "$work/out" ] || { echo "wrote to stdout on error"; return; }
		cmp -s "$c/expect-error" "$work/err" ||
			echo "stderr differs: $(diff "$c/expect-error" "$work/err" | head -n 10)"
	else
		echo "no expect or expect-error file"
	fi
}

main() {
	local names=("$@") n
	if [ ${#names[@]} -eq 0 ]; then
		for n in "$here"/cases/*/; do
			n=${n%/}
			names+=("${n##*/}")
		done
	fi
	for n in "${names[@]}"; do
		if [ ! -f "$here/cases/$n/manifest" ] || [ ! -f "$here/cases/$n/env" ]; then
			result "$n" "no cases/$n/manifest and env"
			continue
		fi
		generate "$here/cases/$n"
		result "$n" "$(check "$here/cases/$n")"
	done
	printf '%d passed, %d failed\n' "$passed" "$failed"
	[ "$failed" -eq 0 ]
}

main "$@"
