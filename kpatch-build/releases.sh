# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=bash
# kpatch-build: one patch, several Debian releases.  --kernel-release
# R1,R2,... (or @FILE, one release a line, '#' comments) runs kpatch-build
# once per release, each with its own packages, prepared source and proofs
# (vermagic, CRCs, target check), into -o DIR/RELEASE/.  What can be shared
# is: the fetched sources of one version, ccache's objects.  A release that
# fails (its source does not take the patch, it refuses) does not stop the
# others; the table at the end says what each gave, and the exit status is
# non-zero when one failed.

# Whether --kernel-release names more than one release.
multi_release() {
	case $DISTRO_RELEASE in
	*,* | @*) return 0 ;;
	*) return 1 ;;
	esac
}

# The releases, one a line.
release_list() {
	local f
	case $DISTRO_RELEASE in
	@*)
		f=${DISTRO_RELEASE#@}
		[ -f "$f" ] || die "--kernel-release @$f: no such file"
		sed -e 's/#.*//' -e 's/[[:space:]]//g' -e '/^$/d' "$f" ;;
	*)
		tr ',' '\n' <<<"$DISTRO_RELEASE" | sed '/^$/d' ;;
	esac
}

# run_releases ARG...: ARG are the command's arguments; every
# --kernel-release and -o/--output among them is replaced per release.
# shellcheck disable=SC2154 # self: set by kpatch-build
run_releases() {
	local rel rels=() args=() a skip=0 rc out t0 secs fails=0 funcs
	local table=()
	mapfile -t rels < <(release_list)
	[ ${#rels[@]} -gt 0 ] || die "--kernel-release $DISTRO_RELEASE names no release"
	for a in "$@"; do
		if [ "$skip" -eq 1 ]; then skip=0; continue; fi
		case $a in
		--kernel-release | -o | --output) skip=1 ;;
		--kernel-release=* | --output=*) ;;
		*) args+=("$a") ;;
		esac
	done
	mkdir -p "$OUTDIR" || die "cannot create $OUTDIR"
	for rel in "${rels[@]}"; do
		out=$OUTDIR/$rel
		mkdir -p "$out" || die "cannot create $out"
		info "== release $rel: module into $out"
		t0=$(date +%s)
		rc=0
		"$BASH" "$self" --kernel-release "$rel" -o "$out" "${args[@]}" \
			2>&1 | tee "$out/kpatch-build.log" >&2 || rc=${PIPESTATUS[0]}
		secs=$(( $(date +%s) - t0 ))
		funcs=$(grep -cE '^ +(changed|new)-function ' "$out/kpatch-build.log") || true
		if [ "$rc" -eq 0 ]; then
			table+=("$(printf '%-34s %-8s %9s %6ss' "$rel" built "$funcs" "$secs")")
		else
			fails=$((fails + 1))
			table+=("$(printf '%-34s %-8s %9s %6ss  %s' "$rel" failed - "$secs" \
				"$(grep -m 1 'kpatch-build: error:' "$out/kpatch-build.log" |
					sed 's/^kpatch-build: error: //' | cut -c1-100)")")
		fi
	done
	info "releases:"
	printf '  %-34s %-8s %9s %7s\n' release result functions time >&2
	printf '  %s\n' "${table[@]}" >&2
	[ "$fails" -eq 0 ] || die "$fails of ${#rels[@]} releases failed (see the table and $OUTDIR/RELEASE/kpatch-build.log)"
	info "SUCCESS: ${#rels[@]} releases, modules in $OUTDIR/RELEASE/"
}
