#!/usr/bin/env bash
# Boot a kernel in QEMU (TCG) with a busybox initramfs and run one script.
#
# Usage: vm.sh [--timeout SEC] [--overlay DIR] BZIMAGE GUEST_SCRIPT [FILE...]
#
# The initramfs is a static busybox plus an /init that mounts devtmpfs, proc
# and sysfs, runs /root/test.sh (GUEST_SCRIPT) from /root, prints the marker
# line "KPB-VM-EXIT=<status>" and powers the machine off.  FILEs (modules,
# helper scripts) are copied into /root under their base names; the
# contents of an --overlay DIR go to / (programs and their libraries).
#
# The busybox part is built once and cached by content under
# ${KPB_CACHE:-$HOME/.cache/kpatch-build}/initramfs/; each run appends a small
# second cpio archive (the kernel unpacks concatenated archives) with /root.
#
# Prints the guest console as it comes.  Exit status: the guest script's
# status; 124 if the guest did not finish within SEC seconds (default 300);
# 125 if the kernel panicked, QEMU failed, or the marker line never came.
#
# KPB_VM_CPU: a QEMU CPU model (default QEMU's); KPB_VM_APPEND: more kernel
# parameters.  Skylake-Client-v1 with "spectre_v2=retpoline retbleed=stuff"
# turns on call depth tracking (Linux 6.2+), which TCG runs.
set -euo pipefail

cache=${KPB_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/kpatch-build}
marker=KPB-VM-EXIT
timeout_sec=300
overlay=
work=

log() { printf 'vm.sh: %s\n' "$*" >&2; }
die() { log "error: $*"; exit 125; }

cleanup() {
	[ -z "$work" ] || rm -rf "$work"
}

usage() {
	cat <<EOF
usage: vm.sh [--timeout SEC] [--overlay DIR] BZIMAGE GUEST_SCRIPT [FILE...]

Boots BZIMAGE in QEMU (TCG) with a busybox initramfs, runs GUEST_SCRIPT as
/root/test.sh with the FILEs in /root (and DIR's contents in /), and exits with the script's status
(124 on timeout, 125 on panic or boot failure).
EOF
}

# The /init of the initramfs.  Without devtmpfs mounted there is no
# /dev/console when the kernel starts init, so init opens it itself.
# The test kernel has no ACPI: "poweroff -f" there makes init exit and the
# kernel panic, so without ACPI it reboots, which -no-reboot turns into a
# clean QEMU exit all the same.
init_script() {
	cat <<EOF
#!/bin/sh
mount -t devtmpfs devtmpfs /dev
exec 0</dev/console 1>/dev/console 2>&1
echo
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t tmpfs tmpfs /tmp 2>/dev/null
export PATH=/bin:/sbin:/usr/bin:/usr/sbin HOME=/root
cd /root
sh /root/test.sh
rc=\$?
echo
echo "$marker=\$rc"
sync
if [ -d /sys/firmware/acpi ]; then
	poweroff -f
else
	reboot -f
fi
sleep 5
EOF
}

find_busybox() {
	local b
	for b in ${KPB_BUSYBOX:-} /bin/busybox /usr/bin/busybox \
		/usr/lib/busybox/busybox; do
		[ -x "$b" ] || continue
		# static: no program interpreter
		if ! readelf -l "$b" 2>/dev/null | grep -q INTERP; then
			printf '%s\n' "$b"
			return 0
		fi
	done
	die "no static busybox found (install busybox-static or set KPB_BUSYBOX)"
}

# cpio (newc, owned by root) of the directory $1's contents into file $2.
make_cpio() {
	local dir=$1 out=$2
	(cd "$dir" && find . -mindepth 1 | LC_ALL=C sort |
		cpio -o -H newc --owner=0:0 --quiet) >"$out"
}

# Print the path of the cached busybox initramfs, building it if needed.
base_initramfs() {
	local bb key dir out stage applet
	bb=$(find_busybox)
	key=$({ sha1sum <"$bb"; init_script; "$bb" --list-full; } |
		sha1sum | cut -c1-16)
	dir=$cache/initramfs
	out=$dir/busybox-$key.cpio
	if [ ! -s "$out" ]; then
		log "building busybox initramfs $out"
		mkdir -p "$dir"
		stage=$work/base
		mkdir -p "$stage"/{bin,sbin,usr/bin,usr/sbin,dev,proc,sys,tmp,root,etc}
		cp "$bb" "$stage/bin/busybox"
		while read -r applet; do
			[ -e "$stage/$applet" ] || ln -s /bin/busybox "$stage/$applet"
		done < <("$bb" --list-full)
		init_script >"$stage/init"
		chmod 755 "$stage/init"
		make_cpio "$stage" "$dir/.busybox-$key.cpio.$$"
		mv "$dir/.busybox-$key.cpio.$$" "$out"
	fi
	printf '%s\n' "$out"
}

# The per-run archive: /root/test.sh and the FILEs.
run_initramfs() {
	local script=$1 out=$2 stage f
	shift 2
	stage=$work/run
	mkdir -p "$stage/root"
	[ -z "$overlay" ] || cp -a "$overlay/." "$stage/"
	cp "$script" "$stage/root/test.sh"
	chmod 755 "$stage/root/test.sh"
	for f in "$@"; do
		cp "$f" "$stage/root/"
	done
	make_cpio "$stage" "$out"
}

# Drop carriage returns and the firmware's terminal control sequences (a
# terminal reset among them), so the console reads as plain lines.
sanitize() {
	sed -u -e 's/\r$//' -e 's/\x1b\[[0-9;?]*[A-Za-z]//g' -e 's/\x1bc//g'
}

# no_timer_check: on a loaded host TCG runs the guest so slowly that the
# kernel's check of the IO-APIC timer fails and it panics at boot ("IO-APIC
# + timer doesn't work!"); the check is about real hardware.
boot() {
	local kernel=$1 initrd=$2 console=$3
	set +e
	timeout --kill-after=10 "$timeout_sec" qemu-system-x86_64 \
		-accel tcg ${KPB_VM_CPU:+-cpu "$KPB_VM_CPU"} -nographic \
		-no-reboot -m 512M -smp 1 -net none \
		-kernel "$kernel" -initrd "$initrd" \
		-append "console=ttyS0 panic=-1 quiet no_timer_check ${KPB_VM_APPEND:-}" \
		</dev/null 2>&1 | sanitize | tee "$console"
	local st=("${PIPESTATUS[@]}")
	set -e
	return "${st[0]}"
}

# Turn the console log and QEMU's status into vm.sh's exit status.
verdict() {
	local console=$1 qemu_rc=$2 line rc
	line=$(grep -a -E "^$marker=[0-9]+\$" "$console" | tail -n 1 || true)
	if [ -n "$line" ]; then
		rc=${line#"$marker="}
		log "guest script exited with status $rc"
		return "$rc"
	fi
	if [ "$qemu_rc" -eq 124 ] || [ "$qemu_rc" -eq 137 ]; then
		log "error: timeout: the guest did not finish within ${timeout_sec}s"
		return 124
	fi
	if grep -a -q 'Kernel panic' "$console"; then
		log "error: kernel panic before the guest script finished:"
		grep -a -o 'Kernel panic.*' "$console" >&2
		return 125
	fi
	log "error: QEMU exited (status $qemu_rc) without the $marker line"
	return 125
}

main() {
	while [ $# -gt 0 ]; do
		case $1 in
		--timeout)
			[ $# -ge 2 ] || die "--timeout needs a value"
			timeout_sec=$2
			shift 2
			;;
		--overlay)
			if [ $# -lt 2 ] || [ ! -d "$2" ]; then die "--overlay needs a directory"; fi
			overlay=$2
			shift 2
			;;
		-h|--help) usage; exit 0 ;;
		--) shift; break ;;
		-*) usage >&2; die "unknown option $1" ;;
		*) break ;;
		esac
	done
	[[ $timeout_sec =~ ^[1-9][0-9]*$ ]] || die "bad --timeout '$timeout_sec'"
	[ $# -ge 2 ] || { usage >&2; die "need BZIMAGE and GUEST_SCRIPT"; }
	local kernel=$1 script=$2 f base qemu_rc=0
	shift 2
	[ -r "$kernel" ] || die "kernel image $kernel not found"
	[ -r "$script" ] || die "guest script $script not found"
	for f in "$@"; do
		[ -f "$f" ] || die "file $f not found"
	done
	command -v qemu-system-x86_64 >/dev/null ||
		die "qemu-system-x86_64 not found (install qemu-system-x86)"

	work=$(mktemp -d "${TMPDIR:-/tmp}/kpb-vm.XXXXXX")
	trap cleanup EXIT
	trap 'exit 130' INT TERM

	base=$(base_initramfs)
	run_initramfs "$script" "$work/run.cpio" "$@"
	cat "$base" "$work/run.cpio" >"$work/initrd.cpio"
	boot "$kernel" "$work/initrd.cpio" "$work/console.log" || qemu_rc=$?
	verdict "$work/console.log" "$qemu_rc"
}

main "$@"
