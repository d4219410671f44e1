# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=bash
# kpatch-build: what the user gives, checked before anything uses it: the
# module name (-n, or the patch file's name) and the paths that go to
# kbuild's make or into the work directory's lists.  Messages show a value
# with printf %q, so a newline or a control character in it stays visible.

# Module name rules: livepatch-NAME, NAME only [A-Za-z0-9_-] and at most 45
# characters, so that livepatch-NAME fits the kernel's MODULE_NAME_LEN (56
# with the NUL).  An explicit -n must follow them (a leading "livepatch-" is
# dropped).  A name taken from the first patch's file name (without
# .patch/.diff) is used as it is when it follows them; otherwise its other
# characters become '-', it is cut to 36 characters and "-" and 8 hex
# digits of the file name's SHA-1 are added, so that two file names never
# give one module name by being rewritten alike; kpatch-build says so.
NAME_RULE="only letters, digits, '_' and '-' (A-Z a-z 0-9 _ -), 1 to 45 characters, so that livepatch-NAME fits the kernel's 55"
NAME_MAX=45
module_name() {
	local LC_ALL=C base file sum
	if [ "$NAME_SET" -eq 1 ]; then
		base=${NAME#livepatch-}
		if ! [[ $base =~ ^[A-Za-z0-9_-]+$ ]] || [ ${#base} -gt $NAME_MAX ]; then
			die "-n $(printf %q "$NAME"): a livepatch name has $NAME_RULE; give one like that with -n NAME"
		fi
		MODNAME=livepatch-$base
		return
	fi
	file=${PATCHES[0]##*/}
	base=${file%.patch}
	base=${base%.diff}
	base=${base#livepatch-}
	if [[ $base =~ ^[A-Za-z0-9_-]+$ ]] && [ ${#base} -le $NAME_MAX ]; then
		MODNAME=livepatch-$base
		return
	fi
	sum=$(printf '%s' "$file" | sha1sum | cut -c1-8)
	base=${base//[^A-Za-z0-9_-]/-}
	base=${base:0:$((NAME_MAX - 9))}
	MODNAME=livepatch-${base:+$base-}$sum
	info "module name $MODNAME: the patch file name $(printf %q "$file") is not a livepatch name ($NAME_RULE), so it was rewritten and given its hash; choose the name with -n NAME"
}

# The absolute path of an existing file, kept whole (a name may end with a
# newline, which \$(...) alone would drop).
abs_path() {
	local p
	p=$(readlink -f -- "$1" && printf x) || return 1
	printf '%s' "${p%$'\n'x}"
}

# Paths kbuild's make must be given (the tree, the work directory): make
# splits words at blanks and treats ':' and '#' specially; Linux's Makefile
# refuses them itself.  $1 says what the path is.
check_make_path() {
	case $2 in
	*[[:space:]:#\$\\\"\'\`]*)
		die "$1 $(printf %q "$2") has a blank, ':', '#', '\$', a quote or a backslash, which kbuild's make cannot take in a path; use a path without them (a symbolic link to it will do)" ;;
	esac
}

# Paths the work files list one per line: no newline.
check_line_path() {
	case $2 in
	*$'\n'*)
		die "$1 $(printf %q "$2") has a newline, which kpatch-build's lists of targets cannot hold; use a path without one (a symbolic link to it will do)" ;;
	esac
}
