# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=bash
# kpatch-build --sign-key KEY --sign-cert CERT: the module signed with the
# kernel's own scripts/sign-file (the tree's, or in distro mode the headers
# package's) and the hash the target's config names
# (CONFIG_MODULE_SIG_HASH), as the last change to it: klp-convert's
# relocations are written first, the signature covers them.

SIGN_KEY=
SIGN_CERT=
SIGN_FILE=
SIGN_HASH=

# sign_file_tool: the sign-file program for the target.
sign_file_tool() {
	local f
	for f in "$SRC/scripts/sign-file" \
		${DISTRO_HEADERS:+"$DISTRO_HEADERS/scripts/sign-file"}; do
		[ -x "$f" ] && { printf '%s\n' "$f"; return 0; }
	done
	return 1
}

# Checked before the build: both or neither given, readable; the hash.
check_signing() {
	local conf
	[ -n "$SIGN_KEY$SIGN_CERT" ] || return 0
	if [ -z "$SIGN_KEY" ] || [ -z "$SIGN_CERT" ]; then
		die "--sign-key and --sign-cert go together: give both (the private key and its X.509 certificate)"
	fi
	[ -r "$SIGN_KEY" ] || case $SIGN_KEY in
		pkcs11:*) ;;
		*) die "--sign-key $(printf %q "$SIGN_KEY"): not readable" ;;
	esac
	[ -r "$SIGN_CERT" ] || die "--sign-cert $(printf %q "$SIGN_CERT"): not readable"
	[ -r "$SIGN_KEY" ] && SIGN_KEY=$(abs_path "$SIGN_KEY")
	SIGN_CERT=$(abs_path "$SIGN_CERT")
	SIGN_FILE=$(sign_file_tool) ||
		die "no scripts/sign-file in $SRC${DISTRO_HEADERS:+ nor in $DISTRO_HEADERS}: build it (make scripts, with CONFIG_MODULE_SIG=y) or install the kernel's headers package"
	conf=$SRC/.config
	SIGN_HASH=$(sed -n 's/^CONFIG_MODULE_SIG_HASH="\([a-z0-9-]*\)"$/\1/p' "$conf" | head -n 1)
	if [ -z "$SIGN_HASH" ]; then
		SIGN_HASH=sha256
		info "warning: the target's config has no CONFIG_MODULE_SIG_HASH (no CONFIG_MODULE_SIG: its kernel checks no signatures); signing with sha256"
	fi
	debug "signing with $SIGN_FILE $SIGN_HASH $SIGN_KEY $SIGN_CERT"
}

# sign_module KO: signs KO in place.
sign_module() {
	[ -n "$SIGN_FILE" ] || return 0
	"$SIGN_FILE" "$SIGN_HASH" "$SIGN_KEY" "$SIGN_CERT" "$1" >>"$LOG" 2>&1 || {
		tail -n 5 "$LOG" >&2
		die "sign-file could not sign $MODNAME.ko with $SIGN_KEY and $SIGN_CERT (see above): is the certificate the key's, in PEM or DER?"
	}
	info "signed with $SIGN_CERT ($SIGN_HASH)"
}
