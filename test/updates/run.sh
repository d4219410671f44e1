#!/usr/bin/env bash
# A corpus of real fixes: a Debian kernel update, cut into one patch per
# changed .c file, each built in distro mode for the release it fixes and
# proven in the VM on that release's own kernel.
#
# Usage: test/updates/run.sh [--limit N] [--every K] [--only REGEX] [--no-vm]
#                            [--keep]  (keep the work directory: logs)
#                            [--kpb-arg ARG]  (to kpatch-build; repeatable)
#                            [--shard I/N]  (files I, I+N, I+2N, ...: runs
#                                            side by side; numbers stay those
#                                            of the whole list)
#        test/updates/run.sh --merge OUT TABLE...  (the shards' tables as one)
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
#   proven (no module)  the same, but the patched module does not load in
#                 this VM with or without the livepatch (its device is
#                 missing): the livepatch loaded, transitioned and went away
#                 cleanly, the module's patched code did not run
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
kpb_args=()

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

# The configured objects of the release (kbuild's listing, as kpatch-build
# makes it: headers.sh, cached) into $work/configured, and the .c files
# that some file #includes into $work/included (by file name), once the
# release's source is prepared (after the first build).
list_configured() {
	local src=$cache/distro/$release/src
	[ -f "$src/.kpb-prepared" ] || return 0
	(
		# shellcheck disable=SC2034 # headers.sh's globals
		SRC=$src WORK=$work/listing LOG=$work/listing.log JOBS=$(nproc) \
			LIBEXEC=$repo/kpatch-build
		# shellcheck source=kpatch-build/headers.sh
		. "$repo/kpatch-build/headers.sh"
		mkdir -p "$WORK/scan"
		list_kbuild_objects 2>/dev/null
		awk '$1 == "y" || $1 == "m" { print $2 }' "$WORK/scan/kbuild-objects"
	) >"$work/configured.tmp" && mv "$work/configured.tmp" "$work/configured"
	grep -rhoE --include='*.[ch]' '^[[:space:]]*#[[:space:]]*include[[:space:]]*["<][^">]*\.c[">]' \
		"$src" | sed 's|.*[/"<]\([^/"<>]*\.c\)[">]$|\1|' | sort -u >"$work/included"
}

# surely_not_built FILE: kbuild's listing has no object of FILE and no file
# #includes a .c of its name, so kpatch-build would say "not built" (as its
# find_objects decides); not asked, to save its start-up for the many
# drivers the configuration leaves out.
surely_not_built() {
	[ -s "$work/configured" ] || return 1
	! grep -qxF -- "${1%.c}.o" "$work/configured" &&
		! grep -qxF -- "${1##*/}" "$work/included"
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
	"$kpb" --kernel-release "$release" -n "u$n" -o "$out" "${kpb_args[@]}" \
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
		WHY=$(sed -n 's/^\(create-diff-object\|klp-convert\): [^ ]*: refused //p' "$out/build.log" |
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
	local ko=$1 name=$2 target=$3 chain=${4:-} pre=${5:-}
	cat <<EOF
#!/bin/sh
fail() { echo "FAIL: \$*"; exit 1; }
# disable the livepatch, wait until it is gone, remove its module
unpatch() {
	echo 0 > /sys/kernel/livepatch/$name/enabled || fail "disable"
	i=0
	while [ -d /sys/kernel/livepatch/$name ]; do
		i=\$((i + 1)); [ \$i -lt 600 ] || fail "patch did not go away"
		sleep 0.1
	done
	rmmod $ko || fail "rmmod"
}
target=$target
for m in $pre; do
	insmod /root/\$m.ko || fail "insmod \$m (the livepatch depends on it)"
done
insmod /root/$ko || fail "insmod $ko"
echo "PASS: insmod"
i=0
while [ "\$(cat /sys/kernel/livepatch/$name/transition 2>/dev/null)" != 0 ]; do
	i=\$((i + 1)); [ \$i -lt 600 ] || fail "transition did not finish"
	sleep 0.1
done
echo "PASS: transition"
if [ -n "$target" ] && [ -d /sys/module/$target ]; then
	# loaded before, as the livepatch's dependency
	[ "\$(cat /sys/kernel/livepatch/$name/$target/patched 2>/dev/null)" = 1 ] ||
		fail "$target (loaded before the livepatch) is not patched"
	echo "PASS: $target patched"
	target=
elif [ -n "$target" ]; then
	for m in $chain; do
		[ "\$m" = "$target" ] && break
		insmod /root/\$m.ko || fail "insmod \$m (a dependency of $target)"
	done
	if insmod /root/$target.ko 2>/tmp/insmod.err; then
		echo "PASS: insmod $target after the livepatch"
		[ "\$(cat /sys/kernel/livepatch/$name/$target/patched 2>/dev/null)" = 1 ] ||
			fail "$target is loaded but not patched"
		echo "PASS: $target patched"
	else
		# without its device (this VM has few) a driver does not load:
		# tell that apart from a failure the livepatch causes
		unpatch
		! insmod /root/$target.ko 2>/dev/null ||
			fail "insmod $target after the livepatch (\$(cat /tmp/insmod.err)), but it loads without the livepatch"
		echo "NOMODULE: $target does not load in this VM, with or without the livepatch: \$(cat /tmp/insmod.err)"
		target=
	fi
fi
if [ -d /sys/kernel/livepatch/$name ]; then
	unpatch
	# the livepatch is gone; a module without an exit function (vrf)
	# cannot go, which is not the livepatch's doing
	[ -z "\$target" ] || rmmod "\$target" ||
		echo "NOTE: \$target cannot be unloaded (no exit function, or in use): left loaded"
fi
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

# module_copy NAME DIR: the release's module NAME as DIR/NAME.ko
# (decompressed); prints that path.
module_copy() {
	local ko
	ko=$(module_file "$1")
	case $ko in
	*.xz) xz -dc "$ko" >"$2/$1.ko" ;;
	*) cp "$ko" "$2/$1.ko" ;;
	esac
	printf '%s\n' "$2/$1.ko"
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
	local root=$cache/distro/$release/root
	vmdir=$(mktemp -d "$work/vm.XXXXXX")
	target=$(awk -F'"' '/"klp_object":/ { for (i = 1; i <= NF; i++)
		if ($i == "klp_object") { print $(i + 2); exit } }' "$out/report.json")
	[ "$target" != vmlinux ] || target=
	files=("$out/livepatch-u$n.ko")
	local chain=() pre=() m
	# the modules the livepatch depends on (--module-deps) come first
	chain_seen=
	for m in $(modinfo -F depends "$out/livepatch-u$n.ko" | tr ',' ' '); do
		mapfile -t -O "${#pre[@]}" pre < <(mod_chain "$m")
	done
	for m in "${pre[@]}"; do
		files+=("$(module_copy "$m" "$vmdir")")
	done
	if [ -n "$target" ] && ! printf '%s\n' "${pre[@]}" | grep -qxF -- "$target"; then
		# (chain_seen keeps the ones loaded before)
		mapfile -t chain < <(mod_chain "$target")
		for m in "${chain[@]}"; do
			files+=("$(module_copy "$m" "$vmdir")")
		done
	fi
	guest_script "livepatch-u$n.ko" "$name" "$target" "${chain[*]}" "${pre[*]}" \
		>"$vmdir/test.sh"
	bash "$integ/vm.sh" --timeout 300 "$root/boot/vmlinuz-$release" \
		"$vmdir/test.sh" "${files[@]}" >"$out/vm.log" 2>&1
}

main() {
	local args=() old new n=0 f t0 secs table shard=1/1
	while [ $# -gt 0 ]; do
		case $1 in
		--limit) limit=$2; shift 2 ;;
		--only) only=$2; shift 2 ;;
		--every) every=$2; shift 2 ;;
		--no-vm) vm=0; shift ;;
		--keep) keep=1; shift ;;
		--shard) shard=$2; shift 2 ;;
		--kpb-arg) kpb_args+=("$2"); shift 2 ;;
		--merge) shift; merge "$@"; return ;;
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
		[ $(((n - 1) % ${shard#*/})) -eq $((${shard%/*} - 1)) ] || continue
		cut_patch "$f" "$old" "$new" >"$work/patches/$n.patch"
		t0=$(date +%s)
		[ -s "$work/configured" ] || list_configured
		if surely_not_built "$f"; then
			RESULT="not built" WHY="(kbuild's listing)"
		else
			classify "$n" "$f"
		fi
		if [ "$RESULT" = built ]; then
			if [ "$vm" -eq 0 ]; then
				RESULT="built (not run)"
			elif prove "$n"; then
				RESULT=proven
				! grep -q '^NOMODULE:' "$work/out/$n/vm.log" || {
					RESULT="proven (no module)"
					WHY="$WHY; $(grep -m 1 '^NOMODULE:' "$work/out/$n/vm.log" | cut -c11-)"
				}
			else
				RESULT=broken
				WHY="$WHY; VM: $(grep -m 1 '^FAIL' "$work/out/$n/vm.log" || tail -n 1 "$work/out/$n/vm.log")"
			fi
		fi
		secs=$(( $(date +%s) - t0 ))
		printf '| %d | `%s` | %s | %s | %ds |\n' "$n" "$f" "$RESULT" \
			"$(sed 's/|/\\|/g' <<<"$WHY")" "$secs" >>"$table.tmp"
		log "[$n/${#files[@]}] $f: $RESULT ${WHY:0:120}"
	done
	finish "$table"
}

# totals TABLE: the totals line of a table's rows, and the suite's summary
# ("N passed, N failed": broken and error fail); exit status 1 if any did.
totals() {
	awk -F' [|] ' '
		/^[|] [0-9]+ [|]/ {
			r = $3; n++
			if (r ~ /^proven/ || r == "built (not run)") proven++
			if (r == "proven (no module)") nomod++
			else if (r == "broken") broken++
			else if (r == "refused") refused++
			else if (r == "no change") nochange++
			else if (r == "not built") notbuilt++
			else if (r == "needs update") needs++
			else if (r !~ /^proven/ && r != "built (not run)") errors++
		}
		END {
			printf "\nTotals (%d files): proven %d (%d of them without their module: it does not load in the VM), broken %d, refused %d, no change %d, needs the update %d, not built by the config %d, error %d\n", n, proven, nomod, broken, refused, nochange, needs, notbuilt, errors
			printf "%d passed, %d failed\n", proven + refused + nochange + needs + notbuilt, broken + errors
			exit (broken + errors > 0)
		}' "$1"
}

# finish TABLE: the totals appended to TABLE.tmp, moved to TABLE, shown.
finish() {
	local rc=0 sum
	sum=$(totals "$1.tmp") || rc=$?
	sed '$d' <<<"$sum" >>"$1.tmp"
	mv "$1.tmp" "$1"
	cat "$1"
	tail -n 1 <<<"$sum"
	return "$rc"
}

# merge OUT TABLE...: the tables of several shards as one, in file order.
merge() {
	local out=$1
	shift
	{
		sed -n '1,/^|---/p' "$1"
		cat "$@" | grep -E '^[|] [0-9]+ [|]' | sort -t'|' -k2,2n
	} >"$out.tmp"
	finish "$out"
}

main "$@"
