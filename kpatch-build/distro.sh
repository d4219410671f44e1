# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=bash
# kpatch-build: distro mode.  A livepatch for a kernel Debian ships, without
# building that kernel: kpatch-build --kernel-release RELEASE|auto PATCH.
#
# From Debian's packages of the release (fetched with apt-get download and
# unpacked with dpkg-deb -x into the cache, never installed; or found already
# unpacked under --distro-root DIR, "/" when they are installed):
#
#   linux-image-RELEASE          boot/vmlinuz-RELEASE, boot/config-RELEASE,
#                                lib/modules/RELEASE (the target's modules)
#   linux-image-RELEASE-dbg      usr/lib/debug/boot/vmlinux-RELEASE and
#                                System.map-RELEASE (the symbol positions)
#   linux-headers-RELEASE, its   usr/src/linux-headers-RELEASE: the build
#   -common and linux-kbuild-M.m config, Module.symvers, the external module
#                                build the livepatch module is linked with
#
# and the matching source, /usr/src/linux-source-M.m.tar.xz (Debian's
# patches applied), unpacked and prepared once with the release's config
# (make modules_prepare) into the cache:
#
#   ${KPB_CACHE:-~/.cache/kpatch-build}/distro/RELEASE/
#       debs/   the downloaded packages, removed once unpacked; the -dbg
#               one is kept (debug modules are unpacked from it on demand)
#       dbg/VERSION/  debug modules unpacked from the -dbg package
#       root/   the unpacked packages (--distro-root replaces it)
#       src/    the prepared source tree kpatch-build compiles objects in
#
# The image must be the build of the source: their Debian versions must be
# the same, and the gcc here must be the one that built the image.  The
# module is linked against the headers package, so its vermagic and symbol
# CRCs are the image's.

DISTRO_RELEASE=		# --kernel-release: RELEASE, or "auto"
DISTRO_FLAVOUR=		# --flavour (auto): cloud-amd64, amd64, rt-amd64, ...
DISTRO_ROOT=		# --distro-root: where the packages are unpacked
DISTRO_SOURCE=		# --distro-source: the linux-source tarball
DISTRO_NO_DBG=0		# --no-dbg-vmlinux: System.map for the positions
DISTRO_VERSION=		# the Debian version of source and image
DISTRO_CACHE=		# cache/distro/RELEASE
DISTRO_HEADERS=		# root/usr/src/linux-headers-RELEASE
DISTRO_LOG=		# what fetching and preparing printed
DISTRO_CC=gcc		# the compiler kbuild runs (the gcc wrapper's name)

distro_mode() { [ -n "$DISTRO_RELEASE" ]; }

distro_cache_top() {
	printf '%s/distro\n' "$(cache_top)"
}

# "6.1" of "6.1.0-56-cloud-amd64" or of "6.1.192-2".
distro_major_minor() {
	sed -n 's/^\([0-9][0-9]*\.[0-9][0-9]*\)[.-].*/\1/p' <<<"$1"
}

# The options distro mode cannot take with it, and where things are.
distro_check_options() {
	[ -z "$SRC" ] ||
		die "--kernel-release builds against Debian's packages and its own prepared copy of the source: do not give -s/--sourcedir too"
	[ -z "$CONFIG" ] ||
		die "--kernel-release takes the config from the release's packages: do not give -c/--config"
	if [ -n "$DISTRO_ROOT" ]; then
		[ -d "$DISTRO_ROOT" ] || die "--distro-root $DISTRO_ROOT is not a directory"
		DISTRO_ROOT=$(cd "$DISTRO_ROOT" && pwd)
	fi
	if ! command -v dpkg-deb >/dev/null || ! command -v apt-get >/dev/null; then
		die "distro mode needs dpkg-deb and apt-get (Debian): run it on Debian, or build against your own kernel tree with -s"
	fi
}

# The source tarball and its Debian version, from the package that owns it.
distro_source_version() {
	local mm=$1 pkg
	DISTRO_SOURCE=${DISTRO_SOURCE:-${KPB_LINUX_TARBALL:-/usr/src/linux-source-$mm.tar.xz}}
	[ -f "$DISTRO_SOURCE" ] ||
		die "the source $DISTRO_SOURCE is not there: install it (apt-get install linux-source-$mm) or give the tarball with --distro-source FILE"
	DISTRO_SOURCE=$(readlink -f "$DISTRO_SOURCE")
	case $DISTRO_SOURCE in
	"$(distro_cache_top)"/sources/*/linux-source-"$mm".tar.xz)
		# fetched by distro_fetch_source: the directory is the version
		DISTRO_VERSION=${DISTRO_SOURCE%/*}
		DISTRO_VERSION=${DISTRO_VERSION##*/}
		return 0 ;;
	esac
	pkg=$(dpkg-query -S "$DISTRO_SOURCE" 2>/dev/null | sed -n '1s/: .*//p') || true
	[ -n "$pkg" ] ||
		die "$DISTRO_SOURCE belongs to no installed package, so its Debian version is unknown: install linux-source-$mm with apt-get, which puts it there"
	DISTRO_VERSION=$(dpkg-query -W -f '${Version}' "$pkg") ||
		die "dpkg-query cannot tell the version of $pkg"
	debug "source $DISTRO_SOURCE: $pkg $DISTRO_VERSION"
}

# The flavour of auto mode: --flavour, else the running kernel's if it is a
# Debian one (6.1.0-56-cloud-amd64 -> cloud-amd64).
distro_flavour() {
	local running
	if [ -n "$DISTRO_FLAVOUR" ]; then
		[[ $DISTRO_FLAVOUR =~ ^[a-z0-9][a-z0-9-]*$ ]] ||
			die "--flavour $(printf %q "$DISTRO_FLAVOUR") is not a Debian kernel flavour (lower-case letters, digits and '-': cloud-amd64, amd64, rt-amd64)"
		return 0
	fi
	running=$(uname -r)
	DISTRO_FLAVOUR=$(sed -n 's/^[0-9]*\.[0-9]*\.[0-9]*[-+][0-9a-z]*-\(.*\)$/\1/p' <<<"$running")
	[ -n "$DISTRO_FLAVOUR" ] ||
		die "--kernel-release auto: the running kernel $running is not a Debian kernel, so the flavour is unknown: give it with --flavour (cloud-amd64, amd64, rt-amd64)"
}

# The versions apt knows of package $1, one per line.
apt_versions() {
	apt-cache madison "$1" 2>/dev/null | awk -F' [|] ' '{ gsub(/ /, "", $2); print $2 }'
}

# auto: the release whose image package has the source's version.
distro_auto_release() {
	local mm=$1 names=() n v found=() seen=()
	distro_flavour
	if [ -n "$DISTRO_ROOT" ]; then
		for n in "$DISTRO_ROOT"/usr/src/linux-headers-"$mm".*-"$DISTRO_FLAVOUR"; do
			[ -f "$n/include/generated/package.h" ] || continue
			v=$(distro_headers_version "$n")
			seen+=("${n##*/linux-headers-} $v")
			[ "$v" != "$DISTRO_VERSION" ] || found+=("${n##*/linux-headers-}")
		done
	else
		mapfile -t names < <(apt-cache search --names-only \
			"^linux-image-${mm//./\\.}\\.[0-9]+[-+][0-9a-z]+-$DISTRO_FLAVOUR\$" |
			awk '{ print $1 }' | sort -V)
		# one madison for all: "NAME | VERSION | SOURCE" lines
		[ ${#names[@]} -eq 0 ] ||
		while read -r n v; do
			seen+=("${n#linux-image-} $v")
			[ "$v" != "$DISTRO_VERSION" ] || found+=("${n#linux-image-}")
		done < <(apt-cache madison "${names[@]}" 2>/dev/null |
			awk -F' [|] ' '{ gsub(/ /, "", $1); gsub(/ /, "", $2); print $1, $2 }' |
			sort -u -V)
	fi
	mapfile -t found < <(printf '%s\n' "${found[@]}" | sed '/^$/d' | sort -u)
	[ ${#seen[@]} -gt 0 ] ||
		die "there is no linux-image-$mm.*-$DISTRO_FLAVOUR package (${DISTRO_ROOT:-in the apt lists}): check the flavour (--flavour: cloud-amd64, amd64, rt-amd64) and run apt-get update"
	if [ ${#found[@]} -eq 0 ]; then
		info "releases of flavour $DISTRO_FLAVOUR ${DISTRO_ROOT:+under $DISTRO_ROOT }and their versions:"
		printf '    %s\n' "${seen[@]:-(none)}" | tail -n 8 >&2
		die "no $DISTRO_FLAVOUR kernel image has version $DISTRO_VERSION, the version of the source $DISTRO_SOURCE: the archive has moved on (or not yet caught up); install the linux-source-$mm of the image you target (apt-get install linux-source-$mm=VERSION), or run apt-get update"
	fi
	[ ${#found[@]} -eq 1 ] ||
		die "several releases have version $DISTRO_VERSION: ${found[*]}; choose one with --kernel-release"
	DISTRO_RELEASE=${found[0]}
}

# The Debian version a headers tree was built from (" Debian 6.1.192-2").
distro_headers_version() {
	sed -n 's/^#define LINUX_PACKAGE_ID " *Debian \(.*\)"$/\1/p' \
		"$1/include/generated/package.h" 2>/dev/null
}

# The release, checked against the source version.  Sets DISTRO_RELEASE.
distro_find_release() {
	local mm v
	if [ "$DISTRO_RELEASE" = auto ]; then
		# the tarball's name tells M.m
		mm=$(sed -n 's/.*linux-source-\([0-9]*\.[0-9]*\)\.tar.*/\1/p' \
			<<<"${DISTRO_SOURCE:-${KPB_LINUX_TARBALL:-}}")
		[ -n "$mm" ] || mm=$(distro_newest_source)
		distro_source_version "$mm"
		distro_auto_release "$mm"
		info "release $DISTRO_RELEASE: its image has the source's version $DISTRO_VERSION"
		return
	fi
	[[ $DISTRO_RELEASE =~ ^[0-9]+\.[0-9]+\.[0-9]+[-+][0-9a-z]+-[a-z0-9-]+$ ]] ||
		die "--kernel-release $DISTRO_RELEASE is not a Debian kernel release (like 6.1.0-56-cloud-amd64 or 6.12.117+deb12-cloud-amd64), nor 'auto'"
	mm=$(distro_major_minor "$DISTRO_RELEASE")
	if [ -n "$DISTRO_ROOT" ]; then
		distro_source_version "$mm"
		return 0	# checked on the unpacked headers
	fi
	distro_release_version "$mm"
	if [ -z "$DISTRO_SOURCE" ] && [ -z "${KPB_LINUX_TARBALL:-}" ] &&
	   ! distro_installed_source "$mm" "$DISTRO_VERSION"; then
		distro_fetch_source "$mm"
		return 0
	fi
	v=$DISTRO_VERSION
	distro_source_version "$mm"
	[ "$v" = "$DISTRO_VERSION" ] ||
		die "linux-image-$DISTRO_RELEASE is version $v, but the source $DISTRO_SOURCE is $DISTRO_VERSION: no match, so the objects built from this source would not be that kernel's; leave out --distro-source (kpatch-build then fetches linux-source-$mm=$v itself) or target the release built from $DISTRO_VERSION (--kernel-release auto)"
}

# The Debian version of the release's image, from the cache or apt: sets
# DISTRO_VERSION.
distro_release_version() {
	local mm=$1 v f
	f=$(find "$(distro_cache_top)/$DISTRO_RELEASE/root" -maxdepth 1 \
		-name '.kpb-base-*' -printf '%f\n' 2>/dev/null | head -n 1) || true
	if [ -n "$f" ]; then
		DISTRO_VERSION=${f#.kpb-base-}
		return 0
	fi
	mapfile -t v < <(apt_versions "linux-image-$DISTRO_RELEASE" | sort -u -V)
	[ ${#v[@]} -gt 0 ] ||
		die "apt knows no package linux-image-$DISTRO_RELEASE: check the release name (uname -r on the target), run apt-get update, or give the unpacked packages with --distro-root DIR"
	[ ${#v[@]} -eq 1 ] ||
		info "linux-image-$DISTRO_RELEASE has several versions (${v[*]}): taking the newest"
	DISTRO_VERSION=${v[-1]}
}

# Whether the installed /usr/src/linux-source-M.m.tar.xz is version $2;
# then it is the source.
distro_installed_source() {
	local mm=$1 want=$2 have
	[ -f "/usr/src/linux-source-$mm.tar.xz" ] || return 1
	have=$(dpkg-query -W -f '${Version}' "linux-source-$mm" 2>/dev/null) || return 1
	[ "$have" = "$want" ] || return 1
	DISTRO_SOURCE=/usr/src/linux-source-$mm.tar.xz
}

# The source of exactly the release's version, fetched (apt-get download,
# nothing installed) into the cache, shared by the releases of that version.
distro_fetch_source() {
	local mm=$1 dir tar deb t0
	dir=$(distro_cache_top)/sources/$DISTRO_VERSION
	tar=$dir/linux-source-$mm.tar.xz
	DISTRO_SOURCE=$tar
	[ ! -f "$tar" ] || return 0
	apt_versions "linux-source-$mm" | grep -qxF -- "$DISTRO_VERSION" ||
		die "the archive has no linux-source-$mm of version $DISTRO_VERSION, the version of linux-image-$DISTRO_RELEASE (it has: $(apt_versions "linux-source-$mm" | sort -u -V | tr '\n' ' ')): give that source with --distro-source TARBALL"
	mkdir -p "$dir/tmp" || die "cannot create $dir: set KPB_CACHE to a writable directory"
	t0=$(date +%s.%N)
	(cd "$dir/tmp" && apt-get download -q -o APT::Sandbox::User=root \
		"linux-source-$mm=$DISTRO_VERSION") >>"$dir/download.log" 2>&1 ||
		die "apt-get download linux-source-$mm=$DISTRO_VERSION failed (see $dir/download.log): run apt-get update"
	deb=$(find "$dir/tmp" -maxdepth 1 -name 'linux-source-*.deb' | head -n 1)
	dpkg-deb --fsys-tarfile "$deb" | tar -x -O "./usr/src/linux-source-$mm.tar.xz" \
		>"$tar.tmp" || { rm -f "$tar.tmp"; die "cannot take linux-source-$mm.tar.xz out of $deb: room in $dir?"; }
	mv "$tar.tmp" "$tar"
	rm -rf "$dir/tmp"
	info "fetched linux-source-$mm $DISTRO_VERSION (the release's own version; nothing installed) in $(elapsed "$t0")s"
}

# The newest /usr/src/linux-source-M.m tarball.
distro_newest_source() {
	local t
	t=$(find /usr/src -maxdepth 1 -name 'linux-source-*.tar.xz' -printf '%f\n' 2>/dev/null |
		sort -V | tail -n 1)
	[ -n "$t" ] ||
		die "no /usr/src/linux-source-*.tar.xz: install the source of the kernel you target (apt-get install linux-source-6.1) or give it with --distro-source FILE"
	sed -n 's/^linux-source-\([0-9]*\.[0-9]*\)\.tar\.xz$/\1/p' <<<"$t"
}

# apt-get download PACKAGE=VERSION into the current directory.  The archive
# keeps linux-kbuild-M.m only at its newest version: when the release's is
# gone, the newest of the series is taken (the headers package accepts it:
# it depends on linux-kbuild-M.m >= its version), and said.
distro_download() {
	local pkg=$1 t0 ver=$DISTRO_VERSION newest
	t0=$(date +%s.%N)
	if [[ $pkg == linux-kbuild-* ]] &&
	   ! apt_versions "$pkg" | grep -qxF -- "$ver"; then
		newest=$(apt_versions "$pkg" | sort -u -V | tail -n 1)
		[ -n "$newest" ] ||
			die "the archive has no $pkg at all (needed for $ver's kbuild tools): run apt-get update"
		info "the archive no longer has $pkg $ver: using $newest, the newest of the series (linux-headers-$DISTRO_RELEASE depends on $pkg >= $ver)"
		ver=$newest
	fi
	apt-get download -q -o APT::Sandbox::User=root "$pkg=$ver" \
		>>"$DISTRO_LOG" 2>&1 ||
		die "apt-get download $pkg=$ver failed (see $DISTRO_LOG): run apt-get update; if the archive dropped that version, give the packages unpacked with --distro-root DIR"
	info "downloaded $pkg $ver in $(elapsed "$t0")s"
}

distro_deb() {
	local f
	f=$(find "$DISTRO_CACHE/debs" -maxdepth 1 -name "$1_*.deb" | head -n 1)
	[ -n "$f" ] || die "no $1 package in $DISTRO_CACHE/debs after downloading it"
	printf '%s\n' "$f"
}

# The headers package needs its -common package and linux-kbuild-M.m.
distro_headers_deps() {
	dpkg-deb -f "$1" Depends | tr ',' '\n' |
		sed -n 's/^ *\(linux-\(headers-[^ ]*-common\|kbuild-[^ ]*\)\).*/\1/p'
}

# The headers' Makefile includes the -common one by its absolute path
# under /usr/src; unpacked elsewhere, it must point there.
distro_fix_headers() {
	local root=$1 mk
	mk=$root/usr/src/linux-headers-$DISTRO_RELEASE/Makefile
	[ -f "$mk" ] || die "the headers package has no $mk"
	KPB_ROOT=$root awk '{
		if (index($0, "include /usr/src/") == 1)
			$0 = "include " ENVIRON["KPB_ROOT"] substr($0, 9)
		print
	}' "$mk" >"$mk.kpb" || die "cannot rewrite $mk"
	mv "$mk.kpb" "$mk"
}

# Image, headers, -common, kbuild: downloaded, unpacked, debs removed.
distro_fetch_base() {
	local root=$1 d deb deps pkgs
	mkdir -p "$DISTRO_CACHE/debs"
	(
		cd "$DISTRO_CACHE/debs" || exit 1
		distro_download "linux-image-$DISTRO_RELEASE"
		distro_download "linux-headers-$DISTRO_RELEASE"
	)
	deb=$(distro_deb "linux-headers-$DISTRO_RELEASE") || exit 1
	mapfile -t deps < <(distro_headers_deps "$deb")
	[ ${#deps[@]} -eq 2 ] ||
		die "linux-headers-$DISTRO_RELEASE does not depend on one -common headers package and one linux-kbuild package (found: ${deps[*]:-none}); this layout is not supported"
	(
		cd "$DISTRO_CACHE/debs" || exit 1
		for d in "${deps[@]}"; do distro_download "$d"; done
	)
	pkgs=("linux-image-$DISTRO_RELEASE" "linux-headers-$DISTRO_RELEASE" "${deps[@]}")
	for d in "${pkgs[@]}"; do
		deb=$(distro_deb "$d") || exit 1
		dpkg-deb -x "$deb" "$root" ||
			die "dpkg-deb -x of $d failed: is $root writable and is there room?"
		rm -f "$deb"
	done
	distro_fix_headers "$root"
	printf '%s\n' "${pkgs[@]}" >"$root/.kpb-base-$DISTRO_VERSION"
}

# From the -dbg package, just the System.map, or it and the full vmlinux.
distro_fetch_dbg() {
	local root=$1 what=$2 deb members t0
	members=("./usr/lib/debug/boot/System.map-$DISTRO_RELEASE")
	[ "$what" = sysmap ] ||
		members+=("./usr/lib/debug/boot/vmlinux-$DISTRO_RELEASE")
	(cd "$DISTRO_CACHE/debs" && distro_download "linux-image-$DISTRO_RELEASE-dbg")
	deb=$(distro_deb "linux-image-$DISTRO_RELEASE-dbg") || exit 1
	t0=$(date +%s.%N)
	dpkg-deb --fsys-tarfile "$deb" | tar -x -C "$root" "${members[@]}" ||
		die "cannot unpack ${members[*]} from $deb: does the -dbg package of $DISTRO_RELEASE hold them?"
	info "unpacked ${members[*]##*/} from ${deb##*/} in $(elapsed "$t0")s"
	touch "$root/.kpb-$what-$DISTRO_VERSION"
	[ "$what" = sysmap ] || touch "$root/.kpb-sysmap-$DISTRO_VERSION"
}

# The -dbg package's copy of module KO (under root/lib/modules/RELEASE),
# with the STT_FILE symbols the shipped one lost to --strip-debug: lookup
# tells same-named statics of a multi-object module apart with it.  Found
# under the root (installed -dbg package), else unpacked from the kept -dbg
# .deb into the cache once (a new module costs one pass over the .deb, about
# 9 s on 6.1; downloading it again would add 14 s).  Prints nothing when the
# module has no copy there.
distro_module_debug() {
	local name=$1 ko=$2 rel member dst deb t0 tmp cache
	rel=${ko#"$DISTRO_ROOT/lib/modules/$DISTRO_RELEASE/"}
	[ "$rel" != "$ko" ] || {
		info "module $name: $ko is not under $DISTRO_ROOT/lib/modules/$DISTRO_RELEASE: no debug copy looked for"
		return 0
	}
	rel=${rel%.xz}; rel=${rel%.gz}; rel=${rel%.zst}
	member=usr/lib/debug/lib/modules/$DISTRO_RELEASE/$rel
	cache=$DISTRO_CACHE/dbg/$DISTRO_VERSION
	for dst in "$DISTRO_ROOT/$member" "$cache/$member"; do
		[ ! -f "$dst" ] || { printf '%s\n' "$dst"; return 0; }
	done
	mkdir -p "$DISTRO_CACHE/debs" "$cache" ||
		die "cannot create $cache for the debug modules: set KPB_CACHE to a writable directory"
	deb=$(find "$DISTRO_CACHE/debs" -maxdepth 1 -name "linux-image-$DISTRO_RELEASE-dbg_${DISTRO_VERSION}_*.deb" | head -n 1)
	if [ -z "$deb" ]; then
		(cd "$DISTRO_CACHE/debs" && distro_download "linux-image-$DISTRO_RELEASE-dbg") >&2
		deb=$(distro_deb "linux-image-$DISTRO_RELEASE-dbg") || exit 1
	fi
	t0=$(date +%s.%N)
	tmp=$(mktemp -d "$cache/.unpack.XXXXXX") || exit 1
	# the copy may be compressed like the shipped module: MEMBER.xz
	dpkg-deb --fsys-tarfile "$deb" |
		tar -x -C "$tmp" --wildcards "./$member*" 2>/dev/null || true
	for dst in "$tmp/$member" "$tmp/$member".*; do
		[ -f "$dst" ] && break
	done
	if [ ! -f "$dst" ]; then
		rm -rf "$tmp"
		info "module $name: ${deb##*/} has no $member: same-named statics of $name cannot be told apart"
		return 0
	fi
	mkdir -p "$(dirname "$cache/$member")" ||
		die "cannot create the directory of $member in $cache"
	case $dst in
	*.xz) xz -dc "$dst" >"$tmp/ko" ;;
	*.gz) gzip -dc "$dst" >"$tmp/ko" ;;
	*.zst) zstd -qdc "$dst" >"$tmp/ko" ;;
	*) mv "$dst" "$tmp/ko" ;;
	esac || die "cannot decompress the debug module $dst; is ${dst##*.} installed?"
	mv "$tmp/ko" "$cache/$member" ||
		die "cannot move the debug module $member into $cache"
	rm -rf "$tmp"
	info "module $name: unpacked its debug copy from ${deb##*/} in $(elapsed "$t0")s" >&2
	printf '%s\n' "$cache/$member"
}

# The packages, fetched once into the cache (or --distro-root's).
distro_fetch() {
	local root=$DISTRO_CACHE/root
	if [ -n "$DISTRO_ROOT" ]; then
		DISTRO_HEADERS=$DISTRO_ROOT/usr/src/linux-headers-$DISTRO_RELEASE
		distro_check_root "$DISTRO_ROOT"
		return
	fi
	if [ ! -f "$root/.kpb-base-$DISTRO_VERSION" ]; then
		rm -rf "$root" "$DISTRO_CACHE/debs"
		mkdir -p "$root"
		distro_fetch_base "$root"
	fi
	if [ -n "$VMLINUX" ]; then
		:	# -v: the symbols are the user's
	elif [ "$DISTRO_NO_DBG" -eq 0 ] && [ ! -f "$root/.kpb-vmlinux-$DISTRO_VERSION" ]; then
		distro_fetch_dbg "$root" vmlinux
	elif [ ! -f "$root/.kpb-sysmap-$DISTRO_VERSION" ]; then
		distro_fetch_dbg "$root" sysmap
	fi
	DISTRO_ROOT=$root
	DISTRO_HEADERS=$root/usr/src/linux-headers-$DISTRO_RELEASE
	distro_check_root "$root"
}

# What must be under the root, and the headers' version.
distro_check_root() {
	local root=$1 f v
	for f in "boot/config-$DISTRO_RELEASE" "boot/vmlinuz-$DISTRO_RELEASE" \
		"lib/modules/$DISTRO_RELEASE" \
		"usr/src/linux-headers-$DISTRO_RELEASE/Module.symvers" \
		"usr/src/linux-headers-$DISTRO_RELEASE/.config" \
		"usr/src/linux-headers-$DISTRO_RELEASE/scripts/mod/modpost"; do
		[ -e "$root/$f" ] ||
			die "$root/$f is missing: unpack (or install) linux-image-$DISTRO_RELEASE, linux-headers-$DISTRO_RELEASE and their -common and linux-kbuild packages there"
	done
	v=$(distro_headers_version "$root/usr/src/linux-headers-$DISTRO_RELEASE")
	[ "$v" = "$DISTRO_VERSION" ] ||
		die "the headers of $DISTRO_RELEASE under $root are version '${v:-unknown}', the source $DISTRO_SOURCE is $DISTRO_VERSION: no match; use the source of that version, or the packages of the release built from $DISTRO_VERSION"
}

# The target's symbols: -v if given, else the -dbg vmlinux, else a real
# System.map (Debian's image ships a stub one that says where the real is).
distro_symbols() {
	local root=$DISTRO_ROOT map
	if [ -n "$VMLINUX" ]; then
		return
	fi
	if [ "$DISTRO_NO_DBG" -eq 0 ] &&
	   [ -f "$root/usr/lib/debug/boot/vmlinux-$DISTRO_RELEASE" ]; then
		VMLINUX=$root/usr/lib/debug/boot/vmlinux-$DISTRO_RELEASE
		return
	fi
	for map in "$root/usr/lib/debug/boot/System.map-$DISTRO_RELEASE" \
		"$root/boot/System.map-$DISTRO_RELEASE"; do
		[ -f "$map" ] || continue
		[ "$(wc -l <"$map")" -gt 100 ] || continue
		VMLINUX=$map
		return
	done
	die "no symbols of $DISTRO_RELEASE under $root: neither the -dbg vmlinux nor a real System.map (install or unpack linux-image-$DISTRO_RELEASE-dbg there)"
}

# "(Debian 12.2.0-14+deb12u1) 12.2.0" of "gcc-12 (Debian ...) 12.2.0"
# or of "GCC: (Debian ...) 12.2.0": the program name goes.
distro_cc_id() {
	printf '%s\n' "${1#* }"
}

# The gcc here must be the one that built the target: the compiler the
# config recorded (what /proc/version shows) and, with the -dbg vmlinux,
# every "GCC:" line of its .comment.
distro_check_compiler() {
	local ours theirs comment line
	ours=$("$DISTRO_CC" --version 2>/dev/null | head -n 1) ||
		die "$DISTRO_CC --version failed: install gcc"
	theirs=$(sed -n 's/^CONFIG_CC_VERSION_TEXT="\(.*\)"$/\1/p' "$DISTRO_HEADERS/.config")
	[ -n "$theirs" ] || die "$DISTRO_HEADERS/.config records no CONFIG_CC_VERSION_TEXT"
	[ "$(distro_cc_id "$ours")" = "$(distro_cc_id "$theirs")" ] ||
		die "$DISTRO_RELEASE was built by '$theirs', but $DISTRO_CC here is '$ours': objects from another compiler do not match the target's code; install that gcc (apt-get install ${theirs%% *} of that version) and make it the 'gcc' in PATH"
	case $VMLINUX in
	*System.map*) comment= ;;
	*) comment=$(readelf -p .comment "$VMLINUX" 2>/dev/null |
		sed -n 's/^ *\[ *[0-9a-f]*\] *//p') ||
		die "cannot read the .comment section of $VMLINUX" ;;
	esac
	while IFS= read -r line; do
		case $line in GCC:*) ;; *) continue ;; esac
		[ "$(distro_cc_id "$line")" = "$(distro_cc_id "$ours")" ] ||
			die "$VMLINUX was compiled by '$line' (its .comment), but $DISTRO_CC here is '$ours': install that gcc and make it the 'gcc' in PATH"
	done <<<"$comment"
	info "compiler: $ours, as the target's (${comment:+vmlinux .comment and }config)"
	distro_check_pahole
}

# Kconfig records the pahole it found (CONFIG_PAHOLE_VERSION, 124 for 1.24)
# and turns BTF on only with one; without the same pahole here, olddefconfig
# would give the tree another config than the target's.
distro_check_pahole() {
	local want have
	want=$(sed -n 's/^CONFIG_PAHOLE_VERSION=//p' "$DISTRO_HEADERS/.config")
	[ -n "$want" ] && [ "$want" != 0 ] || return 0
	have=$(pahole --version 2>/dev/null | sed -n 's/^v\([0-9]*\)\.\([0-9]*\).*/\1\2/p') || true
	[ "$have" = "$want" ] ||
		die "$DISTRO_RELEASE was configured with pahole version $want (CONFIG_PAHOLE_VERSION), but pahole here is '${have:-missing}': the config would differ; install it (apt-get install dwarves)"
}

# Debian's build sets these (they are in the headers' compile.h); kbuild of
# the objects sees the same.
distro_build_env() {
	local h=$DISTRO_HEADERS/include/generated uts
	KBUILD_BUILD_USER=$(sed -n 's/^#define LINUX_COMPILE_BY *"\(.*\)"$/\1/p' "$h/compile.h")
	KBUILD_BUILD_HOST=$(sed -n 's/^#define LINUX_COMPILE_HOST *"\(.*\)"$/\1/p' "$h/compile.h")
	uts=$(sed -n 's/^#define UTS_VERSION "\(.*\)"$/\1/p' "$h/utsversion.h" "$h/compile.h" | head -n 1)
	KBUILD_BUILD_VERSION=$(sed -n 's/^#\([0-9]*\) .*/\1/p' <<<"$uts")
	KBUILD_BUILD_TIMESTAMP=$(sed -e 's/^#[0-9]* //' -e 's/^SMP //' \
		-e 's/^PREEMPT_DYNAMIC //' -e 's/^PREEMPT_RT //' -e 's/^PREEMPT //' <<<"$uts")
	export KBUILD_BUILD_USER KBUILD_BUILD_HOST KBUILD_BUILD_VERSION \
		KBUILD_BUILD_TIMESTAMP
	debug "KBUILD_BUILD_*: $KBUILD_BUILD_USER@$KBUILD_BUILD_HOST #$KBUILD_BUILD_VERSION $KBUILD_BUILD_TIMESTAMP"
}

# What identifies a prepared tree: source, config, compiler, this file.
distro_prepare_key() {
	{
		printf '%s\n' "$DISTRO_SOURCE" "$DISTRO_VERSION" "$DISTRO_RELEASE"
		stat -c '%s %Y' "$DISTRO_SOURCE"
		cat "$DISTRO_HEADERS/.config"
		"$DISTRO_CC" --version | head -n 1
		distro_kernelvariables
	} | sha1sum | cut -c1-16
}

# Debian's top Makefile includes .kernelvariables (the headers package has
# one): the release is not the source's version (6.1.192) but the ABI name,
# and the compiler is the gcc wrapper's "gcc".  Debian's kernels are built
# without Rust: a rustc here must not change the config (6.12's Kconfig
# records its version).
distro_kernelvariables() {
	cat <<EOF
# written by kpatch-build (distro mode) for $DISTRO_RELEASE
override ARCH = x86
override KERNELRELEASE = $DISTRO_RELEASE
override KERNELVERSION = $DISTRO_RELEASE
CC = $DISTRO_CC
RUSTC = kpb-no-rustc
DEBIAN_KERNEL_NO_CC_VERSION_CHECK = y
EOF
}

# The config the tree gets must be the headers' (the build's) exactly,
# but for the compiler's name.
distro_check_config() {
	local src=$1 bad
	bad=$(diff <(grep -v -e '^CONFIG_CC_VERSION_TEXT=' -e '^# Linux/' "$DISTRO_HEADERS/.config") \
		<(grep -v -e '^CONFIG_CC_VERSION_TEXT=' -e '^# Linux/' "$src/.config") | head -n 20) || true
	[ -z "$bad" ] ||
		die "make olddefconfig changed the config of $DISTRO_RELEASE in $src (the source is not the one the image was built from?):
$bad"
	bad=$(grep -v -e '^#' -e '^$' "$DISTRO_ROOT/boot/config-$DISTRO_RELEASE" |
		grep -vxF -f "$src/.config" | grep -v '^CONFIG_CC_VERSION_TEXT=' | head -n 5) || true
	[ -z "$bad" ] ||
		die "the image's config-$DISTRO_RELEASE has lines the headers' config does not: $bad; the image and headers packages are not of one build"
}

# After modules_prepare: same release and same generated config as the
# headers, so the objects are compiled as Debian compiled them.
distro_check_prepared() {
	local src=$1 rel h=$DISTRO_HEADERS/include/generated
	rel=$(make -s -C "$src" kernelrelease 2>/dev/null) || true
	[ "$rel" = "$DISTRO_RELEASE" ] ||
		die "make kernelrelease in $src says '$rel', not $DISTRO_RELEASE"
	cmp -s "$h/utsrelease.h" "$src/include/generated/utsrelease.h" ||
		die "$src/include/generated/utsrelease.h differs from the headers' $h/utsrelease.h: modules would get another vermagic"
	diff -q <(grep -v -e CONFIG_CC_VERSION_TEXT -e '^ \* Linux/' "$h/autoconf.h") \
		<(grep -v -e CONFIG_CC_VERSION_TEXT -e '^ \* Linux/' "$src/include/generated/autoconf.h") >/dev/null ||
		die "$src/include/generated/autoconf.h differs from the headers' $h/autoconf.h beyond the compiler name"
}

# Unpack the source into the cache, configure it with the release's config
# and run modules_prepare, once.  In place: kbuild records absolute paths.
distro_prepare_source() {
	local src=$DISTRO_CACHE/src key t0
	key=$(distro_prepare_key)
	if [ -f "$src/.kpb-prepared" ] && [ "$(cat "$src/.kpb-prepared")" = "$key" ]; then
		SRC=$src
		return
	fi
	rm -rf "$src"
	mkdir -p "$src"
	t0=$(date +%s.%N)
	info "unpacking $DISTRO_SOURCE into $src"
	tar -xJf "$DISTRO_SOURCE" -C "$src" --strip-components=1 ||
		die "cannot unpack $DISTRO_SOURCE into $src: room on the disk?"
	info "unpacked in $(elapsed "$t0")s"
	t0=$(date +%s.%N)
	grep -qs '^-include .kernelvariables' "$src/Makefile" ||
		die "$DISTRO_SOURCE is not Debian's kernel source (its Makefile does not include .kernelvariables)"
	cp "$DISTRO_HEADERS/.config" "$src/.config"
	distro_kernelvariables >"$src/.kernelvariables"
	info "preparing $src (make olddefconfig modules_prepare), log in $DISTRO_LOG"
	make -C "$src" olddefconfig >>"$DISTRO_LOG" 2>&1 ||
		die "make olddefconfig failed in $src; see $DISTRO_LOG"
	distro_check_config "$src"
	PATH=$(make_path) make -C "$src" -j"$JOBS" modules_prepare >>"$DISTRO_LOG" 2>&1 ||
		die "make modules_prepare failed in $src; see $DISTRO_LOG"
	distro_check_prepared "$src"
	info "configured and prepared in $(elapsed "$t0")s"
	printf '%s\n' "$key" >"$src/.kpb-prepared"
	SRC=$src
}

# Distro mode: find, fetch, check and prepare, then set what check_inputs
# checks like a user's tree: SRC, VMLINUX, SYMVERS, MODULES_DIR.
distro_setup() {
	distro_mode || return 0
	distro_check_options
	step "distro: find release" distro_find_release
	DISTRO_CACHE=$(distro_cache_top)/$DISTRO_RELEASE
	mkdir -p "$DISTRO_CACHE" ||
		die "cannot create the cache directory $DISTRO_CACHE: set KPB_CACHE to a writable directory"
	DISTRO_LOG=$DISTRO_CACHE/prepare.log
	: >>"$DISTRO_LOG"
	# one run at a time fetches and prepares a release
	exec 8>"$DISTRO_CACHE/.lock"
	if ! flock -n 8; then
		info "another kpatch-build is preparing $DISTRO_RELEASE; waiting for it"
		flock 8
	fi
	step "distro: fetch packages" distro_fetch
	distro_symbols
	step "distro: check compiler" distro_check_compiler
	distro_build_env
	step "distro: prepare source" distro_prepare_source
	exec 8>&-
	SYMVERS=${SYMVERS:-$DISTRO_HEADERS/Module.symvers}
	MODULES_DIR=${MODULES_DIR:-$DISTRO_ROOT/lib/modules/$DISTRO_RELEASE}
	info "distro $DISTRO_RELEASE ($DISTRO_VERSION): source $SRC, symbols $VMLINUX, headers $DISTRO_HEADERS, image $DISTRO_ROOT/boot/vmlinuz-$DISTRO_RELEASE, modules $MODULES_DIR"
}

# The vermagic of a module file.
distro_vermagic() {
	modinfo -F vermagic "$1" 2>/dev/null
}

# A module the image ships, to compare vermagic with.
distro_shipped_module() {
	find "$DISTRO_ROOT/lib/modules/$DISTRO_RELEASE/kernel" -name '*.ko' \
		-print -quit 2>/dev/null
}

# The livepatch module is linked by the headers package's kbuild: its
# vermagic and CRCs are the image's.  Checked against a shipped module.
distro_build_module() {
	local ko=$WORK/module/$MODNAME.ko ship ours theirs from
	from=$(($(wc -l <"$LOG") + 1))
	if ! make -C "$DISTRO_HEADERS" -j"$JOBS" M="$WORK/module" \
			CC="$DISTRO_CC" KCFLAGS="$(module_kcflags)" \
			KBUILD_MODPOST_WARN=1 modules >>"$LOG" 2>&1; then
		grep -E 'error|Error' "$LOG" | tail -n 10 >&2 || true
		die "kbuild of $DISTRO_HEADERS could not build the module; see $LOG"
	fi
	[ -f "$ko" ] || die "kbuild made no $MODNAME.ko; see $LOG"
	check_module_objtool "$from"
	ours=$(distro_vermagic "$ko")
	ship=$(distro_shipped_module)
	if [ -n "$ship" ]; then
		theirs=$(distro_vermagic "$ship")
		[ "$ours" = "$theirs" ] ||
			die "$MODNAME.ko has vermagic '$ours', but $ship (shipped with $DISTRO_RELEASE) has '$theirs': the kernel would refuse it"
	fi
	info "vermagic: $ours"
}
