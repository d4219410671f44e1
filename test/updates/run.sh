#!/usr/bin/env bash
# A corpus of real fixes: a Debian kernel update, cut into one patch per
# changed .c file, each built in distro mode for the release it fixes and
# proven in the VM on that release's own kernel.
#
# Usage: test/updates/run.sh [--limit N] [--every K] [--only REGEX] [--no-vm]
#                            [--keep]  (keep the work directory: logs)
#                            [OLD_VERSION NEW_VERSION RELEASE]
#   --every K takes every K-th changed file (a sample of the update);
#   default: 6.1.187-1 6.1.190-1 6.1.0-53-cloud-amd64 (the release built
#   from OLD_VERSION; both versions of linux-source-M.m must be in the
#   archive: apt-cache madison linux-source-6.1)
#
# For every .c file that differs between the two sources (kernel code only:
# not tools/, Documentation/, scripts/, samples/, other architectures), the
# patch old -> new of that file alone is given to kpatch-build
# --kernel-release RELEASE.  Each result is one of
#   proven        built, and in the VM: insmod, transition, disable, rmmod,
#                 dmesg clean (a livepatch for a loadable module is loaded
#                 before that module, which is then loaded from the image)
#   broken        built, but the VM protocol failed
#   refused       kpatch-build refused it (the reason is listed)
#   no change     it changes no function of this configuration
#   not built     this configuration does not build the file (not counted)
#   needs update  the cut patch does not compile alone: it needs another
#                 part of the update (the first compiler error is listed)
#   error         anything else (a tool error)
# KPB_UPDATES_ONLY is a default for --only (make check's fixed part).
# The table (markdown) goes to $KPB_UPDATES_OUT (default
# test/updates/results-OLD-NEW.md) and stdout; the last line is
# "N passed, N failed": passed = proven + refused + no change + needs
# update + not built, failed = broken + error (refusals are judged by hand
# in test/updates/README.md).
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/../.." && pwd)
integ=$repo/test/integration
kpb=$repo/kpatch-build/kpatch-build
cache=${KPB_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/kpatch-build}
limit=0
every=1
only=${KPB_UPDATES_ONLY:-}
vm=1
work=

# kpatch-build's distro helpers (distro_fetch_source), with its messages
# shellcheck source=kpatch-build/common.sh
. "$repo/kpatch-build/common.sh"
# shellcheck source=kpatch-build/distro.sh
. "$repo/kpatch-build/distro.sh"
# shellcheck source=test/updates/corpus.sh
. "$here/corpus.sh"
log() { printf '%s\n' "$*" >&2; }
die() { log "updates: error: $*"; exit 1; }
keep=0
cleanup() {
	[ -n "$work" ] || return 0
	if [ "$keep" -eq 1 ]; then log "updates: work directory kept: $work"; else rm -rf "$work"; fi
}

# The first line of the build log that says why it failed.
first_reason() {
	grep -E -m 1 "$1" "$2" | sed -e 's/^kpatch-build: error: //' -e 's/^ *//' |
		cut -c1-200 || true
}

# classify N FILE: build the patch, set RESULT and WHY.
classify() {
	local n=$1 f=$2 out=$work/out/$1 rc=0
	mkdir -p "$out"
	"$kpb" --kernel-release "$release" -n "u$n" -o "$out" \
		--json "$out/report.json" "$work/patches/$n.patch" \
		>"$out/build.log" 2>&1 || rc=$?
	WHY=
	if [ "$rc" -eq 0 ] && [ -f "$out/livepatch-u$n.ko" ]; then
		RESULT=built
		WHY=$(sed -n 's/^ *\(changed-function\|new-function\) \([^ ]*\).*/\2/p' \
			"$out/build.log" | sort -u | tr '\n' ' ') || true
	elif grep -q 'not built by this configuration\|affect no object that this configuration' "$out/build.log"; then
		RESULT="not built"
	elif grep -q 'the patches change no function' "$out/build.log"; then
		RESULT="no change"
		WHY=$(first_reason 'no change|unchanged|moved' "$out/build.log")
	elif grep -q 'a livepatch cannot change\|refused' "$out/build.log"; then
		RESULT=refused
		WHY=$(sed -n 's/^create-diff-object: [^ ]*: refused //p' "$out/build.log" |
			head -n 1 | cut -c1-200) || true
		[ -n "$WHY" ] || WHY=$(first_reason 'error' "$out/build.log")
	elif grep -q 'building the patched objects failed' "$out/build.log"; then
		RESULT="needs update"
		WHY=$(first_reason 'error:' "$out/build.log")
	else
		RESULT=error
		WHY=$(first_reason '(^|: )error: ' "$out/build.log")
	fi
}

# The guest script of the short protocol: no behaviour to check, only that
# the module loads, transitions, goes away and leaves dmesg clean.
guest_script() {
	local ko=$1 name=$2 target=$3 chain=${4:-}
	cat <<EOF
#!/bin/sh
fail() { echo "FAIL: \$*"; exit 1; }
insmod /root/$ko || fail "insmod $ko"
echo "PASS: insmod"
i=0
while [ "\$(cat /sys/kernel/livepatch/$name/transition 2>/dev/null)" != 0 ]; do
	i=\$((i + 1)); [ \$i -lt 600 ] || fail "transition did not finish"
	sleep 0.1
done
echo "PASS: transition"
if [ -n "$target" ]; then
	for m in $chain; do
		[ "\$m" = "$target" ] && break
		insmod /root/\$m.ko || fail "insmod \$m (a dependency of $target)"
	done
	insmod /root/$target.ko || fail "insmod $target after the livepatch"
	echo "PASS: insmod $target after the livepatch"
	[ "\$(cat /sys/kernel/livepatch/$name/$target/patched 2>/dev/null)" = 1 ] ||
		fail "$target is loaded but not patched"
	echo "PASS: $target patched"
fi
echo 0 > /sys/kernel/livepatch/$name/enabled || fail "disable"
i=0
while [ -d /sys/kernel/livepatch/$name ]; do
	i=\$((i + 1)); [ \$i -lt 600 ] || fail "patch did not go away"
	sleep 0.1
done
rmmod $ko || fail "rmmod"
[ -z "$target" ] || rmmod $target || fail "rmmod $target"
echo "PASS: disabled, removed"
if dmesg | grep -E 'Oops|BUG:|WARNING:|Call Trace' >/dev/null; then
	dmesg | tail -n 30
	fail "dmesg"
fi
echo "PASS: dmesg clean"
EOF
}

# The module file of NAME (as the kernel names it) in the release.
module_file() {
	find "$cache/distro/$release/root/lib/modules/$release" \
		\( -name "$1.ko*" -o -name "${1//_/-}.ko*" \) | head -n 1
}

# mod_chain NAME: NAME's dependencies (modinfo's depends=), deepest first,
# then NAME, once each.
mod_chain() {
	local name=$1 f d
	case " $chain_seen " in *" $name "*) return 0 ;; esac
	chain_seen="$chain_seen $name"
	f=$(module_file "$name")
	[ -n "$f" ] || return 0
	for d in $(modinfo -F depends "$f" 2>/dev/null | tr ',' ' '); do
		mod_chain "$d"
	done
	printf '%s\n' "$name"
}

# prove N: the built module in the VM on the release's own kernel.
prove() {
	local n=$1 out=$work/out/$1 name=livepatch_u$1 vmdir target='' files=()
	local root=$cache/distro/$release/root ko
	vmdir=$(mktemp -d "$work/vm.XXXXXX")
	target=$(awk -F'"' '/"klp_object":/ { for (i = 1; i <= NF; i++)
		if ($i == "klp_object") { print $(i + 2); exit } }' "$out/report.json")
	[ "$target" != vmlinux ] || target=
	files=("$out/livepatch-u$n.ko")
	local chain=() m
	if [ -n "$target" ]; then
		chain_seen=
		mapfile -t chain < <(mod_chain "$target")
		for m in "${chain[@]}"; do
			ko=$(module_file "$m")
			case $ko in
			*.xz) xz -dc "$ko" >"$vmdir/$m.ko" ;;
			*) cp "$ko" "$vmdir/$m.ko" ;;
			esac
			files+=("$vmdir/$m.ko")
		done
	fi
	guest_script "livepatch-u$n.ko" "$name" "$target" "${chain[*]}" >"$vmdir/test.sh"
	bash "$integ/vm.sh" --timeout 300 "$root/boot/vmlinuz-$release" \
		"$vmdir/test.sh" "${files[@]}" >"$out/vm.log" 2>&1
}

main() {
	local args=() old new n=0 f total=0 proven=0 broken=0 refused=0
	local nochange=0 notbuilt=0 needs=0 errors=0 t0 secs table
	while [ $# -gt 0 ]; do
		case $1 in
		--limit) limit=$2; shift 2 ;;
		--only) only=$2; shift 2 ;;
		--every) every=$2; shift 2 ;;
		--no-vm) vm=0; shift ;;
		--keep) keep=1; shift ;;
		*) args+=("$1"); shift ;;
		esac
	done
	old_version=${args[0]:-6.1.187-1}
	new_version=${args[1]:-6.1.190-1}
	release=${args[2]:-6.1.0-53-cloud-amd64}
	table=${KPB_UPDATES_OUT:-$here/results-$old_version-$new_version.md}
	work=$(mktemp -d "${TMPDIR:-/tmp}/kpb-updates.XXXXXX")
	trap cleanup EXIT
	make -C "$repo" -s all >/dev/null
	old=$(source_dir "$old_version")
	new=$(source_dir "$new_version")
	mkdir -p "$work/patches" "$work/out"
	mapfile -t files < <(changed_files "$old" "$new" |
		{ if [ -n "$only" ]; then grep -E -- "$only" || true; else cat; fi; } |
		awk -v k="$every" '(NR - 1) % k == 0')
	log "updates: ${#files[@]} changed kernel .c files between $old_version and $new_version; building for $release"
	{
		printf '# %s -> %s, built for %s\n\n' "$old_version" "$new_version" "$release"
		printf '| # | file | result | functions or reason | time |\n|---|---|---|---|---|\n'
	} >"$table.tmp"
	for f in "${files[@]}"; do
		n=$((n + 1))
		[ "$limit" -eq 0 ] || [ "$n" -le "$limit" ] || break
		cut_patch "$f" "$old" "$new" >"$work/patches/$n.patch"
		t0=$(date +%s)
		classify "$n" "$f"
		if [ "$RESULT" = built ]; then
			if [ "$vm" -eq 0 ]; then
				RESULT="built (not run)"
			elif prove "$n"; then
				RESULT=proven
			else
				RESULT=broken
				WHY="$WHY; VM: $(grep -m 1 '^FAIL' "$work/out/$n/vm.log" || tail -n 1 "$work/out/$n/vm.log")"
			fi
		fi
		secs=$(( $(date +%s) - t0 ))
		case $RESULT in
		proven|"built (not run)") proven=$((proven + 1)) ;;
		broken) broken=$((broken + 1)) ;;
		refused) refused=$((refused + 1)) ;;
		"no change") nochange=$((nochange + 1)) ;;
		"not built") notbuilt=$((notbuilt + 1)) ;;
		"needs update") needs=$((needs + 1)) ;;
		*) errors=$((errors + 1)) ;;
		esac
		total=$((total + 1))
		printf '| %d | `%s` | %s | %s | %ds |\n' "$n" "$f" "$RESULT" \
			"$(sed 's/|/\\|/g' <<<"$WHY")" "$secs" >>"$table.tmp"
		log "[$n/${#files[@]}] $f: $RESULT ${WHY:0:120}"
	done
	{
		printf '\nTotals (%d files): proven %d, broken %d, refused %d, no change %d, needs the update %d, not built by the config %d, error %d\n' \
			"$total" "$proven" "$broken" "$refused" "$nochange" "$needs" "$notbuilt" "$errors"
	} >>"$table.tmp"
	mv "$table.tmp" "$table"
	cat "$table"
	printf '%d passed, %d failed\n' $((proven + refused + nochange + needs + notbuilt)) \
		$((broken + errors))
	[ $((broken + errors)) -eq 0 ]
}

main "$@"
