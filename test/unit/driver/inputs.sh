#!/usr/bin/env bash
# Unit tests of what the driver does with the user's input (kpatch-build/
# inputs.sh, module.sh, escape.awk): -n is checked, never rewritten; a name
# taken from a patch file name is rewritten only with its hash and says so;
# file names and names reach the generated C, Kbuild and JSON only through
# the escapers, whatever characters they hold.
# Ends with "N passed, N failed".
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
top=$(cd "$here/../../.." && pwd)
# shellcheck source=/dev/null
. "$top/kpatch-build/common.sh"
# shellcheck source=/dev/null
. "$top/kpatch-build/inputs.sh"
# shellcheck source=/dev/null
. "$top/kpatch-build/module.sh"
# shellcheck source=/dev/null
. "$top/kpatch-build/record.sh"
# shellcheck source=/dev/null
. "$top/kpatch-build/sign.sh"
# shellcheck disable=SC2034 # read by module.sh
LIBEXEC=$top/kpatch-build
# shellcheck disable=SC2034 # read by module.sh
TEMPLATES=$top/templates
# shellcheck source=test/unit/driver/lib.sh
. "$here/lib.sh"

# The nastiest file name: quotes, a backslash, |, &, $(), a newline, a
# tab, '?' twice (a trigraph) and a C comment and statement.
nasty=$'x"); MODULE_INFO(injected, "yes\\ | & $(touch kpb-pwned) `touch kpb-pwned` ??= \'q\'\n\tend.patch'

# name_of NAME_SET NAME PATCH: the module name module_name gives, or
# "refused: MESSAGE"; its info line, if any, follows after " / ".
name_of() {
	# shellcheck disable=SC2034 # read by module_name
	NAME_SET=$1 NAME=$2 PATCHES=("$3")
	if (module_name && printf '%s\n' "$MODNAME" >"$work/name") 2>"$work/err"; then
		printf '%s' "$(cat "$work/name")"
		[ ! -s "$work/err" ] || printf ' / info'
	else
		printf 'refused'
		grep -q "only letters, digits, '_' and '-'.*1 to 45 characters" "$work/err" ||
			printf ' without the rule: %s' "$(cat "$work/err")"
	fi
}

test_explicit_names() {
	local got="" n
	for n in ok_name-1 livepatch-foo "$(printf 'a%.0s' {1..45})"; do
		got="$got $(name_of 1 "$n" /p/x.patch)"
	done
	result name-explicit-valid "$got" " livepatch-ok_name-1 livepatch-foo livepatch-$(printf 'a%.0s' {1..45})"
	got=""
	for n in "a b" a.b "" livepatch- "$(printf 'a%.0s' {1..46})" 'é' $'x\ny' 'a"b' 'a/b'; do
		got="$got|$(name_of 1 "$n" /p/x.patch)"
	done
	result name-explicit-refused "$got" "|refused|refused|refused|refused|refused|refused|refused|refused|refused"
}

# A name from the file name: kept when it is one; else rewritten, hashed,
# said; two file names that rewrite alike still differ.
test_derived_names() {
	local got a b long1 long2
	got="$(name_of 0 "" /p/fix-1.patch) $(name_of 0 "" /p/livepatch-fix_2.diff)"
	result name-derived-kept "$got" "livepatch-fix-1 livepatch-fix_2"
	a=$(name_of 0 "" "/p/a b.patch")
	b=$(name_of 0 "" "/p/a.b.patch")
	case "$a|$b" in
	"livepatch-a-b-"????????" / info|livepatch-a-b-"????????" / info")
		[ "$a" != "$b" ] && got=distinct || got="same: $a" ;;
	*) got="$a|$b" ;;
	esac
	result name-derived-rewritten "$got" distinct
	long1=/p/$(printf 'x%.0s' {1..50})1.patch
	long2=/p/$(printf 'x%.0s' {1..50})2.patch
	a=$(name_of 0 "" "$long1")
	b=$(name_of 0 "" "$long2")
	got="${#a} ${#b}"
	[ "$a" != "$b" ] || got="$got same"
	# livepatch-NAME (55) and " / info"
	result name-derived-long "$got" "62 62"
	got=$(name_of 0 "" "/p/$nasty")
	[[ $got =~ ^livepatch-[A-Za-z0-9_-]{1,45}\ /\ info$ ]] && got=ok
	result name-derived-nasty "$got" ok
}

test_escapers() {
	result c-string "$(c_string $'a"b\\c?\n\001é')" '"a\"b\\c\?\012\001é"'
	result json-string "$(json_string $'a"b\\c/\n\t\001\037é')" '"a\"b\\c/\n\t\u0001\u001fé"'
	result json-string-plain "$(json_string 'meminfo.patch')" '"meminfo.patch"'
}

# abs_path keeps a name's trailing newline and its backslashes.
test_abs_path() {
	local f=$work/$'back\\slash\n'
	: >"$f"
	result abs-path "$(abs_path "$f"; printf x)" "${f}x"
}

# The generated module source for patch files with the nasty name and a
# plain one: the description is one C string literal that is exactly
# their names; nothing else in the source changed; Kbuild has the name.
test_generate_module() {
	local m got
	WORK=$work/gen
	mkdir -p "$WORK/diff" "$WORK/module"
	printf '%s\n' 'object o1 changed vmlinux fs/proc/meminfo.o' \
		'func vmlinux meminfo_proc_show 0 __kpb_new.o1.meminfo_proc_show' \
		>"$WORK/diff/manifest"
	: >"$WORK/diff/o1.o"
	# shellcheck disable=SC2034 # read by generate_module
	DIFF_IDS=(o1) MODNAME=livepatch-x REPLACE=true
	# shellcheck disable=SC2034
	PATCHES=("$work/dir/$nasty" "$work/dir/b&c|d\\1.patch")
	(cd "$work" && generate_module)
	m=$WORK/module
	{
		echo '#include <stdio.h>'
		echo '#define MODULE_DESCRIPTION(d) static const char desc[] = d;'
		grep '^MODULE_DESCRIPTION(' "$m/livepatch-main.c"
		echo 'int main(void) { fputs(desc, stdout); return 0; }'
	} >"$work/desc.c"
	if gcc -std=gnu11 -Wall -Werror -o "$work/desc" "$work/desc.c" 2>"$work/cc.err"; then
		got=$("$work/desc"; printf x)
		got=${got%x}
	else
		got="does not compile: $(cat "$work/cc.err")"
	fi
	result description-literal "$got" "Livepatch built by kpatch-build from $nasty b&c|d\\1.patch"
	# the template's MODULE_LICENSE, MODULE_INFO(livepatch), MODULE_DESCRIPTION
	got=$(grep '^MODULE_' "$m/livepatch-main.c" | grep -vc '^MODULE_INFO(kpb_')
	result description-nothing-else "$got" 3
	got=$(find "$work" -name kpb-pwned | wc -l)
	result description-not-run "$got" 0
	result kbuild-name "$(head -n 2 "$m/Kbuild" | tail -n 1)" "obj-m := livepatch-x.o"
}

# write_json: the names in it are JSON strings, whatever they hold.
test_write_json() {
	local got
	WORK=$work/json
	mkdir -p "$WORK/diff"
	printf 'object o1 changed vmlinux %s\n' "fs/proc/a\"b\\c.o" >"$WORK/diff/manifest"
	printf '[]\n' >"$WORK/diff/o1.json"
	# shellcheck disable=SC2034 # read by write_json
	JSON_OUT=$work/$'out\n"x.json' MODNAME=livepatch-x
	write_json success
	got=$(grep -F '"object"' "$JSON_OUT")
	result json-file "$got" '    {"object": "fs/proc/a\"b\\c.o", "klp_object": "vmlinux", "status": "changed", "items": []}'
}

# Every object unchanged: the --json report is written ("unchanged") before
# the run stops, and a differ's "dropped" lines are shown.
test_unchanged_json() {
	local got
	WORK=$work/unchanged
	mkdir -p "$WORK/diff" "$WORK/src"
	cat >"$work/fake-cdo" <<'FAKE'
#!/bin/bash
while [ $# -gt 3 ]; do
	case $1 in
	--report) echo "dropped f moved from .text.f to .init.text" >"$2"; shift ;;
	--json) echo '[{"kind": "dropped", "name": "f", "why": "moved"}]' >"$2"; shift ;;
	esac
	shift
done
exit 3
FAKE
	chmod +x "$work/fake-cdo"
	# shellcheck disable=SC2034 # read by diff_objects and write_json
	CDO=$work/fake-cdo SRC=$WORK/src OBJECTS=(a.o) DIFF_IDS=() \
		JSON_OUT=$work/unchanged.json MODNAME=livepatch-x
	# shellcheck disable=SC2034 # read by diff_objects
	declare -gA OWNER=([a.o]=vmlinux)
	(diff_objects) 2>"$work/unchanged.err" || true
	got=$(grep -o '"result": "[a-z]*"' "$JSON_OUT" 2>/dev/null; grep -c '"dropped"' "$JSON_OUT" 2>/dev/null;
	      grep -c 'dropped f moved' "$work/unchanged.err" || true)
	result json-unchanged "$got" $'"result": "unchanged"\n1\n1'
}

# The record (record.sh): --description and --cve reach modinfo as C string
# literals, exactly; --cve, --patch-level and --description are checked.
# shellcheck disable=SC2034 # the subshells' variables are read by check_metadata
test_record() {
	local m got c
	WORK=$work/record
	mkdir -p "$WORK/diff" "$WORK/module"
	printf 'func vmlinux meminfo_proc_show 0 __kpb_new.o1.meminfo_proc_show\n' >"$WORK/diff/funcs"
	# the template stands for the generated source: record_module fills
	# only its own keys
	cp "$TEMPLATES/livepatch-main.c" "$WORK/module/livepatch-main.c"
	# shellcheck disable=SC2034 # read by record_module
	REPLACE=true PATCH_LEVEL=7 \
		DESCRIPTION=${nasty%%$'\n'*} CVES=(CVE-2024-1234 CVE-2023-56789) \
		TARGET_BUILD_ID=d9612d29 TARGET_VMLINUZ='' TARGET_SYSMAP=''
	(cd "$work" && record_module)
	m=$WORK/module
	{
		echo '#include <stdio.h>'
		echo '#define MODULE_DESCRIPTION(d) static const char desc[] = d;'
		echo '#define MODULE_INFO(k, v) puts(#k "=" v);'
		echo 'int main(void) {'
		grep -E '^MODULE_(DESCRIPTION|INFO\(kpb_)' "$m/livepatch-main.c"
		echo 'puts(desc); return 0; }'
	} >"$work/rec.c"
	if gcc -std=gnu11 -Wall -Werror -o "$work/rec" "$work/rec.c" 2>"$work/cc.err"; then
		got=$("$work/rec")
	else
		got="does not compile: $(cat "$work/cc.err")"
	fi
	result record-modinfo "$got" "kpb_build_id=d9612d29
kpb_replace=1
kpb_patch_level=7
kpb_cve=CVE-2024-1234
kpb_cve=CVE-2023-56789
kpb_func=vmlinux:meminfo_proc_show,0
${nasty%%$'\n'*}"
	got=$(grep -c '^#define KPB_PATCH_LEVEL 7$' "$m/livepatch-main.c")
	result record-patch-level "$got" 1
	got=""
	for c in CVE-2024-1 cve-2024-12345 'CVE-2024-1234;x' ''; do
		(CVES=("$c") PATCH_LEVEL=0 DESCRIPTION=; check_metadata) 2>/dev/null &&
			got="$got accepted" || got="$got refused"
	done
	for c in 01 -1 x 1e3 1000000000; do
		(CVES=() PATCH_LEVEL=$c DESCRIPTION=; check_metadata) 2>/dev/null &&
			got="$got accepted" || got="$got refused"
	done
	(CVES=(CVE-2024-12345) PATCH_LEVEL=3 DESCRIPTION=$'a\nb'; check_metadata) 2>/dev/null &&
		got="$got accepted" || got="$got refused"
	(CVES=(CVE-2024-12345) PATCH_LEVEL=3 DESCRIPTION='a "b"'; check_metadata) 2>/dev/null &&
		got="$got accepted" || got="$got refused"
	result record-checks "$got" "$(printf ' refused%.0s' 1 2 3 4 5 6 7 8 9 10) accepted"
}

# --sign-key/--sign-cert: both or neither, readable; the tree's sign-file
# and the config's hash; sign_module runs sign-file HASH KEY CERT MODULE.
test_signing() {
	local t=$work/signtree got
	mkdir -p "$t/scripts"
	printf 'CONFIG_MODULE_SIG=y\nCONFIG_MODULE_SIG_HASH="sha512"\n' >"$t/.config"
	printf '#!/bin/sh\necho "$@" >"%s"\n' "$work/signed" >"$t/scripts/sign-file"
	chmod +x "$t/scripts/sign-file"
	: >"$work/k.pem"
	: >"$work/c.x509"
	got=""
	for kc in "$work/k.pem:" ":$work/c.x509" "$work/k.pem:$work/none.x509" "$work/none.pem:$work/c.x509"; do
		(SRC=$t SIGN_KEY=${kc%%:*} SIGN_CERT=${kc#*:}; check_signing) 2>/dev/null &&
			got="$got accepted" || got="$got refused"
	done
	(SRC=$t SIGN_KEY='' SIGN_CERT=''; check_signing) 2>/dev/null && got="$got none-ok"
	result signing-checks "$got" " refused refused refused refused none-ok"
	# shellcheck disable=SC2034 # read by sign_module
	got=$(SRC=$t SIGN_KEY=$work/k.pem SIGN_CERT=$work/c.x509 LOG=$work/sign.log \
		MODNAME=livepatch-x; check_signing && sign_module "$work/m.ko" 2>/dev/null &&
		cat "$work/signed")
	result signing-sign-file "$got" "sha512 $work/k.pem $work/c.x509 $work/m.ko"
}

test_explicit_names
test_signing
test_unchanged_json
test_derived_names
test_escapers
test_abs_path
test_generate_module
test_write_json
test_record
finish
