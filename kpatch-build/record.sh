# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=bash
# kpatch-build: what the module records about itself in its modinfo, for the
# kpatch utility (kpatch/kpatch) and for people:
#
#   kpb_build_id=HEX      the target vmlinux's GNU build id (as the running
#                         kernel shows it in /sys/kernel/notes)
#   kpb_vmlinuz=SHA256    the target's boot image (the tree's bzImage, the
#                         image package's /boot/vmlinuz-RELEASE)
#   kpb_sysmap=SHA256     the target's System.map
#   kpb_replace=1|0       atomic replace (cumulative) or not
#   kpb_patch_level=N     --patch-level: also the klp_state version
#   kpb_cve=ID            --cve, once per id
#   kpb_func=OBJ:FUNC,POS each patched function (sysfs's names)
#
# and --description as the module's description.  Each value is written as
# one C string literal by c_string (escape.awk).

DESCRIPTION=
CVES=()
PATCH_LEVEL=0
TARGET_BUILD_ID=
TARGET_VMLINUZ=
TARGET_SYSMAP=

# The klp_state id of kpatch-build's patch level ("kpb"): the kernel lets a
# cumulative patch replace loaded ones only when its version of every state
# they have is at least theirs (Documentation/livepatch/system-state.rst).
# shellcheck disable=SC2034 # module.sh puts it in the template
KPB_STATE_ID=0x6b7062

# check_metadata: --cve ids and --patch-level, checked before the build.
check_metadata() {
	local c
	[[ $PATCH_LEVEL =~ ^(0|[1-9][0-9]{0,8})$ ]] ||
		die "bad --patch-level '$PATCH_LEVEL': give a number from 1 to 999999999"
	for c in "${CVES[@]}"; do
		[[ $c =~ ^CVE-[0-9]{4}-[0-9]{4,}$ ]] ||
			die "bad --cve '$c': a CVE id looks like CVE-2024-12345"
	done
	[ "${#DESCRIPTION}" -le 400 ] ||
		die "--description is ${#DESCRIPTION} characters long: at most 400"
	case $DESCRIPTION in
	*$'\n'*) die "--description has a newline: give one line" ;;
	esac
}

# The files that identify the target build, found next to the target's
# vmlinux: its build id, its boot image and its System.map, when there.
target_record() {
	local dir rel f
	dir=$(dirname "$VMLINUX")
	rel=${VMLINUX##*/vmlinux-}
	[ "$rel" != "$VMLINUX" ] || rel=
	if [ "$(head -c 4 "$VMLINUX" | od -An -c | tr -d ' ')" = 177ELF ]; then
		TARGET_BUILD_ID=$(readelf -n "$VMLINUX" 2>/dev/null |
			sed -n 's/^ *Build ID: *\([0-9a-f]*\)$/\1/p' | head -n 1)
		for f in "$dir/System.map${rel:+-$rel}" "$dir/System.map"; do
			if [ ! -f "$f" ] || [ "$(wc -l <"$f")" -le 100 ]; then
				continue
			fi
			TARGET_SYSMAP=$(sha256sum <"$f" | cut -d' ' -f1)
			break
		done
	else
		TARGET_SYSMAP=$(sha256sum <"$VMLINUX" | cut -d' ' -f1)
	fi
	if distro_mode; then
		f=$DISTRO_ROOT/boot/vmlinuz-$DISTRO_RELEASE
	elif [ "$VMLINUX" = "$SRC/vmlinux" ]; then
		f=$SRC/arch/x86/boot/bzImage
		[ "$f" -nt "$VMLINUX" ] || [ ! "$VMLINUX" -nt "$f" ] || f=
	else
		f=
	fi
	[ -z "$f" ] || [ ! -f "$f" ] ||
		TARGET_VMLINUZ=$(sha256sum <"$f" | cut -d' ' -f1)
	[ -n "$TARGET_BUILD_ID$TARGET_VMLINUZ$TARGET_SYSMAP" ] ||
		info "warning: no build id, boot image or System.map of the target found next to $VMLINUX: the module records no target build, kpatch load can check only its vermagic"
	debug "target build: id ${TARGET_BUILD_ID:-none}, vmlinuz ${TARGET_VMLINUZ:-none}, System.map ${TARGET_SYSMAP:-none}"
}

# modinfo_line KEY VALUE: MODULE_INFO(KEY, "VALUE").
modinfo_line() {
	printf 'MODULE_INFO(%s, %s);\n' "$1" "$(c_string "$2")"
}

# The MODULE_INFO lines of the module (templates/livepatch-main.c's
# @MODINFO@), from the record, the options and lookup's "func" lines (in
# WORK/diff/funcs, or in the generator's WORK/diff/manifest).
module_info() {
	local c obj name pos
	[ -z "$TARGET_BUILD_ID" ] || modinfo_line kpb_build_id "$TARGET_BUILD_ID"
	[ -z "$TARGET_VMLINUZ" ] || modinfo_line kpb_vmlinuz "$TARGET_VMLINUZ"
	[ -z "$TARGET_SYSMAP" ] || modinfo_line kpb_sysmap "$TARGET_SYSMAP"
	if [ "$REPLACE" = true ]; then
		modinfo_line kpb_replace 1
	else
		modinfo_line kpb_replace 0
	fi
	[ "$PATCH_LEVEL" -eq 0 ] || modinfo_line kpb_patch_level "$PATCH_LEVEL"
	for c in "${CVES[@]}"; do
		modinfo_line kpb_cve "$c"
	done
	while read -r _ obj name pos _; do
		modinfo_line kpb_func "$obj:$name,$pos"
	done < <(cat "$WORK/diff/manifest" "$WORK/diff/funcs" 2>/dev/null |
		awk '$1 == "func"')
}

# The module's description line: --description, when given.
description_line() {
	printf 'MODULE_DESCRIPTION(%s);\n' "$(c_string "$DESCRIPTION")"
}

# record_module: into the generated livepatch-main.c (whichever generator
# wrote it), the record: the template's line @MODINFO@ becomes the
# MODULE_INFO lines, @PATCH_LEVEL@ and @STATE_ID@ their values, and with
# --description the MODULE_DESCRIPTION line says it.
record_module() {
	local src=$WORK/module/livepatch-main.c
	module_info >"$WORK/module/modinfo"
	[ -z "$DESCRIPTION" ] || description_line >"$WORK/module/description"
	KPB_MODINFO=$WORK/module/modinfo KPB_DESC=$WORK/module/description \
	KPB_LEVEL=$PATCH_LEVEL KPB_STATE=$KPB_STATE_ID LC_ALL=C awk '
	BEGIN { desc = ""; if ((getline desc < ENVIRON["KPB_DESC"]) <= 0) desc = "" }
	$0 == "@MODINFO@" {
		while ((getline l < ENVIRON["KPB_MODINFO"]) > 0) print l
		done_info = 1
		next
	}
	desc != "" && /^MODULE_DESCRIPTION\(.*\);$/ { print desc; next }
	{
		gsub(/@PATCH_LEVEL@/, ENVIRON["KPB_LEVEL"])
		gsub(/@STATE_ID@/, ENVIRON["KPB_STATE"])
		print
	}
	END { if (!done_info) exit 3 }' "$src" >"$src.rec" ||
		die "cannot write the record into $src: its template has no @MODINFO@ line ($TEMPLATES/livepatch-main.c)"
	mv -- "$src.rec" "$src"
}

# The record's fields of the JSON report (write_json), after "result".
json_metadata() {
	local c first=1
	printf ',\n  "description": %s,\n  "cves": [' "$(json_string "$DESCRIPTION")"
	for c in "${CVES[@]}"; do
		[ $first -eq 1 ] || printf ', '
		first=0
		printf '%s' "$(json_string "$c")"
	done
	printf '],\n  "patch_level": %d,\n  "target_build_id": %s' "$PATCH_LEVEL" \
		"$(json_string "$TARGET_BUILD_ID")"
}
