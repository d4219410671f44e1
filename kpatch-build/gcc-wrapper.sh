#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# kpatch-build's compiler for the objects it diffs: kpatch-build puts this
# first in PATH (as WORK/bin/NAME, NAME the compiler of the tree's CC, gcc
# by default, given in KPB_REAL_CC) and lists the objects in
# KPB_DIFF_OBJECTS.  Compiling one of them adds -ffunction-sections
# -fdata-sections, -g when the command has no -g (the differ compares the
# layouts of types in the DWARF; GCC's code is the same with and without it),
# and KPB_INCLUDE (the templates directory) to the include path, so that
# patched sources can #include "kpatch-macros.h", and KPB_CPP_FLAG (GCC's
# --directives-only, see distcc.sh); everything else goes to the
# real compiler unchanged.  The command line kbuild records
# stays the same, so nothing else in the tree is rebuilt.
#
# With KPB_DISTCC=1 the diffed objects are compiled through distcc (see
# distcc.sh): as "distcc NAME ...", or, when NAME is ccache's in
# KPB_REAL_PATH, as ccache with CCACHE_PREFIX=distcc (ccache first, distcc on
# a miss).  For a tree configured with CC='distcc NAME' this is installed as
# WORK/bin/distcc too: called so, its first argument is NAME, and every
# command runs as "distcc NAME ...", as in the tree's own builds (distcc
# names the compiler otherwise: its --version, which kbuild compares with
# the tree's record, too).
cc=${KPB_REAL_CC:-gcc}
distcc=0
if [ "${0##*/}" = distcc ] && [ "${1:-}" = "$cc" ]; then
	shift
	distcc=tree
fi
out=
prev=
g=-g
for arg in "$@"; do
	[ "$prev" = "-o" ] && out=$arg
	prev=$arg
	case $arg in
	-g0|-gz*|-gno-*) ;;
	-g*) g= ;;
	esac
done
PATH=$KPB_REAL_PATH
export PATH
diffed=0
case " $KPB_DIFF_OBJECTS " in
*" $out "*) [ -z "$out" ] || diffed=1 ;;
esac
[ "$distcc" = tree ] || [ "$diffed" = 0 ] || [ "${KPB_DISTCC:-0}" != 1 ] ||
	distcc=1
set -- "$cc" "$@"
case $distcc in
tree)
	set -- distcc "$@" ;;
1)
	case $(readlink -f "$(command -v "$cc")") in
	*/ccache) CCACHE_PREFIX=distcc; export CCACHE_PREFIX ;;
	*) set -- distcc "$@" ;;
	esac ;;
esac
[ "$diffed" = 0 ] || exec "$@" -ffunction-sections -fdata-sections \
	${g:+"$g"} ${KPB_INCLUDE:+"-I$KPB_INCLUDE"} ${KPB_CPP_FLAG:+"$KPB_CPP_FLAG"}
exec "$@"
