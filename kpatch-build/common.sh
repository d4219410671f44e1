# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=bash
# kpatch-build: messages, timing, the work directory and cleanup.

# shellcheck disable=SC2034 # used by module.sh
START_TIME=$(date +%s.%N)

info() { printf 'kpatch-build: %s\n' "$*" >&2; }
debug() { [ "${DEBUG:-0}" -eq 0 ] || printf 'kpatch-build: debug: %s\n' "$*" >&2; }
die() {
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

setup_workdir() {
	WORK=$(mktemp -d "${TMPDIR:-/tmp}/kpatch-build.XXXXXX")
	mkdir -p "$WORK/orig" "$WORK/patched" "$WORK/diff" "$WORK/module" \
		"$WORK/backup" "$WORK/patched-src"
	LOG=$WORK/build.log
	: > "$LOG"
	trap on_exit EXIT
	trap 'on_signal INT' INT
	trap 'on_signal TERM' TERM
	trap 'on_signal HUP' HUP
}

# One kpatch-build at a time per tree: a lock on the tree's directory itself
# (nothing is created in the tree).  Waits for another run to finish.
lock_tree() {
	exec 9<"$SRC"
	if ! flock -n 9; then
		info "another kpatch-build is using $SRC; waiting for it"
		flock 9
	fi
}

on_signal() {
	info "interrupted ($1): restoring $SRC"
	exit 130
}

on_exit() {
	local status=$?
	trap '' INT TERM HUP
	restore_tree_if_needed || status=1
	if [ "$status" -ne 0 ]; then
		rm -f "$OUTDIR/$MODNAME.ko.tmp"
		[ -s "$LOG" ] && info "build log: $LOG (last lines below)" &&
			tail -n 15 "$LOG" >&2
	fi
	if [ "${SKIP_CLEANUP:-0}" -eq 1 ] || { [ "$status" -ne 0 ] && [ -s "$LOG" ]; }; then
		info "work directory kept: $WORK"
	else
		rm -rf "$WORK"
	fi
	exit "$status"
}
