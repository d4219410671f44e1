# shellcheck shell=bash
# A distccd of our own on 127.0.0.1, for test/integration/distcc.sh and
# bench/bench-distcc.sh: start_distccd LOG SLOTS starts one in the
# foreground of its own process group (it makes one) with its log in LOG,
# on the first free port of a few tried, and sets DISTCCD_PID and
# DISTCCD_PORT; stop_distccd stops it and its children.  Only 127.0.0.1 may
# connect; it runs as nobody, with its temporary files in /tmp.
DISTCCD_PID=
DISTCCD_PORT=

start_distccd() {
	local log=$1 slots=$2 try
	for try in 1 2 3 4 5; do
		DISTCCD_PORT=$((20000 + RANDOM % 30000))
		env -u TMPDIR distccd --daemon --no-detach --log-stderr --verbose \
			--allow 127.0.0.1 --listen 127.0.0.1 --port "$DISTCCD_PORT" \
			--user nobody --jobs "$slots" 2>"$log" &
		DISTCCD_PID=$!
		for _ in $(seq 50); do
			grep -q "listening on 127.0.0.1:$DISTCCD_PORT" "$log" &&
				return 0
			kill -0 "$DISTCCD_PID" 2>/dev/null || break
			sleep 0.1
		done
		stop_distccd
		printf 'distccd: no start on port %s (try %s):\n' "$DISTCCD_PORT" "$try"
		sed 's/^/    /' "$log"
	done
	return 1
}

stop_distccd() {
	[ -n "$DISTCCD_PID" ] || return 0
	kill -TERM -- "-$DISTCCD_PID" 2>/dev/null ||
		kill -TERM "$DISTCCD_PID" 2>/dev/null || true
	wait "$DISTCCD_PID" 2>/dev/null || true
	DISTCCD_PID=
}

# distccd_jobs LOG FROM: the compiles distccd finished since LOG had FROM
# lines, one a line: "MILLISECONDS SOURCE".
distccd_jobs() {
	tail -n +"$(($2 + 1))" "$1" |
		sed -n 's/.* COMPILE_OK .* time:\([0-9]*\)ms [^ ]* \(.*\)$/\1 \2/p'
}
