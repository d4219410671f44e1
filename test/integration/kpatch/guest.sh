#!/bin/bash
# shellcheck disable=SC2317 # functions run through check_state
# The kpatch utility's test, run in the test VM (bash from the overlay; the
# assertions use busybox's grep).  kpatch itself runs with PATH holding only
# bash, GNU coreutils and kmod (/opt/gnu/bin): nothing else is needed.
#
# /root/deb: the maintainer scripts of cum1's package (kpatch-build --deb),
# whose files are in place (/usr/lib/livepatch/RELEASE/).
# Files in /root: livepatch-cum1.ko (meminfo, patch level 1, CVEs and a
# description), livepatch-cum2.ko (the same, level 2), livepatch-other.ko
# (cum1 with another vmlinux build id recorded: another build of the same
# release, same vermagic), livepatch-kthreadd-stall.ko (patches kthreadd(),
# which kthreadd sleeps in: the transition cannot finish).
# Prints one PASS:/FAIL: line per check.
set -u
cd /root || exit 1
failed=0
pass() { echo "PASS: $*"; }
fail() { echo "FAIL: $*"; failed=$((failed + 1)); }
show() { sed 's/^/      | /' "$@"; }
LP=/sys/kernel/livepatch

kp() { PATH=/opt/gnu/bin /opt/kpatch/sbin/kpatch "$@"; }

# expect NAME STATUS REGEX...: the last kpatch run ($out, $rc) had status
# STATUS (0, or "fail" for non-zero) and printed lines matching each REGEX.
expect() {
	local what=$1 want=$2 re ok=1
	shift 2
	case $want in
	0) [ "$rc" -eq 0 ] || ok=0 ;;
	fail) [ "$rc" -ne 0 ] || ok=0 ;;
	esac
	for re in "$@"; do
		printf '%s\n' "$out" | grep -Eq -- "$re" || { ok=0; echo "  missing: $re"; }
	done
	if [ "$ok" -eq 1 ]; then
		pass "$what"
	else
		fail "$what (status $rc)"
		printf '%s\n' "$out" | show
	fi
}

run() { out=$(kp "$@" 2>&1); rc=$?; }

meminfo_patched() { grep -q '^VMALLOCCHUNK:' /proc/meminfo; }

check_state() {
	local what=$1 ok=1
	shift
	"$@" || ok=0
	if [ "$ok" -eq 1 ]; then pass "$what"; else fail "$what"; fi
}

gone() {
	[ ! -e "$LP/$1" ] && [ ! -e "/sys/module/$1" ]
}

# --help of every command
helps=0
for c in load unload list info install uninstall load-installed; do
	kp "$c" --help >/dev/null 2>&1 || { helps=1; echo "  $c --help failed"; }
done
kp --help >/dev/null 2>&1 || helps=1
check_state "every command has --help" [ "$helps" -eq 0 ]

run info livepatch-cum1.ko
expect "info: description, CVEs, level, functions, build check" 0 \
	'^description: +meminfo: VmallocChunk in capitals' \
	'^CVEs: .*CVE-2024-12345' '^CVEs: .*CVE-2023-0001' '^patch level: +1' \
	'^replace: +yes' 'vmlinux: meminfo_proc_show,0' \
	"build id [0-9a-f]{40} is the running kernel's.*\[ok\]" \
	'^signature: +none' '^target: +6\.1\.'

check_state "meminfo unpatched before" eval '! meminfo_patched'
run load livepatch-cum1.ko
expect "load cum1" 0 'livepatch_cum1: loaded and enabled'
check_state "cum1 patches meminfo" meminfo_patched
run list
expect "list: cum1 enabled, no transition, replace, level 1" 0 \
	'livepatch_cum1 +1 +0 +yes +1'

run load livepatch-cum2.ko
expect "load cum2 (cumulative, level 2)" 0 'livepatch_cum2: loaded and enabled'
run list
expect "list: cum1 replaced, cum2 enabled" 0 \
	'livepatch_cum1 +replaced' 'livepatch_cum2 +1 +0 +yes +2'
check_state "cum2 patches meminfo" meminfo_patched
run unload livepatch-cum1
expect "unload the replaced cum1" 0 'livepatch_cum1: unloaded'
check_state "cum1's module gone" gone livepatch_cum1

run load livepatch-cum1.ko
expect "an older cumulative patch is refused by the kernel's state check" fail \
	'refused .*livepatch-cum1.ko \(patch level 1\)' \
	'livepatch_cum2 \(patch level 2\) has a newer patch level' \
	'older cumulative patch may not replace a newer one'
printf '%s\n' "$out" | show
check_state "refused cum1 left nothing loaded" gone livepatch_cum1
check_state "cum2 still enabled" [ "$(cat $LP/livepatch_cum2/enabled 2>/dev/null)" = 1 ]

run unload --all
expect "unload --all" 0 'livepatch_cum2: unloaded'
check_state "nothing loaded" gone livepatch_cum2
check_state "meminfo unpatched after unload" eval '! meminfo_patched'

run load livepatch-other.ko
expect "load refuses a module for another build of the release" fail \
	'another build of 6\.1\.' 'refusing to load'
check_state "other build not loaded" gone livepatch_cum1
run install livepatch-other.ko
expect "install refuses a module for another build of the release" fail \
	'another build of 6\.1\.' 'refusing to install'
run install -k 6.1.0-99-other livepatch-cum1.ko
expect "install refuses another release" fail 'built for kernel 6\.1\.[0-9]+, not 6\.1\.0-99-other'

# installed, loaded at boot: only the newest cumulative one
run install livepatch-cum2.ko
expect "install cum2" 0 "installed /var/lib/kpatch/$(uname -r)/livepatch-cum2.ko"
run install livepatch-cum1.ko
expect "install cum1" 0 'installed'
run list
expect "list: both installed for the release" 0 \
	"/var/lib/kpatch/$(uname -r) \(kernel" 'livepatch-cum2.ko' 'livepatch-cum1.ko'
run load-installed
expect "load-installed loads only the newest cumulative patch" 0 \
	'livepatch-cum2.ko: loaded$'
check_state "load-installed: cum2 loaded, cum1 not" eval \
	"[ -d $LP/livepatch_cum2 ] && gone livepatch_cum1"
run info livepatch_cum2
expect "info NAME of a loaded patch" 0 '^state: +loaded, enabled 1' '^patch level: +2'
run unload livepatch-cum2.ko
expect "unload FILE" 0 'unloaded'
run uninstall livepatch-cum1
expect "uninstall NAME" 0 'uninstalled'
run uninstall --all
expect "uninstall --all" 0 'uninstalled'
check_state "nothing installed" [ ! -e "/var/lib/kpatch/$(uname -r)" ]

# The package's maintainer scripts (dpkg -i, dpkg -r)
mrel=$(uname -r)
deb_script() {
	out=$(PATH=/opt/kpatch/sbin:/opt/gnu/bin /bin/sh "/root/deb/$1" "$2" 2>&1)
	rc=$?
}
deb_script postinst configure
expect "package postinst: installed and loaded on its target kernel" 0 \
	"installed /var/lib/kpatch/$mrel/livepatch-cum1.ko" 'livepatch_cum1: loaded and enabled'
check_state "package: patch working" meminfo_patched
deb_script prerm remove
expect "package prerm: unloaded" 0 'livepatch_cum1: unloaded'
deb_script postrm remove
expect "package postrm: uninstalled" 0 "uninstalled /var/lib/kpatch/$mrel/livepatch-cum1.ko"
check_state "package removed: nothing loaded or installed" eval \
	"gone livepatch_cum1 && [ ! -e /var/lib/kpatch/$mrel/livepatch-cum1.ko ] && ! meminfo_patched"

# A stalled transition: kthreadd sleeps in kthreadd()
t0=$(date +%s)
run load --timeout 20 livepatch-kthreadd-stall.ko
t1=$(date +%s)
expect "a stalled load names the task, its stack and the function, reverts" fail \
	'task 2 \(kthreadd\) not switched yet' '\] kthreadd\+0x' \
	'the kernel sends the tasks left a fake signal every 15 s' \
	'kthreadd \(vmlinux\) is on the stack of task 2 \(kthreadd\)' \
	'reverting: disabling livepatch_kthreadd_stall' \
	'was not applied: the system is as before'
printf '%s\n' "$out" | show
check_state "after the stall: no livepatch entry, no module" gone livepatch_kthreadd_stall
check_state "the stall waited its timeout, 20 s, then reverted ($((t1 - t0)) s in all)" [ $((t1 - t0)) -ge 20 ]

# --force (last: a forced patch's module can never be removed)
run load --timeout 8 --force livepatch-kthreadd-stall.ko
expect "load --force: the warning, then the transition forced" 0 \
	'WARNING: forcing the transition' 'can be harmful' 'module from being removed' \
	'task 2 \(kthreadd\) not switched yet' 'livepatch_kthreadd_stall: loaded and enabled'
check_state "forced: enabled, no transition" eval \
	"[ \"\$(cat $LP/livepatch_kthreadd_stall/enabled)\" = 1 ] && [ \"\$(cat $LP/livepatch_kthreadd_stall/transition)\" = 0 ]"

if dmesg | grep -E 'Oops|BUG|WARNING|Call Trace' >/tmp/bad; then
	fail "dmesg has errors"
	show /tmp/bad
else
	pass "dmesg clean"
fi
exit "$failed"
