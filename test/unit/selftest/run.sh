#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Tests test/unit/run.sh itself with selftest/fake-cdo: a right answer must
# pass, and every kind of wrong answer must fail with a message that says
# what differed.  Ends with "N passed, N failed".

set -euo pipefail

SELF_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
UNIT_DIR=$(dirname "$SELF_DIR")
FAKE=$SELF_DIR/fake-cdo
PASSED=0
FAILED=0
OUTPUT=''

# Runs the unit runner on selftest CASES with FAKE_MODE=MODE; sets OUTPUT
# and returns the runner's exit status.
unit_run()
{
	local mode=$1 cases=$2 rc=0
	shift 2

	OUTPUT=$(FAKE_MODE=$mode FAKE_CASE=${1:-} FAKE_EXPECT_DIR=$UNIT_DIR/cases \
		 CDO=$FAKE CASES_DIR=$cases bash "$UNIT_DIR/run.sh" "$@" 2>&1) || rc=$?
	return "$rc"
}

result()
{
	local name=$1 why=$2

	if [[ -z $why ]]; then
		echo "PASS $name"
		PASSED=$((PASSED + 1))
	else
		echo "FAIL $name: $why"
		printf '%s\n' "$OUTPUT" | sed 's/^/    /'
		FAILED=$((FAILED + 1))
	fi
}

# expect_case MODE CASE pass|fail [TEXT]: one selftest case must PASS, or
# FAIL with TEXT in its message; the summary line and exit status must agree.
expect_case()
{
	local mode=$1 name=$2 want=$3 text=${4:-} rc=0 why='' last

	unit_run "$mode" "$SELF_DIR/cases" "$name" || rc=$?
	last=$(printf '%s\n' "$OUTPUT" | tail -n1)
	if [[ $want == pass ]]; then
		[[ $OUTPUT == *"PASS $name"* ]] || why="case did not pass"
		[[ $last == "1 passed, 0 failed" ]] || why+=" summary '$last'"
		((rc == 0)) || why+=" exit $rc"
	else
		[[ $OUTPUT == *"FAIL $name: "*"$text"* ]] ||
			why="no 'FAIL $name: ...$text...'"
		[[ $last == "0 passed, 1 failed" ]] || why+=" summary '$last'"
		((rc != 0)) || why+=" exit 0"
	fi
	result "$mode/$name" "$why"
}

# expect_real MODE: runs all real cases with the fake; those listed after
# MODE must pass and all others fail.
expect_real()
{
	local mode=$1 rc=0 why='' name want d n=0 p=0
	shift

	unit_run "$mode" "$UNIT_DIR/cases" || rc=$?
	for d in "$UNIT_DIR"/cases/*/; do
		name=$(basename "$d")
		n=$((n + 1))
		want=FAIL
		[[ " $* " == *" $name "* ]] && want=PASS && p=$((p + 1))
		grep -Eq "^$want $name(:|$)" <<<"$OUTPUT" || why+=" $name not $want;"
	done
	[[ $(tail -n1 <<<"$OUTPUT") == "$p passed, $((n - p)) failed" ]] ||
		why+=" bad summary;"
	((rc != 0)) || why+=" exit 0;"
	result "real/$mode" "$why"
}

# Runner features.
expect_case good sample pass
expect_case good quiet pass
expect_case good withargs pass
expect_case good badexpect fail "unknown directive 'has-symbl'"
expect_case good badsrc fail "patched.c does not compile"
expect_case good nosuchcase fail "no such case"

# Exit status.
expect_case wrong-status sample fail "status nochange, expected changed"
expect_case error sample fail "status error, expected changed (stderr: fake-cdo: cannot read"
expect_case crash sample fail "status killed by signal 11"
expect_case error quiet fail "status error, expected nochange"

# Report.
expect_case report-missing sample fail "report lacks {new-function extra}"
expect_case report-extra sample fail "report has unexpected {new-data bogus}"
expect_case report-dup sample fail "report has unexpected {changed-function work}"
expect_case report-stdout sample fail "report lacks {changed-function work,new-function extra}"

# OUT.o.
expect_case no-alias sample fail "has-symbol __kpb_new.t.work: not in out.o"
expect_case alias-local sample fail "alias __kpb_new.t.work is LOCAL FUNC in section"
expect_case alias-offset sample fail "alias __kpb_new.t.work is not at work (same section, value and size)"
expect_case defined-callee sample fail "undef helper: defined"
expect_case defined-callee sample fail "no-section .text.helper: out.o has .text.helper"
expect_case section-sym-ref sample fail "rela .text.work helper: .rela.text.work refers only to .text.helper .text.extra"
expect_case extra-function sample fail "no-symbol idle: present in out.o"
expect_case no-out sample fail "exit status 0 but out.o not written"
expect_case garbage-out sample fail "out.o is not an x86_64 relocatable object"
expect_case writes-out quiet fail "out.o written although nothing changed"

# --manifest.
expect_case manifest-missing sample fail "manifest: not written"
expect_case manifest-extra sample fail "manifest: not the report's callbacks (< expected, > written): > callback t pre_patch __kpb_cb.t.pre_patch"

# The real cases: each is sensitive to a wrong answer.  An OUT.o that keeps
# everything fails every changed case; one report line too many fails all;
# "nothing changed" fails all but unchanged.  (A replay has no reasons: the
# refused cases with a "why" fail it too; an error case has no report line
# and no out.o to get wrong.)
expect_real replay changed-static-data-refused init-refused \
	no-ftrace-refused unchanged ignore-function-elsewhere-error \
	renamed-function-nochange
expect_real replay-extra
expect_real always-nochange unchanged renamed-function-nochange

echo "$PASSED passed, $FAILED failed"
((FAILED == 0))
