#!/usr/bin/env bash
# System.map against the -dbg vmlinux, on Debian's real kernel: for source
# files of vmlinux that have static functions or data whose name is not
# unique in the kernel, build the object from the prepared source (as
# kpatch-build does: -ffunction-sections -fdata-sections), refer to every
# such name from a small object, and resolve it with lookup twice: against
# the vmlinux (STT_FILE groups) and against System.map (neighbours).
# System.map may say it cannot decide; it must never give another position.
#
# Usage: sysmap-check.sh [--files N] [RELEASE]
#   RELEASE: a release kpatch-build's distro mode has prepared in the cache
#   (default: the only one there); N source files (default 40).
# Prints one line per file, then "N passed, N failed" (a file passes when
# no name resolves differently).
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/../.." && pwd)
lookup=$repo/lookup/lookup
cache=${KPB_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/kpatch-build}/distro
nfiles=40
work=
npass=0
nfail=0
agree=0
undecided=0

log() { printf '%s\n' "$*"; }
die() { log "sysmap-check: error: $*" >&2; exit 2; }

cleanup() { [ -z "$work" ] || rm -rf "$work"; }

find_release() {
	local rels=()
	if [ -n "${1:-}" ]; then
		release=$1
	else
		mapfile -t rels < <(find "$cache" -mindepth 1 -maxdepth 1 -type d -printf '%f\n' 2>/dev/null)
		[ ${#rels[@]} -eq 1 ] ||
			die "give the release: the cache $cache has ${#rels[@]} (${rels[*]:-none}); prepare one with kpatch-build --kernel-release"
		release=${rels[0]}
	fi
	root=$cache/$release/root
	vmlinux=$root/usr/lib/debug/boot/vmlinux-$release
	sysmap=$root/usr/lib/debug/boot/System.map-$release
	symvers=$root/usr/src/linux-headers-$release/Module.symvers
	src=$cache/$release/src
	for f in "$vmlinux" "$sysmap" "$symvers" "$src/.kpb-prepared"; do
		[ -e "$f" ] || die "$f missing: run kpatch-build --kernel-release $release once (without --no-dbg-vmlinux)"
	done
}

# "FILE NAME" for every local function or object of vmlinux whose name
# occurs more than once; the basenames of the files, most such names first.
duplicated_statics() {
	readelf -sW "$vmlinux" | awk '
		$4 == "FILE" { file = $8; next }
		($4 == "FUNC" || $4 == "OBJECT") && $7 != "UND" && $8 != "" {
			n[$8]++
			if ($5 == "LOCAL") print file, $8
		}' >"$work/locals"
	readelf -sW "$vmlinux" | awk '($4 == "FUNC" || $4 == "OBJECT") && $7 != "UND" { print $8 }' |
		sort | uniq -d >"$work/dupnames"
	awk 'NR == FNR { dup[$1] = 1; next } ($2 in dup) { print $1 }' \
		"$work/dupnames" "$work/locals" | sort | uniq -c | sort -rn |
		awk '$2 ~ /\.c$/ { print $2 }'
}

# The one path of the tree with that basename that is a .c file, or nothing.
path_of() {
	local paths=()
	mapfile -t paths < <(cd "$work/tree" && find . -name "$1" -path '*.c' \
		-not -path './tools/*' -not -path './scripts/*' -not -path './Documentation/*' |
		sed 's|^\./||')
	[ ${#paths[@]} -ne 1 ] || printf '%s\n' "${paths[0]}"
}

# A copy of the prepared tree: building objects must not touch the cache.
copy_tree() {
	log "copying the prepared source $src"
	cp -a "$src" "$work/tree"
}

# An object that refers to each name of the file (UNDEF symbols).
make_refs() {
	local names=$1 out=$2 n
	{
		echo '.data'
		while read -r n; do
			printf '.quad "%s"\n' "$n"
		done <"$names"
	} >"$out.s"
	as -o "$out" "$out.s"
}

# name -> result ("pos N" or "error") from lookup's --verbose output.
results() {
	sed -n -e 's/^lookup: [^ ]*: \([^ ]*\) -> \.klp\.sym\.vmlinux\.[^,]*,\([0-9]*\)$/\1 pos \2/p' \
		-e 's/^lookup: [^ ]*: \([^ ]*\) kept: .*/\1 kept/p' \
		-e 's/^error: [^ ]*: symbol \([^ ]*\) (.*/\1 error/p' "$1" | sort -u
}

check_file() {
	local base=$1 path obj names d
	path=$(path_of "$base")
	[ -n "$path" ] || return 2
	obj=${path%.c}.o
	make -C "$work/tree" -j"$(nproc)" KCFLAGS='-ffunction-sections -fdata-sections' \
		"$obj" >"$work/make.log" 2>&1 || return 2
	[ -f "$work/tree/$obj" ] || return 2
	# a module's object is not in vmlinux
	grep -q -- '-DMODULE' "$work/tree/$(dirname "$obj")/.$(basename "$obj").cmd" && return 2
	d=$work/t/${path//\//_}
	mkdir -p "$d"
	readelf -sW "$work/tree/$obj" | awk '$5 == "LOCAL" && ($4 == "FUNC" || $4 == "OBJECT") && $7 != "UND" { print $8 }' |
		sort -u | grep -xF -f "$work/dupnames" >"$d/names" || true
	[ -s "$d/names" ] || return 2
	make_refs "$d/names" "$d/elf.o"
	cp "$d/elf.o" "$d/map.o"
	"$lookup" --verbose --vmlinux "$vmlinux" --symvers "$symvers" \
		"$work/tree/$obj" "$d/elf.o" >/dev/null 2>"$d/elf.err" || true
	"$lookup" --verbose --vmlinux "$sysmap" --symvers "$symvers" \
		"$work/tree/$obj" "$d/map.o" >/dev/null 2>"$d/map.err" || true
	results "$d/elf.err" >"$d/elf"
	results "$d/map.err" >"$d/map"
	join "$d/elf" "$d/map" >"$d/both" || true
	local n a u w
	n=$(wc -l <"$d/names")
	a=$(awk '$2 == $4 && $3 == $5' "$d/both" | wc -l)
	u=$(awk '$2 == "pos" && $4 == "error"' "$d/both" | wc -l)
	w=$(awk '$2 == "pos" && $4 == "pos" && $3 != $5 || $2 == "error" && $4 == "pos"' "$d/both" | wc -l)
	agree=$((agree + a))
	undecided=$((undecided + u))
	log "$path: $n duplicated statics: $a same, $u undecided by System.map, $w different"
	if [ "$w" -ne 0 ]; then
		awk '$2 == "pos" && $4 == "pos" && $3 != $5 || $2 == "error" && $4 == "pos"' "$d/both" |
			sed 's/^/    vmlinux vs System.map: /'
		return 1
	fi
}

main() {
	local base done=0 rc
	if [ "${1:-}" = --files ]; then
		nfiles=$2
		shift 2
	fi
	[ -x "$lookup" ] || die "$lookup is not built: run make"
	find_release "${1:-}"
	work=$(mktemp -d "${TMPDIR:-/tmp}/kpb-sysmap.XXXXXX")
	trap cleanup EXIT
	copy_tree
	while read -r base; do
		[ "$done" -lt "$nfiles" ] || break
		rc=0
		check_file "$base" || rc=$?
		case $rc in
		0) npass=$((npass + 1)); done=$((done + 1)) ;;
		1) nfail=$((nfail + 1)); done=$((done + 1)) ;;
		esac
	done < <(duplicated_statics)
	log "names: $agree resolved alike, $undecided left undecided by System.map"
	log "$npass passed, $nfail failed"
	[ "$nfail" -eq 0 ]
}

main "$@"
