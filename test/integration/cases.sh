# shellcheck shell=bash
# The runner of the integration scripts whose tests are functions test_NAME
# (tree-safety.sh, distcc.sh): run_cases [NAME...] runs those cases (default:
# every test_ function, in name order), each after the script's before_case
# when it has one, says PASS or FAIL for each and "N passed, N failed" last;
# status 1 when one failed.
run_cases() {
	local cases=("$@") c npass=0 nfail=0
	[ ${#cases[@]} -gt 0 ] || mapfile -t cases < <(declare -F |
		awk '$3 ~ /^test_/ { sub(/^test_/, "", $3); print $3 }')
	for c in "${cases[@]}"; do
		! declare -F before_case >/dev/null || before_case
		if "test_$c"; then
			npass=$((npass + 1)); printf 'PASS: %s\n' "$c"
		else
			nfail=$((nfail + 1)); printf 'FAIL: %s\n' "$c"
		fi
	done
	printf '%d passed, %d failed\n' "$npass" "$nfail"
	[ "$nfail" -eq 0 ]
}
