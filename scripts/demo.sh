#!/usr/bin/env bash
# The built-in default, end to end: install what is missing, build the tools
# and the sample 6.1 kernel (cached), build the meminfo sample's livepatch
# module with kpatch-build, boot the kernel in QEMU, load the module and show
# the patched /proc/meminfo line from inside the VM.
set -euo pipefail

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
sample=$repo/test/integration/samples/meminfo.patch
work=$(mktemp -d "${TMPDIR:-/tmp}/kpb-demo.XXXXXX")
trap 'rm -rf "$work"' EXIT

say() { printf '\n=== %s\n' "$*"; }

say "installing missing packages"
bash "$repo/scripts/install-deps.sh"

say "building the tools"
make -C "$repo" -s all

say "building the sample kernel (cached after the first run)"
tree=$(bash "$repo/test/integration/kernel.sh")

say "kpatch-build -s $tree -n meminfo $sample"
"$repo/kpatch-build/kpatch-build" -s "$tree" -n meminfo -o "$work" "$sample"

cat > "$work/guest.sh" <<'GUEST'
#!/bin/sh
echo "before: $(grep -i '^vmallocchunk' /proc/meminfo)"
insmod /root/livepatch-meminfo.ko || exit 1
i=0
while [ "$(cat /sys/kernel/livepatch/livepatch_meminfo/transition 2>/dev/null)" != 0 ]; do
	i=$((i + 1)); [ $i -lt 100 ] || exit 1; sleep 0.1
done
echo "after:  $(grep -i '^vmallocchunk' /proc/meminfo)"
grep -q '^VMALLOCCHUNK' /proc/meminfo
GUEST

say "booting the kernel in QEMU (TCG) and loading the module"
bash "$repo/test/integration/vm.sh" "$tree/arch/x86/boot/bzImage" \
	"$work/guest.sh" "$work/livepatch-meminfo.ko" |
	grep -E '^(before|after):|livepatch|KPB-VM-EXIT'
