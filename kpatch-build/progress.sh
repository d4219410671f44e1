# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=bash
# kpatch-build: progress of long builds.  with_progress WHAT TOTAL CMD...
# runs CMD with its output appended to $LOG; when TOTAL (objects) is more
# than a few, it shows objects done / total, the elapsed time and an
# estimate of what is left: one line rewritten in place on a terminal,
# a plain line every 30 s otherwise (a CI log).  Objects done are counted
# from kbuild's "  CC" lines in the log.  The status is CMD's.

PROGRESS_MIN=4		# fewer objects than this: no progress shown

progress_line() {
	local what=$1 ndone=$2 total=$3 secs=$4 left='?'
	[ "$ndone" -le "$total" ] || ndone=$total
	[ "$ndone" -eq 0 ] || left=$(( secs * (total - ndone) / ndone ))s
	printf '%s: %d/%d objects, %ds, about %s left' "$what" "$ndone" "$total" \
		"$secs" "$left"
}

with_progress() {
	local what=$1 total=$2 from pid t0 now ndone last=0 rc=0 tty=0
	shift 2
	from=$(($(wc -l <"$LOG") + 1))
	"$@" >>"$LOG" 2>&1 &
	pid=$!
	if [ "$total" -lt "$PROGRESS_MIN" ]; then
		wait "$pid" || rc=$?
		return "$rc"
	fi
	[ ! -t 2 ] || tty=1
	t0=$(date +%s)
	while kill -0 "$pid" 2>/dev/null; do
		sleep 1
		now=$(date +%s)
		ndone=$(tail -n +"$from" "$LOG" | grep -cE '^  CC( \[M\])? ') || true
		if [ "$tty" -eq 1 ]; then
			printf '\r\033[Kkpatch-build: %s' \
				"$(progress_line "$what" "$ndone" "$total" $((now - t0)))" >&2
		elif [ $((now - last)) -ge 30 ]; then
			info "$(progress_line "$what" "$ndone" "$total" $((now - t0)))"
			last=$now
		fi
	done
	[ "$tty" -eq 0 ] || printf '\r\033[K' >&2
	wait "$pid" || rc=$?
	return "$rc"
}
