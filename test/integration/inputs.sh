#!/usr/bin/env bash
# Integration tests of what kpatch-build does with odd input and with the
# wrong target, on the built test tree (kernel.sh):
#
#   nasty-name      meminfo.patch under a file name with quotes, a
#                   backslash, |, &, $(), `...`, a newline and a tab, built
#                   into an -o directory and a --json file with such names
#                   and -v a copy of the tree's vmlinux in a directory with
#                   blanks: it builds; the module's description is exactly
#                   "Livepatch built by kpatch-build from NAME", its
#                   .modinfo has no other new key (the kpb_ record:
#                   build id, function, replace); the JSON names it right
#   bad-name        -n with a '.': refused with the rule, no module
#   wrong-release   -v: the tree's vmlinux with another release in its
#                   banner: refused, naming both releases
#   wrong-crc       --symvers: the tree's Module.symvers with one CRC
#                   changed: refused, naming the symbol and both CRCs
#   foreign         -v: Debian's 6.1 -dbg vmlinux (when one is in the
#                   distro cache, or KPB_FOREIGN_VMLINUX): refused, naming
#                   the releases, the CRCs and the function sizes
#
# Ends with "N passed, N failed".
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/../.." && pwd)
kpb=$repo/kpatch-build/kpatch-build
patch=$here/samples/meminfo.patch
pass=0
fail=0
work=$(mktemp -d "${TMPDIR:-/tmp}/kpb-inputs.XXXXXX")
trap 'rm -rf "$work"' EXIT

ok() { echo "PASS $1"; pass=$((pass + 1)); }
bad() {
	echo "FAIL $1: $2"
	[ ! -f "$work/log" ] || sed 's/^/    /' "$work/log" | tail -n 20
	fail=$((fail + 1))
}

tree=$(bash "$here/kernel.sh") || { echo "0 passed, 1 failed"; exit 1; }
state() { find "$tree" -type f -printf '%P %s %T@\n' | sort | sha1sum; }
before=$(state)

# refused NAME REGEX KPATCH-BUILD-ARGS...: fails, says REGEX, no module.
refused() {
	local name=$1 re=$2
	shift 2
	rm -rf "$work/out"
	if "$kpb" -s "$tree" -o "$work/out" "$@" >"$work/log" 2>&1; then
		bad "$name" "kpatch-build accepted it"
	elif ! grep -qE -- "$re" "$work/log"; then
		bad "$name" "no '$re' in its output"
	elif [ -n "$(find "$work/out" -name '*.ko' 2>/dev/null)" ]; then
		bad "$name" "a module was left in $work/out"
	else
		ok "$name"
	fi
}

# The keys of a module's .modinfo, one per line.
modinfo_keys() {
	objcopy -O binary --only-section=.modinfo "$1" "$work/modinfo.bin"
	tr '\0' '\n' <"$work/modinfo.bin" | sed -n 's/=.*//p' | sort
}

test_nasty_name() {
	local name dir out json ko got vdir
	name=$'x"); MODULE_INFO(injected, "yes\\ | & $(touch pwned) `touch pwned2` \'q\' ??=\n\tend.patch'
	dir=$work/$'in dir & | $(x)'
	out=$work/$'out "q" \\ & |\nnl'
	json=$out/$'report\n.json'
	vdir=$work/'v dir'
	mkdir -p "$dir" "$vdir"
	cp "$patch" "$dir/$name"
	cp "$tree/vmlinux" "$vdir/vmlinux"
	if ! (cd "$work" && "$kpb" -s "$tree" -v "$vdir/vmlinux" \
			--symvers "$tree/Module.symvers" -o "$out" --json "$json" \
			"$dir/$name") >"$work/log" 2>&1; then
		bad nasty-name "kpatch-build failed"
		return
	fi
	ko=$(find "$out" -name 'livepatch-*.ko')
	got=$(modinfo -F description "$ko"; printf x)
	got=${got%$'\n'x}
	if [ "$got" != "Livepatch built by kpatch-build from $name" ]; then
		bad nasty-name "description is '$got'"
	elif [ "$(modinfo_keys "$ko" | tr '\n' ' ')" != "depends description kpb_build_id kpb_func kpb_replace license livepatch name retpoline vermagic " ]; then
		bad nasty-name "modinfo keys: $(modinfo_keys "$ko" | tr '\n' ' ')"
	elif [ -n "$(find "$work" -name 'pwned*')" ]; then
		bad nasty-name "the file name was run as a command"
	elif ! grep -q "^kpatch-build: module name livepatch-x----MODULE_INFO-injected---yes------[0-9a-f]\{8\}: the patch file name" "$work/log"; then
		bad nasty-name "no info line about the rewritten module name"
	elif ! grep -qF '  "module": "livepatch-x----MODULE_INFO-injected---yes------' "$json"; then
		bad nasty-name "JSON report: $(head -n 3 "$json")"
	else
		ok nasty-name
	fi
}

test_wrong_target() {
	local rel fake foreign sym
	refused bad-name "-n meminfo\\.1: a livepatch name has only letters, digits" \
		-n meminfo.1 "$patch"
	rel=$(cat "$tree/include/config/kernel.release")
	fake=${rel%?}$(( (${rel: -1} + 1) % 10 ))
	perl -0777 -pe "s/Linux version \\Q$rel\\E /Linux version $fake /g" \
		"$tree/vmlinux" >"$work/vmlinux-fake"
	refused wrong-release "release: vmlinux is $fake, the tree .* is $rel" \
		-v "$work/vmlinux-fake" --symvers "$tree/Module.symvers" -n meminfo "$patch"
	sym=$(awk -F'\t' '$3 == "vmlinux" && $1 != "0x12345678" { print $2; exit }' "$tree/Module.symvers")
	KPB_SYM=$sym awk -F'\t' -v OFS='\t' '$2 == ENVIRON["KPB_SYM"] { $1 = "0x12345678" } { print }' \
		"$tree/Module.symvers" >"$work/Module.symvers"
	refused wrong-crc "symbol CRCs: vmlinux and .* differ for 1 exported symbols: $sym \(0x[0-9a-f]{8} in vmlinux, 0x12345678 in Module.symvers\)" \
		--symvers "$work/Module.symvers" -n meminfo "$patch"
	foreign=${KPB_FOREIGN_VMLINUX:-}
	[ -n "$foreign" ] || foreign=$(find "${KPB_CACHE:-$HOME/.cache/kpatch-build}/distro" \
		-path '*/root/usr/lib/debug/boot/vmlinux-6.1.*' 2>/dev/null | head -n 1)
	if [ -z "$foreign" ]; then
		echo "SKIP foreign: no Debian 6.1 -dbg vmlinux in the distro cache (make check-distro fetches one) nor KPB_FOREIGN_VMLINUX"
		return
	fi
	refused foreign "release: vmlinux is 6\\.1\\.0-[0-9]+-[a-z0-9-]+, the tree .* is $rel" \
		-v "$foreign" --symvers "$tree/Module.symvers" -n meminfo "$patch"
	if grep -qE "symbol CRCs: .* differ for [0-9]+ exported symbols" "$work/log" &&
	   grep -qE "function sizes: [0-9]+ of the [0-9]+ functions differ" "$work/log"; then
		ok foreign-all-named
	else
		bad foreign-all-named "not every difference named"
	fi
}

test_nasty_name
test_wrong_target
if [ "$(state)" = "$before" ]; then
	ok tree-unchanged
else
	bad tree-unchanged "the tree changed"
fi
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
