#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# Writes the seed inputs of the fuzz targets (test/fuzz/README):
#
#   test/fuzz/seeds.sh DIR    -> DIR/create-diff-object/, DIR/lookup/,
#                                DIR/klp-convert/
#
# The objects are the unit tests' own, from their kept work directories:
# test/unit/run.sh compiles the object pairs of test/unit/cases (and the
# differ's output for the changed ones), test/unit/lookup/run.sh the fake
# vmlinux files, modules, Module.symvers and diff objects.  Needs the tools
# built (make).
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/../.." && pwd)
out=${1:?usage: seeds.sh DIR}
SEPARATOR=$'\n--kpb-fuzz-next-file--\n'	# as in harness.c

tmp=$(mktemp -d "${TMPDIR:-/tmp}/kpb-fuzz-seeds.XXXXXX")
trap 'rm -rf "$tmp"' EXIT

# seed FILE PART...: FILE is the parts joined by the separator.
seed() {
	local file=$1 first=1 p
	shift
	for p; do
		((first)) || printf '%s' "$SEPARATOR"
		first=0
		cat "$p"
	done > "$file"
}

unit_objects() {
	mkdir -p "$tmp/unit"
	TMPDIR=$tmp/unit bash "$root/test/unit/run.sh" --keep >/dev/null 2>&1 || true
	unit=$(echo "$tmp"/unit/kpb-unit.*)
	[ -d "$unit" ] || { echo "seeds.sh: test/unit/run.sh kept nothing" >&2; exit 1; }
	mkdir -p "$tmp/lookup"
	TMPDIR=$tmp/lookup KEEP=1 bash "$root/test/unit/lookup/run.sh" >/dev/null 2>&1 || true
	lk=$(echo "$tmp"/lookup/kpb-lookup-test.*)
	[ -d "$lk/obj" ] || { echo "seeds.sh: test/unit/lookup/run.sh kept nothing" >&2; exit 1; }
}

# Every case's pair; a changed case's diff also goes to lookup, with the
# original object linked as its vmlinux.
cdo_seeds() {
	local d name
	mkdir -p "$out/create-diff-object" "$out/lookup"
	for d in "$unit"/*/; do
		name=$(basename "$d")
		[ -f "$d/orig.o" ] && [ -f "$d/patched.o" ] || continue
		seed "$out/create-diff-object/$name" "$d/orig.o" "$d/patched.o"
		[ -f "$d/out.o" ] || continue
		ld -q -e 0 --unresolved-symbols=ignore-all -o "$d/vmlinux" \
			"$d/orig.o" 2>/dev/null || continue
		seed "$out/lookup/case-$name" "$d/vmlinux" "$lk/Module.symvers" \
			"$d/orig.o" "$d/out.o"
	done
}

lookup_seeds() {
	local o=$lk/obj s=$lk/Module.symvers l=$out/lookup
	nm -n "$lk/vmlinux" | grep -v -e ' [aNUw] ' -e ' \.L' > "$tmp/System.map"
	seed "$l/vmlinux-a" "$lk/vmlinux" "$s" "$o/a.o" "$o/diff_a.o"
	seed "$l/vmlinux-b-linked" "$lk/vmlinux" "$s" "$o/b.o" "$o/diff_b.o" \
		"$o/diff_a.o"
	seed "$l/vmlinux-c" "$lk/vmlinux" "$s" "$o/c.o" "$o/diff_c.o"
	seed "$l/vmlinux-same" "$lk/vmlinux-same" "$s" "$o/q/same.o" \
		"$o/diff_dup.o"
	seed "$l/sysmap-c" "$tmp/System.map" "$s" "$o/c.o" "$o/diff_c.o"
	seed "$l/module-m1" "$lk/fake-mod.ko" "$s" "$o/m1.o" "$o/diff_m1.o" \
		"$o/diff_a.o"
}

klp_convert_seeds() {
	local f s=$lk/Module.symvers k=$out/klp-convert
	mkdir -p "$k"
	for f in "$lk"/obj/*.ko "$lk"/t/*/mod.ko; do
		seed "$k/$(basename "$(dirname "$f")")-$(basename "$f" .ko)" "$f" "$s"
	done
}

unit_objects
cdo_seeds
lookup_seeds
klp_convert_seeds
for t in create-diff-object lookup klp-convert; do
	printf 'seeds.sh: %s: %d seeds\n' "$t" "$(find "$out/$t" -type f | wc -l)"
done
