#!/usr/bin/env bash
# Unit tests of the kpatch utility (kpatch/kpatch) that need no livepatch
# kernel: the build id read from a note section, --help, the refusals of
# load (release, build id: they come before any insmod, and a fake insmod
# proves none ran), install's checks against a release's files, and the
# order load-installed loads in.  The modules are fake: objects with a
# .modinfo section, which modinfo reads like a module's.
# Ends with "N passed, N failed".
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
top=$(cd "$here/../.." && pwd)
kpatch=$top/kpatch/kpatch
# shellcheck source=test/unit/kpatch-lib.sh
. "$here/kpatch-lib.sh"

# Fake kernel interfaces: nothing here reaches the host's kernel.
mkdir -p "$work/bin" "$work/sysfs" "$work/root/boot" "$work/lib"
for t in insmod rmmod; do
	printf '#!/bin/sh\necho "%s $*" >>"%s"\nexit 1\n' "$t" "$work/kernel-calls" >"$work/bin/$t"
	chmod +x "$work/bin/$t"
done
export PATH=$work/bin:$PATH KPATCH_SYSFS=$work/sysfs KPATCH_DIR=$work/lib \
	KPATCH_RUN=$work/run KPATCH_ROOT=$work/root

test_notes() {
	local want got
	want=$(readelf -n /bin/bash | sed -n 's/^ *Build ID: //p')
	objcopy -O binary --only-section=.note.ABI-tag /bin/bash "$work/n1"
	objcopy -O binary --only-section=.note.gnu.build-id /bin/bash "$work/n2"
	cat "$work/n1" "$work/n2" >"$work/notes"
	# shellcheck source=/dev/null
	got=$(. "$kpatch"; notes_build_id "$work/notes")
	result notes-build-id "$got" "$want"
	: >"$work/empty"
	# shellcheck source=/dev/null
	got=$(. "$kpatch"; notes_build_id "$work/empty" || echo none)
	result notes-no-build-id "$got" none
}

test_help() {
	local c bad=""
	for c in load unload list info install uninstall load-installed; do
		"$kpatch" "$c" --help >/dev/null 2>&1 || bad="$bad $c"
		"$kpatch" "$c" --help 2>/dev/null | head -n 1 | grep -q "^usage: kpatch $c" ||
			bad="$bad $c(usage)"
	done
	"$kpatch" --help >/dev/null || bad="$bad main"
	! "$kpatch" frobnicate 2>/dev/null || bad="$bad unknown-accepted"
	result help "${bad:-ok}" ok
}

# load's refusals, before anything reaches the kernel.
test_load_refusals() {
	local out rc
	fake_module "$work/other-rel.ko" name=livepatch_r "vermagic=0.0.1-other SMP " kpb_replace=1
	rc=0; out=$("$kpatch" load "$work/other-rel.ko" 2>&1) || rc=$?
	result load-other-release "$rc $(grep -c 'built for kernel 0.0.1-other, this is' <<<"$out")" "1 1"
	printf '%s' "$(readelf -n /bin/bash | sed -n 's/^ *Build ID: //p')" >"$work/id"
	KPATCH_NOTES=$work/notes
	export KPATCH_NOTES
	fake_module "$work/other-build.ko" name=livepatch_b "vermagic=$(uname -r) SMP " \
		kpb_build_id=0123456789abcdef0123456789abcdef01234567 kpb_replace=1
	rc=0; out=$("$kpatch" load "$work/other-build.ko" 2>&1) || rc=$?
	result load-other-build "$rc $(grep -c "another build of $(uname -r)" <<<"$out")" "1 2"
	fake_module --plain "$work/not-lp.ko" "vermagic=$(uname -r) SMP "
	rc=0; out=$("$kpatch" load "$work/not-lp.ko" 2>&1) || rc=$?
	result load-not-livepatch "$rc $(grep -c 'not a livepatch module' <<<"$out")" "1 1"
	gcc -c -o "$work/not-module.ko" -x c /dev/null
	rc=0; out=$("$kpatch" load "$work/not-module.ko" 2>&1) || rc=$?
	result load-not-module "$rc $(grep -c 'not a kernel module' <<<"$out")" "1 1"
	result load-no-kernel-call "$(cat "$work/kernel-calls" 2>/dev/null || echo none)" none
}

# install: checked against the release's boot image and System.map.
test_install() {
	local rel=9.9.9-test img out rc sum
	img=$work/root/boot/vmlinuz-$rel
	echo "the image" >"$img"
	sum=$(sha256sum <"$img" | cut -d' ' -f1)
	fake_module "$work/good.ko" name=livepatch_good "vermagic=$rel SMP " \
		"kpb_vmlinuz=$sum" kpb_replace=1
	rc=0; out=$("$kpatch" install "$work/good.ko" 2>&1) || rc=$?
	result install-good "$rc $(cat "$work/lib/$rel/order" 2>/dev/null)" "0 livepatch-good.ko"
	fake_module "$work/bad.ko" name=livepatch_bad "vermagic=$rel SMP " \
		"kpb_vmlinuz=${sum//[0-9]/0}" kpb_replace=1
	rc=0; out=$("$kpatch" install "$work/bad.ko" 2>&1) || rc=$?
	result install-other-build "$rc $(grep -c 'not the boot image the module was built for' <<<"$out") $([ -e "$work/lib/$rel/livepatch-bad.ko" ] && echo there || echo absent)" "1 1 absent"
	rc=0; out=$("$kpatch" install -k 9.9.8 "$work/good.ko" 2>&1) || rc=$?
	result install-other-release "$rc $(grep -c 'built for kernel 9.9.9-test, not 9.9.8' <<<"$out")" "1 1"
	fake_module "$work/norec.ko" name=livepatch_norec "vermagic=$rel SMP " kpb_replace=1
	rc=0; out=$("$kpatch" install "$work/norec.ko" 2>&1) || rc=$?
	result install-no-record "$rc $(grep -c 'records no target build' <<<"$out")" "1 1"
	fake_module "$work/gone.ko" name=livepatch_gone "vermagic=9.9.7 SMP " "kpb_vmlinuz=$sum"
	rc=0; out=$("$kpatch" install "$work/gone.ko" 2>&1) || rc=$?
	result install-nothing-to-compare "$rc $(grep -c "nothing of 9.9.7's build to compare" <<<"$out")" "1 1"
	echo "ffffffff81000000 T _stext" >"$work/root/boot/System.map-$rel"
	for i in $(seq 30); do echo "ffffffff8100$i T f$i"; done >>"$work/root/boot/System.map-$rel"
	fake_module "$work/map.ko" name=livepatch_map "vermagic=$rel SMP " \
		"kpb_sysmap=$(sha256sum <"$work/root/boot/System.map-$rel" | cut -d' ' -f1)"
	rc=0; out=$("$kpatch" install "$work/map.ko" 2>&1) || rc=$?
	result install-by-system-map "$rc" 0
	rc=0; out=$("$kpatch" uninstall -k $rel livepatch-map 2>&1) || rc=$?
	result uninstall "$rc $(cat "$work/lib/$rel/order")" "0 livepatch-good.ko"
}

# load-installed's set: the newest cumulative (highest level, then last
# installed), then the non-cumulative ones installed after it.
test_boot_set() {
	local rel=9.9.9-test d got n
	d=$work/lib/$rel
	rm -rf "$d"
	mkdir -p "$d"
	for n in a:1:1 b:0: c:1:2 d:0: e:1:1 f:1:2; do
		IFS=: read -r name rep lvl <<<"$n"
		fake_module "$d/livepatch-$name.ko" "name=livepatch_$name" "vermagic=$rel SMP " \
			"kpb_replace=$rep" ${lvl:+"kpb_patch_level=$lvl"}
		echo "livepatch-$name.ko" >>"$d/order"
	done
	# shellcheck source=/dev/null
	got=$(. "$kpatch"; boot_set "$d" | sed 's|.*/||' | tr '\n' ' ')
	result boot-set "$got" "livepatch-f.ko "
	sed -i '/livepatch-f.ko/d' "$d/order"
	# shellcheck source=/dev/null
	got=$(. "$kpatch"; boot_set "$d" | sed 's|.*/||' | tr '\n' ' ')
	result boot-set-after-newest "$got" "livepatch-c.ko livepatch-d.ko "
}

test_notes
test_help
test_load_refusals
test_install
test_boot_set
finish
