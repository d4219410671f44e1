#!/usr/bin/env bash
# Unit tests of kpatch-package (kpatch/kpatch-package) on a fake module (an
# object with a .modinfo section): the package's name, fields and files;
# its maintainer scripts run against a fake kpatch and uname (install, and
# load only on the target kernel; nothing unloaded or uninstalled that is
# not there); its refusals; lintian when installed.
# Ends with "N passed, N failed".
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
top=$(cd "$here/../.." && pwd)
pkg=$top/kpatch/kpatch-package
# shellcheck source=test/unit/kpatch-lib.sh
. "$here/kpatch-lib.sh"
rel=6.1.0-99-cloud-amd64

fake_module "$work/livepatch-fix_1.ko" name=livepatch_fix_1 \
	"vermagic=$rel SMP preempt mod_unload modversions " \
	"description=ext4: the orphan fix" kpb_cve=CVE-2024-12345 kpb_patch_level=3
M="Kernel Team <kernel@fleet.example.org>"

test_package() {
	local deb got
	"$pkg" -o "$work/out" --image-version 6.1.192-1 --maintainer "$M" \
		"$work/livepatch-fix_1.ko" 2>"$work/pkg.err" || cat "$work/pkg.err"
	deb=$work/out/livepatch-fix-1_3_amd64.deb
	result deb-name "$(ls "$work/out")" "livepatch-fix-1_3_amd64.deb"
	got=$(dpkg-deb -f "$deb" Package Version Architecture Depends Maintainer)
	result deb-fields "$got" "Package: livepatch-fix-1
Version: 3
Architecture: amd64
Depends: linux-image-$rel (= 6.1.192-1), kpatch-build
Maintainer: $M"
	got=$(dpkg-deb -f "$deb" Description | grep -c -e 'ext4: the orphan fix' -e 'CVE-2024-12345')
	result deb-description "$got" 2
	got=$(dpkg-deb -c "$deb" | awk '$NF ~ /\.ko$/ { print $2, $NF }')
	result deb-module "$got" "root/root ./usr/lib/livepatch/$rel/livepatch-fix-1.ko"
	dpkg-deb -e "$deb" "$work/ctl"
	dpkg-deb -x "$deb" "$work/x"
	cmp -s "$work/x/usr/lib/livepatch/$rel/livepatch-fix-1.ko" "$work/livepatch-fix_1.ko" &&
		got=same || got=differs
	result deb-module-content "$got" same
	if command -v lintian >/dev/null; then
		got=$(lintian --allow-root -I --pedantic "$deb" 2>&1 | grep -v 'running with root' || true)
		result lintian "${got:-clean}" clean
	else
		echo "lintian not installed: not run"
	fi
}

# The maintainer scripts, with kpatch and uname faked.
test_scripts() {
	local got
	mkdir -p "$work/bin"
	printf '#!/bin/sh\necho "kpatch $*" >>"%s"\n' "$work/calls" >"$work/bin/kpatch"
	# shellcheck disable=SC2016 # expanded by the fake uname
	printf '#!/bin/sh\necho "$FAKE_RELEASE"\n' >"$work/bin/uname"
	chmod +x "$work/bin/kpatch" "$work/bin/uname"
	: >"$work/calls"
	FAKE_RELEASE=$rel PATH=$work/bin:$PATH sh "$work/ctl/postinst" configure
	result postinst-target "$(cat "$work/calls")" "kpatch install -k $rel /usr/lib/livepatch/$rel/livepatch-fix-1.ko
kpatch load /usr/lib/livepatch/$rel/livepatch-fix-1.ko"
	: >"$work/calls"
	FAKE_RELEASE=6.1.0-1-other PATH=$work/bin:$PATH sh "$work/ctl/postinst" configure
	result postinst-other-kernel "$(cat "$work/calls")" "kpatch install -k $rel /usr/lib/livepatch/$rel/livepatch-fix-1.ko"
	: >"$work/calls"
	FAKE_RELEASE=$rel PATH=$work/bin:$PATH sh "$work/ctl/prerm" remove
	FAKE_RELEASE=$rel PATH=$work/bin:$PATH sh "$work/ctl/postrm" remove
	result prerm-postrm-nothing-there "$(cat "$work/calls")" ""
	got=$(grep -c "kpatch unload 'livepatch_fix_1'" "$work/ctl/prerm")
	result prerm-unloads "$got" 1
	got=$(grep -c "kpatch uninstall -k '$rel' 'livepatch_fix_1'" "$work/ctl/postrm")
	result postrm-uninstalls "$got" 1
}

test_refusals() {
	local got="" rc
	fake_module --plain "$work/plain.ko" "vermagic=$rel SMP "
	rc=0; "$pkg" -o "$work/r" --maintainer "$M" "$work/plain.ko" 2>/dev/null || rc=$?
	got="$got $rc"
	rc=0; "$pkg" -o "$work/r" --maintainer "$M" --version 'x y' "$work/livepatch-fix_1.ko" 2>/dev/null || rc=$?
	got="$got $rc"
	rc=0; "$pkg" -o "$work/r" --maintainer "nobody" "$work/livepatch-fix_1.ko" 2>/dev/null || rc=$?
	got="$got $rc"
	rc=0; env -u DEBEMAIL "$pkg" -o "$work/r" "$work/livepatch-fix_1.ko" 2>/dev/null || rc=$?
	got="$got $rc"
	result refusals "$got $(find "$work/r" -name '*.deb' 2>/dev/null | wc -l)" " 1 1 1 1 0"
}

test_package
test_scripts
test_refusals
finish
