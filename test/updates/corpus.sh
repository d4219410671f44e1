# shellcheck shell=bash
# The corpus of real fixes (test/updates/run.sh, bench/bench-distcc.sh): the
# sources of two Debian versions, the kernel .c files that differ, the patch
# of one file.  Needs kpatch-build's common.sh and distro.sh sourced, log and
# die, $cache (kpatch-build's cache) and $work (a scratch directory).
# shellcheck disable=SC2154 # cache, work: the caller's

# source_dir VERSION: the unpacked linux-source of VERSION, once, cached;
# the tarball is kpatch-build's own (distro_fetch_source: fetched into its
# cache, shared with its distro builds).
source_dir() {
	local v=$1 mm dir
	mm=$(sed -n 's/^\([0-9]*\.[0-9]*\)\..*/\1/p' <<<"$v")
	dir=$cache/updates/src-$v
	if [ -f "$dir/.kpb-unpacked" ]; then
		printf '%s\n' "$dir"
		return
	fi
	(DISTRO_VERSION=$v distro_fetch_source "$mm" >&2 &&
		printf '%s\n' "$DISTRO_SOURCE" >"$work/tarball") ||
		die "cannot fetch linux-source-$mm $v"
	log "unpacking linux-source-$mm $v into $dir"
	rm -rf "$dir"
	mkdir -p "$dir"
	tar -xJf "$(cat "$work/tarball")" -C "$dir" --strip-components=1
	touch "$dir/.kpb-unpacked"
	printf '%s\n' "$dir"
}

# The kernel .c files that differ, relative paths (one diff -rq: a cmp per
# file takes minutes on a loaded machine).  diff's "Files OLD/R and NEW/R
# differ" has R twice: its length comes from the line's.
changed_files() {
	LC_ALL=C diff -rq "$1" "$2" 2>/dev/null |
	awk -v a="$1/" -v b="$2/" '
		/^Files .* differ$/ {
			n = (length($0) - length("Files  and  differ") - length(a) - length(b)) / 2
			r = substr($0, length("Files ") + length(a) + 1, n)
			if (r ~ /\.c$/) print r
		}' | LC_ALL=C sort |
	while IFS= read -r f; do
		case $f in
		tools/* | Documentation/* | scripts/* | samples/* | usr/*) continue ;;
		arch/x86/*) ;;
		arch/*) continue ;;
		esac
		printf '%s\n' "$f"
	done
}

# The patch of one file, old -> new, as a/ b/ paths.
cut_patch() {
	local f=$1 old=$2 new=$3
	{
		printf 'diff -u a/%s b/%s\n' "$f" "$f"
		diff -u "$old/$f" "$new/$f" |
			sed -e "1s|^--- .*|--- a/$f|" -e "2s|^+++ .*|+++ b/$f|"
	} || true
}
