#!/usr/bin/env bash
# The fleet proof on a real Debian 12 system: a rootfs made by mmdebstrap
# from Debian's packages (systemd, kmod, the cloud kernel; cached), booted
# in QEMU (TCG) with its own kernel and initrd, several times on one disk:
#
#   boot 1  dpkg -i kpatch-build (the project's kpatch and kpatch.service,
#           packaged here) and livepatch-kpbcum1 (meminfo, cumulative,
#           level 1, kpatch-build --deb): loaded and working
#   boot 2  loaded again at boot by kpatch.service (its journal says so);
#           dpkg -i livepatch-kpbcum2 (level 2) replaces it; loading the
#           first again is refused by the kernel's state check; dpkg -r of
#           both: nothing loaded or installed
#
# Each boot runs /usr/local/sbin/kpb-stage (a systemd unit after
# kpatch.service) and powers off; its PASS:/FAIL: lines are counted.
# Usage: run.sh [--keep].  Ends with "N passed, N failed".
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/../.." && pwd)
cache=${KPB_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/kpatch-build}
release=${KPB_DEBIAN_RELEASE:-6.1.0-57-cloud-amd64}
# the counters, summary and cleanup of the kpatch VM tests
# shellcheck source=test/integration/kpatch/lib.sh
. "$repo/test/integration/kpatch/lib.sh"
setup_failed() { failed "setup: $*"; summary || true; exit 1; }

[ "${1:-}" != --keep ] || keep=1
work=$(mktemp -d "${TMPDIR:-/tmp}/kpb-debian.XXXXXX")
trap cleanup EXIT

# The rootfs, once: Debian 12 with systemd, kmod and the cloud kernel.
rootfs_tar() {
	local pkgs key out
	pkgs=systemd-sysv,kmod,procps,linux-image-$release
	key=$(printf '%s\n' "$pkgs" | sha1sum | cut -c1-12)
	out=$cache/debian-vm/rootfs-$key.tar
	if [ ! -s "$out" ]; then
		mkdir -p "$cache/debian-vm"
		rm -rf "$out.part.tar"
		# shellcheck disable=SC2016 # the hooks expand $1 themselves
		mmdebstrap --variant=minbase --include="$pkgs" \
			--customize-hook='echo kpb-debian >"$1/etc/hostname"' \
			--customize-hook='passwd --root "$1" -d root' \
			bookworm "$out.part.tar" \
			"deb http://deb.debian.org/debian bookworm main" \
			"deb http://deb.debian.org/debian bookworm-updates main" \
			"deb http://deb.debian.org/debian-security bookworm-security main" \
			>"$cache/debian-vm/mmdebstrap.log" 2>&1 || {
			tail -n 20 "$cache/debian-vm/mmdebstrap.log"
			return 1
		}
		mv "$out.part.tar" "$out"
	fi
	printf '%s\n' "$out"
}

# The project as the package that provides kpatch (the livepatch packages
# depend on it).
kpatch_build_deb() {
	local st=$work/kpb-pkg
	make -C "$repo" install PREFIX=/usr DESTDIR="$st" >"$work/install.log" 2>&1 || return 1
	mkdir -p "$st/DEBIAN"
	cat >"$st/DEBIAN/control" <<CTL
Package: kpatch-build
Version: 0.1
Architecture: amd64
Maintainer: kpatch-build tests <tests@kpatch-build.example.org>
Depends: bash, coreutils, kmod
Description: kpatch-build and the kpatch utility (test package)
 kpatch loads, lists and installs livepatch modules; kpatch.service loads
 the installed ones at boot.
CTL
	# shellcheck disable=SC2016 # the postinst reads its $1
	printf '#!/bin/sh\nset -e\n[ "$1" != configure ] || systemctl enable kpatch.service\n' \
		>"$st/DEBIAN/postinst"
	chmod 755 "$st/DEBIAN/postinst"
	dpkg-deb --root-owner-group --build "$st" "$work/kpatch-build_0.1_amd64.deb" >/dev/null
}

export DEBFULLNAME="kpatch-build tests" DEBEMAIL=tests@kpatch-build.example.org

build_livepatch() {
	local name=$1 level=$2
	(cd "$work" && "$work/kpb-pkg/usr/bin/kpatch-build" -j2 --kernel-release "$release" \
		-n "$name" --patch-level "$level" --deb -o "$work/debs" \
		"$repo/test/integration/samples/meminfo.patch") >"$work/$name.log" 2>&1
}

# The stage script, run at each boot by kpb-stage.service.
stage_script() {
	cat <<'STAGE'
#!/bin/bash
exec >/dev/ttyS0 2>&1
s=$(cat /var/lib/kpb-stage 2>/dev/null || echo 1)
pass() { echo "PASS: boot $s: $*"; }
fail() { echo "FAIL: boot $s: $*"; }
ok() { local w=$1; shift; if "$@"; then pass "$w"; else fail "$w"; fi; }
patched() { grep -q '^VMALLOCCHUNK:' /proc/meminfo; }
d=/root/debs
case $s in
1)
	ok "running $(uname -r)" test -d /sys/kernel/livepatch
	ok "dpkg -i kpatch-build livepatch-kpbcum1" dpkg -i $d/kpatch-build_0.1_amd64.deb $d/livepatch-kpbcum1_1_amd64.deb
	ok "livepatch-kpbcum1 loaded and working" patched
	ok "installed for the release" test -f /var/lib/kpatch/$(uname -r)/livepatch-kpbcum1.ko
	kpatch info livepatch_kpbcum1 | sed 's/^/  /'
	ok "info: the module's build id and boot image are this system's" eval "kpatch info livepatch_kpbcum1 | grep -q \"build id .* is the running kernel's.*\[ok\]\" && kpatch info livepatch_kpbcum1 | grep -q 'boot image /boot/vmlinuz-.* is the module.s target \[ok\]'"
	echo 2 >/var/lib/kpb-stage ;;
2)
	ok "kpatch.service loaded the patch at boot" patched
	journalctl -b -u kpatch.service --no-pager | sed 's/^/  journal: /'
	ok "the journal says what kpatch.service did" eval "journalctl -b -u kpatch.service --no-pager | grep -q 'livepatch-kpbcum1.ko: loaded'"
	ok "dpkg -i livepatch-kpbcum2 (level 2)" dpkg -i $d/livepatch-kpbcum2_2_amd64.deb
	kpatch list | sed 's/^/  /'
	ok "kpbcum2 replaced kpbcum1" eval "[ -d /sys/kernel/livepatch/livepatch_kpbcum2 ] && [ ! -d /sys/kernel/livepatch/livepatch_kpbcum1 ] && patched"
	kpatch unload livepatch-kpbcum1 >/dev/null 2>&1
	out=$(kpatch load /usr/lib/livepatch/$(uname -r)/livepatch-kpbcum1.ko 2>&1); rc=$?
	echo "$out" | sed 's/^/  /'
	ok "loading kpbcum1 again is refused by the kernel's state check" eval "[ $rc -ne 0 ] && echo \"\$out\" | grep -q 'older cumulative patch may not replace a newer one'"
	ok "dpkg -r livepatch-kpbcum2 livepatch-kpbcum1" dpkg -r livepatch-kpbcum2 livepatch-kpbcum1
	ok "gone: nothing loaded, nothing installed, meminfo unpatched" eval "[ ! -e /sys/module/livepatch_kpbcum2 ] && [ ! -e /sys/module/livepatch_kpbcum1 ] && [ -z \"\$(ls /var/lib/kpatch/$(uname -r) 2>/dev/null | grep ko)\" ] && ! patched"
	echo 3 >/var/lib/kpb-stage ;;
esac
echo "KPB-STAGE-DONE $s"
sync
systemctl poweroff
STAGE
}

stage_unit() {
	cat <<'UNIT'
[Unit]
Description=kpatch-build's Debian test stage
After=multi-user.target kpatch.service

[Service]
Type=oneshot
ExecStart=/usr/local/sbin/kpb-stage

[Install]
WantedBy=multi-user.target
UNIT
}

make_disk() {
	local tar=$1 root=$work/root
	mkdir -p "$root"
	tar -xf "$tar" -C "$root"
	mkdir -p "$root/root/debs" "$root/usr/local/sbin"
	cp "$work/kpatch-build_0.1_amd64.deb" "$work"/debs/livepatch-kpbcum*_amd64.deb "$root/root/debs/"
	stage_script >"$root/usr/local/sbin/kpb-stage"
	chmod 755 "$root/usr/local/sbin/kpb-stage"
	stage_unit >"$root/etc/systemd/system/kpb-stage.service"
	ln -sf /etc/systemd/system/kpb-stage.service \
		"$root/etc/systemd/system/multi-user.target.wants/kpb-stage.service"
	printf '/dev/vda / ext4 rw 0 1\n' >"$root/etc/fstab"
	# the stage writes to the serial console, which a getty would hang up
	ln -sf /dev/null "$root/etc/systemd/system/serial-getty@ttyS0.service"
	cp "$root/boot/vmlinuz-$release" "$root/boot/initrd.img-$release" "$work/"
	mke2fs -q -t ext4 -d "$root" "$work/disk.img" 3G
	rm -rf "$root"
}

boot() {
	local n=$1
	timeout --kill-after=10 "${KPB_VM_TIMEOUT:-900}" qemu-system-x86_64 -accel tcg \
		-nographic -no-reboot -m 1024M -smp 1 -net none \
		-drive "file=$work/disk.img,if=virtio,format=raw" \
		-kernel "$work/vmlinuz-$release" -initrd "$work/initrd.img-$release" \
		-append "root=/dev/vda rw console=ttyS0 panic=-1 quiet" \
		</dev/null >"$work/console-$n.log" 2>&1 || true
	# the firmware's output may precede a line on the console
	while IFS= read -r line; do
		case $line in
		*PASS:\ boot*) line=${line#*PASS: }; passed "$line" ;;
		*FAIL:\ boot*) line=${line#*FAIL: }; failed "$line" ;;
		"  "*) printf '%s\n' "$line" ;;
		esac
	done < <(tr -d '\r' <"$work/console-$n.log")
	grep -aq "KPB-STAGE-DONE $n" "$work/console-$n.log" || {
		failed "boot $n did not finish; console:"
		tail -n 30 "$work/console-$n.log"
	}
}

command -v mmdebstrap >/dev/null || setup_failed "mmdebstrap not installed (apt-get install mmdebstrap)"
tar=$(rootfs_tar) || setup_failed "mmdebstrap could not make the rootfs"
kpatch_build_deb || setup_failed "cannot package the project"
mkdir -p "$work/debs"
for l in 1 2; do
	build_livepatch "kpbcum$l" "$l" || { tail -n 20 "$work/kpbcum$l.log"; setup_failed "kpatch-build kpbcum$l for $release"; }
done
if lintian --allow-root "$work"/debs/*.deb; then passed "lintian: the livepatch packages are clean"; else
	failed "lintian on the livepatch packages"; fi
make_disk "$tar"
boot 1
boot 2
summary
