#!/usr/bin/env bash
# Run every test suite and print the total as the last line:
# "N passed, N failed".
#
# Usage: test/run.sh [GROUP...]   (unit, integration, distro; default all)
#
# Each suite (test/unit/run.sh, its selftest/run.sh, test/unit/generator/run.sh,
# test/unit/lookup/run.sh, test/unit/driver/*.sh,
# test/unit/corrupt/run.sh, and test/unit/run.sh, lookup/run.sh and
# corrupt/run.sh again against the sanitizer builds through sanitized.sh,
# test/integration/run.sh, inputs.sh, tree-safety.sh, distcc.sh, header-prune.sh
# and kpatch/,
# and test/distro/run.sh for Debian's 6.1 and 6.12
# cloud kernels) ends its standard output with its own
# "N passed, N failed" line; the totals add them up.  A suite that ends
# without that line (it crashed or is missing) counts as one failed test, and
# so does one whose exit status contradicts its own summary.  Exit status:
# non-zero if anything failed.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
work=
total_pass=0
total_fail=0

log() { printf '%s\n' "$*"; }
cleanup() { [ -z "$work" ] || rm -rf "$work"; }

# run_suite NAME SCRIPT [VAR=VALUE...] [ARG...]: run it (with those
# variables in its environment, the other words as its arguments), show its
# output, add its summary.
run_suite() {
	local name=$1 script=$2 out rc=0 last a
	local -a vars=() args=()
	shift 2
	for a; do
		if [[ $a == [A-Za-z_]*([A-Za-z0-9_])=* ]]; then
			vars+=("$a")
		else
			args+=("$a")
		fi
	done
	out=$work/$name.out
	log "##### $name: ${vars[*]} $script ${args[*]}"
	env "${vars[@]}" bash "$script" "${args[@]}" | tee "$out" ||
		rc=${PIPESTATUS[0]}
	last=$(tail -n 1 "$out")
	if [[ $last =~ ^([0-9]+)\ passed,\ ([0-9]+)\ failed$ ]]; then
		total_pass=$((total_pass + BASH_REMATCH[1]))
		total_fail=$((total_fail + BASH_REMATCH[2]))
		if [ "$rc" -ne 0 ] && [ "${BASH_REMATCH[2]}" -eq 0 ]; then
			log "##### $name: exit status $rc despite '$last': counted as 1 failed"
			total_fail=$((total_fail + 1))
		fi
	else
		log "##### $name: crashed (exit status $rc) without a summary line: counted as 1 failed"
		total_fail=$((total_fail + 1))
	fi
}

main() {
	local groups=("$@") g
	[ ${#groups[@]} -gt 0 ] || groups=(unit integration distro)
	work=$(mktemp -d "${TMPDIR:-/tmp}/kpb-tests.XXXXXX")
	trap cleanup EXIT
	trap 'exit 130' INT TERM
	for g in "${groups[@]}"; do
		case $g in
		unit)
			run_suite unit "$here/unit/run.sh"
			run_suite unit-selftest "$here/unit/selftest/run.sh"
			run_suite unit-generator "$here/unit/generator/run.sh"
			run_suite unit-lookup "$here/unit/lookup/run.sh"
			run_suite unit-driver "$here/unit/driver/run.sh"
			run_suite unit-driver-inputs "$here/unit/driver/inputs.sh"
			run_suite unit-driver-verify "$here/unit/driver/verify-target.sh"
			run_suite unit-driver-prune "$here/unit/driver/prune.sh"
			run_suite unit-corrupt "$here/unit/corrupt/run.sh"
			run_suite unit-kpatch "$here/unit/kpatch.sh"
			run_suite unit-kpatch-package "$here/unit/kpatch-package.sh"
			run_suite unit-asan "$here/unit/sanitized.sh" \
				"$here/unit/run.sh"
			run_suite unit-lookup-asan "$here/unit/sanitized.sh" \
				"$here/unit/lookup/run.sh"
			run_suite unit-corrupt-asan "$here/unit/sanitized.sh" \
				"$here/unit/corrupt/run.sh" ;;
		integration)
			run_suite integration "$here/integration/run.sh"
			run_suite integration-inputs "$here/integration/inputs.sh"
			run_suite integration-tree-safety "$here/integration/tree-safety.sh"
			run_suite integration-kpatch "$here/integration/kpatch/run.sh"
			run_suite integration-kpatch-signing "$here/integration/kpatch/signing.sh"
			run_suite integration-distcc "$here/integration/distcc.sh"
			run_suite integration-header-prune "$here/integration/header-prune.sh" ;;
		distro)
			run_suite distro-6.1 "$here/distro/run.sh" \
				KPB_DISTRO_SOURCE=/usr/src/linux-source-6.1.tar.xz
			run_suite distro-6.12 "$here/distro/run.sh" \
				KPB_DISTRO_SOURCE=/usr/src/linux-source-6.12.tar.xz
			# a fixed part of the corpus of real fixes (test/updates)
			run_suite updates "$here/updates/run.sh" \
				KPB_UPDATES_OUT="$work/updates.md" \
				KPB_UPDATES_ONLY='^(fs/ext4/orphan|kernel/auditfilter|drivers/mailbox/pcc|kernel/time/timer|net/dccp/ipv6|arch/x86/pci/fixup|drivers/net/vxlan/vxlan_vnifilter|fs/efivarfs/super)\.c$'
			run_suite distro-releases "$here/distro/releases.sh"
			run_suite debian-fleet "$here/debian/run.sh" ;;
		*)
			log "run.sh: unknown group '$g' (unit, integration, distro)"
			exit 2 ;;
		esac
	done
	log "$total_pass passed, $total_fail failed"
	[ "$total_fail" -eq 0 ]
}

main "$@"
