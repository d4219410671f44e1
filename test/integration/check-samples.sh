#!/usr/bin/env bash
# Check the sample patches themselves, without kpatch-build: each applies to
# the test kernel tree, and each .c file it patches still compiles.
#
# Usage: check-samples.sh [NAME...]      (default: every samples/*.patch)
#
# A sample's patches are NAME.patch and the further ones NAME.more-patches
# lists (one file name of samples/ per line), applied in that order.
#
# The tree is never written: the patch is applied to copies of the files it
# touches, and each patched .c file is compiled as a single object of an
# external build (make -C TREE M=COPYDIR file.o, built-in flags), with the original file's
# directory on the include path.  The tree's file list (sizes, mtimes) is
# compared before and after.  Last line: "N passed, N failed".
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
samples=$here/samples
work=
tree=
npass=0
nfail=0

log() { printf '%s\n' "$*"; }
indent() { sed 's/^/    /'; }
cleanup() { [ -z "$work" ] || rm -rf "$work"; }

tree_list() {
	(cd "$tree" && find . ! -type d -printf '%y %p %s %T@ %l\n' | LC_ALL=C sort)
}

patch_files() {
	sed -n -e 's/^+++ [^/]*\/\([^[:space:]]*\).*/\1/p' "$1" | sort -u
}

# The patch files of sample NAME, in the order they apply.
sample_patches() {
	local f
	printf '%s\n' "$samples/$1.patch"
	[ -f "$samples/$1.more-patches" ] || return 0
	while read -r f; do
		case $f in '' | '#'*) continue ;; esac
		printf '%s\n' "$samples/$f"
	done <"$samples/$1.more-patches"
}

# Apply the sample's patches $1... in order to copies of their files under
# the last argument.
apply_to_copy() {
	local dir=${!#} patch f
	for patch in "${@:1:$#-1}"; do
		while IFS= read -r f; do
			[ -e "$dir/$f" ] || mkdir -p "$dir/$(dirname "$f")"
			[ -e "$dir/$f" ] || [ ! -f "$tree/$f" ] || cp "$tree/$f" "$dir/$f"
		done < <(patch_files "$patch")
		patch -p1 -s -f -d "$dir" <"$patch" || return 1
	done
}

# Compile one patched .c file $2 (tree-relative) found under $1.
compile_copy() {
	local dir=$1 f=$2 sub obj
	sub=$dir/$(dirname "$f")
	obj=$(basename "$f" .c).o
	# built-in flags (obj-y, no -DMODULE), as the file is in the kernel;
	# $(srctree) is for make.  kpatch-macros.h is on the include path, as
	# kpatch-build puts it.
	# shellcheck disable=SC2016
	printf 'obj-y := %s\nccflags-y := -I$(srctree)/%s -I%s\n' \
		"$obj" "$(dirname "$f")" "$here/../../templates" >"$sub/Kbuild"
	make -C "$tree" M="$sub" "$obj" >"$sub/build.log" 2>&1 || {
		tail -n 20 "$sub/build.log" | indent
		return 1
	}
}

check_sample() {
	local name=$1 patch=$samples/$1.patch dir=$work/$1 f p ok=1 patches=()
	log "=== sample $name"
	if [ ! -f "$patch" ]; then
		log "  no such sample"
		return 1
	fi
	mapfile -t patches < <(sample_patches "$name")
	if ! patch -p1 --dry-run -s -f -d "$tree" <"$patch" >"$work/dry.log" 2>&1; then
		log "  does not apply to $tree:"
		indent <"$work/dry.log"
		return 1
	fi
	log "  applies to the tree (dry run)"
	mkdir -p "$dir"
	if ! apply_to_copy "${patches[@]}" "$dir" >"$work/apply.log" 2>&1; then
		log "  does not apply to a copy of its files:"
		indent <"$work/apply.log"
		return 1
	fi
	while IFS= read -r f; do
		case $f in
		*.c)
			if compile_copy "$dir" "$f"; then
				log "  $f compiles"
			else
				log "  $f does not compile"
				ok=0
			fi
			;;
		*) log "  $f: not a .c file, not compiled" ;;
		esac
	done < <(for p in "${patches[@]}"; do patch_files "$p"; done | sort -u)
	[ "$ok" = 1 ]
}

main() {
	local names=("$@") p name
	tree=${KPB_TREE:-$(bash "$here/kernel.sh")}
	work=$(mktemp -d "${TMPDIR:-/tmp}/kpb-check-samples.XXXXXX")
	trap cleanup EXIT
	trap 'exit 130' INT TERM
	if [ ${#names[@]} -eq 0 ]; then
		for p in "$samples"/*.patch; do
			p=${p##*/}
			names+=("${p%.patch}")
		done
	fi
	tree_list >"$work/tree.before"
	for name in "${names[@]}"; do
		if check_sample "$name"; then
			npass=$((npass + 1))
			log "PASS: $name"
		else
			nfail=$((nfail + 1))
			log "FAIL: $name"
		fi
	done
	tree_list >"$work/tree.after"
	if ! cmp -s "$work/tree.before" "$work/tree.after"; then
		log "FAIL: the kernel tree changed:"
		diff "$work/tree.before" "$work/tree.after" | head -n 20 | indent || true
		nfail=$((nfail + 1))
	fi
	log "$npass passed, $nfail failed"
	[ "$nfail" -eq 0 ]
}

main "$@"
