# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=bash
# kpatch-build: messages, timing, the work directory and cleanup.

# shellcheck disable=SC2034 # used by module.sh
START_TIME=$(date +%s.%N)

info() { printf 'kpatch-build: %s\n' "$*" >&2; }
debug() { [ "${DEBUG:-0}" -eq 0 ] || printf 'kpatch-build: debug: %s\n' "$*" >&2; }
die() {
	DIED=1
	printf 'kpatch-build: error: %s\n' "$*" >&2
	exit 1
}

elapsed() {
	local now
	now=$(date +%s.%N)
	awk -v a="$1" -v b="$now" 'BEGIN { printf "%.2f", b - a }'
}

# step "what" function args...: run a step, print its duration.
step() {
	local what=$1 t0
	shift
	t0=$(date +%s.%N)
	CURRENT_STEP=$what
	debug "step: $what"
	"$@"
	printf 'kpatch-build: %-32s %6ss\n' "$what" "$(elapsed "$t0")" >&2
}

# The ccache wrappers, when installed, come first in PATH: the tree keeps
# seeing CC=gcc (its auto.conf is not regenerated) and builds get cached.
make_path() {
	if [ -d /usr/lib/ccache ]; then
		printf '/usr/lib/ccache:%s' "$PATH"
	else
		printf '%s' "$PATH"
	fi
}

# kpatch-build's cache: prepared distro sources, kbuild's object listings.
cache_top() {
	printf '%s\n' "${KPB_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/kpatch-build}"
}

kmake() {
	PATH=$(make_path) make -C "$SRC" -j"$JOBS" "$@"
}

# The work directory: $TMPDIR/kpatch-build.XXXXXX, with the pid of its run
# in WORK/pid.  Those of runs that were killed (SIGKILL, OOM, power loss)
# are removed by the next run, unless kept on purpose (WORK/keep).
make_workdir() {
	local top=${TMPDIR:-/tmp}
	case "$(readlink -f "$top")/" in
	"$SRC"/*)
		die "the work directory would be inside the source tree ($top): set TMPDIR to a directory outside $SRC" ;;
	esac
	remove_stale_workdirs "$top"
	WORK=$(mktemp -d "$top/kpatch-build.XXXXXX") ||
		die "cannot create a work directory in $top: $(df -Ph "$top" 2>/dev/null | awk 'NR == 2 { print $4 " free" }')"
	echo $$ >"$WORK/pid"
	mkdir -p "$WORK/orig" "$WORK/patched" "$WORK/diff" "$WORK/module" \
		"$WORK/backup" "$WORK/patched-src" || no_space "$WORK"
	LOG=$WORK/build.log
	: >"$LOG"
}

remove_stale_workdirs() {
	local d pid
	for d in "$1"/kpatch-build.??????; do
		[ -d "$d" ] && [ ! -e "$d/keep" ] && [ -O "$d" ] || continue
		pid=$(cat "$d/pid" 2>/dev/null) || continue
		[[ $pid =~ ^[0-9]+$ ]] || continue
		if [ -d "/proc/$pid" ] && grep -qs kpatch-build "/proc/$pid/cmdline"; then
			continue
		fi
		debug "removing the work directory of a run that did not finish: $d"
		rm -rf "$d"
	done
}

# The traps; fd 29 keeps the real stderr, for messages from a trap that
# runs while a command's output goes to the log.
setup_traps() {
	exec 29>&2
	trap on_exit EXIT
	trap 'on_signal INT' INT
	trap 'on_signal TERM' TERM
	trap 'on_signal HUP' HUP
}

# A full filesystem: say which, and what is free.
no_space() {
	SAID_NO_SPACE=1
	die "no space left in $1's filesystem ($(df -Ph "$1" 2>/dev/null | awk 'NR == 2 { print $6 ": " $4 " free of " $2 }')): make room, or set TMPDIR (work) or -o (output) to another filesystem"
}

on_signal() {
	exec 2>&29
	info "interrupted ($1) during '${CURRENT_STEP:-setup}': ${USER_TREE:-$SRC} was not changed; no module is written"
	exit 130
}

# A failure no die() reported (a command that failed under set -e).
say_unreported() {
	[ "${DIED:-0}" -eq 1 ] || [ "$1" -eq 130 ] ||
		printf 'kpatch-build: error: %s\n' "step '${CURRENT_STEP:-setup}' failed (exit status $1)" >&2
}

# Why a failed run failed where no die() said it (a command that failed
# under set -e), and where the cause is the machine: a full disk.
explain_failure() {
	local status=$1 avail
	say_unreported "$status"
	[ "${SAID_NO_SPACE:-0}" -eq 0 ] || return 0
	avail=$(df -Pk "$WORK" 2>/dev/null | awk 'NR == 2 { print $4 }') || return 0
	if [ "${avail:-0}" -lt 1024 ] ||
	   { [ -s "${LOG:-}" ] && grep -q 'No space left on device' "$LOG"; }; then
		printf 'kpatch-build: error: %s\n' "the work directory's filesystem is full: $(df -Ph "$WORK" | awk 'NR == 2 { print $6 " has " $4 " free of " $2 }'); a run needs a few MB there plus the objects it builds: make room, or set TMPDIR to another filesystem" >&2
	fi
}

# The log of a failed run outlives its work directory.
keep_log() {
	local dir
	dir=$(cache_top)/logs
	mkdir -p "$dir" 2>/dev/null && cp "$LOG" "$dir/$MODNAME.log" 2>/dev/null &&
		info "build log: $dir/$MODNAME.log" || info "build log: $LOG"
}

on_exit() {
	local status=$?
	trap '' INT TERM HUP
	exec 2>&29
	if [ -z "${WORK:-}" ]; then
		[ "$status" -eq 0 ] || say_unreported "$status"
		exit "$status"
	fi
	if [ "$status" -ne 0 ]; then
		# never a module after an error, an older one neither
		rm -f "${OUT_VIEW:-$OUTDIR}/.$MODNAME.ko.tmp" "${OUT_VIEW:-$OUTDIR}/$MODNAME.ko"
		explain_failure "$status"
		if [ -s "${LOG:-}" ]; then
			info "last lines of the build log:"
			tail -n 15 "$LOG" >&2
			keep_log
		fi
	fi
	if [ "${SKIP_CLEANUP:-0}" -eq 1 ]; then
		touch "$WORK/keep" 2>/dev/null || true
		info "work directory kept: $WORK"
	else
		rm -rf "$WORK"
	fi
	exit "$status"
}
