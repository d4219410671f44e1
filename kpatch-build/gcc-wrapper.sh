#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# kpatch-build's compiler for the objects it diffs: kpatch-build puts this
# first in PATH (as WORK/bin/NAME, NAME the compiler of the tree's CC, gcc
# by default, given in KPB_REAL_CC) and lists the objects in
# KPB_DIFF_OBJECTS.  Compiling one of them adds -ffunction-sections
# -fdata-sections, -g when the command has no -g (the differ compares the
# layouts of types in the DWARF; GCC's code is the same with and without it),
# and KPB_INCLUDE (the templates directory) to the include path, so that
# patched sources can #include "kpatch-macros.h"; everything else goes to the
# real compiler unchanged.  The command line kbuild records
# stays the same, so nothing else in the tree is rebuilt.
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
cc=${KPB_REAL_CC:-gcc}
case " $KPB_DIFF_OBJECTS " in
*" $out "*)
	[ -n "$out" ] && exec "$cc" "$@" -ffunction-sections -fdata-sections \
		${g:+"$g"} ${KPB_INCLUDE:+"-I$KPB_INCLUDE"} ;;
esac
exec "$cc" "$@"
