#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Unit tests of create-diff-object (see doc/PIPELINE.md and test/unit/README).
#
#   test/unit/run.sh [-k|--keep] [-v|--verbose] [CASE...]
#
# Every directory cases/NAME/ holds orig.c, patched.c and expect (and maybe
# args, extra differ arguments).  Both sources are compiled with kernel-like
# flags, the differ is run on the pair, and its exit status, its report and
# its output object are checked against expect.  One case is one test; the
# last line is "N passed, N failed".
#
# Environment: CDO (the differ, default $REPO/create-diff-object/
# create-diff-object), UNIT_CC (default gcc), CASES_DIR (default
# test/unit/cases), DIFF_TIMEOUT (seconds per differ run, default 60).

set -euo pipefail

UNIT_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO=$(cd "$UNIT_DIR/../.." && pwd)
CDO=${CDO:-$REPO/create-diff-object/create-diff-object}
UNIT_CC=${UNIT_CC:-gcc}
CASES_DIR=${CASES_DIR:-$UNIT_DIR/cases}
DIFF_TIMEOUT=${DIFF_TIMEOUT:-60}

# The flags of the kernel's x86_64 build that shape the code the differ sees
# (sections per function and per data item, fentry/mcount records,
# return/indirect thunks, no PIC, kernel code model), and -g as kpatch-build's
# compiler wrapper adds it (the layout check reads the DWARF).  All accepted
# by gcc 12.2.
UNIT_CFLAGS=(
	-c -O2 -std=gnu11 -g
	-ffunction-sections -fdata-sections
	-fno-pic -mcmodel=kernel -mno-red-zone
	-fno-strict-aliasing -fno-common
	-pg -mfentry -mrecord-mcount
	-fno-asynchronous-unwind-tables
	-mindirect-branch=thunk-extern -mindirect-branch-register
	-mfunction-return=thunk-extern
	-fno-jump-tables
	-nostdinc -ffreestanding
	-Wall
	# kpatch-build's own headers (kpatch-macros.h), as for diffed objects
	-I "$REPO/templates"
	# the cases' stand-ins for kernel macros (include/)
	-I "$UNIT_DIR/include"
)

# The prefix given to the differ: aliases are __kpb_new.t.NAME.
PREFIX=t

WORK=''
KEEP=0
VERBOSE=0
CASES=()
PROBLEMS=()

usage()
{
	echo "usage: $0 [-k|--keep] [-v|--verbose] [CASE...]" >&2
	exit 2
}

parse_args()
{
	while (($#)); do
		case $1 in
		-k|--keep) KEEP=1 ;;
		-v|--verbose) VERBOSE=1 ;;
		-h|--help|-*) usage ;;
		*) CASES+=("$1") ;;
		esac
		shift
	done
	if ((${#CASES[@]} == 0)); then
		local d
		for d in "$CASES_DIR"/*/; do
			[[ -d $d ]] && CASES+=("$(basename "$d")")
		done
	fi
}

cleanup()
{
	if ((KEEP)); then
		echo "work directory kept: $WORK" >&2
	elif [[ -n $WORK ]]; then
		rm -rf "$WORK"
	fi
}

setup_work()
{
	WORK=$(mktemp -d "${TMPDIR:-/tmp}/kpb-unit.XXXXXX")
	trap cleanup EXIT
	trap 'exit 130' INT TERM
}

check_compiler()
{
	local version

	version=$("$UNIT_CC" -dumpversion 2>/dev/null) || {
		echo "run.sh: cannot run the compiler '$UNIT_CC'" >&2
		exit 1
	}
	if [[ $version != 12* ]]; then
		echo "run.sh: warning: expectations were written for gcc 12," \
		     "$UNIT_CC is $version" >&2
	fi
}

problem()
{
	PROBLEMS+=("$*")
}

# Does NAME match PATTERN (a shell glob; a plain name matches itself)?
matches()
{
	# shellcheck disable=SC2053 # the right-hand side is a glob on purpose
	[[ $1 == $2 ]]
}

status_of_rc()
{
	case $1 in
	0) echo changed ;;
	1) echo error ;;
	2) echo refused ;;
	3) echo nochange ;;
	124) echo "timeout after ${DIFF_TIMEOUT}s" ;;
	*) if (($1 > 128)); then
		echo "killed by signal $(($1 - 128))"
	   else
		echo "unknown exit status $1"
	   fi ;;
	esac
}

first_line()
{
	local line=

	[[ -f $1 ]] && IFS= read -r line <"$1"
	printf '%s' "$line"
}

# Reads cases/NAME/expect into E_STATUS, E_REPORT (file of "KIND NAME" lines),
# E_ASSERT (the lines about OUT.o), E_WHY ("NAME GLOB" lines about the
# report's reasons) and E_JSON (1: check --json).  Returns 1 on a malformed
# file.
parse_expect()
{
	local file=$1 report=$2 kind a b rest n=0

	E_STATUS=''
	E_ASSERT=()
	E_WHY=()
	E_JSON=0
	: >"$report"
	while read -r kind a b rest || [[ -n $kind ]]; do
		n=$((n + 1))
		[[ -z $kind || $kind == \#* ]] && continue
		case $kind in
		status)
			case $a in
			changed|nochange|refused|error) ;;
			*) problem "expect:$n: unknown status '$a'"; return 1 ;;
			esac
			E_STATUS=$a
			;;
		changed-function|new-function|new-data|refused|callback|ignored|forced|import-ns|warning|dropped)
			[[ -n $a ]] || { problem "expect:$n: $kind needs a name"; return 1; }
			# Any words after the name (the why) are not compared.
			echo "$kind $a" >>"$report"
			;;
		has-symbol|no-symbol|undef|section|no-section)
			[[ -n $a && -z $b ]] ||
				{ problem "expect:$n: $kind needs one name"; return 1; }
			E_ASSERT+=("$kind $a")
			;;
		rela)
			[[ -n $a && -n $b && -z $rest ]] ||
				{ problem "expect:$n: rela needs SECTION SYMBOL"; return 1; }
			E_ASSERT+=("$kind $a $b")
			;;
		disasm|no-disasm)
			[[ -n $a && -n $b ]] ||
				{ problem "expect:$n: $kind needs SECTION REGEX"; return 1; }
			E_ASSERT+=("$kind $a $b${rest:+ $rest}")
			;;
		modinfo|no-modinfo)
			[[ -n $a && -z $b ]] ||
				{ problem "expect:$n: $kind needs one entry"; return 1; }
			E_ASSERT+=("$kind $a")
			;;
		padded)
			[[ -n $a && $b =~ ^[0-9]+$ && -z $rest ]] ||
				{ problem "expect:$n: padded needs SYMBOL BYTES"; return 1; }
			E_ASSERT+=("$kind $a $b")
			;;
		why)
			[[ -n $a && -n $b ]] ||
				{ problem "expect:$n: why needs NAME GLOB"; return 1; }
			E_WHY+=("$a $b${rest:+ $rest}")
			;;
		json)
			[[ -z $a ]] || { problem "expect:$n: json takes no argument"; return 1; }
			E_JSON=1
			;;
		*)
			problem "expect:$n: unknown directive '$kind'"
			return 1
			;;
		esac
	done <"$file"
	[[ -n $E_STATUS ]] || { problem "expect: no status line"; return 1; }
}

# Compiles SRC to OBJ; any diagnostic fails the case, since a warning in a
# case usually means gcc did not keep the code the case is about.
compile()
{
	local src=$1 obj=$2 log=$3
	local -a extra=()

	if [[ -f $(dirname "$src")/cflags ]]; then
		# Whitespace-separated words, '#' comments; no quoting.
		read -ra extra -d '' < <(sed 's/#.*//' "$(dirname "$src")/cflags") || true
	fi
	if ! "$UNIT_CC" "${UNIT_CFLAGS[@]}" "${extra[@]}" "$src" -o "$obj" >"$log" 2>&1; then
		problem "$(basename "$src") does not compile: $(grep -m1 -i error "$log" || first_line "$log")"
		return 1
	fi
	if [[ -s $log ]]; then
		problem "$(basename "$src") compiles with diagnostics: $(first_line "$log")"
		return 1
	fi
}

# cases/NAME/patched.objcopy (optional): objcopy arguments applied to
# patched.o, to stand for what GCC does in bigger files (renumbering a clone
# when another one appears).  Whitespace-separated, '#' comments.
rewrite_patched()
{
	local dir=$1 w=$2
	local -a args=()

	[[ -f $dir/patched.objcopy ]] || return 0
	read -ra args -d '' < <(sed 's/#.*//' "$dir/patched.objcopy") || true
	if ! objcopy "${args[@]}" "$w/patched.o" 2>"$w/objcopy.err"; then
		problem "patched.objcopy: $(first_line "$w/objcopy.err")"
		return 1
	fi
}

# Runs the differ; sets RC.
run_differ()
{
	local dir=$1 w=$2
	local -a extra=()

	if [[ -f $dir/args ]]; then
		# Whitespace-separated words, '#' comments; no quoting.
		read -ra extra -d '' < <(sed 's/#.*//' "$dir/args") || true
	fi
	((E_JSON)) && extra+=(--json "$w/report.json")
	extra+=(--manifest "$w/manifest")
	RC=0
	timeout "$DIFF_TIMEOUT" "$CDO" --prefix "$PREFIX" --report "$w/report" \
		"${extra[@]}" "$w/orig.o" "$w/patched.o" "$w/out.o" \
		>"$w/stdout" 2>"$w/stderr" || RC=$?
}

check_status()
{
	local w=$1 got

	got=$(status_of_rc "$RC")
	if [[ $got != "$E_STATUS" ]]; then
		local why

		why=$(first_line "$w/stderr")
		problem "status $got, expected $E_STATUS${why:+ (stderr: $why)}"
	fi
}

# The report, each line cut to its first two words, must be exactly the
# expected multiset (sorted; a line reported twice is a difference too).
check_report()
{
	local w=$1 missing unexpected

	if [[ -f $w/report ]]; then
		awk 'NF { print $1, $2 }' "$w/report" | LC_ALL=C sort >"$w/report.got"
	else
		: >"$w/report.got"
	fi
	LC_ALL=C sort "$w/report.expected" -o "$w/report.expected"
	missing=$(LC_ALL=C comm -23 "$w/report.expected" "$w/report.got" | paste -sd, -)
	unexpected=$(LC_ALL=C comm -13 "$w/report.expected" "$w/report.got" | paste -sd, -)
	[[ -z $missing ]] || problem "report lacks {$missing}"
	[[ -z $unexpected ]] || problem "report has unexpected {$unexpected}"
}

# "why NAME GLOB": every report line about NAME has its words after NAME
# matching GLOB, and there is one.
check_why()
{
	local w=$1 line name glob kind rname rest found

	((${#E_WHY[@]})) || return 0
	[[ -f $w/report ]] || { problem "why: no report written"; return; }
	for line in "${E_WHY[@]}"; do
		read -r name glob <<<"$line"
		found=0
		while read -r kind rname rest; do
			[[ $rname == "$name" ]] || continue
			found=1
			# shellcheck disable=SC2053 # the right-hand side is a glob
			[[ $rest == $glob ]] ||
				problem "why $name: '$kind $rname $rest' does not match '$glob'"
		done <"$w/report"
		((found)) || problem "why $name: no report line about $name"
	done
}

# The objects of a JSON array of {"kind", "name", "why"}, as "KIND NAME"
# lines; fails if FILE is not such an array.  python3 or jq parses it.
json_items()
{
	if command -v python3 >/dev/null; then
		python3 -c '
import json, sys
items = json.load(open(sys.argv[1]))
assert isinstance(items, list)
for o in items:
    assert sorted(o) == ["kind", "name", "why"], o
    assert all(isinstance(v, str) for v in o.values()), o
    print(o["kind"], o["name"])' "$1"
	elif command -v jq >/dev/null; then
		jq -er '.[] | select(keys == ["kind", "name", "why"]) |
			"\(.kind) \(.name)"' "$1"
	else
		echo "neither python3 nor jq to read JSON" >&2
		return 1
	fi
}

# --json FILE must say what the report says.
check_json()
{
	local w=$1 err

	((E_JSON)) || return 0
	if [[ ! -f $w/report.json ]]; then
		problem "json: no JSON report written"
	elif ! json_items "$w/report.json" 2>"$w/json.err" |
		LC_ALL=C sort >"$w/json.got"; then
		err=$(first_line "$w/json.err")
		problem "json: not an array of {kind, name, why}${err:+ ($err)}"
	elif ! cmp -s "$w/json.got" "$w/report.got"; then
		problem "json: items differ from the report: $(LC_ALL=C comm -3 "$w/json.got" "$w/report.got" | paste -sd, -)"
	fi
}

# --manifest FILE of a changed object: one "callback PREFIX KIND ENTRY" line
# per "callback FUNCTION KIND ENTRY" line of the report, in its order.
check_manifest()
{
	local w=$1

	((RC == 0)) || return 0
	if [[ ! -f $w/manifest ]]; then
		problem "manifest: not written"
		return
	fi
	awk -v p="$PREFIX" '$1 == "callback" { print "callback", p, $3, $4 }' \
		"$w/report" >"$w/manifest.expected" 2>/dev/null || : >"$w/manifest.expected"
	cmp -s "$w/manifest.expected" "$w/manifest" ||
		problem "manifest: not the report's callbacks (< expected, > written): $(diff "$w/manifest.expected" "$w/manifest" | grep '^[<>]' | paste -sd, -)"
}

# Dumps OUT.o into symbols ("NDX BIND NAME TYPE VALUE SIZE"), sections ("NAME") and relas
# ("RELASECTION SYMBOL") files.  Returns 1 if OUT.o is not a sane object.
dump_out()
{
	local w=$1 out=$2 err

	if ! readelf -hW "$out" >"$w/out.h" 2>"$w/readelf.err" ||
	   ! grep -q 'Type: *REL ' "$w/out.h" ||
	   ! grep -q 'Machine: *Advanced Micro Devices X86-64' "$w/out.h"; then
		err=$(first_line "$w/readelf.err")
		problem "out.o is not an x86_64 relocatable object${err:+ ($err)}"
		return 1
	fi
	readelf -sW "$out" 2>>"$w/readelf.err" |
		awk '$1 ~ /^[0-9]+:$/ && NF >= 8 { print $7, $5, $8, $4, $2, $3 }' \
		>"$w/out.syms"
	readelf -SW "$out" 2>>"$w/readelf.err" |
		sed -n 's/^ *\[ *[0-9]*\] \([^ ]*\) .*/\1/p' >"$w/out.secs"
	readelf -rW "$out" 2>>"$w/readelf.err" |
		awk '/^Relocation section / { sec = $3; gsub(/\047/, "", sec); next }
		     sec != "" && $1 ~ /^[0-9a-f]+$/ && NF >= 5 { print sec, $5 }' \
		>"$w/out.relas"
	err=$(first_line "$w/readelf.err")
	if [[ -n $err ]]; then
		problem "readelf complains about out.o: $err"
		return 1
	fi
}

assert_symbol()
{
	local kind=$1 pat=$2 w=$3 ndx bind name found=0 defined='' local_undef=''

	while read -r ndx bind name _; do
		matches "$name" "$pat" || continue
		found=1
		if [[ $ndx != UND ]]; then
			defined+=" $name@$ndx"
		elif [[ $bind == LOCAL ]]; then
			local_undef+=" $name"
		fi
	done <"$w/out.syms"
	case $kind in
	has-symbol)
		if [[ -z $defined ]] && ((found)); then
			problem "has-symbol $pat: only UNDEF in out.o"
		elif [[ -z $defined ]]; then
			problem "has-symbol $pat: not in out.o"
		fi
		;;
	no-symbol)
		((!found)) || problem "no-symbol $pat: present in out.o"
		;;
	undef)
		if ((!found)); then
			problem "undef $pat: not in out.o"
		elif [[ -n $defined ]]; then
			problem "undef $pat: defined (section${defined})"
		elif [[ -n $local_undef ]]; then
			problem "undef $pat: UNDEF but LOCAL"
		fi
		;;
	esac
}

assert_section()
{
	local kind=$1 pat=$2 w=$3 name found=''

	while read -r name; do
		matches "$name" "$pat" && found+=" $name"
	done <"$w/out.secs"
	if [[ $kind == section && -z $found ]]; then
		problem "section $pat: not in out.o"
	elif [[ $kind == no-section && -n $found ]]; then
		problem "no-section $pat: out.o has${found}"
	fi
}

assert_rela()
{
	local sec=$1 pat=$2 w=$3 rsec sym seen=0 syms=''

	while read -r rsec sym; do
		matches "$rsec" ".rela$sec" || continue
		seen=1
		matches "$sym" "$pat" && return 0
		[[ " $syms " == *" $sym "* ]] || syms+=" $sym"
	done <"$w/out.relas"
	if ((seen)); then
		problem "rela $sec $pat: .rela$sec refers only to${syms}"
	else
		problem "rela $sec $pat: no relocation section .rela$sec"
	fi
}

# Every alias __kpb_new.PREFIX.NAME must be a defined GLOBAL FUNC with the
# section, value and size of NAME (doc/PIPELINE.md), whatever expect says.
# NAME is the original's name: the function in out.o may carry another
# number that GCC gave it (read_b.isra.2 for read_b.isra.0).
check_aliases()
{
	local w=$1 ndx bind name type value size base line
	local -a aliases

	mapfile -t aliases < <(grep -F " __kpb_new.$PREFIX." "$w/out.syms")
	for line in "${aliases[@]}"; do
		read -r ndx bind name type value size <<<"$line"
		base=${name#"__kpb_new.$PREFIX."}
		if [[ $ndx == UND || $bind != GLOBAL || $type != FUNC ]]; then
			problem "alias $name is $bind $type in section $ndx, not a defined GLOBAL FUNC"
		elif ! awk -v n="$base" -v x="$ndx" -v v="$value" -v s="$size" \
			'function canon(s) { gsub(/\.[0-9]+/, "", s); return s }
			 $3 !~ /^__kpb_new\./ && canon($3) == canon(n) &&
			 $1 == x && $5 == v && $6 == s && $4 == "FUNC" { f = 1 }
			 END { exit !f }' "$w/out.syms"; then
			problem "alias $name is not at $base (same section, value and size)"
		fi
	done
}

# disasm SECTION ERE: objdump's disassembly of SECTION in out.o has a line
# matching ERE; no-disasm: none does.
assert_disasm()
{
	local kind=$1 sec=$2 re=$3 w=$4 dis

	if ! dis=$(objdump -d -j "$sec" "$w/out.o" 2>&1) ||
	   ! grep -q '^Disassembly of section' <<<"$dis"; then
		problem "$kind $sec: no such code section in out.o"
		return
	fi
	if grep -Eq -- "$re" <<<"$dis"; then
		[[ $kind == disasm ]] || problem "no-disasm $sec: '$re' is in its code"
	else
		[[ $kind == no-disasm ]] || problem "disasm $sec: no line matches '$re'"
	fi
}

# padded NAME N: NAME is defined N bytes into its section, whose first N
# bytes are NOPs (0x90), as gcc's -fpatchable-function-entry=N,N leaves them.
assert_padded()
{
	local name=$1 n=$2 w=$3 ndx value sec bytes

	read -r ndx _ _ _ value _ < <(awk -v n="$name" '$3 == n' "$w/out.syms")
	if [[ -z $ndx || $ndx == UND ]]; then
		problem "padded $name: not defined in out.o"
		return
	fi
	if ((16#$value != n)); then
		problem "padded $name: at 0x$value, not $n bytes into its section"
		return
	fi
	sec=$(readelf -SW "$w/out.o" | sed -n "s/^ *\[ *$ndx\] \([^ ]*\) .*/\1/p")
	objcopy -O binary --only-section="$sec" "$w/out.o" "$w/padded.bin" 2>/dev/null
	bytes=$(head -c "$n" "$w/padded.bin" | od -An -tx1 | tr -d ' \n')
	[[ $bytes == "$(printf '90%.0s' $(seq "$n"))" ]] ||
		problem "padded $name: the $n bytes before it in $sec are '$bytes', not NOPs"
}

# modinfo ENTRY: out.o's .modinfo has the string ENTRY (KEY=VALUE);
# no-modinfo: it has not.
assert_modinfo()
{
	local kind=$1 entry=$2 w=$3 found=0

	objcopy -O binary --only-section=.modinfo "$w/out.o" "$w/modinfo.bin" \
		2>/dev/null || : >"$w/modinfo.bin"
	tr '\0' '\n' <"$w/modinfo.bin" | grep -qxF -- "$entry" && found=1
	if [[ $kind == modinfo ]] && ((!found)); then
		problem "modinfo $entry: not in out.o's .modinfo"
	elif [[ $kind == no-modinfo ]] && ((found)); then
		problem "no-modinfo $entry: in out.o's .modinfo"
	fi
}

check_out()
{
	local w=$1 out=$1/out.o line kind a b

	if [[ $E_STATUS == nochange && $RC == 3 && -e $out ]]; then
		problem "out.o written although nothing changed"
	fi
	if [[ $E_STATUS == changed && $RC == 0 && ! -e $out ]]; then
		problem "exit status 0 but out.o not written"
		return
	fi
	[[ -e $out ]] || {
		((${#E_ASSERT[@]} == 0)) ||
			problem "no out.o: ${#E_ASSERT[@]} assertions not checked"
		return
	}
	dump_out "$w" "$out" || return 0
	check_aliases "$w"
	for line in "${E_ASSERT[@]}"; do
		read -r kind a b <<<"$line"
		if [[ $kind == *disasm ]]; then
			assert_disasm "$kind" "$a" "${line#"$kind $a "}" "$w"
			continue
		fi
		case $kind in
		has-symbol|no-symbol|undef) assert_symbol "$kind" "$a" "$w" ;;
		section|no-section) assert_section "$kind" "$a" "$w" ;;
		rela) assert_rela "$a" "$b" "$w" ;;
		padded) assert_padded "$a" "$b" "$w" ;;
		modinfo|no-modinfo) assert_modinfo "$kind" "$a" "$w" ;;
		esac
	done
}

show_details()
{
	local w=$1 f

	for f in report stderr; do
		[[ -s $w/$f ]] || continue
		echo "    --- $f"
		sed 's/^/    /' "$w/$f"
	done
}

# Runs one case; prints PASS/FAIL and returns 0/1.
run_case()
{
	local name=$1 dir=$CASES_DIR/$1 w=$WORK/$1 msg f

	PROBLEMS=()
	mkdir -p "$w"
	if [[ ! -d $dir ]]; then
		problem "no such case directory $dir"
	else
		for f in orig.c patched.c expect; do
			[[ -f $dir/$f ]] || problem "missing $f"
		done
	fi
	if ((${#PROBLEMS[@]} == 0)) &&
	   parse_expect "$dir/expect" "$w/report.expected" &&
	   compile "$dir/orig.c" "$w/orig.o" "$w/orig.log" &&
	   compile "$dir/patched.c" "$w/patched.o" "$w/patched.log" &&
	   rewrite_patched "$dir" "$w"; then
		if [[ ! -x $CDO ]]; then
			problem "differ not found: $CDO"
		else
			run_differ "$dir" "$w"
			check_status "$w"
			check_report "$w"
			check_why "$w"
			check_json "$w"
			check_manifest "$w"
			check_out "$w"
		fi
	fi
	if ((${#PROBLEMS[@]} == 0)); then
		echo "PASS $name"
		return 0
	fi
	msg=$(printf '%s; ' "${PROBLEMS[@]}")
	echo "FAIL $name: ${msg%; }"
	((VERBOSE)) && show_details "$w"
	return 1
}

main()
{
	local name passed=0 failed=0

	parse_args "$@"
	check_compiler
	setup_work
	for name in "${CASES[@]}"; do
		if run_case "$name"; then
			passed=$((passed + 1))
		else
			failed=$((failed + 1))
		fi
	done
	echo "$passed passed, $failed failed"
	((failed == 0))
}

main "$@"
