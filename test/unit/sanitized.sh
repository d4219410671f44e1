#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# Runs a unit runner against the tools built with AddressSanitizer,
# LeakSanitizer and UndefinedBehaviorSanitizer (make asan: build/asan/).
#
#   test/unit/sanitized.sh RUNNER [ARGS...]
#
# RUNNER: test/unit/run.sh, test/unit/lookup/run.sh or
# test/unit/corrupt/run.sh.
#
# A sanitizer report (memory error, leak, undefined behaviour) makes the tool
# exit 86, which no tool does on its own: the runners see an unexpected exit
# status and fail the test.  The report itself is in the tool's stderr
# (run.sh -v, or KEEP=1 for the lookup runner).
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
asan=${ASAN_DIR:-$root/build/asan}

export CDO=$asan/create-diff-object
export LOOKUP=$asan/lookup
export KLP_CONVERT=$asan/klp-convert
export ASAN_OPTIONS=detect_leaks=1:exitcode=86:abort_on_error=0:strict_string_checks=1:detect_stack_use_after_return=1
export UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1:exitcode=86
# The runners give the tools a time limit: instrumented code is slower.
export DIFF_TIMEOUT=${DIFF_TIMEOUT:-180}

exec bash "$@"
