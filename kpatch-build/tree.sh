# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=bash
# kpatch-build: the user's kernel tree.  Prepare it, find the objects the
# patches affect, build each twice through the tree's own kbuild, and give
# the tree back exactly as it was found, whatever happens.

TOUCHED=()		# files the patches touch, relative to $SRC
OBJECTS=()		# objects to diff, relative to $SRC
TREE_DIRTY=0		# set while the tree may differ from what we found
TOPFILES=()		# small top-level files of $SRC, saved too
declare -A OWNER=()	# object -> its klp_object: vmlinux or a module name

# Single-object builds need what "make modules_prepare" makes (generated
# headers, objtool, modpost).  A built tree has it; a configured one gets it
# once, and keeps it for the next run.
prepare_tree() {
	if [ -x "$SRC/tools/objtool/objtool" ] &&
	   [ -f "$SRC/include/generated/autoconf.h" ] &&
	   [ -x "$SRC/scripts/mod/modpost" ]; then
		return
	fi
	info "preparing $SRC once (make modules_prepare), log in $LOG"
	kmake modules_prepare >>"$LOG" 2>&1 ||
		die "'make modules_prepare' failed in $SRC; see $LOG"
}

# The files each patch touches, from its ---/+++ headers (-p1 paths).
patch_files() {
	awk '
	/^--- / { old = $2 }
	/^\+\+\+ / {
		f = ($2 == "/dev/null") ? old : $2
		sub(/^[^\/]*\//, "", f)
		print f
	}' "$1"
}

read_patches() {
	local p f
	for p in "${PATCHES[@]}"; do
		mapfile -t files < <(patch_files "$p")
		[ ${#files[@]} -gt 0 ] ||
			die "$p: no file headers (---/+++): not a unified diff?"
		for f in "${files[@]}"; do
			case $f in
			/*|*..*) die "$p: unsafe path '$f' in patch" ;;
			esac
			TOUCHED+=("$f")
		done
	done
	mapfile -t TOUCHED < <(printf '%s\n' "${TOUCHED[@]}" | sort -u)
	debug "patches touch: ${TOUCHED[*]}"
}

# Every object a patched header affects (headers.sh): kbuild's dependency
# records where the object has one, else the include scan; only objects
# this configuration builds into vmlinux or a module.
find_header_objects() {
	local h n rec objs=()
	mkdir -p "$WORK/scan"
	header_objects "$@" >"$WORK/scan/header-objects"
	for h in "$@"; do
		mapfile -t objs < <(awk -v h="$h" '$1 == h && $3 == "unconfigured" { print $2 }' \
			"$WORK/scan/header-objects")
		[ ${#objs[@]} -eq 0 ] ||
			debug "$h: left out, not built by this configuration although a record names it: ${objs[*]}"
		mapfile -t objs < <(awk -v h="$h" '$1 == h && $3 != "unconfigured" { print $2 }' \
			"$WORK/scan/header-objects")
		rec=$(awk -v h="$h" '$1 == h && $3 == "record"' \
			"$WORK/scan/header-objects" | wc -l)
		n=${#objs[@]}
		if [ "$n" -eq 0 ]; then
			info "warning: no object of this configuration includes $h"
			continue
		fi
		info "$h: $n objects ($rec from dependency records, $((n - rec)) from the include scan)"
		OBJECTS+=("${objs[@]}")
	done
}

find_objects() {
	local f headers=()
	for f in "${TOUCHED[@]}"; do
		case $f in
		*.c)
			OBJECTS+=("${f%.c}.o") ;;
		*.h)
			headers+=("$f") ;;
		*.S)
			die "$f: patches to assembly files are not supported: a livepatch replaces C functions through ftrace; make the fix in C code" ;;
		*)
			die "$f: kpatch-build can only live-patch C sources and headers; this patch changes $f" ;;
		esac
	done
	[ ${#headers[@]} -eq 0 ] || find_header_objects "${headers[@]}"
	OBJECTS+=("${TARGETS[@]}")
	mapfile -t OBJECTS < <(printf '%s\n' "${OBJECTS[@]}" | sed '/^$/d' | sort -u)
	[ ${#OBJECTS[@]} -gt 0 ] || die "the patches affect no object of $SRC"
	for f in "${OBJECTS[@]}"; do
		[ -f "$SRC/${f%.o}.c" ] || die "$f: no source ${f%.o}.c in $SRC"
	done
	info "affected objects: ${OBJECTS[*]}"
}

# What the build may change: the touched sources, and for every object the
# object itself, kbuild's .cmd record and its dependency file .o.d (fixdep
# removes it, but with CONFIG_MODVERSIONS the genksyms preprocessor run of an
# object that exports symbols writes it again, and a built tree keeps it).
# Saved with their times.
backup_tree() {
	local f cmd
	find "$SRC" -type f -printf '%P\n' | sort > "$WORK/files.before"
	touch "$WORK/stamp"
	sleep 0.01
	TREE_DIRTY=1
	# kbuild rewrites some top-level files (.missing-syscalls.d) each run
	mapfile -t TOPFILES < <(cd "$SRC" && find . -maxdepth 1 -type f \
		-size -1024k -printf '%P\n')
	for f in "${TOPFILES[@]}"; do
		cp -p "$SRC/$f" "$WORK/backup/"
	done
	for f in "${TOUCHED[@]}" "${OBJECTS[@]}"; do
		cmd=$(dirname "$f")/.$(basename "$f").cmd
		for x in "$f" "$cmd" "${cmd%.cmd}.d"; do
			[ ! -e "$SRC/$x" ] ||
				(cd "$SRC" && cp -p --parents "$x" "$WORK/backup/")
		done
	done
}

put_back_sources() {
	local f
	for f in "${TOUCHED[@]}"; do
		if [ -e "$WORK/backup/$f" ]; then
			cp -p "$WORK/backup/$f" "$SRC/$f"
		else
			rm -f "$SRC/$f"
		fi
	done
}

# Where the patched file has more or fewer lines than the original, put a
# "#line N" after each changed region so that the code that follows keeps its
# original line numbers: functions that only use __LINE__ (WARN, BUG,
# might_sleep, pr_* with line numbers) then do not look changed.
keep_line_numbers() {
	local orig=$1 patched=$2 marks
	marks=$(diff -U0 "$orig" "$patched" | awk '
	/^@@ / {
		split(substr($2, 2), o, ","); split(substr($3, 2), n, ",")
		if (!(2 in o)) o[2] = 1
		if (!(2 in n)) n[2] = 1
		if (o[2] == n[2]) next
		next_new = (n[2] == 0) ? n[1] + 1 : n[1] + n[2]
		old = (o[2] == 0) ? o[1] + 1 : o[1] + o[2]
		print next_new, old
	}') || true
	[ -n "$marks" ] || return 0
	awk -v marks="$marks" '
	BEGIN {
		n = split(marks, m, "\n")
		for (i = 1; i <= n; i++) { split(m[i], f, " "); at[f[1]] = f[2] }
	}
	FNR in at { pend = at[FNR]; pend_line = FNR }
	# not inside a macro that continues: wait for its end
	pend && prev !~ /\\$/ {
		print "#line " (pend + FNR - pend_line)
		pend = 0
	}
	{ print; prev = $0 }' "$patched" > "$patched.lines"
	mv "$patched.lines" "$patched"
}

# Apply every patch for real, keep the patched files, put the originals back.
check_patches_apply() {
	local p f out
	for p in "${PATCHES[@]}"; do
		if ! out=$(patch -d "$SRC" -p1 --forward --batch \
				--no-backup-if-mismatch \
				--reject-file="$WORK/rejects" < "$p" 2>&1); then
			printf '%s\n' "$out" | grep -E 'patching file|FAILED|can.t find|Skipping|malformed|No file|Reversed|Only garbage' >&2 || printf '%s\n' "$out" >&2
			die "${p##*/} does not apply to $SRC (see the files and hunks above); the tree is restored"
		fi
		debug "$out"
	done
	for f in "${TOUCHED[@]}"; do
		if [ -e "$SRC/$f" ]; then
			mkdir -p "$WORK/patched-src/$(dirname "$f")"
			cp "$SRC/$f" "$WORK/patched-src/$f"
			case $f in
			*.c|*.h)
				[ ! -e "$WORK/backup/$f" ] || keep_line_numbers \
					"$WORK/backup/$f" "$WORK/patched-src/$f" ;;
			esac
		fi
	done
	put_back_sources
}

# build_objects orig|patched: build $OBJECTS through the gcc wrapper (which
# adds -ffunction-sections -fdata-sections to just them), copy them to
# $WORK/orig or $WORK/patched.  They are removed first, so kbuild rebuilds
# them although their recorded command does not change.
build_objects() {
	local kind=$1 f
	mkdir -p "$WORK/bin"
	install -m 755 "$LIBEXEC/gcc-wrapper.sh" "$WORK/bin/gcc"
	for f in "${OBJECTS[@]}"; do
		rm -f "${SRC:?}/$f"
	done
	if ! KPB_DIFF_OBJECTS="${OBJECTS[*]}" KPB_INCLUDE="$TEMPLATES" \
	     KPB_REAL_PATH="$(make_path)" \
	     PATH="$WORK/bin:$(make_path)" make -C "$SRC" -j"$JOBS" \
			"${OBJECTS[@]}" >>"$LOG" 2>&1; then
		grep -E 'error:|Error [0-9]' "$LOG" | tail -n 10 >&2 || true
		die "building the $kind objects failed; see $LOG"
	fi
	for f in "${OBJECTS[@]}"; do
		[ -f "$SRC/$f" ] ||
			die "$f was not built: it is not part of this kernel's configuration"
		record_owner "$kind" "$f"
		mkdir -p "$WORK/$kind/$(dirname "$f")"
		cp "$SRC/$f" "$WORK/$kind/$f"
	done
}

# The klp_object of an object, from its kbuild record (file .o.cmd, whose
# command line is "cmd_..." up to 6.1 and "savedcmd_..." from 6.3 on):
# "vmlinux", or for an object of a loadable module (compiled with -DMODULE)
# the module's name as the kernel knows it, KBUILD_MODNAME with '-' as '_'.
object_owner() {
	local line name
	line=$(grep -m1 -E '^(saved)?cmd_' "$1" 2>/dev/null) || return 1
	case " $line " in
	*" -DMODULE "*) ;;
	*) echo vmlinux; return 0 ;;
	esac
	name=$(sed -n "s/.* -DKBUILD_MODNAME=['\"]*\([A-Za-z0-9_-]*\).*/\1/p" <<<"$line")
	[ -n "$name" ] || return 1
	printf '%s\n' "${name//-/_}"
}

record_owner() {
	local kind=$1 f=$2 owner
	owner=$(object_owner "$SRC/$(dirname "$f")/.$(basename "$f").cmd") ||
		die "$f: its kbuild record $(dirname "$f")/.$(basename "$f").cmd does not tell whether it is built into vmlinux or into a module (-DMODULE, -DKBUILD_MODNAME); rebuild it with 'make $f' and retry"
	if [ "$kind" = orig ]; then
		OWNER[$f]=$owner
		[ "$owner" = vmlinux ] || info "$f belongs to module $owner"
	elif [ "${OWNER[$f]}" != "$owner" ]; then
		die "$f: built into ${OWNER[$f]} before the patch but into $owner after it; a livepatch cannot move code between objects"
	fi
}

build_patched_objects() {
	(cd "$WORK/patched-src" && find . -type f -exec cp --parents {} "$SRC" \;)
	build_objects patched
}

# Put back what we saved; delete what did not exist; then make sure nothing
# else in the tree changed since the stamp.
restore_tree() {
	local f left
	put_back_sources
	for f in "${TOPFILES[@]}"; do
		cp -p "$WORK/backup/$f" "$SRC/$f"
	done
	for f in "${OBJECTS[@]}"; do
		local cmd
		cmd=$(dirname "$f")/.$(basename "$f").cmd
		for x in "$f" "$cmd" "${cmd%.cmd}.d"; do
			if [ -e "$WORK/backup/$x" ]; then
				cp -p "$WORK/backup/$x" "$SRC/$x"
			else
				rm -f "$SRC/$x"
			fi
		done
	done
	left=$(find "$SRC" -type f -newer "$WORK/stamp" -printf '%P\n' | sort)
	if [ -n "$left" ]; then
		# new files made by the build: remove; changed old files: report
		comm -23 <(printf '%s\n' "$left") "$WORK/files.before" |
			while read -r f; do rm -f "$SRC/$f"; done
		left=$(comm -12 <(printf '%s\n' "$left") "$WORK/files.before")
		if [ -n "$left" ]; then
			TREE_DIRTY=0
			die "the build changed files in $SRC that were not saved: $left"
		fi
	fi
	TREE_DIRTY=0
}

restore_tree_if_needed() {
	[ "$TREE_DIRTY" -eq 1 ] || return 0
	restore_tree
}
