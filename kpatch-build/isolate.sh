# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=bash
# kpatch-build: the user's tree is never written.
#
# Everything after the input checks runs in a private mount namespace
# (unshare -m; for a user who is not root, with a user namespace too) in
# which $SRC is an overlay: the user's tree is its read-only lower layer and
# $WORK/view/upper takes every write, the patches', kbuild's and the
# compiler's.  The real tree is not opened for writing at all, so a full
# disk, an interrupt, SIGKILL or a power loss cannot leave it changed, and
# there is nothing to restore: the view vanishes with the namespace, when
# its last process ends.  (It is never unmounted: a make job that outlives
# an interrupt would then write into the real tree.)  Where
# no namespace or overlay can be had (a container without the privilege),
# the tree is copied into $WORK/view/tree and that copy is built instead.
#
# The driver re-executes itself in the namespace: the state so far (the
# checked options) is written to $WORK/state as bash declarations and read
# back by "kpatch-build --kpb-resume WORK".

# shellcheck disable=SC2034 # OUT_VIEW, JSON_VIEW: read by module.sh, common.sh
# shellcheck disable=SC2154 # self: set by kpatch-build
ISOLATION=		# overlay or copy, once the view is set up
ISOLATED=0		# 1 in the private mount namespace
OUTER_MNT_NS=		# the mount namespace the run started in
ORIG_TREE=		# the user's tree as it is, seen from inside the view
OUT_VIEW=		# the output directory, also when it is inside the tree
JSON_VIEW=		# the --json file, likewise
VIEW_STAMP=		# files of the view newer than this were written by us

# The run's state: the driver's upper-case globals, as declarations that
# make them global again when read back inside a function.  The shell's own
# variables, the read-only and the exported ones (the environment goes along
# by itself) are left out.
save_state() {
	local v decl flags
	for v in $(compgen -v); do
		[[ $v =~ ^[A-Z][A-Z0-9_]*$ ]] || continue
		case $v in
		BASH*|COMP_*|DIRSTACK|EPOCH*|EUID|FUNCNAME|GROUPS|HIST*|HOST*|\
		IFS|LINENO|MACHTYPE|OPT*|OSTYPE|PIPESTATUS|PPID|PS[0-9]|PWD|\
		OLDPWD|RANDOM|SECONDS|SHELLOPTS|SHLVL|SRANDOM|UID|LINES|COLUMNS|\
		MAIL*|TERM)
			continue ;;
		esac
		decl=$(declare -p "$v" 2>/dev/null) || continue
		flags=${decl#declare }
		flags=${flags%% *}
		[[ $flags != *[xr]* ]] || continue
		printf 'declare -g %s\n' "${decl#declare }"
	done >"$1"
}

# The namespace options for this user, in ISOLATE_OPTS; status 1 when
# unshare cannot make one here.
isolate_opts() {
	ISOLATE_OPTS=(-m --propagation private)
	[ "$(id -u)" -eq 0 ] || ISOLATE_OPTS=(-r "${ISOLATE_OPTS[@]}")
	unshare "${ISOLATE_OPTS[@]}" true 2>/dev/null
}

# Run the rest of the driver in a private mount namespace: does not return
# but where no namespace can be made (then the view will be a copy).
isolate_enter() {
	if [ "${KPB_NO_NAMESPACE:-0}" != 1 ] && isolate_opts; then
		OUTER_MNT_NS=$(readlink /proc/self/ns/mnt)
		save_state "$WORK/state" || no_space "$WORK"
		exec unshare "${ISOLATE_OPTS[@]}" -- "$BASH" "$self" \
			--kpb-resume "$WORK"
	fi
	info "no private mount namespace here (unshare -m is not permitted): building in a copy of $SRC"
}

# In the namespace: read the state back.
isolate_resume() {
	WORK=$1
	[ -f "$WORK/state" ] || die "--kpb-resume: no state in $WORK"
	# shellcheck source=/dev/null
	. "$WORK/state"
	rm -f "$WORK/state"
	ISOLATED=1
}

# The overlay on $SRC, lower layer the tree itself, through file
# descriptors so that no path has to be written into mount options.
mount_overlay() {
	local up=$WORK/view/upper wk=$WORK/view/work opt=
	[ "${KPB_NO_OVERLAY:-0}" != 1 ] || return 1
	# only ever in the namespace of our own: mounted anywhere else, the
	# view would stay over the tree after this run
	[ "$ISOLATED" = 1 ] || return 1
	[ "$(readlink /proc/self/ns/mnt)" != "$OUTER_MNT_NS" ] ||
		die "internal error: not in a private mount namespace; the tree's view is not mounted"
	grep -qw overlay /proc/filesystems 2>/dev/null || return 1
	mkdir -p "$up" "$wk"
	# in a user namespace, overlayfs keeps its data in user.* xattrs
	[ "$(awk '$1 == 0 { print $2 }' /proc/self/uid_map)" = 0 ] ||
		opt=,userxattr
	exec 5<"$SRC" 6<"$up" 7<"$wk"
	mount -t overlay kpb-view -o \
		"lowerdir=/proc/self/fd/5,upperdir=/proc/self/fd/6,workdir=/proc/self/fd/7$opt" \
		"$SRC" 2>"$WORK/view/mount.err" || return 1
	exec 6<&- 7<&-
	ORIG_TREE=/proc/$$/fd/5
	ISOLATION=overlay
}

# The fallback: a copy of the tree, checked to fit first.
copy_tree() {
	local need avail copy=$WORK/view/tree
	need=$(du -sk "$SRC" | awk '{ print $1 }')
	avail=$(df -Pk "$WORK" | awk 'NR == 2 { print $4 }')
	[ "$avail" -gt $((need + need / 10 + 65536)) ] ||
		die "building in a copy of $SRC needs $((need / 1024)) MB in $WORK's filesystem, which has $((avail / 1024)) MB free: set TMPDIR to a directory with room, or run where 'unshare -m' is permitted (as root, or with user namespaces)"
	info "copying $SRC ($((need / 1024)) MB) into $copy"
	mkdir -p "$copy"
	cp -a "$SRC/." "$copy/" 2>>"$LOG" ||
		die "cannot copy $SRC into $copy (see $LOG)"
	ORIG_TREE=$SRC
	SRC=$copy
	ISOLATION=copy
}

# The view the builds run in: $SRC is then either the overlay or the copy.
# The output directory is reached through a descriptor opened before, in
# case it lies inside the tree.
isolate_view() {
	exec 4<"$OUTDIR"
	OUT_VIEW=/proc/$$/fd/4
	if [ -n "$JSON_OUT" ]; then
		exec 3<"$(dirname "$JSON_OUT")"
		JSON_VIEW=/proc/$$/fd/3/${JSON_OUT##*/}
	fi
	if ! mount_overlay; then
		if [ -s "$WORK/view/mount.err" ]; then
			info "the overlay mount failed ($(head -n 1 "$WORK/view/mount.err")): building in a copy of $SRC"
		elif [ "$ISOLATED" = 1 ]; then
			info "no overlay filesystem here: building in a copy of $SRC"
		fi
		copy_tree
	fi
	VIEW_STAMP=$WORK/view/stamp
	touch "$VIEW_STAMP"
	debug "view of the tree: $ISOLATION ($SRC, original $ORIG_TREE)"
}

# The make variables a tree was configured with (include/config/auto.conf.cmd
# records each as 'ifneq "$(VAR)" "VALUE"'; Kconfig runs again when one
# differs): the tools, as make arguments in TREE_MAKE_VARS.  The compiler's
# version text must be this gcc's.
TREE_MAKE_VARS=()
TREE_CC=gcc
tree_make_vars() {
	local rec=$SRC/include/config/auto.conf.cmd var val text
	TREE_MAKE_VARS=()
	[ -f "$rec" ] || return 0
	while IFS=$'\t' read -r var val; do
		case $var in
		CC|LD|AR|NM|OBJCOPY|OBJDUMP|READELF|STRIP|HOSTCC|HOSTCXX|HOSTLD|HOSTAR|PAHOLE)
			TREE_MAKE_VARS+=("$var=$val")
			[ "$var" != CC ] || TREE_CC=$val ;;
		CC_VERSION_TEXT)
			text=$val ;;
		esac
	done < <(sed -n 's/^ifneq "$(\([A-Za-z_]*\))" "\(.*\)"$/\1\t\2/p' "$rec")
	tree_compiler_name >/dev/null
	if [ -n "$text" ]; then
		local have
		have=$(PATH=$(make_path) $TREE_CC --version 2>/dev/null | head -n 1) || true
		[ "$have" = "$text" ] ||
			die "$SRC was configured with the compiler '$text', but $TREE_CC here is '${have:-not found}': build with the compiler the target kernel was built with"
	fi
	debug "the tree's make variables: ${TREE_MAKE_VARS[*]}"
}

# The compiler's own name in CC ("gcc" of "ccache gcc"): the wrapper that
# adds -ffunction-sections goes first in PATH under that name.
tree_compiler_name() {
	local w name=
	for w in $TREE_CC; do
		case $w in
		ccache|distcc|*=*) ;;
		*) name=$w ;;
		esac
	done
	case $name in
	'' | */*)
		die "$SRC was configured with CC='$TREE_CC': kpatch-build needs the compiler by its name in PATH (CC=gcc, CC='ccache gcc'), to add -ffunction-sections to the objects it diffs" ;;
	esac
	printf '%s\n' "$name"
}

# Files of the tree that no build may change: the configuration.  Checked
# after every build in the view; a change means kbuild configured the tree
# again (other make variables, or a tree changed since its build), and the
# objects would not be the target's.
VIEW_CONFIG_FILES=(.config include/config/auto.conf include/generated/autoconf.h
	include/generated/utsrelease.h)
check_view() {
	local f changed=()
	for f in "${VIEW_CONFIG_FILES[@]}"; do
		[ -e "$ORIG_TREE/$f" ] || continue
		cmp -s "$ORIG_TREE/$f" "$SRC/$f" || changed+=("$f")
	done
	[ ${#changed[@]} -eq 0 ] ||
		die "kbuild configured $SRC again for this build (${changed[*]} changed; in kpatch-build's view only, the tree is not changed): the objects would not be the target's.  Run 'make olddefconfig modules_prepare' in the tree with the make variables of its build, then retry"
	mapfile -t changed < <(cd "$SRC" && find . -newer "$VIEW_STAMP" -type f \
		! -name '*.o' ! -name '.*.cmd' ! -name '.*.d' -printf '%P\n' | head -n 20)
	[ ${#changed[@]} -eq 0 ] ||
		debug "kbuild rebuilt in the view (not in the tree): ${changed[*]}"
}
