# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=bash
# kpatch-build: from object pairs to the livepatch module.  Diff each pair,
# resolve symbols against the target, generate the klp_patch description,
# link with kbuild against the tree, write the klp relocations.

DIFF_IDS=()		# o1, o2, ...: one per object that changed

diff_objects() {
	local i=0 f id rc
	for f in "${OBJECTS[@]}"; do
		i=$((i + 1))
		id=o$i
		rc=0
		"$CDO" --prefix "$id" --report "$WORK/diff/$id.report" \
			"$WORK/orig/$f" "$WORK/patched/$f" "$WORK/diff/$id.o" \
			2>>"$WORK/diff/$id.err" || rc=$?
		case $rc in
		0)
			DIFF_IDS+=("$id")
			printf '%s\n' "$f" > "$WORK/diff/$id.object" ;;
		3)
			debug "$f: no change" ;;
		2)
			cat "$WORK/diff/$id.err" >&2
			die "$f: the patch changes something a livepatch cannot change (see above)" ;;
		*)
			cat "$WORK/diff/$id.err" >&2
			die "create-diff-object failed on $f (status $rc)" ;;
		esac
	done
	[ ${#DIFF_IDS[@]} -gt 0 ] ||
		die "the patches change no function: nothing to live-patch"
}

resolve_symbols() {
	local id args=()
	for id in "${DIFF_IDS[@]}"; do
		args+=("$WORK/orig/$(cat "$WORK/diff/$id.object")" "$WORK/diff/$id.o")
	done
	"$LOOKUP" --vmlinux "$VMLINUX" --symvers "$SYMVERS" --objname vmlinux \
		"${args[@]}" > "$WORK/diff/funcs" ||
		die "cannot resolve the symbols of the new code against $VMLINUX"
}

# C declarations and klp_func tables from lookup's "func" lines.
generate_funcs() {
	awk '
	$1 == "func" {
		n++
		printf "extern void kpb_func_%d(void) __asm__(\"%s\");\n", n, $5 > decls
		funcs[$2] = funcs[$2] sprintf("\t{\n\t\t.old_name = \"%s\",\n\t\t.new_func = kpb_func_%d,\n\t\t.old_sympos = %d,\n\t},\n", $3, n, $4)
		if (!($2 in seen)) { seen[$2] = 1; order[++nobj] = $2 }
	}
	END {
		for (i = 1; i <= nobj; i++) {
			o = order[i]
			printf "static struct klp_func kpb_funcs_%d[] = {\n%s\t{ }\n};\n\n", i, funcs[o] > tables
			if (o == "vmlinux")
				printf "\t{\n\t\t.name = NULL,\n\t\t.funcs = kpb_funcs_%d,\n\t},\n", i > objects
			else
				printf "\t{\n\t\t.name = \"%s\",\n\t\t.funcs = kpb_funcs_%d,\n\t},\n", o, i > objects
		}
	}' decls="$WORK/module/decls" tables="$WORK/module/tables" \
		objects="$WORK/module/objects" "$WORK/diff/funcs"
}

# Replace a line "@KEY@" of the template by the contents of a file.
fill_template() {
	awk -v key="$2" -v file="$3" '
	$0 == key { while ((getline l < file) > 0) print l; next }
	{ print }' "$1"
}

generate_module() {
	local m=$WORK/module diffs="" id
	generate_funcs
	[ -s "$m/tables" ] || die "lookup found no function to patch"
	fill_template "$TEMPLATES/livepatch-main.c" "@DECLARATIONS@" "$m/decls" |
		fill_template /dev/stdin "@FUNCS@" "$m/tables" |
		fill_template /dev/stdin "@OBJECTS@" "$m/objects" |
		sed -e "s|@MODNAME@|$MODNAME|g" -e "s|@REPLACE@|$REPLACE|g" \
		    -e "s|@PATCHES@|${PATCHES[*]##*/}|g" > "$m/livepatch-main.c"
	for id in "${DIFF_IDS[@]}"; do
		cp "$WORK/diff/$id.o" "$m/kpb-diff-$id.o"
		# modpost reads every object's kbuild record
		printf 'cmd_%s := cp %s %s\n' "$m/kpb-diff-$id.o" \
			"$WORK/diff/$id.o" "$m/kpb-diff-$id.o" > "$m/.kpb-diff-$id.o.cmd"
		diffs="$diffs kpb-diff-$id.o"
	done
	sed -e "s|@MODNAME@|$MODNAME|g" -e "s|@DIFF_OBJECTS@|${diffs# }|g" \
		"$TEMPLATES/Kbuild" > "$m/Kbuild"
}

# modpost would fail on the .klp.sym.* names; they are resolved by klp at
# load time, and klp-convert checks every other undefined symbol.
build_module() {
	local extra=()
	if [ ! -f "$SRC/Module.symvers" ]; then
		extra=(KBUILD_EXTRA_SYMBOLS="$SYMVERS")
	elif ! cmp -s "$SRC/Module.symvers" "$SYMVERS"; then
		die "$SRC/Module.symvers differs from the target's $SYMVERS: the module would get the wrong symbol CRCs"
	fi
	if ! kmake M="$WORK/module" KBUILD_MODPOST_WARN=1 "${extra[@]}" \
			modules >>"$LOG" 2>&1; then
		grep -E 'error|Error' "$LOG" | tail -n 10 >&2 || true
		die "kbuild could not build the module; see $LOG"
	fi
	[ -f "$WORK/module/$MODNAME.ko" ] || die "kbuild made no $MODNAME.ko; see $LOG"
}

convert_module() {
	"$KLP_CONVERT" --symvers "$SYMVERS" "$WORK/module/$MODNAME.ko" \
		"$OUTDIR/$MODNAME.ko.tmp" ||
		die "cannot write the livepatch relocations of $MODNAME.ko"
	mv "$OUTDIR/$MODNAME.ko.tmp" "$OUTDIR/$MODNAME.ko"
}

summary() {
	local id
	for id in "${DIFF_IDS[@]}"; do
		info "$(cat "$WORK/diff/$id.object"):"
		sed 's/^/    /' "$WORK/diff/$id.report" >&2
	done
	info "total $(elapsed "$START_TIME")s"
	info "SUCCESS: $OUTDIR/$MODNAME.ko"
}
