# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=bash
# kpatch-build: compiles over several machines, through distcc.
#
# The objects kpatch-build diffs are compiled through distcc when the user
# asks for it (--distcc, or DISTCC_HOSTS set: distcc's own host list, with
# its own syntax and limits) or when the tree itself was configured with
# CC='distcc gcc'.  kbuild's CC string stays as the tree recorded it (any
# other would make kbuild configure the tree again): gcc-wrapper.sh, which
# kbuild finds under the compiler's name first in PATH, adds kpatch-build's
# flags and then runs the compiler as "distcc gcc ...", or, with ccache
# installed, as ccache with CCACHE_PREFIX=distcc, so that a ccache hit
# needs no network.  distcc preprocesses on this machine and sends the
# preprocessed source: the objects are the ones a local build makes.  The
# livepatch module's own source and its link stay local (one small object).

USE_DISTCC=0		# 1: the diffed objects are compiled through distcc
ASK_DISTCC=0		# --distcc was given

# The user's choice, checked before any work: distcc installed, hosts known;
# -j defaults to the hosts' job slots.
distcc_check_option() {
	local why=--distcc hosts
	[ "$ASK_DISTCC" -eq 1 ] || [ -n "${DISTCC_HOSTS:-}" ] || return 0
	[ "$ASK_DISTCC" -eq 1 ] || why="DISTCC_HOSTS is set"
	USE_DISTCC=1
	command -v distcc >/dev/null ||
		die "$why asks for distcc, but it is not installed: install it (apt-get install distcc), or build locally (without --distcc, DISTCC_HOSTS unset)"
	hosts=$(distcc_hosts)
	[ -n "$hosts" ] ||
		die "$why asks for distcc, but distcc has no hosts to send compiles to: set DISTCC_HOSTS (e.g. 'host1/8 host2/8') or list them in ~/.distcc/hosts"
	if [ "$JOBS_SET" -eq 0 ]; then
		JOBS=$(distcc -j 2>/dev/null) || JOBS=
		[[ $JOBS =~ ^[1-9][0-9]*$ ]] || JOBS=$(nproc)
	fi
	info "compiling through distcc on $hosts with $JOBS make jobs"
}

# distcc's hosts, as it reads them (DISTCC_HOSTS, ~/.distcc/hosts,
# /etc/distcc/hosts), on one line; nothing when it has none.
distcc_hosts() {
	local hosts
	hosts=$(distcc --show-hosts 2>/dev/null | tr '\n' ' ') || hosts=
	hosts=${hosts%"${hosts##*[! ]}"}
	printf '%s' "${hosts# }"
}

# After tree_make_vars: a tree configured with CC='distcc gcc' compiles
# through distcc in any case, as its own builds do (locally, when distcc has
# no hosts: distcc's own fallback).
distcc_check_tree() {
	local hosts
	[ "$USE_DISTCC" -eq 0 ] || return 0
	case " $TREE_CC " in
	*" distcc "*) ;;
	*) return 0 ;;
	esac
	USE_DISTCC=1
	command -v distcc >/dev/null ||
		die "$USER_TREE was configured with CC='$TREE_CC', but distcc is not installed: install it (apt-get install distcc)"
	hosts=$(distcc_hosts)
	info "$USER_TREE was configured with CC='$TREE_CC': compiling through distcc on ${hosts:-no hosts (distcc compiles locally)}"
}

# install_compiler_wrapper DIR: gcc-wrapper.sh as DIR/NAME (the compiler's
# name in the tree's CC) and, for a CC with distcc in it, as DIR/distcc too:
# kbuild runs "distcc gcc", and the wrapper must see the arguments before
# distcc sends them away.
install_compiler_wrapper() {
	local dir=$1 cc
	cc=$(tree_compiler_name)
	mkdir -p "$dir"
	install -m 755 "$LIBEXEC/gcc-wrapper.sh" "$dir/$cc"
	case " $TREE_CC " in
	*" distcc "*) install -m 755 "$LIBEXEC/gcc-wrapper.sh" "$dir/distcc" ;;
	esac
}

# GCC's --directives-only, given to the diffed objects' compiles whether
# through distcc or not: in a compile it changes nothing but the
# DW_AT_producer that names it; in distcc's preprocessing on this machine
# (gcc -E) it leaves the macros to the compile on the host, in the layout of
# the source.  Without it the host compiles macro-expanded text, spaced
# otherwise, and the DWARF's columns differ from a local build's.  Given
# always, a local and a distributed build make the same objects and share
# ccache's.  (The long spelling of -fdirectives-only: ccache takes that one
# for itself and drops it from the compile.)  Nothing for clang, which has
# no such option: through distcc only its objects' DWARF columns differ,
# the module is the same.
directives_only_flag() {
	local version
	version=$(PATH=$(make_path) $TREE_CC --version 2>/dev/null) || return 0
	[[ $version != *"Free Software Foundation"* ]] ||
		printf '%s\n' --directives-only
}
