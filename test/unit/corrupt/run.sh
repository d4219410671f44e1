#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# Corrupt objects: every tool must refuse them with exit status 1 and one
# error that names the file and the field (lib/kelf.c checks them at load).
#
#   test/unit/corrupt/run.sh     (CDO, LOOKUP, KLP_CONVERT: the tools, as
#                                 in the other unit runners)
#
# A small object is compiled, and in each test one field of a copy of it is
# overwritten (a section header's, a symbol's, a relocation's); the differ
# runs on (good, corrupt), lookup and klp-convert on the corrupt copy as
# their diff object and module.  Prints "PASS name" or "FAIL name: why" per
# test, then "N passed, N failed".
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/../../.." && pwd)
CDO=${CDO:-$root/create-diff-object/create-diff-object}
LOOKUP=${LOOKUP:-$root/lookup/lookup}
KLP_CONVERT=${KLP_CONVERT:-$root/klp-convert/klp-convert}
CC=${CC:-gcc}

work=$(mktemp -d "${TMPDIR:-/tmp}/kpb-corrupt-test.XXXXXX")
trap '[ -n "${KEEP:-}" ] || rm -rf "$work"' EXIT
passed=0
failed=0

build_fixture() {
	cat > "$work/obj.c" <<-'EOF'
	__attribute__((noinline)) static int helper(int x) { return x * 3; }
	const char *msg(void) { return "hello"; }
	int entry(int x) { return helper(x) + 1; }
	EOF
	"$CC" -c -O2 -ffunction-sections -fdata-sections -fno-pic \
		-mcmodel=kernel -fno-asynchronous-unwind-tables \
		"$work/obj.c" -o "$work/good.o" &&
		printf '0x1\texported_fn\tvmlinux\tEXPORT_SYMBOL\t\n' \
			> "$work/Module.symvers" &&
		ld -q -e 0 -o "$work/vmlinux" "$work/good.o"
}

# ---- where the fields are -------------------------------------------------

shoff() {
	readelf -hW "$1" | sed -n 's/.*Start of section headers: *\([0-9]*\).*/\1/p'
}

# The index of section NAME.
sec_index() {
	readelf -SW "$1" | sed -n "s/^ *\[ *\([0-9]*\)\] $2 .*/\1/p"
}

# The file offset of section NAME's data.
sec_offset() {
	local off
	off=$(readelf -SW "$1" | awk -v n="$2" '$2 == n { print $5 } $3 == n { print $6 }' |
		head -n 1)
	echo $((16#$off))
}

# The file offset of field OFF (in bytes) of section NAME's header.
shdr_field() {
	echo $(($(shoff "$1") + 64 * $(sec_index "$1" "$2") + $3))
}

# The file offset of field OFF of symbol NAME.
sym_field() {
	local n
	n=$(readelf -sW "$1" | awk -v s="$2" '$8 == s { sub(":", "", $1); print $1; exit }')
	echo $(($(sec_offset "$1" .symtab) + 24 * n + $3))
}

# poke FILE OFFSET BYTES VALUE: little-endian.
poke() {
	local file=$1 off=$2 n=$3 v=$4 i bytes=''
	for ((i = 0; i < n; i++)); do
		bytes+=$(printf '\\x%02x' $(((v >> (8 * i)) & 255)))
	done
	printf "$bytes" | dd of="$file" bs=1 seek="$off" conv=notrunc status=none
}

# ---- the tests --------------------------------------------------------------

# corrupt NAME OFFSET BYTES VALUE REGEX: a copy with the field overwritten;
# each tool must exit 1 with an error naming the file and matching REGEX.
corrupt() {
	local name=$1 off=$2 n=$3 v=$4 re=$5 bad=$work/$1.o why=''
	cp "$work/good.o" "$bad"
	poke "$bad" "$off" "$n" "$v"
	why+=$(expect_error cdo "$bad" "$re" "$CDO" "$work/good.o" "$bad" "$work/$name.out.o")
	why+=$(expect_error lookup "$bad" "$re" "$LOOKUP" --vmlinux "$work/vmlinux" \
		--symvers "$work/Module.symvers" "$work/good.o" "$bad")
	why+=$(expect_error klp-convert "$bad" "$re" "$KLP_CONVERT" \
		--symvers "$work/Module.symvers" "$bad" "$work/$name.out.ko")
	if [ -z "$why" ]; then
		printf 'PASS %s\n' "$name"
		passed=$((passed + 1))
	else
		printf 'FAIL %s:%s\n' "$name" "$why"
		failed=$((failed + 1))
	fi
}

# expect_error TOOL FILE REGEX COMMAND...: prints what is wrong, if anything.
expect_error() {
	local tool=$1 file=$2 re=$3 rc=0 err
	shift 3
	err=$("$@" 2>&1 >/dev/null) || rc=$?
	if [ "$rc" -ne 1 ]; then
		printf ' %s: exit status %s, expected 1 (%s)' "$tool" "$rc" "$(head -c 200 <<< "$err")"
	elif ! grep -q "^error: $file: .*$re" <<< "$err"; then
		printf ' %s: no "error: %s: ...%s" in: %s' "$tool" "$file" "$re" "$(head -c 300 <<< "$err")"
	fi
}

run_tests() {
	local g=$work/good.o
	corrupt symtab-link "$(shdr_field "$g" .symtab 40)" 4 999 \
		'section \.symtab: sh_link 999 is not a section index'
	corrupt symtab-entsize "$(shdr_field "$g" .symtab 56)" 8 0 \
		'section \.symtab: sh_entsize 0, expected 24'
	corrupt rela-info "$(shdr_field "$g" .rela.text.msg 44)" 4 999 \
		'section \.rela\.text\.msg: sh_info 999 is not a section index'
	corrupt rela-info-symtab "$(shdr_field "$g" .rela.text.msg 44)" 4 \
		"$(sec_index "$g" .symtab)" \
		'section \.rela\.text\.msg: sh_info [0-9]* is section \.symtab'
	corrupt rela-link "$(shdr_field "$g" .rela.text.msg 40)" 4 \
		"$(sec_index "$g" .strtab)" \
		'section \.rela\.text\.msg: sh_link [0-9]* is section \.strtab, of type 3, not 2'
	corrupt rela-entsize "$(shdr_field "$g" .rela.text.msg 56)" 8 0 \
		'section \.rela\.text\.msg: sh_entsize 0, expected 24'
	corrupt rela-size "$(shdr_field "$g" .rela.text.msg 32)" 8 23 \
		'section \.rela\.text\.msg: sh_offset 0x[0-9a-f]*, sh_size 0x17: cannot read data'
	corrupt section-offset "$(shdr_field "$g" .text.entry 24)" 8 $((1 << 40)) \
		'section \.text\.entry: sh_offset 0x10000000000, sh_size 0x[0-9a-f]*: cannot read data'
	corrupt section-align "$(shdr_field "$g" .text.msg 48)" 8 3 \
		'section \.text\.msg: sh_addralign 0x3 is not a power of 2'
	corrupt section-size "$(shdr_field "$g" .bss 32)" 8 $((1 << 41)) \
		'section \.bss: sh_size 0x20000000000 is not below'
	corrupt strtab-end "$(($(sec_offset "$g" .strtab) + $(readelf -SW "$g" |
		awk '$2 == ".strtab" { print $6 }' | sed 's/^/16#/') - 1))" 1 65 \
		'section \.strtab: string table does not end with a NUL byte'
	corrupt string-end "$(($(sec_offset "$g" .rodata.msg.str1.1) + 5))" 1 65 \
		'section \.rodata\.msg\.str1\.1: SHF_STRINGS, but its last byte is not NUL'
	corrupt symbol-name "$(sym_field "$g" msg 0)" 4 999999 \
		'symbol [0-9]*: st_name 0xf423f is beyond the end of \.strtab'
	corrupt symbol-shndx "$(sym_field "$g" msg 6)" 2 900 \
		'symbol [0-9]* (msg): st_shndx 900 is not a section index'
	corrupt symbol-xindex "$(sym_field "$g" msg 6)" 2 $((0xffff)) \
		'symbol [0-9]* (msg): st_shndx SHN_XINDEX'
	corrupt symbol-size "$(sym_field "$g" entry 16)" 8 4096 \
		'symbol [0-9]* (entry): st_value 0x0 + st_size 0x1000 is beyond the end of section \.text\.entry'
	corrupt rela-symbol "$(($(sec_offset "$g" .rela.text.msg) + 12))" 4 9999 \
		'section \.rela\.text\.msg: relocation 0: r_info symbol 9999 is not a symbol index'
	corrupt rela-type "$(($(sec_offset "$g" .rela.text.msg) + 8))" 4 200 \
		'section \.rela\.text\.msg: relocation 0: r_info type 200 is not an x86_64 relocation type'
	corrupt rela-offset "$(sec_offset "$g" .rela.text.msg)" 8 6 \
		'section \.rela\.text\.msg: relocation 0: r_offset 0x6 + 4 bytes is beyond the end of section \.text\.msg'
	corrupt rela-addend "$(($(sec_offset "$g" .rela.text.msg) + 16))" 8 $((1 << 62)) \
		'section \.rela\.text\.msg: relocation 0: r_addend [0-9]* is not within'
}

main() {
	local t msg
	for t in "$CDO" "$LOOKUP" "$KLP_CONVERT"; do
		if [ ! -x "$t" ]; then
			printf 'FAIL setup: %s is not built (run make)\n0 passed, 1 failed\n' "$t"
			exit 1
		fi
	done
	if ! msg=$(build_fixture 2>&1); then
		printf 'FAIL setup: cannot build the fixture: %s\n0 passed, 1 failed\n' "$msg"
		exit 1
	fi
	run_tests
	printf '%d passed, %d failed\n' "$passed" "$failed"
	[ "$failed" -eq 0 ]
}

main "$@"
