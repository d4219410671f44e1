#!/usr/bin/env bash
# Install the Debian 12 packages that building, testing and the demo need.
# Does nothing when they are all present; otherwise runs apt-get (as root).
set -euo pipefail

packages=(
	gcc make libelf-dev libdw-dev elfutils binutils flex bison bc libssl-dev kmod
	cpio xz-utils ccache linux-source-6.1 linux-source-6.12
	qemu-system-x86 busybox-static
	patch rsync dwarves procps distcc
	mmdebstrap lintian openssl e2fsprogs zstd
	clang-14 libclang-rt-14-dev
)

missing=()
for p in "${packages[@]}"; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'ok installed' ||
		missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0

echo "install-deps: installing ${missing[*]}" >&2
sudo=
[ "$(id -u)" -eq 0 ] || sudo=sudo
$sudo apt-get update -q >/dev/null
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -q "${missing[@]}" >/dev/null
