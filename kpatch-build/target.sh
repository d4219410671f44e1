# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=bash
# kpatch-build: the target's objects.  vmlinux is given (-v); for every module
# the patches change, find the .ko the target kernel loads, whose symbol
# table gives the positions of the module's symbols.  They are listed in
# WORK/targets, one "OBJNAME PATH" per line, vmlinux first.

MODULES_DIR=		# --modules-dir: where the target's modules are

# The kernel's name of a module file: its base name without .ko (and a
# compression suffix), '-' as '_'.
module_file_name() {
	local b=${1##*/}
	b=${b%.xz}
	b=${b%.gz}
	b=${b%.zst}
	b=${b%.ko}
	printf '%s\n' "${b//-/_}"
}

# The module files called NAME (as the kernel names it) under DIR.
modules_under() {
	local name=$1 dir=$2 f
	# NUL-separated: a path with a newline is one path, and is skipped
	# (WORK/targets lists one per line)
	find -L "$dir" -type f \( -name '*.ko' -o -name '*.ko.xz' \
		-o -name '*.ko.gz' -o -name '*.ko.zst' \) -print0 2>/dev/null |
	while IFS= read -r -d '' f; do
		case $f in *$'\n'*) continue ;; esac
		[ "$(module_file_name "$f")" != "$name" ] || printf '%s\n' "$f"
	done | sort
}

# The modules called NAME that the tree built: from modules.order (which
# lists them as .ko, or as .o since Linux 6.2), else the whole tree.
modules_in_tree() {
	local name=$1 m
	if [ ! -f "$SRC/modules.order" ]; then
		modules_under "$name" "$SRC"
		return
	fi
	while read -r m; do
		m=${m%.o}
		m=${m%.ko}.ko
		[ "$(module_file_name "$m")" != "$name" ] ||
			[ ! -f "$SRC/$m" ] || printf '%s\n' "$SRC/$m"
	done <"$SRC/modules.order"
}

kernel_release() {
	cat "$SRC/include/config/kernel.release" 2>/dev/null
}

# Sets KO to the module file of NAME (object OBJ is part of it): under
# --modules-dir if given, else the tree's own build, else
# /lib/modules/RELEASE.
find_module_ko() {
	local name=$1 obj=$2 rel where=() found=()
	rel=$(kernel_release) || true
	if [ -n "$MODULES_DIR" ]; then
		where=("$MODULES_DIR")
		mapfile -t found < <(modules_under "$name" "$MODULES_DIR")
	else
		where=("$SRC")
		mapfile -t found < <(modules_in_tree "$name")
		if [ ${#found[@]} -eq 0 ] && [ -n "$rel" ] &&
		   [ -d "/lib/modules/$rel" ]; then
			where+=("/lib/modules/$rel")
			mapfile -t found < <(modules_under "$name" "/lib/modules/$rel")
		fi
	fi
	[ ${#found[@]} -gt 0 ] ||
		die "$obj belongs to module $name, but no $name.ko is in ${where[*]}${rel:+ (nor /lib/modules/$rel)}: lookup needs the target's $name.ko for its symbol table; build the tree's modules ('make modules') or give the directory of the target kernel's modules with --modules-dir DIR"
	[ ${#found[@]} -eq 1 ] ||
		die "module $name: several files in ${where[*]} could be it: ${found[*]}; give the directory that holds the one the target loads with --modules-dir DIR"
	KO=${found[0]}
}

# A compressed module is unpacked into the work directory.
unpack_module() {
	local name=$1 ko=$2 out=$WORK/modules/$1.ko
	case $ko in
	*.xz) xz -dc "$ko" >"$out" ;;
	*.gz) gzip -dc "$ko" >"$out" ;;
	*.zst) zstd -qdc "$ko" >"$out" ;;
	*) printf '%s\n' "$ko"; return 0 ;;
	esac || die "cannot decompress module $ko; is $(basename "${ko##*.}") installed?"
	printf '%s\n' "$out"
}

# The value of KEY in a module's .modinfo.
modinfo_field() {
	local ko=$1 key=$2
	objcopy -O binary --only-section=.modinfo "$ko" "$WORK/modules/modinfo" 2>/dev/null ||
		return 1
	tr '\0' '\n' <"$WORK/modules/modinfo" |
		KPB_KEY=$key awk 'index($0, ENVIRON["KPB_KEY"] "=") == 1 {
			print substr($0, length(ENVIRON["KPB_KEY"]) + 2); exit }'
}

# The module must be the one this tree's kernel loads: same name, same
# release in its vermagic.
check_module_ko() {
	local name=$1 ko=$2 modname vermagic rel
	modname=$(modinfo_field "$ko" name) ||
		die "$ko: cannot read its .modinfo: is it a kernel module?"
	[ "$modname" = "$name" ] ||
		die "$ko: its .modinfo names module '${modname:-(none)}', not $name; give the directory of the target's modules with --modules-dir DIR"
	rel=$(kernel_release) || return 0
	vermagic=$(modinfo_field "$ko" vermagic)
	[ "${vermagic%% *}" = "$rel" ] ||
		die "$ko was built for kernel ${vermagic%% *}, but $SRC is $rel: use the module of the kernel the livepatch is for (--modules-dir DIR)"
}

find_target_modules() {
	local f name shipped
	mkdir -p "$WORK/modules"
	printf 'vmlinux %s\n' "$VMLINUX" >"$WORK/targets"
	: >"$WORK/debug-targets"
	for f in "${OBJECTS[@]}"; do
		name=${OWNER[$f]}
		[ "$name" != vmlinux ] || continue
		target_of "$name" >/dev/null && continue
		find_module_ko "$name" "$f"
		shipped=$KO
		KO=$(unpack_module "$name" "$KO") || exit 1
		check_module_ko "$name" "$KO"
		printf '%s %s\n' "$name" "$KO" >>"$WORK/targets"
		info "module $name: symbols from $KO"
		find_module_debug "$name" "$shipped" "$KO"
	done
}

# A module without STT_FILE symbols (stripped with --strip-debug, as
# distributions ship them) cannot tell its same-named statics apart; in
# distro mode, its copy from the -dbg package can (lookup --module-debug).
# WORK/debug-targets: one "OBJNAME PATH" per line.  A tree's own .ko keeps
# its STT_FILE symbols.
find_module_debug() {
	local name=$1 shipped=$2 ko=$3 dbg
	readelf -sW "$ko" 2>/dev/null | awk '$4 == "FILE" { found = 1 }
		END { exit !found }' && return 0
	distro_mode || return 0
	dbg=$(distro_module_debug "$name" "$shipped") || exit 1
	[ -n "$dbg" ] || return 0
	printf '%s %s\n' "$name" "$dbg" >>"$WORK/debug-targets"
	info "module $name: file groups from its debug copy $dbg"
}

# The debug copy of a module target, if it has one.
debug_target_of() {
	awk -v n="$1" '$1 == n { print substr($0, length($1) + 2); found = 1; exit }
		END { exit !found }' "$WORK/debug-targets" 2>/dev/null
}

# The target file (vmlinux or .ko) of a klp_object.
target_of() {
	awk -v n="$1" '$1 == n { print substr($0, length($1) + 2); found = 1; exit }
		END { exit !found }' "$WORK/targets"
}
