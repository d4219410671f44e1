#!/usr/bin/env bash
# Integration tests of the header pruning (kpatch-build/prune.sh) on the
# built test tree (kernel.sh), without a VM:
#
#   inline     header-prune/set-task-comm.patch (set_task_comm() of
#              sched.h returns early for an empty name): of the 573
#              configured includers 569 are skipped, the 4 that call it
#              are built and change; the --json report says so.  (Not a VM
#              sample: worker_thread(), which it changes, is on the stack
#              of every idle kworker, so no livepatch transition finishes.)
#   sample     the same patch with a sample of the skipped objects given
#              as -t targets, so that they are compiled before and after
#              the patch anyway: the differ must find no change in them
#   macro      samples/header-macro.patch (LOAD_INT of sched/loadavg.h):
#              of its 7 includers only fs/proc/loadavg.o, which expands
#              the macros, is built
#   struct     header-prune/struct.diff (a new struct in cn_proc.h besides
#              the header-inline change): every includer is built
#   no-prune   samples/header-inline.patch with --no-prune: every includer
#              built; without it, the 2 of 8 that call the function
#
# Environment: KPB_TREE (the built test tree, default kernel.sh's).  Each
# case is one test; the last line is "N passed, N failed".
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/../.." && pwd)
kpb=$repo/kpatch-build/kpatch-build
samples=$here/samples
work=$(mktemp -d "${TMPDIR:-/tmp}/kpb-prune.XXXXXX")
trap 'rm -rf "$work"' EXIT
pass=0
fail=0

ok() { echo "PASS $1"; pass=$((pass + 1)); }
bad() {
	echo "FAIL $1: $2"
	[ ! -f "$work/log" ] || grep -v 'affected objects:' "$work/log" |
		tail -n 20 | sed 's/^/    /'
	fail=$((fail + 1))
}

tree=${KPB_TREE:-$(bash "$here/kernel.sh")} || { echo "0 passed, 1 failed"; exit 1; }
make -C "$repo" -s all
state() { (cd "$tree" && find . -printf '%y %m %p %s %T@ %C@\n') | LC_ALL=C sort | sha1sum; }
before=$(state)

# build NAME ARGS... PATCH...: kpatch-build into $work/out, the log in
# $work/log, the report in $work/NAME.json; status 1 if it failed.
build() {
	local name=$1
	shift
	rm -rf "$work/out"
	"$kpb" -s "$tree" -j2 -n "$name" -o "$work/out" \
		--json "$work/$name.json" "$@" >"$work/log" 2>&1
}

# json FILE EXPR: a python expression on the report d.
json() {
	python3 -c 'import json, sys
d = json.load(open(sys.argv[1]))
h = d["header_includers"]
st = {o["object"]: o["status"] for o in d["objects"]}
print(eval(sys.argv[2]))' "$1" "$2"
}

# expect NAME WHAT EXPR WANT: the python expression EXPR on NAME's report
# is WANT; else WHAT failed.
expect() {
	local got
	got=$(json "$work/$1.json" "$3")
	[ "$got" = "$4" ] || { bad "$2" "the report says $got"; return 1; }
}

# The objects the run built (its "objects to build:" line).
built() {
	sed -n 's/^kpatch-build: objects to build: //p' "$work/log"
}

test_inline() {
	local got
	build inline "$here/header-prune/set-task-comm.patch" ||
		{ bad inline "kpatch-build failed"; return; }
	expect inline inline '(h[0]["header"], h[0]["includers"], h[0]["skipped"], h[0]["built"], len(h[0]["skipped_objects"]), h[0]["changed"], sorted(st.items()))' \
		"('include/linux/sched.h', 573, 569, 4, 569, ['set_task_comm'], [('fs/proc/base.o', 'changed'), ('kernel/kthread.o', 'changed'), ('kernel/sys.o', 'changed'), ('kernel/workqueue.o', 'changed')])" ||
		return 0
	grep -q '^kpatch-build: 569 of 573 includers of include/linux/sched.h skipped: they do not refer to set_task_comm (' "$work/log" ||
		{ bad inline "no line about the skipped includers"; return; }
	[ "$(built)" = "fs/proc/base.o kernel/kthread.o kernel/sys.o kernel/workqueue.o" ] ||
		{ bad inline "built: $(built)"; return; }
	ok inline
}

# Skipped objects compiled anyway (as -t targets, never skipped): the
# differ finds no change in any of them.  The sample: objects that use
# much of sched.h (fs/exec.o calls __set_task_comm()) and every 100th
# skipped one.
test_sample() {
	local objs=() o args=() got
	[ -f "$work/inline.json" ] || { bad sample "no report of the inline case"; return; }
	mapfile -t objs < <(json "$work/inline.json" \
		'"\n".join(["fs/exec.o", "kernel/fork.o"] + sorted(h[0]["skipped_objects"])[::100])')
	for o in "${objs[@]}"; do
		[ "$(json "$work/inline.json" "'$o' in h[0]['skipped_objects']")" = True ] ||
			{ bad sample "$o was not skipped"; return; }
		args+=(-t "$o")
	done
	build sample "${args[@]}" "$here/header-prune/set-task-comm.patch" ||
		{ bad sample "kpatch-build failed"; return; }
	for o in "${objs[@]}"; do
		got=$(json "$work/sample.json" "st.get('$o')")
		[ "$got" = unchanged ] ||
			{ bad sample "$o, skipped, is '$got' when compiled anyway"; return; }
	done
	echo "    no change in the ${#objs[@]} skipped objects compiled anyway: ${objs[*]}"
	ok sample
}

test_macro() {
	local got
	build macro "$samples/header-macro.patch" ||
		{ bad macro "kpatch-build failed"; return; }
	expect macro macro '(h[0]["header"], h[0]["includers"], h[0]["skipped"], h[0]["changed"])' \
		"('include/linux/sched/loadavg.h', 7, 6, ['LOAD_FRAC', 'LOAD_INT'])" || return 0
	got=$(built)
	[ "$got" = fs/proc/loadavg.o ] ||
		{ bad macro "built: $got"; return; }
	ok macro
}

test_struct() {
	local got
	build struct "$here/header-prune/struct.diff" ||
		{ bad struct "kpatch-build failed"; return; }
	grep -q '^kpatch-build: 0 of 8 includers of include/linux/cn_proc.h skipped' "$work/log" ||
		{ bad struct "not every includer was kept"; return; }
	got=$(built | wc -w)
	[ "$got" -eq 8 ] || { bad struct "$got objects built, not 8"; return; }
	ok struct
}

test_no_prune() {
	local got
	build noprune --no-prune "$samples/header-inline.patch" ||
		{ bad no-prune "kpatch-build --no-prune failed"; return; }
	expect noprune no-prune 'len(st)' 8 || return 0
	build prune "$samples/header-inline.patch" ||
		{ bad no-prune "kpatch-build failed"; return; }
	got=$(built)
	[ "$got" = "fs/proc/base.o kernel/sys.o" ] ||
		{ bad no-prune "without --no-prune built: $got"; return; }
	ok no-prune
}

test_inline
test_sample
test_macro
test_struct
test_no_prune
[ "$(state)" = "$before" ] || { echo "FAIL tree: the test tree changed"; fail=$((fail + 1)); }
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
