# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=bash
# kpatch-build: the target (-v VMLINUX, --symvers) must be the kernel the
# tree builds, or the module would patch another kernel's functions with
# this tree's code.  Checked before anything is built, with
# verify-target (verify-target/verify-target.c), which reads vmlinux's
# symbol table, notes and banner:
#
#   release   the tree's (include/config/kernel.release, else Debian's
#             .kernelvariables, else the Makefile's version as a prefix)
#             is the one in vmlinux's linux_banner ("Linux version R ...")
#   CRCs      every exported symbol's CRC in vmlinux (__crc_*) is the one
#             Module.symvers gives it, and vmlinux has CRCs exactly when
#             the tree's config has CONFIG_MODVERSIONS=y
#   same      when the tree has a vmlinux of its own and -v is another
#             file: the same build id, or else the same release and
#             compiler in the banner and every function the same size
#
# Every difference is listed, then kpatch-build stops.  A System.map (distro
# mode's --no-dbg-vmlinux) has no banner nor CRC values: not checked.

# The verify-target tool: next to the scripts when installed, else in the
# repository's verify-target/.
verify_target_tool() {
	if [ -x "$LIBEXEC/verify-target" ]; then
		printf '%s\n' "$LIBEXEC/verify-target"
	else
		printf '%s\n' "$LIBEXEC/../verify-target/verify-target"
	fi
}

# The tree's release, how sure it is and where from: "exact FILE RELEASE"
# or "prefix Makefile VERSION" (a configured tree that was never prepared:
# the Makefile's VERSION.PATCHLEVEL.SUBLEVEL and EXTRAVERSION, without the
# local version).
tree_release() {
	local rel
	if [ -s "$SRC/include/config/kernel.release" ]; then
		printf 'exact include/config/kernel.release %s\n' \
			"$(head -n 1 "$SRC/include/config/kernel.release")"
		return
	fi
	rel=$(sed -n 's/^override KERNELRELEASE = *//p' "$SRC/.kernelvariables" 2>/dev/null |
		head -n 1)
	if [ -n "$rel" ]; then
		printf 'exact .kernelvariables %s\n' "$rel"
		return
	fi
	awk -F' *= *' '
	$1 == "VERSION" { v = $2 } $1 == "PATCHLEVEL" { p = $2 }
	$1 == "SUBLEVEL" { s = $2 } $1 == "EXTRAVERSION" { e = $2 }
	/^# \*DOCUMENTATION\*/ { exit }
	END { if (v != "") printf "prefix Makefile %s.%s.%s%s\n", v, p, s, e }' "$SRC/Makefile"
}

# The release in a banner "Linux version RELEASE (...) ...".
banner_release() {
	local b=${1#Linux version }
	printf '%s\n' "${b%% *}"
}

# The compiler of a banner: "Linux version R (USER@HOST) (COMPILER) #N ...",
# without the program's name ("gcc-12 (Debian 12.2.0-14) 12.2.0, GNU ld
# ..." is "gcc (Debian 12.2.0-14) 12.2.0, GNU ld ...": the same compiler).
banner_compiler() {
	local b=${1#* (*) (}
	b=${b% \#*}
	b=${b%)}
	printf '%s\n' "${b#* }"
}

# The first five lines of $1, on one line, "; " between them (", ..." after
# them when there are more).
first_five() {
	awk 'NR <= 5 { printf "%s%s", (NR > 1 ? "; " : ""), $0 }
	END { if (NR > 5) printf "; ..." }' <<<"$1"
}

# verify_release BANNER: problems, one per line, on stdout.
verify_release() {
	local banner=$1 kind from rel theirs
	read -r kind from rel < <(tree_release) || true
	if [ -z "$banner" ]; then
		info "warning: $VMLINUX has no linux_banner: its release is not compared with the tree's"
		return
	fi
	theirs=$(banner_release "$banner")
	case $kind in
	exact)
		[ "$theirs" = "$rel" ] ||
			echo "release: vmlinux is $theirs, the tree $SRC is $rel ($from)" ;;
	prefix)
		case $theirs in
		"$rel"|"$rel"[!0-9]*) ;;
		*) echo "release: vmlinux is $theirs, the tree $SRC is version $rel (its $from)" ;;
		esac ;;
	esac
}

# verify_crcs FACTS: problems on stdout.
verify_crcs() {
	local facts=$1 n bad modversions=0
	n=$(awk '$1 == "crcs" { print $2 }' <<<"$facts")
	grep -qx 'CONFIG_MODVERSIONS=y' "$SRC/.config" && modversions=1
	if [ "$modversions" -eq 1 ] && [ "${n:-0}" -eq 0 ]; then
		echo "symbol CRCs: the tree's config has CONFIG_MODVERSIONS=y, but vmlinux has no __crc_ symbols (a kernel built without it)"
	elif [ "$modversions" -eq 0 ] && [ "${n:-0}" -gt 0 ]; then
		echo "symbol CRCs: vmlinux has $n __crc_ symbols (CONFIG_MODVERSIONS), but the tree's config has no CONFIG_MODVERSIONS=y"
	fi
	bad=$(awk '
	$1 == "crc" { printf "%s (%s in vmlinux, %s in Module.symvers)\n", $2, $3, $4 }
	$1 == "crc-only-vmlinux" { printf "%s (%s in vmlinux, not in Module.symvers)\n", $2, $3 }
	$1 == "crc-only-symvers" { printf "%s (%s in Module.symvers, not in vmlinux)\n", $2, $3 }
	' <<<"$facts")
	[ -n "$bad" ] || return 0
	printf 'symbol CRCs: vmlinux and %s differ for %d exported symbols: %s\n' \
		"$SYMVERS" "$(wc -l <<<"$bad")" "$(first_five "$bad")"
}

# verify_same FACTS BANNER OTHER_BANNER: vmlinux against the tree's own.
verify_same() {
	local facts=$1 ours=$2 theirs=$3 id other n only_v only_t bad
	id=$(awk '$1 == "build-id" { print $2 }' <<<"$facts")
	other=$(awk '$1 == "other-build-id" { print $2 }' <<<"$facts")
	if [ -n "$id" ] && [ "$id" = "$other" ]; then
		debug "vmlinux has the build id of $SRC/vmlinux: $id"
		return
	fi
	[ "$(banner_release "$ours")" = "$(banner_release "$theirs")" ] ||
		echo "the tree's own vmlinux: $SRC/vmlinux is $(banner_release "$theirs"), vmlinux is $(banner_release "$ours")"
	[ "$(banner_compiler "$ours")" = "$(banner_compiler "$theirs")" ] ||
		echo "compiler: vmlinux was built by '$(banner_compiler "$ours")', $SRC/vmlinux by '$(banner_compiler "$theirs")'"
	read -r n only_v only_t < <(awk '$1 == "functions" { print $2, $3, $4 }' <<<"$facts")
	[ "${only_v:-0}" -eq 0 ] && [ "${only_t:-0}" -eq 0 ] ||
		echo "functions: $only_v are in vmlinux only, $only_t in $SRC/vmlinux only"
	bad=$(awk '$1 == "function" { printf "%s (%s bytes in vmlinux, %s in the tree'"'"'s)\n", $2, $3, $4 }' <<<"$facts")
	[ -z "$bad" ] ||
		printf 'function sizes: %d of the %d functions differ from %s/vmlinux: %s\n' \
			"$(wc -l <<<"$bad")" "$n" "$SRC" "$(first_five "$bad")"
}

# The check; dies listing every difference.
verify_target() {
	local tool facts same=() problems banner other="" lines
	if [ "$(head -c 4 "$VMLINUX" | od -An -c | tr -d ' ')" != 177ELF ]; then
		info "target $VMLINUX is a System.map: release and symbol CRCs not compared"
		return
	fi
	tool=$(verify_target_tool)
	if [ -f "$SRC/vmlinux" ] && [ "$(readlink -f "$SRC/vmlinux")" != "$VMLINUX" ]; then
		same=(--same-as "$SRC/vmlinux")
		other=$("$tool" "$SRC/vmlinux" | sed -n 's/^banner //p') ||
			die "cannot read the tree's own $SRC/vmlinux (see above)"
	fi
	facts=$("$tool" --symvers "$SYMVERS" "${same[@]}" "$VMLINUX") ||
		die "cannot read the target $VMLINUX or $SYMVERS (see above)"
	banner=$(sed -n 's/^banner //p' <<<"$facts")
	problems=$(
		verify_release "$banner"
		verify_crcs "$facts"
		[ ${#same[@]} -eq 0 ] || verify_same "$facts" "$banner" "$other"
	)
	if [ -n "$problems" ]; then
		mapfile -t lines <<<"$problems"
		info "the target is not the kernel $SRC builds:"
		printf '    %s\n' "${lines[@]}" >&2
		die "$VMLINUX (with $SYMVERS) is not the kernel of $SRC: give the target's own vmlinux (-v) and Module.symvers (--symvers), or the tree it was built from (-s)"
	fi
	debug "target $VMLINUX matches $SRC: ${banner:-no banner}"
}
