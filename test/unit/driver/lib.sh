# shellcheck shell=bash
# What the driver's test suites share: a work directory ($work, removed at
# exit), the counters and result NAME GOT EXPECTED.  Each suite ends with
# finish, which prints "N passed, N failed".
work=$(mktemp -d "${TMPDIR:-/tmp}/kpb-driver.XXXXXX")
trap 'rm -rf "$work"' EXIT
pass=0
fail=0

result() {
	if [ "$2" = "$3" ]; then
		echo "PASS $1"; pass=$((pass + 1))
	else
		printf 'FAIL %s: expected\n%s\ngot\n%s\n' "$1" "$3" "$2"
		fail=$((fail + 1))
	fi
}

finish() {
	echo "$pass passed, $fail failed"
	[ "$fail" -eq 0 ]
}
