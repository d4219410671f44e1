#!/bin/sh
# The livepatch test protocol, run inside the test VM by busybox sh.
#
# Usage: guest-protocol.sh [--setup FILE] [--after-insmod FILE]
#                          MODULE.ko SYSFSNAME CHECK
#
# CHECK is a sh snippet that exits 0 iff the patched behaviour is visible.
# Steps: (setup); the check fails; insmod; the transition completes;
# (after-insmod); the check passes; disable; the patch goes away; rmmod; the
# check fails again; dmesg is clean.  The optional snippets run from /root:
# --setup before anything else (load the module a patch is for, mount its
# file system), --after-insmod once the livepatch is enabled (load a module
# after the livepatch, which patches it as it loads).
#
# With --second KO2 --second-name SYSFSNAME2 --second-check CHECK2 and
# --replace yes|no, two livepatches: MODULE.ko, then KO2 on top.  "yes": KO2
# (atomic replace) replaces the first, whose patch goes away by itself, whose
# check fails from then on and whose module can be removed; then KO2 is
# disabled and removed.  "no": both stay enabled and both checks pass; KO2
# is disabled and removed, the first still works, then it goes too.
#
# Every step prints one "PASS: ..." or "FAIL: ..." line; the exit status is 0
# iff every step passed.
set -u

setup=
after_insmod=
second_ko=
second_name=
second_check=
replace=yes
while [ $# -gt 3 ]; do
	case $1 in
	--setup) setup=$2 ;;
	--after-insmod) after_insmod=$2 ;;
	--second) second_ko=$2 ;;
	--second-name) second_name=$2 ;;
	--second-check) second_check=$2 ;;
	--replace) replace=$2 ;;
	*) break ;;
	esac
	shift 2
done

# use_module KO SYSFSNAME CHECK: the livepatch the steps below work on.
use_module() {
	ko=$1
	name=$2
	check=$3
	lp=/sys/kernel/livepatch/$name
	modname=$(basename "$ko" .ko)
}

first_ko=$1
first_name=$2
first_check=$3
use_module "$first_ko" "$first_name" "$first_check"
wait_sec=60
failed=0

pass() { echo "PASS: $*"; }
fail() { echo "FAIL: $*"; failed=$((failed + 1)); }

# Indent a command's output under the step that ran it.
show() { sed 's/^/      | /'; }

# wait_for SECONDS COMMAND...: poll COMMAND every 0.1 s; status 0 once it
# succeeds, 1 when SECONDS have passed without success.
wait_for() {
	limit=$(($1 * 10))
	shift
	n=0
	while ! "$@"; do
		n=$((n + 1))
		[ "$n" -le "$limit" ] || return 1
		sleep 0.1
	done
	return 0
}

transition_done() { [ "$(cat "$lp/transition" 2>/dev/null)" = 0 ]; }
patch_gone() { [ ! -e "$lp" ]; }

# check_expect passed|failed WHEN: run the check and compare its outcome.
check_expect() {
	want=$1
	when=$2
	if out=$(sh "$check" 2>&1); then got=passed; else got=failed; fi
	if [ "$got" = "$want" ]; then
		pass "$when: check $got as expected"
		return 0
	fi
	fail "$when: check $got, expected it to ${want%ed}"
	[ -z "$out" ] || printf '%s\n' "$out" | show
	return 1
}

# run_snippet WHAT FILE: run an optional snippet as a step.
run_snippet() {
	[ -n "$2" ] || return 0
	if out=$(sh "$2" 2>&1); then
		pass "$1: $(basename "$2")"
		return 0
	fi
	fail "$1: $(basename "$2") failed"
	[ -z "$out" ] || printf '%s\n' "$out" | show
	dmesg | tail -n 10 | show
	return 1
}

step_unpatched_before() {
	check_expect failed "before loading (unpatched kernel)" ||
		echo "      (a check that passes on the unpatched kernel proves nothing)"
}

step_insmod() {
	if out=$(insmod "$ko" 2>&1); then
		pass "insmod $ko"
		return 0
	fi
	fail "insmod $ko failed"
	printf '%s\n' "$out" | show
	dmesg | tail -n 10 | show
	return 1
}

step_transition() {
	if [ ! -d "$lp" ]; then
		fail "$lp does not exist after insmod (is $name the module's sysfs name?)"
		find /sys/kernel/livepatch -mindepth 1 -maxdepth 1 2>&1 | show
		return 1
	fi
	if ! wait_for "$wait_sec" transition_done; then
		fail "transition not finished after ${wait_sec}s ($lp/transition = $(cat "$lp/transition"))"
		return 1
	fi
	if [ "$(cat "$lp/enabled")" != 1 ]; then
		fail "$lp/enabled is $(cat "$lp/enabled") after the transition, not 1"
		return 1
	fi
	pass "patch enabled, transition finished"
}

step_disable() {
	if ! echo 0 >"$lp/enabled"; then
		fail "echo 0 > $lp/enabled failed"
		return 1
	fi
	if ! wait_for "$wait_sec" patch_gone; then
		fail "$lp still exists ${wait_sec}s after disabling"
		return 1
	fi
	pass "patch disabled and removed from sysfs"
}

step_rmmod() {
	if out=$(rmmod "$modname" 2>&1); then
		pass "rmmod $modname"
		return 0
	fi
	fail "rmmod $modname failed"
	printf '%s\n' "$out" | show
	return 1
}

step_unpatched_after() {
	check_expect failed "after unloading"
}

step_dmesg_clean() {
	bad=$(dmesg | grep -E 'Oops|BUG|WARNING|Call Trace')
	if [ -n "$bad" ]; then
		fail "dmesg reports a problem:"
		dmesg | tail -n 40 | show
		return 1
	fi
	pass "dmesg has no Oops, BUG, WARNING or Call Trace"
}

use_first() { use_module "$first_ko" "$first_name" "$first_check"; }
use_second() { use_module "$second_ko" "$second_name" "$second_check"; }

# The current livepatch went away when the second one was enabled.
step_replaced() {
	if ! wait_for "$wait_sec" patch_gone; then
		fail "$lp still exists ${wait_sec}s after $second_name was enabled: $second_name did not replace $name"
		return 1
	fi
	pass "$name replaced by $second_name: gone from sysfs"
}

step_still_enabled() {
	if [ "$(cat "$lp/enabled" 2>/dev/null)" = 1 ]; then
		pass "$name still enabled next to $second_name"
		return 0
	fi
	fail "$name is not enabled any more ($lp/enabled: $(cat "$lp/enabled" 2>&1)), although $second_name does not replace it"
	return 1
}

# Disable the current livepatch, remove its module, its check fails.
step_remove() {
	step_disable && step_rmmod && check_expect failed "$name removed"
}

main_pair() {
	echo "protocol: livepatch $first_name ($first_ko), then $second_name ($second_ko) on top; replace: $replace"
	run_snippet setup "$setup"
	use_second
	check_expect failed "$name before loading (unpatched kernel)"
	use_first
	check_expect failed "$name before loading (unpatched kernel)"
	if step_insmod && step_transition; then
		check_expect passed "$name loaded"
		use_second
		if step_insmod && step_transition; then
			check_expect passed "$name loaded on top of $first_name"
			use_first
			if [ "$replace" = yes ]; then
				step_replaced && check_expect failed "$name replaced" &&
					step_rmmod
				use_second
				step_remove
			else
				step_still_enabled &&
					check_expect passed "$name next to $second_name"
				use_second
				step_remove
				use_first
				check_expect passed "$name without $second_name" &&
					step_remove
			fi
		fi
	fi
	step_dmesg_clean
	echo "protocol: $failed step(s) failed"
	[ "$failed" -eq 0 ]
}

main() {
	if [ -n "$second_ko" ]; then
		main_pair
		return
	fi
	echo "protocol: module $ko, livepatch $name, check $check"
	run_snippet setup "$setup"
	step_unpatched_before
	if step_insmod; then
		step_transition
		run_snippet "after insmod" "$after_insmod"
		check_expect passed "after loading (patched kernel)"
		if step_disable; then
			step_rmmod
			step_unpatched_after
		fi
	fi
	step_dmesg_clean
	echo "protocol: $failed step(s) failed"
	[ "$failed" -eq 0 ]
}

main
