# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=bash
# kpatch-build: the user's kernel tree.  Prepare it, find the objects the
# patches affect, build each twice through the tree's own kbuild.  All of it
# happens in kpatch-build's view of the tree (isolate.sh): the tree itself
# is never written.

TOUCHED=()		# files the patches touch, relative to $SRC
IGNORED=()		# "FILE (why)": changed, but not built into the kernel
OBJECTS=()		# objects to diff, relative to $SRC
declare -A OWNER=()	# object -> its klp_object: vmlinux or a module name
declare -A FROM_HEADER=()	# object -> the changed headers it includes

# Single-object builds need what "make modules_prepare" makes (generated
# headers, objtool, modpost).  A built tree has it; for one that is only
# configured it is made in the view, each run (the tree is not changed).
prepare_tree() {
	tree_make_vars
	distcc_check_tree
	if [ -x "$SRC/tools/objtool/objtool" ] &&
	   [ -f "$SRC/include/generated/autoconf.h" ] &&
	   [ -x "$SRC/scripts/mod/modpost" ]; then
		return
	fi
	info "$USER_TREE is configured but not prepared: preparing it in the work directory (make modules_prepare; 'make modules_prepare' in the tree once saves this time), log in $LOG"
	kmake "${TREE_MAKE_VARS[@]}" modules_prepare >>"$LOG" 2>&1 || {
		grep -q 'No space left' "$LOG" && no_space "$WORK"
		die "'make modules_prepare' failed for $USER_TREE; see $LOG"
	}
	check_view
}

# The files each patch touches, from its ---/+++ headers (-p1 paths).  What
# GNU patch would do beyond changing the contents of files it is told about
# is refused here, before anything is applied (patch_refusal), and what it
# did is checked against this list afterwards (check_applied).
patch_files() {
	awk '
	/^--- / { old = $2 }
	/^\+\+\+ / {
		f = ($2 == "/dev/null") ? old : $2
		sub(/^[^\/]*\//, "", f)
		print f
	}' "$1"
}

# The first line of patch $1 that asks for something other than a change of
# a file's contents, as "LINE: WHAT"; nothing if there is none.
patch_refusal() {
	awk '
	function no(what) { print FNR ": " what; exit }
	/^rename (from|to) / { no("a git rename (" $0 "): renamed files are not supported; make the change in place") }
	/^copy (from|to) / { no("a git copy (" $0 "): copied files are not supported") }
	/^(old|new) mode / { no("a mode change (" $0 "): a livepatch carries code, not file modes; drop it from the patch") }
	/^deleted file mode / { no("a file deletion (" $0 "): a livepatch cannot remove a source file; make the change without deleting it") }
	/^\+\+\+ \/dev\/null/ { no("a file deletion (" $0 "): a livepatch cannot remove a source file; make the change without deleting it") }
	/^GIT binary patch/ || /^Binary files .* differ/ { no("a binary change: only C sources and headers can be live-patched") }
	# a context diff: "*** old" then "--- new", or a hunk "***************"
	# then "*** N,M ****"; a normal diff: "NcM" then "< " or "> "
	prev ~ /^\*\*\* [^*]/ && /^--- / { no("a context diff (" prev "): give the patch as a unified diff (diff -u, git diff)") }
	prev ~ /^\*\*\*\*\*\*\*\*\*\*\*\*\*\*\*$/ && /^\*\*\* [0-9]/ { no("a context diff hunk (" $0 "): give the patch as a unified diff (diff -u, git diff)") }
	prev ~ /^[0-9]+(,[0-9]+)?[acd][0-9]+(,[0-9]+)?$/ && /^[<>] / { no("a normal (non-unified) diff (" prev "): give the patch as a unified diff (diff -u, git diff)") }
	/^(--- |\+\+\+ )"/ { no("a quoted file name (" $0 "): kernel source paths are plain") }
	{ prev = $0 }
	' "$1"
}

# A path from a patch header that kpatch-build takes: relative, inside the
# tree, and made of the characters kernel source paths use.
check_patch_path() {
	local p=$1 f=$2
	case $f in
	/* | ../* | */../* | .. | */.. | '')
		die "${p##*/}: unsafe path '$f' in the patch (absolute or outside the tree)" ;;
	esac
	[[ $f =~ ^[A-Za-z0-9._/+,@=-]+$ ]] ||
		die "${p##*/}: path '$f' in the patch has characters kernel source paths do not have"
}

# Why a file the patch changes is not part of the running kernel (nothing
# when it may be): documentation, user-space tools, host build programs,
# other architectures, top-level text files.  Such hunks are left out of
# the build and named in the report.  Build rules (Makefile, Kbuild,
# Kconfig) outside those places still stop the run (find_objects).
ignored_why() {
	case $1 in
	Documentation/*) echo "documentation" ;;
	tools/*) echo "user-space tools (tools/)" ;;
	LICENSES/*) echo "license text" ;;
	usr/*/*.c|scripts/*)
		case ${1##*/} in
		Makefile*|Kbuild*|Kconfig*) ;;
		*) echo "a host program of the build, not kernel code" ;;
		esac ;;
	arch/x86/*) ;;
	arch/*) echo "another architecture than x86" ;;
	*.rst|*.txt|*.yaml|*/.gitignore|.gitignore|.mailmap|*.json) echo "documentation or data" ;;
	*/*) ;;
	Makefile|Kbuild|Kconfig) ;;
	*) echo "a top-level text file" ;;
	esac
}

read_patches() {
	local p f why files i=0
	declare -A drop=()
	for p in "${PATCHES[@]}"; do
		why=$(patch_refusal "$p")
		[ -z "$why" ] || die "${p##*/}, line $why"
		mapfile -t files < <(patch_files "$p")
		[ ${#files[@]} -gt 0 ] ||
			die "${p##*/}: no file headers (---/+++): not a unified diff?"
		for f in "${files[@]}"; do
			check_patch_path "$p" "$f"
			why=$(ignored_why "$f")
			if [ -n "$why" ]; then
				drop[$f]=1
				IGNORED+=("$f ($why)")
			else
				TOUCHED+=("$f")
			fi
		done
	done
	mkdir -p "$WORK/patches"
	for p in "${PATCHES[@]}"; do
		i=$((i + 1))
		KPB_DROP=$(printf '%s\n' "${!drop[@]}") \
			awk -f "$LIBEXEC/patch-filter.awk" "$p" >"$WORK/patches/$i.patch" ||
			no_space "$WORK"
	done
	[ ${#IGNORED[@]} -eq 0 ] ||
		info "left out, not built into the kernel: ${IGNORED[*]}"
	[ ${#TOUCHED[@]} -gt 0 ] ||
		die "the patches change nothing that is built into the kernel (${IGNORED[*]})"
	mapfile -t TOUCHED < <(printf '%s\n' "${TOUCHED[@]}" | sort -u)
	debug "patches touch: ${TOUCHED[*]}"
}

# Every object a patched header affects (headers.sh): kbuild's dependency
# records where the object has one, else the include scan; only objects
# this configuration builds into vmlinux or a module.
find_header_objects() {
	local h n o rec objs=()
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
			case $h in
			*.c) info "$h: not built by this configuration (no object of it, none that includes it): left out" ;;
			*) info "warning: no object of this configuration includes $h" ;;
			esac
			continue
		fi
		info "$h: $n objects ($rec from dependency records, $((n - rec)) from the include scan)"
		OBJECTS+=("${objs[@]}")
		for o in "${objs[@]}"; do
			FROM_HEADER[$o]="${FROM_HEADER[$o]:-}${FROM_HEADER[$o]:+ }$h"
		done
	done
}

# Whether this configuration builds OBJ: the tree built it, or kbuild's
# listing (headers.sh) names it.
configured_object() {
	[ ! -f "$SRC/$1" ] || return 0
	[ -s "$WORK/scan/kbuild-objects" ] || { mkdir -p "$WORK/scan"; list_kbuild_objects; }
	awk -v o="$1" '($1 == "y" || $1 == "m") && $2 == o { found = 1; exit }
		END { exit !found }' "$WORK/scan/kbuild-objects"
}

find_objects() {
	local f n headers=()
	for f in "${TOUCHED[@]}"; do
		case $f in
		*.c)
			# a .c that kbuild does not compile on its own may be
			# #included by one that it does: then it is a header
			if [ ! -e "$SRC/$f" ] || configured_object "${f%.c}.o"; then
				OBJECTS+=("${f%.c}.o")
			else
				headers+=("$f")
			fi ;;
		*.h)
			headers+=("$f") ;;
		*.S)
			die "$f: patches to assembly files are not supported: a livepatch replaces C functions through ftrace; make the fix in C code" ;;
		*)
			die "$f: kpatch-build can only live-patch C sources and headers; this patch changes $f (build rules and Kconfig cannot change in a running kernel)" ;;
		esac
	done
	n=${#OBJECTS[@]}
	[ ${#headers[@]} -eq 0 ] || find_header_objects "${headers[@]}"
	OBJECTS+=("${TARGETS[@]}")
	mapfile -t OBJECTS < <(printf '%s\n' "${OBJECTS[@]}" | sed '/^$/d' | sort -u)
	[ ${#OBJECTS[@]} -gt 0 ] ||
		die "the patches affect no object that this configuration of $USER_TREE builds"
	for f in "${OBJECTS[@]}"; do
		[ -f "$SRC/${f%.o}.c" ] ||
			die "$f: no source ${f%.o}.c in $SRC (a new source file cannot be live-patched: its object is not in the running kernel)"
	done
	info "affected objects: ${OBJECTS[*]}"
}

# The originals of the files the patches touch, with their times: the view
# is given them back after the patched files are saved.
save_originals() {
	local f
	for f in "${TOUCHED[@]}"; do
		[ ! -e "$SRC/$f" ] ||
			(cd "$SRC" && cp -p --parents -- "$f" "$WORK/backup/") ||
			no_space "$WORK"
	done
}

put_back_sources() {
	local f
	for f in "${TOUCHED[@]}"; do
		if [ -e "$WORK/backup/$f" ]; then
			cp -p -- "$WORK/backup/$f" "$SRC/$f"
		else
			rm -f -- "$SRC/$f"
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

# What may have changed since the patches were applied: in the overlay, what
# its upper layer holds that is that new (other writers of the real tree do
# not count); in a copy, the copy's.
applied_candidates() {
	local top=$SRC
	[ "$ISOLATION" != overlay ] || top=$WORK/view/upper
	(cd "$top" && find . -path ./.git -prune -o \
		-cnewer "$WORK/applied.stamp" -printf '%P\0')
}

# The names in directory $1, NUL-separated and sorted.
dir_names() {
	find "$1" -mindepth 1 -maxdepth 1 -printf '%f\0' | LC_ALL=C sort -z
}

# What GNU patch really did to the view, against what the headers said:
# only the contents of the files read_patches found may change, or such a
# file be created.  Everything patch touched has a new ctime; what it
# removed shows in its directory, whose ctime is new too.
check_applied() {
	local p d f bad=()
	declare -A said=()
	for f in "${TOUCHED[@]}"; do said[$f]=1; done
	while IFS= read -r -d '' p; do
		if [ -d "$SRC/$p" ] && [ ! -L "$SRC/$p" ]; then
			d=${p:+$p/}
			while IFS= read -r -d '' f; do
				bad+=("removed: $d$f")
			done < <(LC_ALL=C comm -z -23 <(dir_names "$ORIG_TREE/$p") \
				<(dir_names "$SRC/$p") 2>/dev/null)
			[ -d "$ORIG_TREE/$p" ] || [ -z "$p" ] || continue
		elif [ ! -e "$SRC/$p" ] && [ ! -L "$SRC/$p" ]; then
			bad+=("removed: $p")
		elif [ ! -e "$ORIG_TREE/$p" ] && [ ! -L "$ORIG_TREE/$p" ]; then
			[ -f "$SRC/$p" ] && [ -n "${said[$p]:-}" ] || bad+=("created: $p")
		elif [ "$(stat -c '%F %a' -- "$ORIG_TREE/$p")" != "$(stat -c '%F %a' -- "$SRC/$p")" ]; then
			bad+=("mode changed: $p")
		elif [ -z "${said[$p]:-}" ]; then
			bad+=("changed: $p")
		fi
	done < <(applied_candidates)
	[ ${#bad[@]} -eq 0 ] ||
		die "GNU patch did more than change the files the patch headers name (${bad[*]:0:5}): kpatch-build supports unified diffs that change C sources and headers; $USER_TREE is not changed"
}

# Hunks that applied only at an offset or with fuzz: a backport may then
# change other code than its author meant.  Named; refused with --strict.
check_hunks() {
	local p=$1 out=$2 hunks
	hunks=$(awk '
	/^patching file / { f = substr($0, 15) }
	/^Hunk #[0-9]+ succeeded at .*(offset|fuzz)/ { print "  " f ": " $0 }' <<<"$out")
	[ -n "$hunks" ] || return 0
	if [ "${STRICT:-0}" -eq 1 ]; then
		die "${p##*/} applies only with fuzz or at an offset (--strict):
$hunks"
	fi
	info "warning: ${p##*/} applies only with fuzz or at an offset; check these hunks:
$hunks"
}

# Apply every patch in the view, keep the patched files, put the originals
# back.
check_patches_apply() {
	local p f out
	touch "$WORK/applied.stamp"
	sleep 0.01
	local i=0
	for p in "${PATCHES[@]}"; do
		i=$((i + 1))
		if ! out=$(patch -d "$SRC" -p1 --forward --batch \
				--no-backup-if-mismatch \
				--reject-file=- < "$WORK/patches/$i.patch" 2>&1); then
			grep -q 'No space left' <<<"$out" && no_space "$WORK"
			printf '%s\n' "$out" | grep -E 'patching file|FAILED|can.t find|Skipping|malformed|No file|Reversed|Only garbage' >&2 || printf '%s\n' "$out" >&2
			die "${p##*/} does not apply to $USER_TREE (see the files and hunks above); the tree is not changed"
		fi
		debug "$out"
		check_hunks "$p" "$out"
	done
	check_applied
	for f in "${TOUCHED[@]}"; do
		if [ -e "$SRC/$f" ]; then
			mkdir -p "$WORK/patched-src/$(dirname "$f")"
			cp -- "$SRC/$f" "$WORK/patched-src/$f" || no_space "$WORK"
			case $f in
			*.c|*.h)
				[ ! -e "$WORK/backup/$f" ] || keep_line_numbers \
					"$WORK/backup/$f" "$WORK/patched-src/$f" ;;
			esac
		fi
	done
	put_back_sources
}

# make_goals OBJECT...: kbuild's single-target build of the objects.  An
# object under arch/ARCH/DIR/ may be reached by two of the top directories
# kbuild descends into (arch/x86 and arch/x86/pci: the arch Makefile adds
# its directories to the top ones), and each of them compiles it: at the
# same time with -j, the two compiles of one file race (its .o.d vanishes
# under the other's fixdep).  Those objects are built after the others,
# one at a time, so that the last compile is the one of their own
# directory, as in the tree's full build.
make_goals() {
	local f par=() seq=()
	for f; do
		case $f in
		arch/*/*/*) seq+=("$f") ;;
		*) par+=("$f") ;;
		esac
	done
	if [ ${#par[@]} -gt 0 ]; then
		make -C "$SRC" -j"$JOBS" "${TREE_MAKE_VARS[@]}" "${par[@]}" ||
			return
	fi
	[ ${#seq[@]} -eq 0 ] ||
		make -C "$SRC" -j1 "${TREE_MAKE_VARS[@]}" "${seq[@]}"
}

# build_objects orig|patched: build $OBJECTS through the gcc wrapper (which
# adds -ffunction-sections -fdata-sections to just them), copy them to
# $WORK/orig or $WORK/patched (see gcc-wrapper.sh for all it adds, distcc.sh
# for distcc).  They are removed first, so kbuild rebuilds
# them although their recorded command does not change.
build_objects() {
	local kind=$1 f cc
	cc=$(tree_compiler_name)
	install_compiler_wrapper "$WORK/bin"
	for f in "${OBJECTS[@]}"; do
		rm -f "${SRC:?}/$f"
	done
	if ! KPB_DIFF_OBJECTS="${OBJECTS[*]}" KPB_INCLUDE="$TEMPLATES" \
	     KPB_REAL_PATH="$(make_path)" KPB_REAL_CC="$cc" KPB_DISTCC=$USE_DISTCC \
	     KPB_CPP_FLAG="$(directives_only_flag)" \
	     PATH="$WORK/bin:$(make_path)" with_progress "$kind objects" \
			"${#OBJECTS[@]}" make_goals "${OBJECTS[@]}"; then
		grep -q 'No space left' "$LOG" && no_space "$WORK"
		grep -E 'error:|Error [0-9]' "$LOG" | tail -n 10 >&2 || true
		die "building the $kind objects failed; see $LOG"
	fi
	check_view
	for f in "${OBJECTS[@]}"; do
		[ -f "$SRC/$f" ] ||
			die "$f was not built: it is not part of this kernel's configuration"
		record_owner "$kind" "$f"
		mkdir -p "$WORK/$kind/$(dirname "$f")"
		cp "$SRC/$f" "$WORK/$kind/$f" || no_space "$WORK"
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

