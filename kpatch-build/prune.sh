# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=bash
# kpatch-build: of the objects a header change affects (headers.sh), the
# ones whose code it cannot change are not built.
#
# An includer is skipped when its preprocessed source, before and after the
# patches, is the same once the static inline functions that nothing in it
# uses are left out (used-code: GCC emits neither code nor debug entries for
# them): a changed static inline function that it never calls, directly or
# through the header's other inlines, a changed macro it never expands.  A
# change to anything else that reaches its preprocessed source (a struct,
# a typedef, a prototype, an enum, an #include) keeps it, and so does an
# object whose command cannot be turned into a preprocessing (no kbuild
# record, not a plain "-c -o OBJ SRC" compile) or that fails to preprocess.
# Preprocessing is the object's own kbuild command with -E -P in place of
# -c -o OBJ and no dependency output, run in the view, in parallel (JOBS).
#
# Each result (the hash of the reduced source) is kept in the cache
# (prune_cache), keyed by the command, the identity (path, size, time) of
# the object's source and of every file its dependency record names, the
# contents of the files the patches touch in that version, the compiler's
# version line, the preprocessor's environment (CPATH, ...), used-code and
# kpatch-macros.h.  --no-prune builds every includer.
#
# Files, in WORK/prune/: objects ("ID OBJ"), cmd/ID (the command), keep
# ("ID WHY": not tried), deps ("ID PATH"), key/ID and deps.keys (what the
# key hashes), orig/ID and patched/ID (the hash), report ("HEADER
# INCLUDERS SKIPPED NAMES..."), skipped (the objects) and skipped-by
# ("HEADER OBJ").

PRUNE=1			# 0: --no-prune

# The cache directory of reduced-source hashes.
prune_cache() {
	printf '%s/used-code\n' "$(cache_top)"
}

# The used-code tool (kpatch-build sets USED_CODE).
used_code_tool() {
	printf '%s\n' "$USED_CODE"
}

# The objects that may be skipped: found through a header only (not a
# changed .c, not a -t target), with a kbuild record.
prune_candidates() {
	local f id=0
	declare -A direct=()
	for f in "${TARGETS[@]}" "${TOUCHED[@]}"; do
		case $f in *.c) direct[${f%.c}.o]=1 ;; *.o) direct[$f]=1 ;; esac
	done
	for f in "${OBJECTS[@]}"; do
		if [ -z "${FROM_HEADER[$f]:-}" ] || [ -n "${direct[$f]:-}" ]; then
			continue
		fi
		id=$((id + 1))
		printf '%s %s\n' "$id" "$f"
	done >"$WORK/prune/objects"
}

# From each candidate's kbuild record: its preprocessing command (cmd/ID),
# the files it depends on (deps), or why it is not tried (keep).
prune_commands() {
	mkdir -p "$WORK/prune/cmd"
	LC_ALL=C awk -v src="$SRC" -v dir="$WORK/prune" '
	function record(o,    d) {
		d = o
		if (d ~ /\//) {
			sub(/\/[^\/]*$/, "", d)
			return src "/" d "/." substr(o, length(d) + 2) ".cmd"
		}
		return src "/." o ".cmd"
	}
	function keep(why) { print id, why > (dir "/keep") }
	{
		id = $1; o = $2; c = o; sub(/\.o$/, ".c", c)
		rec = record(o); cmd = ""; deps = 0
		while ((getline l < rec) > 0) {
			if (index(l, "cmd_" o " := ") == 1 || index(l, "savedcmd_" o " := ") == 1)
				cmd = substr(l, index(l, " := ") + 4)
			else if (l == "deps_" o " := \\")
				deps = 1
			else if (deps && l ~ /^  /) {
				sub(/^ */, "", l); sub(/ *\\$/, "", l)
				if (l ~ /^\$\(wildcard [^)]*\)$/)
					l = substr(l, 12, length(l) - 12)
				print id, l > (dir "/deps")
			} else
				deps = 0
		}
		close(rec)
		if (cmd == "") { keep("no kbuild command in its record"); next }
		# make escapes ($$, \#) and command substitution: not read here
		if (cmd ~ /[$`]/ || index(cmd, "\\#")) {
			keep("its kbuild command has make escapes or substitutions")
			next
		}
		tail = " -c -o " o " " c
		at = index(cmd " ", tail " ")
		rest = at ? substr(cmd, at + length(tail)) : ""
		if (!at || index(substr(cmd, at + 7), " -c -o ") || rest !~ /^ *(;.*)?$/) {
			keep("its kbuild command is not a plain compile (-c -o OBJ SRC)")
			next
		}
		pre = substr(cmd, 1, at)
		gsub(/ -Wp,-MM?D,[^ ]*/, "", pre)
		print id, c > (dir "/deps")
		# -I TEMPLATES as the compiler wrapper adds it, from the
		# environment (prune_one)
		print pre "-E -P " c " -I\"$KPB_TEMPLATES\"" > (dir "/cmd/" id)
		close(dir "/cmd/" id)
	}' "$WORK/prune/objects"
	touch "$WORK/prune/keep" "$WORK/prune/deps"
}

# What each candidate's preprocessing depends on but the patches: its
# command and the identity of its source and of every file its record
# names (those the patches touch aside), hashed: "ID HASH" lines in
# WORK/prune/deps.keys.
prune_deps_keys() {
	local d=$WORK/prune
	rm -rf "$d/key"
	mkdir -p "$d/key"
	{
		awk '{ print $2 }' "$d/deps"
		printf '%s\n' include/config/auto.conf include/generated/autoconf.h
	} | LC_ALL=C sort -u >"$d/paths"
	(cd "$SRC" && xargs -d '\n' stat -L -c '%s %Y %n' -- <"$d/paths" \
		2>/dev/null) >"$d/stat" || true
	# records name files as the compiler opened them ("dir/../x.h")
	(cd "$SRC" && xargs -d '\n' realpath -m -s --relative-to=. -- \
		<"$d/paths") | paste -d '\n' "$d/paths" - >"$d/clean"
	printf '%s\n' "${TOUCHED[@]}" | LC_ALL=C awk -v dir="$d/key" \
		-v stat="$d/stat" -v cleaned="$d/clean" -v cmds="$d/cmd/" '
	FILENAME == "-" { touched[$0] = 1; next }
	FILENAME == cleaned {
		if (FNR % 2) raw = $0
		else if ($0 in touched) touched_raw[raw] = 1
		next
	}
	FILENAME == stat {
		s = $1 " " $2; sub(/^[^ ]* [^ ]* /, ""); id_of[$0] = s; next
	}
	index(FILENAME, cmds) == 1 {
		id = substr(FILENAME, length(cmds) + 1)
		print > (dir "/" id); close(dir "/" id)
		has_cmd[id] = 1
		next
	}
	$1 in has_cmd {
		if ($1 != last) { if (last != "") close(f); f = dir "/" $1; last = $1 }
		p = substr($0, length($1) + 2)
		if (p in touched_raw)
			print "touched", p >> f
		else
			print (p in id_of ? id_of[p] : "missing"), p >> f
	}' - "$d/clean" "$d/stat" "$d"/cmd/* "$d/deps"
	(cd "$d/key" && find . -type f -printf '%P\0' | xargs -0 -r sha1sum) |
		awk '{ print $2, $1 }' >"$d/deps.keys"
}

# prune_keys VERSION: the cache key of each candidate's preprocessing in
# that version (the patched files in place or not), "ID KEY" lines in
# WORK/prune/VERSION.keys: its deps.keys hash and one of what every
# preprocessing depends on, the contents of the touched files among them.
prune_keys() {
	local v=$1 d=$WORK/prune global f
	global=$({
		printf 'used-code 1\n'
		sha1sum <"$(used_code_tool)"
		PATH=$(make_path) $TREE_CC --version 2>&1 | head -n 1
		sha1sum <"$TEMPLATES/kpatch-macros.h"
		# what else the preprocessor reads from the environment
		printf 'env %s\n' "${CPATH:-}" "${C_INCLUDE_PATH:-}" \
			"${GCC_EXEC_PREFIX:-}" "${COMPILER_PATH:-}"
		for f in "${TOUCHED[@]}"; do
			if [ -e "$SRC/$f" ]; then
				printf 'touched %s %s\n' "$f" "$(sha1sum <"$SRC/$f")"
			else
				printf 'touched %s none\n' "$f"
			fi
		done
	} | sha1sum)
	awk -v g="${global%% *}" '{ print $1, $2 "-" g }' "$d/deps.keys" >"$d/$v.keys"
}

# One preprocessing: kbuild's command with -E, reduced, hashed into
# WORK/prune/VERSION/ID (nothing there when it fails).  Run by xargs.
prune_one() {
	local id=$1 d=$KPB_PRUNE_DIR/$KPB_PRUNE_VERSION sum
	[ -s "$KPB_PRUNE_DIR/cmd/$id" ] || return 0
	sum=$( (cd "$KPB_SRC" && sh -c "$(cat "$KPB_PRUNE_DIR/cmd/$id")") \
		2>"$d/$id.err" | "$KPB_USED_CODE" 2>>"$d/$id.err" | sha1sum
		s=("${PIPESTATUS[@]}")
		[ "${s[0]}${s[1]}" = 00 ]) || return 0
	[ "$sum" != "${sum#* }" ] && printf '%s\n' "${sum%% *}" >"$d/$id"
}

# prune_preprocess VERSION: the hash of every candidate's reduced source,
# from the cache or preprocessed (in parallel), into WORK/prune/VERSION/.
prune_preprocess() {
	local v=$1 d=$WORK/prune cache id key h todo=()
	cache=$(prune_cache)
	mkdir -p "$d/$v"
	prune_keys "$v"
	while read -r id key; do
		if [ -s "$cache/$key" ] && read -r h <"$cache/$key"; then
			printf '%s\n' "$h" >"$d/$v/$id"
		else
			todo+=("$id")
		fi
	done <"$d/$v.keys"
	[ ${#todo[@]} -gt 0 ] || return 0
	export -f prune_one
	# shellcheck disable=SC2016 # $1: the inner shell's
	printf '%s\n' "${todo[@]}" | KPB_PRUNE_DIR=$d KPB_PRUNE_VERSION=$v \
		KPB_SRC=$SRC KPB_USED_CODE=$(used_code_tool) \
		KPB_TEMPLATES=$TEMPLATES xargs -r -P "$JOBS" -n 1 \
		bash -c 'prune_one "$1"' prune_one
	mkdir -p "$cache" 2>/dev/null || { debug "cannot keep results in $cache"; return 0; }
	while read -r id key; do
		if [ ! -s "$d/$v/$id" ] || [ -s "$cache/$key" ]; then
			continue
		fi
		if ! cp "$d/$v/$id" "$cache/$key.$$" 2>/dev/null; then
			debug "cannot keep results in $cache"
			break
		fi
		mv -f "$cache/$key.$$" "$cache/$key"
	done <"$d/$v.keys"
}

# The static inline functions that differ between the reduced lists of
# object ID's two versions (prune_list), and the macros the header diffs
# (re)define: the names the report gives.
prune_changed_names() {
	local d=$WORK/prune f
	{
		[ ! -s "$d/orig.list" ] || [ ! -s "$d/patched.list" ] ||
			awk 'NR == FNR { h[$1] = h[$1] " " $3; next }
			{ p[$1] = p[$1] " " $3 }
			END {
				for (n in h) if (h[n] != p[n]) print n
				for (n in p) if (!(n in h)) print n
			}' "$d/orig.list" "$d/patched.list"
		for f in "$@"; do
			{ diff "$WORK/backup/$f" "$WORK/patched-src/$f" || :; } 2>/dev/null |
				sed -n 's/^[<>][ \t]*#[ \t]*\(define\|undef\)[ \t]\{1,\}\([A-Za-z_][A-Za-z0-9_]*\).*/\2/p'
		done
	} | LC_ALL=C sort -u | head -n 20 | paste -sd ' '
}

# The inline list of the first candidate of this version, for the names.
prune_list() {
	local v=$1 id
	id=$(awk 'NR == 1 { print $1 }' "$WORK/prune/objects")
	[ -n "$id" ] && [ -s "$WORK/prune/cmd/$id" ] || return 0
	(cd "$SRC" && KPB_TEMPLATES=$TEMPLATES sh -c "$(cat "$WORK/prune/cmd/$id")") 2>/dev/null |
		"$(used_code_tool)" --list "$WORK/prune/$v.list" >/dev/null 2>&1 || true
}

# The step: preprocess the candidates before and after the patches, drop
# the objects whose reduced sources are the same, report per header.
prune_includers() {
	local d=$WORK/prune id o h n m w kinds names t0 kept=() headers=()
	[ ${#FROM_HEADER[@]} -gt 0 ] || return 0
	if [ "$PRUNE" -eq 0 ]; then
		info "--no-prune: every includer of a changed header is built"
		return 0
	fi
	[ -x "$(used_code_tool)" ] || die "tool $(used_code_tool) missing: run 'make' first"
	t0=$(date +%s.%N)
	rm -rf "$d"
	mkdir -p "$d"
	prune_candidates
	prune_commands
	if [ -n "$(find "$d/cmd" -type f -print -quit)" ]; then
		prune_deps_keys
		prune_list orig
		prune_preprocess orig
		(cd "$WORK/patched-src" && find . -type f -exec cp --parents {} "$SRC" \;)
		prune_list patched
		prune_preprocess patched
		put_back_sources
	fi
	declare -A skip=() why=()
	while read -r id o; do
		if [ ! -s "$d/cmd/$id" ]; then
			why[$o]="not tried"
		elif [ ! -s "$d/orig/$id" ] || [ ! -s "$d/patched/$id" ]; then
			why[$o]="not preprocessed"
		elif cmp -s "$d/orig/$id" "$d/patched/$id"; then
			skip[$o]=1
		else
			why[$o]="refer to it"
		fi
	done <"$d/objects"
	for o in "${OBJECTS[@]}"; do
		if [ -n "${skip[$o]:-}" ]; then
			printf '%s\n' "$o" >>"$d/skipped"
			for h in ${FROM_HEADER[$o]}; do
				printf '%s %s\n' "$h" "$o" >>"$d/skipped-by"
			done
		else
			kept+=("$o")
		fi
	done
	OBJECTS=("${kept[@]}")
	mapfile -t headers < <(printf '%s\n' "${FROM_HEADER[@]}" | tr ' ' '\n' |
		sed '/^$/d' | LC_ALL=C sort -u)
	names=$(prune_changed_names "${headers[@]}")
	for h in "${headers[@]}"; do
		n=0 m=0
		declare -A count=()
		for o in "${!FROM_HEADER[@]}"; do
			[[ " ${FROM_HEADER[$o]} " == *" $h "* ]] || continue
			m=$((m + 1))
			if [ -n "${skip[$o]:-}" ]; then
				n=$((n + 1))
			else
				w=${why[$o]:-changed .c or -t target}
				count[$w]=$((${count[$w]:-0} + 1))
			fi
		done
		kinds=
		for w in "${!count[@]}"; do
			kinds="$kinds${kinds:+, }${count[$w]} $w"
		done
		printf '%s %s %s %s\n' "$h" "$m" "$n" "$names" >>"$d/report"
		info "$n of $m includers of $h skipped: they do not refer to ${names:-what changed} (the same preprocessed code before and after the patch, once the static inline functions nothing uses are left out); $((m - n)) built${kinds:+ ($kinds)}"
		unset count
	done
	[ ! -s "$d/keep" ] || info "includers not tried: $(awk '{ $1 = ""; print }' "$d/keep" | LC_ALL=C sort | uniq -c | sed 's/^ *//' | paste -sd ';')"
	debug "skipped includers: $(tr '\n' ' ' <"$d/skipped" 2>/dev/null)"
	debug "header pruning took $(elapsed "$t0")s"
	[ ${#OBJECTS[@]} -gt 0 ] || {
		write_json unchanged
		die "the patches change no code of any object: every includer of ${headers[*]} preprocesses the same before and after them (a change to unused inline functions or macros); nothing to live-patch"
	}
	info "objects to build: ${OBJECTS[*]}"
}
