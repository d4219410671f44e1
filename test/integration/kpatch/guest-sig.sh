#!/bin/bash
# shellcheck disable=SC2317 # functions run through check
# The signing test, in the VM of the kernel with its own module signing key,
# booted with module.sig_enforce=1: /root/livepatch-signed.ko (signed by
# kpatch-build --sign-key/--sign-cert with that key) loads and works,
# /root/livepatch-unsigned.ko is refused and kpatch load says why.
set -u
cd /root || exit 1
failed=0
pass() { echo "PASS: $*"; }
fail() { echo "FAIL: $*"; failed=$((failed + 1)); }
show() { sed 's/^/      | /'; }
kp() { PATH=/opt/gnu/bin /opt/kpatch/sbin/kpatch "$@"; }
check() {
	local what=$1
	shift
	if "$@"; then pass "$what"; else fail "$what"; printf '%s\n' "$out" | show; fi
}
meminfo_patched() { grep -q '^VMALLOCCHUNK:' /proc/meminfo; }

out=$(cat /sys/module/module/parameters/sig_enforce 2>&1)
check "signatures enforced" [ "$out" = Y ]

out=$(kp info livepatch-signed.ko 2>&1)
check "info shows the signer" eval "printf '%s\n' \"\$out\" | grep -Eq '^signature: +signed by .+ \(key [0-9A-F:]+, sha256\)'"
out=$(kp info livepatch-unsigned.ko 2>&1)
check "info: unsigned" eval "printf '%s\n' \"\$out\" | grep -q '^signature: *none'"

out=$(kp load livepatch-unsigned.ko 2>&1); rc=$?
check "unsigned module refused, and why" eval "[ $rc -ne 0 ] && printf '%s\n' \"\$out\" | grep -q 'module signatures are enforced and it is not signed with a key the kernel trusts'"
printf '%s\n' "$out" | show
check "unsigned: nothing loaded" [ ! -e /sys/module/livepatch_unsigned ]

out=$(kp load livepatch-signed.ko 2>&1); rc=$?
check "signed module loads" [ "$rc" -eq 0 ]
check "signed module works" meminfo_patched
out=$(kp unload livepatch-signed 2>&1); rc=$?
check "signed module unloads" eval "[ $rc -eq 0 ] && ! meminfo_patched"
exit "$failed"
