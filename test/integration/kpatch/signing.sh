#!/usr/bin/env bash
# Module signing: a test kernel with its own module signing key
# (kernel.sh with kernel-sig.config: CONFIG_MODULE_SIG, its own tree and
# cache key; built once, about 5 minutes), the meminfo sample built signed
# (--sign-key/--sign-cert: the tree's certs/signing_key.pem and .x509) and
# unsigned, proven in QEMU booted with module.sig_enforce=1 (guest-sig.sh).
#
# Usage: signing.sh [--keep].  Environment: KPB_SIG_TREE (a built signing
# tree), KPB_VM_TIMEOUT.  Ends with "N passed, N failed".
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/../../.." && pwd)

# shellcheck source=test/integration/kpatch/lib.sh
. "$here/lib.sh"

[ "${1:-}" != --keep ] || keep=1
work=$(mktemp -d "${TMPDIR:-/tmp}/kpb-signing.XXXXXX")
trap cleanup EXIT

tree=${KPB_SIG_TREE:-$(KPB_KERNEL_EXTRA=$here/kernel-sig.config bash "$repo/test/integration/kernel.sh")}
if [ ! -f "$tree/certs/signing_key.pem" ] || [ ! -x "$tree/scripts/sign-file" ]; then
	failed "setup: $tree has no certs/signing_key.pem or scripts/sign-file"
	summary
	exit 1
fi
inst=$work/inst
make -C "$repo" install PREFIX=/usr DESTDIR="$inst" >"$work/install.log" 2>&1 || {
	failed "setup: make install"
	summary
	exit 1
}
mods=$work/mods
mkdir -p "$mods"
build() {
	local name=$1
	shift
	if (cd "$work" && "$inst/usr/bin/kpatch-build" -j2 -s "$tree" -n "$name" \
		-o "$mods" "$@" "$repo/test/integration/samples/meminfo.patch") \
		>"$work/$name.log" 2>&1; then
		passed "kpatch-build $name"
	else
		failed "kpatch-build $name"
		tail -n 20 "$work/$name.log"
	fi
}
build signed --sign-key "$tree/certs/signing_key.pem" --sign-cert "$tree/certs/signing_key.x509"
build unsigned
signer=$(modinfo -F signer "$mods/livepatch-signed.ko" 2>/dev/null || true)
want=$(openssl x509 -in "$tree/certs/signing_key.x509" -inform DER -noout -subject -nameopt multiline 2>/dev/null |
	sed -n 's/^ *commonName *= *//p')
if [ -n "$signer" ] && [ "$signer" = "$want" ] &&
   [ "$(modinfo -F sig_hashalgo "$mods/livepatch-signed.ko")" = sha256 ]; then
	passed "signed by the tree's key ($signer), sha256 as its config says"
else
	failed "signer '$signer', want '$want'"
fi
if (cd "$work" && "$inst/usr/bin/kpatch-build" -s "$tree" -n nocert \
	--sign-key "$tree/certs/signing_key.pem" -o "$mods" \
	"$repo/test/integration/samples/meminfo.patch") >"$work/nocert.log" 2>&1; then
	failed "--sign-key without --sign-cert accepted"
elif grep -q 'go together' "$work/nocert.log" && [ ! -e "$mods/livepatch-nocert.ko" ]; then
	passed "--sign-key without --sign-cert refused"
else
	failed "--sign-key without --sign-cert: $(tail -n 1 "$work/nocert.log")"
fi

ov=$work/overlay
make_overlay "$ov" "$inst"
files=()
for m in signed unsigned; do
	[ ! -f "$mods/livepatch-$m.ko" ] || files+=("$mods/livepatch-$m.ko")
done
KPB_VM_APPEND="module.sig_enforce=1" run_guest "$ov" "$tree/arch/x86/boot/bzImage" \
	"$here/guest-sig.sh" "signed module unloads" "${files[@]}"
summary
