#!/usr/bin/env bash
# The kpatch utility (kpatch/kpatch) on the test kernel in QEMU: builds
# with the installed kpatch-build the meminfo sample twice as cumulative
# patches of levels 1 and 2 (with --description and --cve), a copy of the
# first that records another vmlinux build id (another build of the same
# release: same vermagic), and the kthreadd-stall sample (a function
# kthreadd sleeps in); then boots the test kernel with bash, GNU coreutils
# and kmod added to the busybox initramfs and runs guest.sh: load, list,
# info, unload, the kernel's refusal of an older cumulative patch, the
# refusal of another build by load and install, install/load-installed/
# uninstall, and the stalled transition named and reverted.
#
# Usage: run.sh [--keep].  Environment: KPB_TREE, KPB_VM_TIMEOUT.
# Each build and each guest check is one test; the last line is
# "N passed, N failed".
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/../../.." && pwd)
samples=$here/../samples
# shellcheck source=test/integration/kpatch/lib.sh
. "$here/lib.sh"

[ "${1:-}" != --keep ] || keep=1
work=$(mktemp -d "${TMPDIR:-/tmp}/kpb-kpatch.XXXXXX")
trap cleanup EXIT

tree=${KPB_TREE:-$(bash "$repo/test/integration/kernel.sh")}
if [ ! -f "$tree/vmlinux" ] || [ ! -f "$tree/arch/x86/boot/bzImage" ]; then
	failed "setup: no built test kernel at $tree"
	summary
	exit 1
fi

inst=$work/inst
if ! make -C "$repo" install PREFIX=/usr DESTDIR="$inst" >"$work/install.log" 2>&1; then
	failed "setup: make install"
	tail -n 20 "$work/install.log"
	summary
	exit 1
fi
if [ -x "$inst/usr/sbin/kpatch" ]; then
	passed "make install installs sbin/kpatch"
else
	failed "make install installs sbin/kpatch"
fi
unit=$inst/usr/lib/systemd/system/kpatch.service
if [ -f "$unit" ] && grep -qx 'ExecStart=/usr/sbin/kpatch load-installed' "$unit"; then
	passed "make install installs kpatch.service running sbin/kpatch load-installed"
else
	failed "make install installs kpatch.service"
fi

mods=$work/mods
mkdir -p "$mods"
# build NAME PATCH [OPTION...]
build() {
	local name=$1 patch=$2
	shift 2
	if (cd "$work" && "$inst/usr/bin/kpatch-build" -j2 -s "$tree" -n "$name" \
		-o "$mods" "$@" "$patch") >"$work/$name.log" 2>&1; then
		passed "kpatch-build $name"
	else
		failed "kpatch-build $name"
		tail -n 20 "$work/$name.log"
	fi
}
export DEBFULLNAME="kpatch-build tests" DEBEMAIL=tests@kpatch-build.example.org
build cum1 "$samples/meminfo.patch" --patch-level 1 --json "$work/cum1.json" --deb \
	--description 'meminfo: VmallocChunk in capitals' \
	--cve CVE-2024-12345 --cve CVE-2023-0001
build cum2 "$samples/meminfo.patch" --patch-level 2
build kthreadd-stall "$here/kthreadd-stall.patch"

# the JSON report has the metadata
if grep -q '"description": "meminfo: VmallocChunk in capitals"' "$work/cum1.json" &&
   grep -q '"cves": \["CVE-2024-12345", "CVE-2023-0001"\]' "$work/cum1.json" &&
   grep -q '"patch_level": 1' "$work/cum1.json"; then
	passed "JSON report: description, CVEs, patch level"
else
	failed "JSON report: description, CVEs, patch level"
fi

# --deb: the package, its maintainer scripts run in the guest
deb=$mods/livepatch-cum1_1_amd64.deb
if [ -f "$deb" ] && dpkg-deb -f "$deb" Depends | grep -qx "linux-image-$(modinfo -F vermagic "$mods/livepatch-cum1.ko" | cut -d' ' -f1), kpatch-build"; then
	passed "kpatch-build --deb: $(basename "$deb"), depends on the image's package and kpatch's"
else
	failed "kpatch-build --deb: $deb"
fi

# Another build of the same release: the recorded build id changed, byte
# for byte the same length (the vermagic stays).
id=$(modinfo -F kpb_build_id "$mods/livepatch-cum1.ko" || true)
other=$(printf '%s' "$id" | tr '0-9a-f' '1-9a-f0')
if [ ${#id} -eq 40 ] && [ "$id" = "$(readelf -n "$tree/vmlinux" | sed -n 's/^ *Build ID: //p')" ]; then
	passed "the module records the target vmlinux's build id"
else
	failed "the module records the target vmlinux's build id (got '$id')"
fi
KPB_OLD="kpb_build_id=$id" KPB_NEW="kpb_build_id=$other" perl -0777 -pe \
	's/\Q$ENV{KPB_OLD}\E/$ENV{KPB_NEW}/' "$mods/livepatch-cum1.ko" >"$mods/livepatch-other.ko"
if [ "$(modinfo -F kpb_build_id "$mods/livepatch-other.ko")" != "$other" ] ||
   [ "$(modinfo -F vermagic "$mods/livepatch-other.ko")" != "$(modinfo -F vermagic "$mods/livepatch-cum1.ko")" ]; then
	failed "setup: the other build's module"
fi

ov=$work/overlay
make_overlay "$ov" "$inst"
if [ -f "$deb" ]; then
	dpkg-deb -x "$deb" "$ov"
	mkdir -p "$ov/root/deb"
	dpkg-deb -e "$deb" "$ov/root/deb"
fi
files=()
for m in cum1 cum2 other kthreadd-stall; do
	[ ! -f "$mods/livepatch-$m.ko" ] || files+=("$mods/livepatch-$m.ko")
done
run_guest "$ov" "$tree/arch/x86/boot/bzImage" "$here/guest.sh" "dmesg clean" \
	"${files[@]}"
summary
