# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=bash
# kpatch-build: from object pairs to the livepatch module.  Diff each pair,
# resolve symbols against the target, generate the klp_patch description,
# link with kbuild against the tree, write the klp relocations.

DIFF_IDS=()		# o1, o2, ...: one per object that changed
declare -A DIFF_OBJECT=() DIFF_OWNER=()	# oN -> its object, its klp_object

# Whether the tree's kbuild runs objtool on the linked module (IBT or clang
# LTO: kbuild's "delay-objtool"), so that the objects' own objtool tables
# must not come along (create-diff-object --objtool-on-link).
objtool_on_link() {
	local conf=$SRC/include/config/auto.conf
	[ -f "$conf" ] || conf=$SRC/.config
	grep -qx 'CONFIG_OBJTOOL=y' "$conf" &&
		grep -qxE 'CONFIG_(X86_KERNEL_IBT|LTO_CLANG)=y' "$conf"
}

# Diffs every object pair; WORK/diff/manifest gets an "object" line per
# object and, for one that changed, the differ's own manifest lines
# (doc/PIPELINE.md, "manifest").
diff_objects() {
	local i=0 f id rc status opts=()
	! objtool_on_link || opts=(--objtool-on-link)
	: >"$WORK/diff/manifest"
	for f in "${OBJECTS[@]}"; do
		i=$((i + 1))
		id=o$i
		rc=0
		"$CDO" --prefix "$id" --report "$WORK/diff/$id.report" \
			--json "$WORK/diff/$id.json" \
			--manifest "$WORK/diff/$id.manifest" "${opts[@]}" \
			"$WORK/orig/$f" "$WORK/patched/$f" "$WORK/diff/$id.o" \
			2>>"$WORK/diff/$id.err" || rc=$?
		case $rc in
		0) status=changed ;; 3) status=unchanged ;; 2) status=refused ;; *) status=error ;;
		esac
		printf 'object %s %s %s %s\n' "$id" "$status" "${OWNER[$f]}" "$f" \
			>>"$WORK/diff/manifest"
		case $rc in
		0)
			DIFF_IDS+=("$id")
			DIFF_OBJECT[$id]=$f
			DIFF_OWNER[$id]=${OWNER[$f]}
			cat "$WORK/diff/$id.manifest" >>"$WORK/diff/manifest" ;;
		3)
			# "no change" can still have dropped items (doc/PIPELINE.md)
			[ ! -s "$WORK/diff/$id.report" ] || {
				printf '%s (no change):\n' "$f"
				sed 's/^/    /' "$WORK/diff/$id.report"
			} >&2
			debug "$f: no change" ;;
		2)
			cat "$WORK/diff/$id.err" >&2
			write_json refused
			die "$f: the patch changes something a livepatch cannot change (see above)" ;;
		*)
			cat "$WORK/diff/$id.err" >&2
			die "create-diff-object failed on $f (status $rc)" ;;
		esac
	done
	[ ${#DIFF_IDS[@]} -gt 0 ] || {
		write_json unchanged
		die "the patches change no function: nothing to live-patch"
	}
}

# One lookup per klp_object (vmlinux, each module), against its target; the
# diff objects of the others are --linked: the livepatch module defines
# what they define.  Its "func" lines go to the manifest.
resolve_symbols() {
	local id obj objs target args dbg
	mapfile -t objs < <(for id in "${DIFF_IDS[@]}"; do
		printf '%s\n' "${DIFF_OWNER[$id]}"; done | awk '!seen[$0]++')
	for obj in "${objs[@]}"; do
		target=$(target_of "$obj") ||
			die "no target file for $obj in $WORK/targets"
		if [ "$obj" = vmlinux ]; then
			args=(--vmlinux "$target")
		else
			args=(--module "$target")
			dbg=$(debug_target_of "$obj") && args+=(--module-debug "$dbg")
		fi
		args+=(--symvers "$SYMVERS" --objname "$obj")
		for id in "${DIFF_IDS[@]}"; do
			[ "${DIFF_OWNER[$id]}" = "$obj" ] ||
				args+=(--linked "$WORK/diff/$id.o")
		done
		for id in "${DIFF_IDS[@]}"; do
			[ "${DIFF_OWNER[$id]}" != "$obj" ] ||
				args+=("$WORK/orig/${DIFF_OBJECT[$id]}" "$WORK/diff/$id.o")
		done
		[ "$MODULE_DEPS" -eq 0 ] || args+=(--module-deps)
		"$LOOKUP" "${args[@]}" >>"$WORK/diff/manifest" ||
			die "cannot resolve the symbols of the new code of $obj against $target (see above)"
	done
}

# The awk functions c_string() and json_string() (escape.awk), to put in
# front of an awk program.
escape_awk() {
	cat "$LIBEXEC/escape.awk"
}

# c_string TEXT: TEXT as a C string literal; json_string TEXT: as a JSON
# string.  The text goes through the environment, so nothing in it is read
# as awk, sed or shell syntax.
c_string() {
	KPB_TEXT=$1 LC_ALL=C awk "$(escape_awk)"'
	BEGIN { printf "%s", c_string(ENVIRON["KPB_TEXT"]) }'
}

json_string() {
	KPB_TEXT=$1 LC_ALL=C awk "$(escape_awk)"'
	BEGIN { printf "%s", json_string(ENVIRON["KPB_TEXT"]) }'
}

# Replace every @KEY@ of the template (stdin) for which the environment has
# KPB_T_KEY by that value, taken literally (no sed or gsub() replacement
# syntax: '&' and '\' are themselves).
fill_values() {
	awk '{
		out = ""
		while (match($0, /@[A-Z_]+@/)) {
			key = "KPB_T_" substr($0, RSTART + 1, RLENGTH - 2)
			out = out substr($0, 1, RSTART - 1)
			out = out ((key in ENVIRON) ? ENVIRON[key] : substr($0, RSTART, RLENGTH))
			$0 = substr($0, RSTART + RLENGTH)
		}
		print out $0
	}'
}

# The module's source in WORK/module: livepatch-main.c by the generator
# (generate.awk) from the manifest, with the description "Livepatch built by
# kpatch-build from" and the patch files' names; the diff objects and their
# kbuild records; the Kbuild file.
generate_module() {
	local m=$WORK/module diffs="" id names=() p
	for p in "${PATCHES[@]}"; do
		names+=("${p##*/}")
	done
	KPB_MODNAME=$MODNAME KPB_REPLACE=$REPLACE \
	KPB_DESCRIPTION="Livepatch built by kpatch-build from ${names[*]}" LC_ALL=C \
		awk -f "$LIBEXEC/escape.awk" -f "$LIBEXEC/generate.awk" \
		"$WORK/diff/manifest" "$TEMPLATES/livepatch-main.c" \
		>"$m/livepatch-main.c" ||
		die "cannot generate the module source from $WORK/diff/manifest (see above)"
	for id in "${DIFF_IDS[@]}"; do
		cp "$WORK/diff/$id.o" "$m/kpb-diff-$id.o"
		# modpost reads every object's kbuild record
		printf 'cmd_%s := cp %s %s\n' "$m/kpb-diff-$id.o" \
			"$WORK/diff/$id.o" "$m/kpb-diff-$id.o" > "$m/.kpb-diff-$id.o.cmd"
		diffs="$diffs kpb-diff-$id.o"
	done
	KPB_T_MODNAME=$MODNAME KPB_T_DIFF_OBJECTS=${diffs# } fill_values \
		< "$TEMPLATES/Kbuild" > "$m/Kbuild"
	import_namespaces >>"$m/livepatch-main.c"
}

# MODULE_INFO(import_ns, ...) for every namespace of the exports the new
# code uses (Module.symvers' fifth column): the kernel loads a module that
# uses a namespaced export only if it imports the namespace, and the
# patched module may import it in another of its files than the patched
# one (efivarfs: vars.c, not super.c), which the differ cannot see.
import_namespaces() {
	local id ns
	[ -f "${SYMVERS:-}" ] || return 0
	for id in "${DIFF_IDS[@]}"; do
		nm -u "$WORK/diff/$id.o" 2>/dev/null || true
	done | awk '{ print $NF }' | sort -u >"$WORK/module/undefs"
	awk -F'\t' 'FILENAME == ARGV[1] { want[$1]; next }
		($2 in want) && $5 != "" { print $5 }' \
		"$WORK/module/undefs" "$SYMVERS" | sort -u |
	while IFS= read -r ns; do
		[[ $ns =~ ^[A-Za-z_][A-Za-z0-9_]*$ ]] ||
			die "$SYMVERS names the namespace '$ns', which is no C identifier: is it the target's Module.symvers?"
		printf 'MODULE_INFO(import_ns, "%s");\n' "$ns"
	done
}

# modpost would fail on the .klp.sym.* names; they are resolved by klp at
# load time, and klp-convert checks every other undefined symbol.
# objtool's complaints about the generated module, in what the module's
# build added to $LOG from line $1 on.  From Linux 6.2 with IBT objtool runs
# on the linked module and writes its return thunk, call and ORC tables; a
# warning there can mean it stopped early, and the module would run
# unpatched return thunks ("Unpatched return thunk in use") or unwind badly.
check_module_objtool() {
	local from=$1 bad
	bad=$(tail -n +"$from" "$LOG" | grep -E '(warning|error): objtool:' |
		head -n 5) || true
	[ -z "$bad" ] ||
		die "objtool found problems in the generated module (please report them with the patch):
$bad"
}

# KCFLAGS of the module's build: the work directory, a new name each run,
# is mapped out of the DWARF and __FILE__ of the module's own sources
# (livepatch-main.c, the .mod.c), so that a patch gives the same module,
# byte for byte, in every run, through distcc or not.
module_kcflags() {
	printf '%s\n' "${KCFLAGS:+$KCFLAGS }-ffile-prefix-map=$WORK/="
}

build_module() {
	local extra=() from
	if [ ! -f "$SRC/Module.symvers" ]; then
		extra=(KBUILD_EXTRA_SYMBOLS="$SYMVERS")
	elif ! cmp -s "$SRC/Module.symvers" "$SYMVERS"; then
		die "$SRC/Module.symvers differs from the target's $SYMVERS: the module would get the wrong symbol CRCs"
	fi
	from=$(($(wc -l <"$LOG") + 1))
	if ! kmake M="$WORK/module" KBUILD_MODPOST_WARN=1 "${extra[@]}" \
			KCFLAGS="$(module_kcflags)" modules >>"$LOG" 2>&1; then
		grep -E 'error|Error' "$LOG" | tail -n 10 >&2 || true
		die "kbuild could not build the module; see $LOG"
	fi
	[ -f "$WORK/module/$MODNAME.ko" ] || die "kbuild made no $MODNAME.ko; see $LOG"
	check_module_objtool "$from"
}

# The module is written beside its final name and renamed into place, in
# the output directory as the user has it (OUT_VIEW: also when it is inside
# the tree, which the view hides).
convert_module() {
	local out=${OUT_VIEW:-$OUTDIR}
	local rc=0
	"$KLP_CONVERT" --symvers "$SYMVERS" "$WORK/module/$MODNAME.ko" \
		"$WORK/module/$MODNAME.klp.ko" || rc=$?
	case $rc in
	0) ;;
	2)
		write_json refused
		die "the new code needs something a livepatch module cannot carry (see above)" ;;
	*)
		die "cannot write the livepatch relocations of $MODNAME.ko" ;;
	esac
	sign_module "$WORK/module/$MODNAME.klp.ko"
	cp -- "$WORK/module/$MODNAME.klp.ko" "$out/.$MODNAME.ko.tmp" ||
		no_space "$OUTDIR"
	mv -- "$out/.$MODNAME.ko.tmp" "$out/$MODNAME.ko"
}

# --json FILE: what changed in each object, for machines: the differ's items
# per object, and the result.
write_json() {
	local result=$1 first=1 kind id status obj f why
	[ -n "$JSON_OUT" ] || return 0
	{
		printf '{\n  "module": %s,\n  "result": %s,\n  "objects": [' \
			"$(json_string "$MODNAME")" "$(json_string "$result")"
		while read -r kind id status obj f; do
			[ "$kind" = object ] || continue
			[ $first -eq 1 ] || printf ','
			first=0
			printf '\n    {"object": %s, "klp_object": %s, "status": %s, "items": %s}' \
				"$(json_string "$f")" "$(json_string "$obj")" \
				"$(json_string "$status")" \
				"$(cat "$WORK/diff/$id.json" 2>/dev/null || echo '[]')"
		done <"$WORK/diff/manifest"
		printf '\n  ],\n  "ignored": ['
		first=1
		for id in "${IGNORED[@]}"; do
			[ $first -eq 1 ] || printf ','
			first=0
			why=${id#* (}
			printf '\n    {"file": %s, "why": %s}' \
				"$(json_string "${id%% (*}")" "$(json_string "${why%)}")"
		done
		printf '\n  ],\n  "header_includers": ['
		json_pruning
		printf '\n  ]'
		json_metadata
		printf '\n}\n'
	} > "${JSON_VIEW:-$JSON_OUT}.tmp" &&
		mv -- "${JSON_VIEW:-$JSON_OUT}.tmp" "${JSON_VIEW:-$JSON_OUT}"
}

# The header pruning (prune.sh) for the report: per changed header, how
# many objects include it, how many were skipped and why, which.
json_pruning() {
	local report=$WORK/prune/report first=1 h m n names w o list
	[ -s "$report" ] || return 0
	while read -r h m n names; do
		list=
		while read -r w o; do
			[ "$w" != "$h" ] || list="$list${list:+, }$(json_string "$o")"
		done < <(cat "$WORK/prune/skipped-by" 2>/dev/null)
		[ $first -eq 1 ] || printf ','
		first=0
		printf '\n    {"header": %s, "includers": %s, "skipped": %s, "built": %s, "why": %s, "changed": [%s], "skipped_objects": [%s]}' \
			"$(json_string "$h")" "$m" "$n" "$((m - n))" \
			"$(json_string "the same preprocessed code before and after the patch, once the static inline functions nothing uses are left out")" \
			"$(for w in $names; do printf '%s,' "$(json_string "$w")"; done | sed 's/,$//')" \
			"$list"
	done <"$report"
}

summary() {
	local id
	for id in "${DIFF_IDS[@]}"; do
		info "${DIFF_OBJECT[$id]} (${DIFF_OWNER[$id]}):"
		sed 's/^/    /' "$WORK/diff/$id.report" >&2
	done
	[ ${#IGNORED[@]} -eq 0 ] ||
		info "left out, not built into the kernel: ${IGNORED[*]}"
	write_json success
	info "total $(elapsed "$START_TIME")s"
	info "SUCCESS: $OUTDIR/$MODNAME.ko"
}
