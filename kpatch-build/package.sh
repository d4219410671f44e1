# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=bash
# kpatch-build --deb: the module as a Debian package, by kpatch-package
# (kpatch/kpatch-package), next to the module.  In distro mode it depends
# on the exact image package (linux-image-RELEASE of the source's version).

DEB=0

# kpatch-package: PREFIX/bin's when installed (LIBEXEC is
# PREFIX/libexec/kpatch-build), else the repository's kpatch/.
kpatch_package_tool() {
	if [ -x "$LIBEXEC/../../bin/kpatch-package" ]; then
		printf '%s\n' "$LIBEXEC/../../bin/kpatch-package"
	else
		printf '%s\n' "$LIBEXEC/../kpatch/kpatch-package"
	fi
}

check_deb() {
	[ "$DEB" -eq 1 ] || return 0
	command -v dpkg-deb >/dev/null ||
		die "--deb needs dpkg-deb (apt-get install dpkg)"
	[ -n "${DEBEMAIL:-}" ] ||
		die "--deb: set DEBEMAIL (and DEBFULLNAME): the package's Maintainer"
	[ -x "$(kpatch_package_tool)" ] ||
		die "--deb: $(kpatch_package_tool) is missing: install kpatch-build with make install"
}

package_deb() {
	local out=${OUT_VIEW:-$OUTDIR} args
	args=(-o "$out")
	[ "$DEB" -eq 1 ] || return 0
	! distro_mode || [ -z "$DISTRO_VERSION" ] ||
		args+=(--image-version "$DISTRO_VERSION")
	"$(kpatch_package_tool)" "${args[@]}" "$out/$MODNAME.ko" ||
		die "cannot package $OUTDIR/$MODNAME.ko (see above)"
}
