# shellcheck shell=bash
# What the kpatch VM tests (run.sh, signing.sh) share: the counters, the
# work directory's cleanup, the guest's userland and the guest run.

npass=0
nfail=0
keep=0
work=

passed() { npass=$((npass + 1)); printf 'PASS: %s\n' "$*"; }
failed() { nfail=$((nfail + 1)); printf 'FAIL: %s\n' "$*"; }
summary() { printf '%d passed, %d failed\n' "$npass" "$nfail"; [ "$nfail" -eq 0 ]; }
cleanup() {
	[ -n "$work" ] || return 0
	if [ "$keep" = 1 ]; then echo "work directory kept: $work" >&2; else rm -rf "$work"; fi
}

# run_guest OVERLAY BZIMAGE GUEST_SCRIPT LAST FILE...: boots BZIMAGE with
# the overlay, runs GUEST_SCRIPT by bash with the FILEs in /root, and
# counts each of its PASS:/FAIL: lines (indented lines are shown); a guest
# that never printed its check LAST (PASS or FAIL) is one failure.  $repo:
# the caller's repository.
# shellcheck disable=SC2154
run_guest() {
	local ov=$1 bz=$2 script=$3 last=$4 rc=0 line
	shift 4
	cp "$script" "$work/guest.sh"
	printf '#!/bin/sh\nexec /bin/bash /root/guest.sh\n' >"$work/test.sh"
	bash "$repo/test/integration/vm.sh" --timeout "${KPB_VM_TIMEOUT:-600}" \
		--overlay "$ov" "$bz" "$work/test.sh" "$work/guest.sh" "$@" \
		>"$work/console.log" 2>&1 || rc=$?
	while IFS= read -r line; do
		case $line in
		PASS:*) passed "guest: ${line#PASS: }" ;;
		FAIL:*) failed "guest: ${line#FAIL: }" ;;
		"  "*) printf '%s\n' "$line" ;;
		esac
	done < <(tr -d '\r' <"$work/console.log")
	if ! grep -Eq "^(PASS|FAIL): $last" "$work/console.log"; then
		failed "the guest did not finish (vm.sh status $rc); console:"
		tail -n 30 "$work/console.log"
	fi
}

# The guest userland: make_overlay DIR INST puts into DIR
# (vm.sh --overlay) kpatch from the installed tree INST at
# /opt/kpatch/sbin/kpatch, and bash, every GNU coreutils program and kmod
# (insmod, rmmod, modinfo, lsmod, modprobe) with their libraries at
# /opt/gnu/bin and /lib*, /bin/bash for kpatch's first line.
make_overlay() {
	local ov=$1 inst=$2 f progs
	mkdir -p "$ov/opt/gnu/bin" "$ov/opt/kpatch/sbin" "$ov/bin"
	cp "$inst/usr/sbin/kpatch" "$ov/opt/kpatch/sbin/"
	progs=(/bin/bash /usr/bin/kmod)
	while read -r f; do
		case $f in
		*/bin/*|*/sbin/*) [ -f "$f" ] && [ ! -L "$f" ] && progs+=("$f") ;;
		esac
	done < <(dpkg -L coreutils)
	cp "${progs[@]}" "$ov/opt/gnu/bin/"
	cp /bin/bash "$ov/bin/bash"
	for f in insmod rmmod modinfo lsmod modprobe; do
		ln -s kmod "$ov/opt/gnu/bin/$f"
	done
	for f in $(ldd "${progs[@]}" 2>/dev/null | grep -o '/[^ ]*\.so[^ ]*' | sort -u); do
		mkdir -p "$ov$(dirname "$f")"
		cp -L "$f" "$ov$f"
	done
}
