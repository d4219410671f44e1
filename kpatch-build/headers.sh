# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=bash
# kpatch-build: the objects a header change affects, in a built tree or in
# one that was only prepared (make modules_prepare), without building it.
#
# For every header the patches change, an object is affected when
#   - this configuration builds it: kbuild links it into vmlinux or into a
#     module (kbuild-objects.mk asks kbuild; see "configured" below), and
#   - its kbuild dependency record (.file.o.cmd, written when the object was
#     built) names the header; or, for an object without a record, its .c
#     reaches the header through #include lines (include-scan.awk).
#
# "Configured" is kbuild's own answer, not a guess: kbuild-objects.mk is read
# by make after the tree's top Makefile and walks the directories as kbuild
# does (scripts/Makefile.build reading each Kbuild/Makefile and
# scripts/Makefile.lib with include/config/auto.conf), listing the objects
# of real-obj-y where built-in.a is linked, of lib-y in the library
# directories, and of real-obj-m where modules.order is made.  Nothing is
# built and nothing is written into the tree (make is told, with -o, not to
# regenerate the config).  The listing is kept in the cache
# (KBUILD_LISTING_CACHE), keyed by the tree's path, its auto.conf, its
# Makefiles (name, size, time) and kbuild-objects.mk itself.
#
# Files, in WORK/scan/: kbuild-objects (the listing), files (the tree's
# files), directives (#include lines), records (objects that have a
# dependency record), record-lines (their lines that name a header's file
# name), affected ("HEADER OBJ HOW", HOW "record" or "scan").

# The cache directory of kbuild listings.
kbuild_listing_cache() {
	printf '%s/kbuild-objects\n' "$(cache_top)"
}

# What the listing depends on, as one hash.
kbuild_listing_key() {
	{
		printf '%s\n' "$SRC"
		cat "$LIBEXEC/kbuild-objects.mk" "$SRC/include/config/auto.conf"
		(cd "$SRC" && find . -path ./.git -prune -o -type f \
			\( -name Makefile -o -name 'Makefile.*' -o -name Kbuild \
			-o -name 'Kbuild.*' -o -name .kernelvariables \) \
			-printf '%P %s %T@\n' | LC_ALL=C sort)
	} | sha1sum | cut -c1-16
}

# kbuild's listing of the configured objects into $WORK/scan/kbuild-objects,
# from the cache or made once (kbuild-objects.mk).
list_kbuild_objects() {
	local out=$WORK/scan/kbuild-objects key cache t0
	[ -f "$SRC/include/config/auto.conf" ] ||
		die "$SRC has no include/config/auto.conf: configure and prepare it (make olddefconfig modules_prepare)"
	key=$(kbuild_listing_key)
	cache=$(kbuild_listing_cache)/$key
	if [ -s "$cache" ]; then
		cp "$cache" "$out"
		info "configured objects: $(grep -c '^ *[ym] ' "$out") (kbuild's listing, cached)"
		return
	fi
	t0=$(date +%s.%N)
	rm -rf "$WORK/scan/kbuild"
	mkdir -p "$WORK/scan/kbuild"
	# --no-print-directory: else the Makefile of Linux 6.12 runs itself
	# again, without kbuild-objects.mk
	if ! PATH=$(make_path) make -C "$SRC" -j"$JOBS" --no-print-directory \
			-f "$SRC/Makefile" -f "$LIBEXEC/kbuild-objects.mk" \
			-o include/config/auto.conf -o include/config/auto.conf.cmd \
			-o include/generated/autoconf.h -o include/generated/rustc_cfg \
			kpb-objects KPB_OUT="$WORK/scan/kbuild" >>"$LOG" 2>&1; then
		tail -n 5 "$LOG" >&2
		die "kbuild could not list the objects of $SRC's configuration (see $LOG)"
	fi
	find "$WORK/scan/kbuild" -type f -exec cat {} + >"$out"
	grep -q '^std ' "$out" || die "kbuild's listing of $SRC has no include options (see $LOG)"
	info "configured objects: $(grep -c '^ *[ym] ' "$out") (listed by kbuild in $(elapsed "$t0")s)"
	if mkdir -p "${cache%/*}" 2>/dev/null && cp "$out" "$cache.$$" 2>/dev/null; then
		mv -f "$cache.$$" "$cache"
	else
		debug "cannot keep the listing in $cache"
	fi
}

# Every file of the tree (objects and hidden files aside), relative to it.
tree_files() {
	(cd "$SRC" && find . -path ./.git -prune -o \( -type f -o -type l \) \
		! -name '.*' ! -name '*.o' -printf '%P\n')
}

# The lines of the tree's .c and .h files that may be #include directives
# (or a #define of a header name), "./PATH:TEXT": one grep over the tree.
# Files of other names that the kernel includes (.inc, .in, .txt) are data.
include_directives() {
	(cd "$SRC" && LC_ALL=C grep -rIHF --include='*.[ch]' \
		-e include -e '.h"' -e '.h>' .) || true
}

# The objects that have a dependency record (DIR/.NAME.o.cmd), as paths.
recorded_objects() {
	(cd "$SRC" && find . -path ./.git -prune -o -type f -name '.*.o.cmd' \
		-printf '%P\n') | sed 's|^\(.*/\)\{0,1\}\.\([^/]*\.o\)\.cmd$|\1\2|'
}

# The record lines that mention a header's file name: "./PATH:TEXT".
record_lines() {
	local h args=()
	for h in "$@"; do args+=(-e "${h##*/}"); done
	(cd "$SRC" && LC_ALL=C grep -rHF --include='.*.o.cmd' "${args[@]}" .) || true
}

# scan_header_objects HEADER...: "HEADER OBJECT HOW" for every configured
# object (WORK/scan/kbuild-objects) each header affects, HOW "record" or
# "scan" (see the top of this file).  The include scan reads the tree only
# when a configured object has no record.
scan_header_objects() {
	local scan=$WORK/scan t0 nscan
	tree_files >"$scan/files"
	recorded_objects >"$scan/records"
	record_lines "$@" >"$scan/record-lines"
	nscan=$(awk '
		FILENAME == ARGV[1] { if ($1 == "y" || $1 == "m") want[$2] = 1; next }
		FILENAME == ARGV[2] { have[$0] = 1; next }
		{ recorded[$0] = 1 }
		END {
			for (o in want) {
				c = o
				sub(/\.o$/, ".c", c)
				if (c in have && !(o in recorded))
					n++
			}
			print n + 0
		}' "$scan/kbuild-objects" "$scan/files" "$scan/records")
	t0=$(date +%s.%N)
	if [ "$nscan" -gt 0 ]; then
		include_directives >"$scan/directives"
	else
		: >"$scan/directives"
	fi
	awk -v src="$SRC" -v headers="$*" -f "$LIBEXEC/include-scan.awk" \
		"$scan/kbuild-objects" "$scan/files" "$scan/directives" \
		"$scan/records" "$scan/record-lines" >"$scan/affected" ||
		die "the include scan failed"
	[ "$nscan" -eq 0 ] ||
		info "include scan for the $nscan configured objects without a dependency record: $(elapsed "$t0")s"
	LC_ALL=C sort -u "$scan/affected"
}

# header_objects HEADER...: the same, kbuild's listing made first.
header_objects() {
	mkdir -p "$WORK/scan"
	list_kbuild_objects
	scan_header_objects "$@"
}
