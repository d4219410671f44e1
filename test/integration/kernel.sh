#!/usr/bin/env bash
# Build (once) the small Linux 6.1 kernel the integration tests run on.
#
# Usage: kernel.sh            print the tree's path, building it if needed
#
# KPB_KERNEL_EXTRA=FRAGMENT: a second fragment merged after kernel.config
# (another tree, with its own key: the module signing test's).
#
# The tree lives in a cache directory outside the repository, keyed by the
# source tarball and the config fragment, so a changed fragment makes a new
# tree and a clean clone rebuilds it.  A half-built tree is never reused: the
# build writes a stamp file last.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
tarball=${KPB_LINUX_TARBALL:-/usr/src/linux-source-6.1.tar.xz}
fragment=$here/kernel.config
extra=${KPB_KERNEL_EXTRA:-}
cache=${KPB_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/kpatch-build}

log() { printf 'kernel.sh: %s\n' "$*" >&2; }
die() { log "error: $*"; exit 1; }

ccache_path() {
	if [ -d /usr/lib/ccache ]; then
		printf '/usr/lib/ccache:%s' "$PATH"
	else
		printf '%s' "$PATH"
	fi
}

cache_key() {
	{ stat -c '%s %Y' "$tarball"; cat "$fragment" ${extra:+"$extra"}; } |
		sha1sum | cut -c1-12
}

unpack() {
	local dir=$1
	log "unpacking $tarball into $dir"
	rm -rf "$dir.tmp"
	mkdir -p "$dir.tmp"
	tar -xJf "$tarball" -C "$dir.tmp" --strip-components=1
	rm -rf "$dir"
	mv "$dir.tmp" "$dir"
}

configure() {
	local dir=$1 line
	log "configuring: tinyconfig + $fragment"
	make -C "$dir" -s tinyconfig >/dev/null
	"$dir/scripts/kconfig/merge_config.sh" -m -O "$dir" "$dir/.config" \
		"$fragment" ${extra:+"$extra"} >/dev/null
	make -C "$dir" -s olddefconfig >/dev/null
	while read -r line; do
		case $line in CONFIG_*) ;; *) continue ;; esac
		grep -qx -- "$line" "$dir/.config" ||
			die "config fragment line '$line' did not survive olddefconfig"
	done < <(cat "$fragment" ${extra:+"$extra"})
}

build() {
	local dir=$1
	log "building bzImage and modules (log: $dir/build.log)"
	# ccache through PATH, so the tree records CC=gcc like any other tree
	# and kpatch-build's single-object builds see the same CC.
	if ! PATH=$(ccache_path) make -C "$dir" -j"$(nproc)" bzImage modules \
			>"$dir/build.log" 2>&1; then
		tail -20 "$dir/build.log" >&2
		die "kernel build failed, see $dir/build.log"
	fi
}

main() {
	[ -r "$tarball" ] || die "$tarball not found; install linux-source-6.1"
	local dir
	dir=$cache/linux-6.1-$(cache_key)
	mkdir -p "$cache"
	# one build at a time: concurrent test runs wait for it
	exec 8>"$dir.build-lock"
	flock 8
	if [ ! -e "$dir/.kpb-built" ]; then
		mkdir -p "$cache"
		[ -e "$dir/Makefile" ] || unpack "$dir"
		configure "$dir"
		build "$dir"
		touch "$dir/.kpb-built"
	fi
	printf '%s\n' "$dir"
}

main "$@"
