#!/usr/bin/env bash
# SRC, VMLINUX, SYMVERS and LIBEXEC are read by verify-target.sh:
# shellcheck disable=SC2034
# Unit tests of the target check (kpatch-build/verify-target.sh and
# verify-target/verify-target) on small linked programs that look like a
# vmlinux to it: a linux_banner, __crc_ symbols (absolute, as up to Linux
# 6.2, and words in __kcrctab, as from 6.3), functions and a build id.
# A target of another release, with other CRCs than Module.symvers, with
# CRCs while the tree has no CONFIG_MODVERSIONS, or unlike the tree's own
# vmlinux, is refused naming what differs; the right one, and a distro
# tree (no vmlinux of its own, its release in .kernelvariables), pass.
# Ends with "N passed, N failed".
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
top=$(cd "$here/../../.." && pwd)
# shellcheck source=/dev/null
. "$top/kpatch-build/common.sh"
# shellcheck source=/dev/null
. "$top/kpatch-build/verify-target.sh"
LIBEXEC=$top/kpatch-build
# shellcheck source=test/unit/driver/lib.sh
. "$here/lib.sh"

# fake_vmlinux OUT RELEASE CRC_BAR [CFLAGS...]: __crc_foo 0x11111111
# (absolute), __crc_bar CRC_BAR (a word in __kcrctab), functions f1, f2.
fake_vmlinux() {
	local out=$1 rel=$2 bar=$3
	shift 3
	cat >"$work/fake.c" <<-EOF
	const char linux_banner[] =
		"Linux version $rel (u@h) (gcc (Debian 12.2.0-14) 12.2.0, GNU ld 2.40) #1 SMP Thu Jan 1\n";
	__attribute__((section("__kcrctab"), used))
	static const unsigned int __crc_bar = $bar;
	asm(".globl __crc_foo\n.set __crc_foo, 0x11111111");
	volatile int sink;
	void f1(void) { sink = 1; }
	void f2(void)
	{
		sink = 2;
	#ifdef BIG
		sink = 3; sink = 4;
	#endif
	}
	EOF
	gcc -O2 -nostdlib -static -no-pie -Wl,--build-id -Wl,-e,f1 "$@" \
		-o "$out" "$work/fake.c"
}

# check NAME EXPECTED: verify_target's verdict, "accepted" or the
# problems it lists (without the tree's path).
check() {
	local got
	if (verify_target) >"$work/out" 2>&1; then
		got=accepted
	else
		got=$(sed -n 's/^    //p' "$work/out" | sed "s|$SRC|TREE|g")
		[ -n "$got" ] || got=$(cat "$work/out")
	fi
	result "$1" "$got" "$2"
}

SRC=$work/tree
mkdir -p "$SRC/include/config"
echo 6.1.99 >"$SRC/include/config/kernel.release"
printf 'VERSION = 6\nPATCHLEVEL = 1\nSUBLEVEL = 99\nEXTRAVERSION =\n' >"$SRC/Makefile"
printf 'CONFIG_MODVERSIONS=y\nCONFIG_LIVEPATCH=y\n' >"$SRC/.config"
SYMVERS=$work/Module.symvers
printf '0x11111111\tfoo\tvmlinux\tEXPORT_SYMBOL\t\n0x22222222\tbar\tvmlinux\tEXPORT_SYMBOL_GPL\t\n0x99999999\tm\tfs/m\tEXPORT_SYMBOL\t\n' >"$SYMVERS"
fake_vmlinux "$work/vmlinux" 6.1.99 0x22222222
fake_vmlinux "$work/vmlinux-other" 6.1.98 0x22222222
fake_vmlinux "$work/vmlinux-crc" 6.1.99 0x33333333
fake_vmlinux "$work/vmlinux-big" 6.1.99 0x22222222 -DBIG
VMLINUX=$work/vmlinux

check match accepted
VMLINUX=$work/vmlinux-other
check release "release: vmlinux is 6.1.98, the tree TREE is 6.1.99 (include/config/kernel.release)"
VMLINUX=$work/vmlinux-crc
check crc "symbol CRCs: vmlinux and $SYMVERS differ for 1 exported symbols: bar (0x33333333 in vmlinux, 0x22222222 in Module.symvers)"
VMLINUX=$work/vmlinux
printf '0x12345678\tbaz\tvmlinux\tEXPORT_SYMBOL\t\n0x00000000\tasm_sym\tvmlinux\tEXPORT_SYMBOL\t\n' >>"$SYMVERS"
check crc-missing "symbol CRCs: vmlinux and $SYMVERS differ for 1 exported symbols: baz (0x12345678 in Module.symvers, not in vmlinux)"
sed -i '/baz/d' "$SYMVERS"
sed -i '/MODVERSIONS/d' "$SRC/.config"
check no-modversions "symbol CRCs: vmlinux has 2 __crc_ symbols (CONFIG_MODVERSIONS), but the tree's config has no CONFIG_MODVERSIONS=y"
echo CONFIG_MODVERSIONS=y >>"$SRC/.config"

# the tree's own vmlinux: a copy of the target is it; one with another
# f2 is not; a link to the target is the target
cp "$work/vmlinux" "$SRC/vmlinux"
check same-build-id accepted
cp "$work/vmlinux-big" "$SRC/vmlinux"
size_of() { nm -S -t d "$1" | awk -v f="$2" '$4 == f { print $2 + 0 }'; }
check function-size "function sizes: 1 of the 2 functions differ from TREE/vmlinux: f2 ($(size_of "$work/vmlinux" f2) bytes in vmlinux, $(size_of "$work/vmlinux-big" f2) in the tree's)"
VMLINUX=$work/vmlinux-other
check all-listed "release: vmlinux is 6.1.98, the tree TREE is 6.1.99 (include/config/kernel.release)
the tree's own vmlinux: TREE/vmlinux is 6.1.99, vmlinux is 6.1.98
function sizes: 1 of the 2 functions differ from TREE/vmlinux: f2 ($(size_of "$work/vmlinux" f2) bytes in vmlinux, $(size_of "$work/vmlinux-big" f2) in the tree's)"
ln -sf "$work/vmlinux" "$SRC/vmlinux"
VMLINUX=$(readlink -f "$work/vmlinux")
check tree-vmlinux-itself accepted
rm "$SRC/vmlinux"

# a configured tree never prepared: the Makefile's version, as a prefix
rm "$SRC/include/config/kernel.release"
fake_vmlinux "$work/vmlinux-local" 6.1.99-local 0x22222222
VMLINUX=$work/vmlinux-local
check prefix-accepted accepted
fake_vmlinux "$work/vmlinux-990" 6.1.990 0x22222222
VMLINUX=$work/vmlinux-990
check prefix-refused "release: vmlinux is 6.1.990, the tree TREE is version 6.1.99 (its Makefile)"

# distro mode's prepared source: the release Debian's .kernelvariables
# sets, no vmlinux of its own
printf 'override KERNELRELEASE = 6.1.0-54-cloud-amd64\n' >"$SRC/.kernelvariables"
fake_vmlinux "$work/vmlinux-deb" 6.1.0-54-cloud-amd64 0x22222222
VMLINUX=$work/vmlinux-deb
check distro accepted
VMLINUX=$work/vmlinux-local
check distro-release "release: vmlinux is 6.1.99-local, the tree TREE is 6.1.0-54-cloud-amd64 (.kernelvariables)"

# a System.map has nothing to compare
printf 'ffffffff81000000 T _text\n' >"$work/System.map"
VMLINUX=$work/System.map
check system-map accepted

# the tool on a file that is not ELF, or stripped: an error naming it
got=$("$(verify_target_tool)" "$work/System.map" 2>&1 >/dev/null) || true
result tool-not-elf "$got" "error: $work/System.map: not an ELF file; give the target's vmlinux"
strip -o "$work/stripped" "$work/vmlinux"
got=$("$(verify_target_tool)" "$work/stripped" 2>&1 >/dev/null) || true
result tool-stripped "$got" "error: $work/stripped: no symbol table (stripped?); give the unstripped vmlinux (Debian: the -dbg package's)"
finish
