#!/usr/bin/env bash
# Several releases in one command (--kernel-release R1,R2,... and @FILE):
# one module per release in -o DIR/RELEASE/, each with its own vermagic; a
# release that fails (here one the archive never had) is reported in the
# table and does not stop the others; the exit status says one failed.
# Last line "N passed, N failed".
#
# Environment: KPB_RELEASES (default 6.1.0-57-cloud-amd64 and
# 6.1.0-53-cloud-amd64: the installed source's and an older one).
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/../.." && pwd)
kpb=$repo/kpatch-build/kpatch-build
patch=$repo/test/integration/samples/meminfo.patch
read -r -a rels <<<"${KPB_RELEASES:-6.1.0-57-cloud-amd64 6.1.0-53-cloud-amd64}"
work=$(mktemp -d "${TMPDIR:-/tmp}/kpb-releases.XXXXXX")
trap 'rm -rf "$work"' EXIT
pass=0
fail=0

ok() { echo "PASS: $1"; pass=$((pass + 1)); }
bad() { echo "FAIL: $1"; fail=$((fail + 1)); tail -n 20 "$work/log" | sed 's/^/    /'; }

# Every release built, each module with its release's vermagic.
test_all_built() {
	local r rc=0 list
	list=$(IFS=,; echo "${rels[*]}")
	"$kpb" --kernel-release "$list" -n meminfo -o "$work/out" "$patch" \
		>"$work/log" 2>&1 || rc=$?
	[ "$rc" -eq 0 ] || { bad "all-built: exit status $rc"; return; }
	for r in "${rels[@]}"; do
		[ "$(modinfo -F vermagic "$work/out/$r/livepatch-meminfo.ko" 2>/dev/null | cut -d' ' -f1)" = "$r" ] ||
			{ bad "all-built: no module of vermagic $r in $work/out/$r"; return; }
		grep -qE "^  $r +built +1 " "$work/log" ||
			{ bad "all-built: the table has no 'built' line for $r"; return; }
	done
	ok all-built
}

# A release the archive never had, from a file: reported, the others built.
test_one_fails() {
	local rc=0
	printf '# releases\n%s\n6.1.0-1-cloud-amd64\n' "${rels[0]}" >"$work/list"
	rm -rf "$work/out"
	"$kpb" --kernel-release "@$work/list" -n meminfo -o "$work/out" "$patch" \
		>"$work/log" 2>&1 || rc=$?
	[ "$rc" -ne 0 ] || { bad "one-fails: exit status 0"; return; }
	[ -f "$work/out/${rels[0]}/livepatch-meminfo.ko" ] ||
		{ bad "one-fails: the good release was not built"; return; }
	[ ! -e "$work/out/6.1.0-1-cloud-amd64/livepatch-meminfo.ko" ] ||
		{ bad "one-fails: a module for the bad release"; return; }
	grep -qE '^  6\.1\.0-1-cloud-amd64 +failed .*linux-image-6\.1\.0-1-cloud-amd64' "$work/log" ||
		{ bad "one-fails: the table does not say why the bad release failed"; return; }
	ok one-fails
}

make -C "$repo" -s all >/dev/null
test_all_built
test_one_fails
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
