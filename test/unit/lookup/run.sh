#!/usr/bin/env bash
# Unit tests of lookup and klp-convert.
#
# Usage: test/unit/lookup/run.sh      (after "make": uses lookup/lookup and
#                                      klp-convert/klp-convert of this tree)
#
# Builds fake "vmlinux" executables from small C files (static functions of
# the same name in several files, globals, an "exported" function listed in a
# fake Module.symvers), diff objects that refer to them, and a fake livepatch
# module; checks the names lookup gives and what klp-convert writes with
# readelf.  Prints "PASS name" or "FAIL name: why" per test, then
# "N passed, N failed"; exits non-zero when a test failed.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/../../.." && pwd)
LOOKUP=${LOOKUP:-$root/lookup/lookup}
KLP_CONVERT=${KLP_CONVERT:-$root/klp-convert/klp-convert}
CC=${CC:-gcc}
CFLAGS=(-O2 -fno-pic -fno-asynchronous-unwind-tables)

work=$(mktemp -d "${TMPDIR:-/tmp}/kpb-lookup-test.XXXXXX")
trap '[ -n "${KEEP:-}" ] || rm -rf "$work"' EXIT

passed=0
failed=0

# ---- fixtures ---------------------------------------------------------------

compile() {
	local src=$1 obj=$2
	"$CC" "${CFLAGS[@]}" -c "$src" -o "$obj"
}

# dup_fn is static in a.c, b.c and both tie.c; shadow is static in a.c and
# global in c.c; uniq_fn is static in c.c only.
write_sources() {
	local s=$work/src
	mkdir -p "$s/x" "$s/y" "$s/p" "$s/q"
	cat > "$s/a.c" <<-'EOF'
	__attribute__((used, noinline)) static int dup_fn(void) { return 1; }
	__attribute__((used, noinline)) static int a_only(void) { return 2; }
	__attribute__((used)) static int shadow = 3;
	int a_func(void) { return dup_fn() + a_only() + shadow; }
	EOF
	cat > "$s/b.c" <<-'EOF'
	__attribute__((used, noinline)) static int dup_fn(void) { return 4; }
	__attribute__((used, noinline)) static int b_only(void) { return 5; }
	__attribute__((used)) static int b_data = 6;
	int b_func(void) { return dup_fn() + b_only() + b_data; }
	EOF
	cat > "$s/c.c" <<-'EOF'
	__attribute__((used, noinline)) static int uniq_fn(void) { return 7; }
	int shadow = 8;
	int exported_fn(void) { return 9; }
	int c_func(void) { return uniq_fn() + shadow + exported_fn(); }
	EOF
	# The same local names as a.c, another file name.
	sed 's/a_func/a_copy_func/' "$s/a.c" > "$s/a_copy.c"
	# Same file name, same local names: nothing tells them apart.
	for d in x y; do
		cat > "$s/$d/tie.c" <<-'EOF'
		__attribute__((used, noinline)) static int dup_fn(void) { return 1; }
		__attribute__((used, noinline)) static int common(void) { return 2; }
		EOF
	done
	# Same file name, different local names: the overlap decides.
	cat > "$s/p/same.c" <<-'EOF'
	__attribute__((used, noinline)) static int dup_fn(void) { return 1; }
	__attribute__((used, noinline)) static int p_one(void) { return 2; }
	__attribute__((used, noinline)) static int p_two(void) { return 3; }
	EOF
	cat > "$s/q/same.c" <<-'EOF'
	__attribute__((used, noinline)) static int dup_fn(void) { return 4; }
	__attribute__((used, noinline)) static int q_one(void) { return 5; }
	__attribute__((used, noinline)) static int p_one(void) { return 6; }
	EOF
}

# Diff objects refer to the target's symbols by their original names.
write_diffs() {
	local s=$work/src
	cat > "$s/diff_a.c" <<-'EOF'
	extern int dup_fn(void);
	extern int shadow;
	int kpb_helper(void) { return 1; }
	int new_a(void) __asm__("__kpb_new.t1.a_func");
	int new_a(void) { return dup_fn() + shadow + 10; }
	EOF
	cat > "$s/diff_b.c" <<-'EOF'
	extern int dup_fn(void);
	extern int exported_fn(void);
	extern int kpb_helper(void);
	int new_dup(void) __asm__("__kpb_new.t2.dup_fn");
	int new_dup(void) { return dup_fn() + exported_fn() + kpb_helper(); }
	EOF
	cat > "$s/diff_c.c" <<-'EOF'
	extern int uniq_fn(void);
	extern int shadow;
	int new_c(void) __asm__("__kpb_new.t3.c_func");
	int new_c(void) { return uniq_fn() + shadow; }
	EOF
	cat > "$s/diff_dup.c" <<-'EOF'
	extern int dup_fn(void);
	int new_x(void) { return dup_fn(); }
	EOF
	cat > "$s/diff_c_bad.c" <<-'EOF'
	extern int no_such_fn(void);
	extern int dup_fn(void);
	int new_c(void) { return no_such_fn() + dup_fn(); }
	EOF
}

# A linked livepatch module in miniature: one livepatch symbol (klp_dup,
# renamed by make_module: the assembler takes no ',' in a name), one export,
# one local, and the livepatch modinfo tag.
write_module() {
	local s=$work/src
	cat > "$s/mod.c" <<-'EOF'
	extern int klp_dup(void);
	extern int exported_fn(void);
	__attribute__((used, section(".modinfo")))
	static const char info[] = "license=GPL\0livepatch=Y";
	__attribute__((noinline)) static int local_fn(void) { return 1; }
	int init_module(void) { return klp_dup() + exported_fn() + local_fn(); }
	EOF
	sed 's/^extern int exported_fn.*/extern int secret_fn(void);/; s/exported_fn()/secret_fn()/' \
		"$s/mod.c" > "$s/mod_unexported.c"
	cp "$s/mod.c" "$s/mod_badname.c"
	sed 's/\\0livepatch=Y//' "$s/mod.c" > "$s/mod_nolivepatch.c"
	cat > "$s/modinfo.c" <<-'EOF'
	__attribute__((used, section(".modinfo")))
	static const char info[] = "license=GPL\0livepatch=Y";
	EOF
}

make_module() {
	local name=$1 klpsym=.klp.sym.vmlinux.dup_fn,2 o=$work/obj
	[ "$name" != mod_badname ] || klpsym=.klp.sym.vmlinux.dup_fn,x2
	compile "$work/src/$name.c" "$o/$name.part.o" &&
		objcopy --redefine-sym "klp_dup=$klpsym" "$o/$name.part.o" &&
		ld -r -o "$o/$name.ko" "$o/$name.part.o"
}

# A module target "fake-mod" (kernel name fake_mod) of two files: mdup is
# static in both, tricky is static in m1.c's .text and in m2.c's .init.text
# (one symbol once loaded, two while loading), mod_export is exported by the
# module itself.  The diff objects of m1.c use them, an export of vmlinux, an
# export of another module (other-mod) and a function of a vmlinux diff
# object (kpb_helper of diff_a.o).
write_module_sources() {
	local s=$work/src
	cat > "$s/m1.c" <<-'EOF'
	__attribute__((used, noinline)) static int mdup(void) { return 1; }
	__attribute__((used, noinline)) static int m1_only(void) { return 2; }
	__attribute__((used, noinline)) static int tricky(void) { return 3; }
	int mod_export(void) { return 4; }
	int m1_func(void) { return mdup() + m1_only() + tricky(); }
	EOF
	cat > "$s/m2.c" <<-'EOF'
	__attribute__((used, noinline)) static int mdup(void) { return 5; }
	__attribute__((used, noinline, section(".init.text")))
	static int tricky(void) { return 6; }
	int m2_func(void) { return mdup() + tricky(); }
	EOF
	cat > "$s/modinfo_fake.c" <<-'EOF'
	__attribute__((used, section(".modinfo")))
	static const char info[] = "license=GPL\0name=fake_mod";
	EOF
	cat > "$s/diff_m1.c" <<-'EOF'
	extern int mdup(void);
	extern int mod_export(void);
	extern int other_export(void);
	extern int exported_fn(void);
	extern int kpb_helper(void);
	int new_m1(void) __asm__("__kpb_new.t5.m1_func");
	int new_m1(void) {
		return mdup() + mod_export() + other_export() + exported_fn() +
			kpb_helper();
	}
	EOF
	# static branches on keys of fake_mod and other_mod (their exports):
	# __jump_table entries, which the loader registers early
	cat > "$s/diff_m1_early.c" <<-'EOF'
	extern int mdup(void);
	extern int mod_export, other_export;
	int new_m1(void) __asm__("__kpb_new.t7.m1_func");
	int new_m1(void) { return mdup(); }
	__attribute__((used, section("__jump_table")))
	static void *jump_entry[] = { &new_m1, &mod_export, &new_m1,
				      &other_export };
	EOF
	cat > "$s/diff_m1_tricky.c" <<-'EOF'
	extern int tricky(void);
	int new_m1(void) __asm__("__kpb_new.t6.m1_func");
	int new_m1(void) { return tricky(); }
	EOF
	cat > "$s/diff_m1_unexported.c" <<-'EOF'
	extern int uniq_fn(void);
	int new_m1(void) __asm__("__kpb_new.t7.m1_func");
	int new_m1(void) { return uniq_fn(); }
	EOF
	cat > "$s/diff_a_modexport.c" <<-'EOF'
	extern int other_export(void);
	int new_a(void) __asm__("__kpb_new.t8.a_func");
	int new_a(void) { return other_export(); }
	EOF
}

# Livepatch modules in miniature for klp-convert: a module's code using
# another module's export (klp_other: .kpb.for.fake_mod..klp.sym.other_mod.*),
# and vmlinux symbols from sections the loader reads early.
write_early_modules() {
	local s=$work/src
	cat > "$s/mod_for.c" <<-'EOF'
	extern int klp_other(void);
	extern int klp_mine(void);
	__attribute__((used, section(".modinfo")))
	static const char info[] = "license=GPL\0livepatch=Y";
	int patched(void) { return klp_other() + klp_mine(); }
	EOF
	cp "$s/mod_for.c" "$s/mod_for_vmlinux.c"
	cat > "$s/mod_early.c" <<-'EOF'
	extern int klp_key;
	extern int klp_dup(void);
	int patched(void);
	__attribute__((used, section(".modinfo")))
	static const char info[] = "license=GPL\0livepatch=Y";
	__attribute__((used, section("__jump_table")))
	static void *jump_entry[] = { &patched, &klp_key };
	__attribute__((used, section(".static_call_sites")))
	static void *call_site[] = { &klp_key };
	int patched(void) { return klp_dup() + klp_key; }
	EOF
}

# Static calls (objtool's struct static_call_site: s32 addr, s32 key) in a
# module's livepatch: klp_tramp/klp_key become the trampoline and key of
# fake_mod's my_call, klp_vtramp/klp_vkey vmlinux's vcall.  In
# mod_static_call_bad the site calls another function than its key's
# trampoline.
write_static_call_modules() {
	local s=$work/src
	cat > "$s/mod_static_call.c" <<-'EOF'
	extern int klp_tramp(void), klp_vtramp(void), klp_other(void);
	extern int klp_key, klp_vkey;
	__attribute__((used, section(".modinfo")))
	static const char info[] = "license=GPL\0livepatch=Y";
	#define SITE(fn, key) \
		"1: call " #fn "\n" \
		".pushsection .static_call_sites, \"a\"\n" \
		".long 1b - .\n.long " #key " - .\n.popsection\n"
	int patched(void)
	{
		int r, v, t;
		asm volatile(SITE(klp_tramp, klp_key) : "=a"(r) : : "memory");
		asm volatile(SITE(klp_vtramp, klp_vkey) : "=a"(v) : : "memory");
		asm volatile(SITE(klp_tramp, klp_tramp) : "=a"(t) : : "memory");
		return r + v + t;
	}
	EOF
	sed 's/SITE(klp_tramp, klp_key)/SITE(klp_other, klp_key)/' \
		"$s/mod_static_call.c" > "$s/mod_static_call_bad.c"
}

# A module's tracepoints in patched code (struct jump_entry: s32 code,
# s32 target, long key): klp_tp is fake_mod's __tracepoint_my_event, its
# key 8 bytes in, the low bits 2 (x86's arch_static_branch()) and the site
# a 5-byte NOP: left out.  In mod_tracepoint_bad the branch is likely
# (bit 0): refused.
write_tracepoint_modules() {
	local s=$work/src
	cat > "$s/mod_tracepoint.c" <<-'EOF'
	extern char klp_tp[];
	__attribute__((used, section(".modinfo")))
	static const char info[] = "license=GPL\0livepatch=Y";
	#define BRANCH(bits) \
		"1: .byte 0x0f, 0x1f, 0x44, 0x00, 0x00\n" \
		".pushsection __jump_table, \"aw\"\n.balign 8\n" \
		".long 1b - .\n.long 2f - .\n.quad klp_tp + 8 + " #bits " - .\n" \
		".popsection\n2:\n"
	int patched(void)
	{
		asm volatile(BRANCH(2) : : : "memory");
		return 0;
	}
	EOF
	sed 's/BRANCH(2)/BRANCH(3)/' "$s/mod_tracepoint.c" >"$s/mod_tracepoint_bad.c"
}

make_tracepoint_module() {
	local o=$work/obj name=$1
	compile "$work/src/$name.c" "$o/$name.part.o" &&
		objcopy --redefine-sym "klp_tp=.klp.sym.fake_mod.__tracepoint_my_event,0" \
			"$o/$name.part.o" &&
		ld -r -o "$o/$name.ko" "$o/$name.part.o"
}

make_static_call_module() {
	local o=$work/obj name=$1
	compile "$work/src/$name.c" "$o/$name.part.o" &&
		objcopy --redefine-sym "klp_tramp=.klp.sym.fake_mod.__SCT__my_call,0" \
			--redefine-sym "klp_key=.klp.sym.fake_mod.__SCK__my_call,0" \
			--redefine-sym "klp_vtramp=.klp.sym.vmlinux.__SCT__vcall,0" \
			--redefine-sym "klp_vkey=.klp.sym.vmlinux.__SCK__vcall,0" \
			--redefine-sym "klp_other=.klp.sym.fake_mod.other_fn,0" \
			"$o/$name.part.o" &&
		ld -r -o "$o/$name.ko" "$o/$name.part.o"
}

make_for_module() {
	local name=$1 o=$work/obj other=.kpb.for.fake_mod..klp.sym.other_mod.other_export,0
	[ "$name" != mod_for_vmlinux ] ||
		other=.kpb.for.fake_mod..klp.sym.vmlinux.exported_fn,0
	compile "$work/src/$name.c" "$o/$name.part.o" &&
		objcopy --redefine-sym "klp_other=$other" \
			--redefine-sym "klp_mine=.klp.sym.fake_mod.mdup,1" \
			"$o/$name.part.o" &&
		ld -r -o "$o/$name.ko" "$o/$name.part.o"
}

# mod_early: the key is vmlinux's (written by the loader before it reads
# the special sections); mod_early_module: the key is a module's.
make_early_module() {
	local o=$work/obj name=$1 obj=$2
	compile "$work/src/mod_early.c" "$o/$name.part.o" &&
		objcopy --redefine-sym "klp_key=.klp.sym.$obj.some_key,0" \
			--redefine-sym "klp_dup=.klp.sym.$obj.dup_fn,2" \
			"$o/$name.part.o" &&
		ld -r -o "$o/$name.ko" "$o/$name.part.o"
}

build_module_fixtures() {
	local o=$work/obj f
	write_module_sources && write_early_modules &&
		write_static_call_modules && write_tracepoint_modules || return 1
	for f in m1 m2 modinfo_fake diff_m1 diff_m1_tricky diff_m1_unexported \
		 diff_a_modexport diff_m1_early; do
		compile "$work/src/$f.c" "$o/$f.o" || return 1
	done
	ld -r -o "$work/fake-mod.ko" "$o/m1.o" "$o/m2.o" "$o/modinfo_fake.o" &&
		make_for_module mod_for && make_for_module mod_for_vmlinux &&
		make_early_module mod_early vmlinux &&
		make_early_module mod_early_module fake_mod &&
		make_static_call_module mod_static_call &&
		make_static_call_module mod_static_call_bad &&
		make_tracepoint_module mod_tracepoint &&
		make_tracepoint_module mod_tracepoint_bad &&
		printf '0x1\tmod_export\tdrivers/fake-mod\tEXPORT_SYMBOL\t\n0x2\tother_export\tdrivers/other-mod\tEXPORT_SYMBOL_GPL\t\n' \
			>> "$work/Module.symvers"
}

# Like a relocatable kernel's vmlinux, with its relocations kept (-q).
link_exec() {
	local out=$1
	shift
	ld -q -e 0 -o "$out" "$@"
}

# Runs where "set -e" does not apply (in "if"): every step is checked.
build_fixtures() {
	local o=$work/obj f
	mkdir -p "$o/x" "$o/y" "$o/p" "$o/q" &&
		write_sources && write_diffs && write_module || return 1
	for f in a a_copy b c diff_a diff_b diff_c diff_dup diff_c_bad modinfo \
		 x/tie y/tie p/same q/same; do
		compile "$work/src/$f.c" "$o/$f.o" || return 1
	done
	for f in mod mod_unexported mod_badname mod_nolivepatch; do
		make_module "$f" || return 1
	done
	link_exec "$work/vmlinux" "$o/a.o" "$o/b.o" "$o/c.o" &&
		link_exec "$work/vmlinux-copy" "$o/a_copy.o" "$o/a.o" &&
		link_exec "$work/vmlinux-tie" "$o/x/tie.o" "$o/y/tie.o" &&
		link_exec "$work/vmlinux-same" "$o/p/same.o" "$o/q/same.o" &&
		printf '0x12345678\texported_fn\tvmlinux\tEXPORT_SYMBOL\t\n' \
			> "$work/Module.symvers" &&
		build_module_fixtures
}

# ---- helpers ----------------------------------------------------------------

# The kallsyms position of the name defined in the STT_FILE group file of
# elf ("(global)" for the global one), computed here independently: 0 if
# the name is unique, else its 1-based rank in address order.
expected_pos() {
	local elf=$1 name=$2 file=$3
	readelf -sW "$elf" | awk -v n="$name" '
		$4 == "FILE" { cur = $8; next }
		$8 == n && $7 != "UND" && $4 != "SECTION" {
			print $2, ($5 == "LOCAL" ? cur : "(global)")
		}' | sort | awk -v f="$file" '
		{ total++; if ($2 == f) { pos = total; hits++ } }
		END {
			if (hits != 1) exit 1
			print (total == 1 ? 0 : pos)
		}'
}

# The names of the UNDEF symbols of an object, one per line.
undefs() {
	readelf -sW "$1" | awk '$7 == "UND" && $8 != "" { print $8 }'
}

has_undef() {
	undefs "$1" | grep -qxF -- "$2"
}

# Copies diff objects into a fresh directory for one test: lookup rewrites
# them in place.
fresh() {
	local dir=$work/t/$1 f
	shift
	mkdir -p "$dir"
	for f in "$@"; do
		cp "$work/obj/$f.o" "$dir/$f.o"
	done
	printf '%s\n' "$dir"
}

run_lookup() {
	local vmlinux=$1
	shift
	"$LOOKUP" --vmlinux "$vmlinux" --symvers "$work/Module.symvers" "$@"
}

# ---- lookup tests -----------------------------------------------------------

test_unique_local() {
	local d
	d=$(fresh unique_local diff_c)
	run_lookup "$work/vmlinux" "$work/obj/c.o" "$d/diff_c.o" > "$d/out" \
		2> "$d/err" || { cat "$d/err"; return 1; }
	has_undef "$d/diff_c.o" ".klp.sym.vmlinux.uniq_fn,0" ||
		{ echo "no .klp.sym.vmlinux.uniq_fn,0 in: $(undefs "$d/diff_c.o" | tr '\n' ' ')"; return 1; }
}

# dup_fn is static in a.c and b.c: each object gets its own file's.
check_dup_for() {
	local file=$1 d pos
	d=$(fresh "dup_$file" diff_a diff_b)
	pos=$(expected_pos "$work/vmlinux" dup_fn "$file.c") ||
		{ echo "fixture: no single dup_fn in group $file.c"; return 1; }
	[ "$pos" -ge 1 ] || { echo "fixture: dup_fn is not duplicated"; return 1; }
	run_lookup "$work/vmlinux" "$work/obj/a.o" "$d/diff_a.o" \
		"$work/obj/b.o" "$d/diff_b.o" > "$d/out" 2> "$d/err" ||
		{ cat "$d/err"; return 1; }
	has_undef "$d/diff_$file.o" ".klp.sym.vmlinux.dup_fn,$pos" ||
		{ echo "expected .klp.sym.vmlinux.dup_fn,$pos, got: $(undefs "$d/diff_$file.o" | tr '\n' ' ')"; return 1; }
}

test_duplicated_local_a() {
	check_dup_for a
}

test_duplicated_local_b() {
	check_dup_for b
}

# A symbol global in ORIG.o is the target's global even when locals of other
# files share its name.
test_global_among_locals() {
	local d pos
	d=$(fresh global diff_c)
	pos=$(expected_pos "$work/vmlinux" shadow "(global)") ||
		{ echo "fixture: no global shadow"; return 1; }
	run_lookup "$work/vmlinux" "$work/obj/c.o" "$d/diff_c.o" > "$d/out" \
		2> "$d/err" || { cat "$d/err"; return 1; }
	has_undef "$d/diff_c.o" ".klp.sym.vmlinux.shadow,$pos" ||
		{ echo "expected .klp.sym.vmlinux.shadow,$pos, got: $(undefs "$d/diff_c.o" | tr '\n' ' ')"; return 1; }
	# and the static one for a.c's object
	d=$(fresh local_shadow diff_a)
	pos=$(expected_pos "$work/vmlinux" shadow a.c) ||
		{ echo "fixture: no static shadow in a.c"; return 1; }
	run_lookup "$work/vmlinux" "$work/obj/a.o" "$d/diff_a.o" > "$d/out" \
		2> "$d/err" || { cat "$d/err"; return 1; }
	has_undef "$d/diff_a.o" ".klp.sym.vmlinux.shadow,$pos" ||
		{ echo "expected .klp.sym.vmlinux.shadow,$pos for a.c, got: $(undefs "$d/diff_a.o" | tr '\n' ' ')"; return 1; }
}

test_exported_untouched() {
	local d
	d=$(fresh exported diff_b diff_a)
	run_lookup "$work/vmlinux" "$work/obj/b.o" "$d/diff_b.o" \
		"$work/obj/a.o" "$d/diff_a.o" > "$d/out" 2> "$d/err" ||
		{ cat "$d/err"; return 1; }
	has_undef "$d/diff_b.o" exported_fn ||
		{ echo "exported_fn was renamed: $(undefs "$d/diff_b.o" | tr '\n' ' ')"; return 1; }
}

test_defined_in_other_diff() {
	local d
	d=$(fresh other_diff diff_b diff_a)
	run_lookup "$work/vmlinux" "$work/obj/b.o" "$d/diff_b.o" \
		"$work/obj/a.o" "$d/diff_a.o" > "$d/out" 2> "$d/err" ||
		{ cat "$d/err"; return 1; }
	has_undef "$d/diff_b.o" kpb_helper ||
		{ echo "kpb_helper (defined in diff_a.o) was renamed: $(undefs "$d/diff_b.o" | tr '\n' ' ')"; return 1; }
}

test_func_lines() {
	local d pos_dup want got
	d=$(fresh funcs diff_b diff_a diff_c)
	pos_dup=$(expected_pos "$work/vmlinux" dup_fn b.c) || return 1
	run_lookup "$work/vmlinux" "$work/obj/b.o" "$d/diff_b.o" \
		"$work/obj/a.o" "$d/diff_a.o" "$work/obj/c.o" "$d/diff_c.o" \
		> "$d/out" 2> "$d/err" || { cat "$d/err"; return 1; }
	want=$(printf '%s\n' \
		"func vmlinux dup_fn $pos_dup __kpb_new.t2.dup_fn" \
		"func vmlinux a_func 0 __kpb_new.t1.a_func" \
		"func vmlinux c_func 0 __kpb_new.t3.c_func")
	got=$(cat "$d/out")
	[ "$got" = "$want" ] ||
		{ echo "stdout was [$got], expected [$want]"; return 1; }
}

# Two tie.c with the same local names: no way to choose, so no guess.
test_ambiguous_error() {
	local d rc=0
	d=$(fresh ambiguous diff_dup)
	cp "$d/diff_dup.o" "$d/before.o"
	run_lookup "$work/vmlinux-tie" "$work/obj/x/tie.o" "$d/diff_dup.o" \
		> "$d/out" 2> "$d/err" || rc=$?
	[ "$rc" -eq 1 ] || { echo "exit status $rc, expected 1"; return 1; }
	if ! grep -q 'symbol dup_fn .*equally' "$d/err" ||
	   [ "$(grep -c 'candidate: dup_fn' "$d/err")" -ne 2 ]; then
		echo "error does not name dup_fn and its 2 candidates: $(cat "$d/err")"
		return 1
	fi
	cmp -s "$d/diff_dup.o" "$d/before.o" ||
		{ echo "diff_dup.o was written despite the error"; return 1; }
}

# Two same.c: the one sharing more local names with ORIG.o wins.
test_overlap_decides() {
	local d pos
	d=$(fresh overlap diff_dup)
	pos=$(expected_pos "$work/vmlinux-same" dup_fn same.c 2>/dev/null) && {
		echo "fixture: dup_fn should be in two same.c groups"; return 1; }
	# q/same.o shares dup_fn and p_one with both, q_one only with q's
	pos=$(readelf -sW "$work/vmlinux-same" | awk '
		$4 == "FILE" { g++; next }
		$8 == "dup_fn" { print $2, g }' | sort | awk '$2 == 2 { print NR }')
	run_lookup "$work/vmlinux-same" "$work/obj/q/same.o" "$d/diff_dup.o" \
		> "$d/out" 2> "$d/err" || { cat "$d/err"; return 1; }
	has_undef "$d/diff_dup.o" ".klp.sym.vmlinux.dup_fn,$pos" ||
		{ echo "expected .klp.sym.vmlinux.dup_fn,$pos, got: $(undefs "$d/diff_dup.o" | tr '\n' ' ')"; return 1; }
}

# a.c and a_copy.c have the same local names: the file name decides.
test_file_name_decides() {
	local d pos
	d=$(fresh file_name diff_dup)
	pos=$(expected_pos "$work/vmlinux-copy" dup_fn a.c) ||
		{ echo "fixture: no single dup_fn in group a.c"; return 1; }
	run_lookup "$work/vmlinux-copy" "$work/obj/a.o" "$d/diff_dup.o" \
		> "$d/out" 2> "$d/err" || { cat "$d/err"; return 1; }
	has_undef "$d/diff_dup.o" ".klp.sym.vmlinux.dup_fn,$pos" ||
		{ echo "expected .klp.sym.vmlinux.dup_fn,$pos, got: $(undefs "$d/diff_dup.o" | tr '\n' ' ')"; return 1; }
}

test_not_found_error() {
	local d rc=0
	d=$(fresh not_found diff_c_bad)
	run_lookup "$work/vmlinux" "$work/obj/c.o" "$d/diff_c_bad.o" \
		> "$d/out" 2> "$d/err" || rc=$?
	[ "$rc" -eq 1 ] || { echo "exit status $rc, expected 1"; return 1; }
	grep -q 'no_such_fn' "$d/err" ||
		{ echo "error does not name no_such_fn: $(cat "$d/err")"; return 1; }
	# dup_fn is static in a.c and b.c, never in c.c: no guess either
	grep -q 'dup_fn' "$d/err" ||
		{ echo "error does not name dup_fn (not in c.c): $(cat "$d/err")"; return 1; }
}

# ---- lookup on a module target -----------------------------------------------

# The position of the static name of file in a module's symbol table order,
# computed here independently: 0 if unique, else its 1-based rank.
expected_mod_pos() {
	local ko=$1 name=$2 file=$3
	readelf -sW "$ko" | awk -v n="$name" -v f="$file" '
		$4 == "FILE" { cur = $8; next }
		$8 == n && $7 != "UND" {
			total++
			if (cur == f) { pos = total; hits++ }
		}
		END {
			if (hits != 1) exit 1
			print (total == 1 ? 0 : pos)
		}'
}

run_lookup_module() {
	"$LOOKUP" --module "$work/fake-mod.ko" --objname fake_mod \
		--symvers "$work/Module.symvers" "$@"
}

test_module_symbols() {
	local d pos u want
	d=$(fresh module diff_m1 diff_a)
	pos=$(expected_mod_pos "$work/fake-mod.ko" mdup m1.c) ||
		{ echo "fixture: no single mdup in m1.c"; return 1; }
	[ "$pos" -ge 1 ] || { echo "fixture: mdup is not duplicated"; return 1; }
	run_lookup_module --linked "$d/diff_a.o" "$work/obj/m1.o" \
		"$d/diff_m1.o" > "$d/out" 2> "$d/err" ||
		{ cat "$d/err"; return 1; }
	u=$(undefs "$d/diff_m1.o" | sort | tr '\n' ' ')
	want=".klp.sym.fake_mod.mdup,$pos .klp.sym.fake_mod.mod_export,0 .kpb.for.fake_mod..klp.sym.other_mod.other_export,0 exported_fn kpb_helper "
	[ "$u" = "$want" ] || { echo "undefs [$u], expected [$want]"; return 1; }
	want="func fake_mod m1_func 0 __kpb_new.t5.m1_func"
	[ "$(cat "$d/out")" = "$want" ] ||
		{ echo "stdout [$(cat "$d/out")], expected [$want]"; return 1; }
	# other_export is new to m1.c: loading fake_mod without other_mod fails
	grep -q 'warning: .*other_export.*other_mod' "$d/err" ||
		{ echo "no warning about other_export: $(cat "$d/err")"; return 1; }
	cmp -s "$d/diff_a.o" "$work/obj/diff_a.o" ||
		{ echo "the --linked diff_a.o was written"; return 1; }
}

# A module's exported keys used from __jump_table: livepatch symbols by
# default (klp-convert refuses them), plain references with --module-deps
# (the livepatch module depends on fake_mod and other_mod), with warnings.
test_module_deps() {
	local d u want
	d=$(fresh module_deps_off diff_m1_early)
	run_lookup_module "$work/obj/m1.o" "$d/diff_m1_early.o" > "$d/out" \
		2> "$d/err" || { cat "$d/err"; return 1; }
	u=$(undefs "$d/diff_m1_early.o" | grep export | sort | tr '\n' ' ')
	want=".klp.sym.fake_mod.mod_export,0 .kpb.for.fake_mod..klp.sym.other_mod.other_export,0 "
	[ "$u" = "$want" ] || { echo "without --module-deps: [$u], expected [$want]"; return 1; }
	d=$(fresh module_deps_on diff_m1_early)
	run_lookup_module --module-deps "$work/obj/m1.o" "$d/diff_m1_early.o" \
		> "$d/out" 2> "$d/err" || { cat "$d/err"; return 1; }
	u=$(undefs "$d/diff_m1_early.o" | grep export | sort | tr '\n' ' ')
	want="mod_export other_export "
	[ "$u" = "$want" ] || { echo "with --module-deps: [$u], expected [$want]"; return 1; }
	grep -q 'warning: .*mod_export of module fake_mod .*depends on fake_mod' "$d/err" &&
		grep -q 'warning: .*other_export of module other_mod .*depends on other_mod' "$d/err" ||
		{ echo "no dependency warnings: $(cat "$d/err")"; return 1; }
	u=$(undefs "$d/diff_m1_early.o" | grep mdup)
	[ "$u" = ".klp.sym.fake_mod.mdup,$(expected_mod_pos "$work/fake-mod.ko" mdup m1.c)" ] ||
		{ echo "mdup (not used early) is $u"; return 1; }
}

# Without --linked, kpb_helper is neither in fake_mod nor exported.
test_module_unexported_error() {
	local d rc=0
	d=$(fresh module_unexported diff_m1_unexported)
	run_lookup_module "$work/obj/m1.o" "$d/diff_m1_unexported.o" \
		> "$d/out" 2> "$d/err" || rc=$?
	[ "$rc" -eq 1 ] || { echo "exit status $rc, expected 1"; return 1; }
	grep -q "symbol uniq_fn .*module fake_mod .*has no symbol of that name.*export" "$d/err" ||
		{ echo "error does not explain uniq_fn: $(cat "$d/err")"; return 1; }
}

test_module_load_time_position_error() {
	local d rc=0
	d=$(fresh module_tricky diff_m1_tricky)
	run_lookup_module "$work/obj/m1.o" "$d/diff_m1_tricky.o" \
		> "$d/out" 2> "$d/err" || rc=$?
	[ "$rc" -eq 1 ] || { echo "exit status $rc, expected 1"; return 1; }
	grep -q "symbol tricky of module fake_mod .*position 0 once the module is loaded but [12] while it loads" "$d/err" ||
		{ echo "error does not explain tricky: $(cat "$d/err")"; return 1; }
}

test_vmlinux_uses_module_export_error() {
	local d rc=0
	d=$(fresh vmlinux_modexport diff_a_modexport)
	run_lookup "$work/vmlinux" "$work/obj/a.o" "$d/diff_a_modexport.o" \
		> "$d/out" 2> "$d/err" || rc=$?
	[ "$rc" -eq 1 ] || { echo "exit status $rc, expected 1"; return 1; }
	grep -q "uses other_export, which module other_mod (drivers/other-mod) exports.*symbol_get" "$d/err" ||
		{ echo "error does not explain other_export: $(cat "$d/err")"; return 1; }
}

# refused_with WHAT REGEX ARGS...: lookup ARGS exits 1 saying REGEX.
refused_with() {
	local what=$1 re=$2 rc=0 err=$work/t/refused.err
	shift 2
	mkdir -p "$work/t"
	"$LOOKUP" "$@" > /dev/null 2> "$err" || rc=$?
	if [ "$rc" -ne 1 ] || ! grep -q -- "$re" "$err"; then
		echo "$what: status $rc, $(cat "$err")"
		return 1
	fi
}

test_module_target_checks() {
	local pair=("$work/obj/m1.o" "$work/obj/diff_m1.o")
	refused_with "wrong --objname" "names module fake_mod, not other_mod" \
		--module "$work/fake-mod.ko" --objname other_mod \
		--symvers "$work/Module.symvers" "${pair[@]}" &&
	refused_with "vmlinux as --module" "not a module (ET_REL)" \
		--module "$work/vmlinux" --objname fake_mod \
		--symvers "$work/Module.symvers" "${pair[@]}" &&
	refused_with "--module without --objname" "needs --objname MODNAME" \
		--module "$work/fake-mod.ko" \
		--symvers "$work/Module.symvers" "${pair[@]}"
}

# ---- klp-convert tests ------------------------------------------------------

convert() {
	local name=$1 d
	d=$work/t/convert_$name
	mkdir -p "$d"
	"$KLP_CONVERT" --symvers "$work/Module.symvers" "$work/obj/$name.ko" \
		"$d/out.ko" > "$d/out" 2> "$d/err"
}

test_klp_convert_moves() {
	local d=$work/t/convert_mod sec
	convert mod || { cat "$d/err"; return 1; }
	readelf -sW "$d/out.ko" |
		grep -q 'GLOBAL DEFAULT OS \[0xff20\] \.klp\.sym\.vmlinux\.dup_fn,2$' ||
		{ echo "symbol .klp.sym.vmlinux.dup_fn,2 is not SHN_LIVEPATCH"; return 1; }
	sec=$(readelf -SW "$d/out.ko" | grep '\.klp\.rela\.vmlinux\.text ') ||
		{ echo "no section .klp.rela.vmlinux.text"; return 1; }
	grep -Eq ' RELA .* AIo ' <<< "$sec" ||
		{ echo "flags of .klp.rela.vmlinux.text are not AIo: $sec"; return 1; }
	if readelf -rW "$d/out.ko" | awk '/^Relocation section/ { sec = $3 }
	   /\.klp\.sym\./ { print sec }' | grep -qv "^'\.klp\.rela\."; then
		echo "a relocation to a livepatch symbol stayed in a normal .rela section"
		return 1
	fi
	readelf -rW "$d/out.ko" | grep -q "^Relocation section '\.klp\.rela\.vmlinux\.text' .* 1 entry" ||
		{ echo ".klp.rela.vmlinux.text does not hold the one relocation"; return 1; }
	readelf -rW "$d/out.ko" | grep -q ' exported_fn - 4$' ||
		{ echo "the relocation to exported_fn was lost"; return 1; }
	if ! readelf -a "$d/out.ko" > /dev/null 2> "$d/readelf.err" ||
	   [ -s "$d/readelf.err" ]; then
		echo "readelf -a complains: $(cat "$d/readelf.err")"
		return 1
	fi
	cmp -s <(readelf -x .modinfo "$work/obj/mod.ko") <(readelf -x .modinfo "$d/out.ko") ||
		{ echo ".modinfo changed"; return 1; }
}

# A module whose __versions records exported_fn with CRC $1 (hex, 8 digits).
module_with_crc() {
	local crc=$1 out=$2 bytes
	bytes=$(printf '%s' "$crc" | sed 's/\(..\)\(..\)\(..\)\(..\)/\\x\4\\x\3\\x\2\\x\1/')
	{ printf '%b' "$bytes\\x00\\x00\\x00\\x00"; printf 'exported_fn'
	  head -c 45 /dev/zero; } > "$out.versions"
	objcopy --add-section "__versions=$out.versions" "$work/obj/mod.ko" "$out"
}

# MODVERSIONS: the CRCs kbuild wrote must be the target's.
test_klp_convert_versions() {
	local d=$work/t/convert_versions rc=0
	mkdir -p "$d"
	module_with_crc 12345678 "$d/good.ko"
	"$KLP_CONVERT" --symvers "$work/Module.symvers" "$d/good.ko" \
		"$d/good.out.ko" 2> "$d/err" ||
		{ echo "matching CRC refused: $(cat "$d/err")"; return 1; }
	module_with_crc 87654321 "$d/bad.ko"
	"$KLP_CONVERT" --symvers "$work/Module.symvers" "$d/bad.ko" \
		"$d/bad.out.ko" 2> "$d/err" || rc=$?
	[ "$rc" -eq 1 ] || { echo "CRC mismatch: exit status $rc, expected 1"; return 1; }
	grep -q 'exported_fn has CRC 0x87654321 in the module but 0x12345678' "$d/err" ||
		{ echo "error does not give both CRCs: $(cat "$d/err")"; return 1; }
	[ ! -e "$d/bad.out.ko" ] || { echo "output written despite the error"; return 1; }
}

test_klp_convert_unexported_error() {
	local d=$work/t/convert_mod_unexported rc=0
	convert mod_unexported || rc=$?
	[ "$rc" -eq 1 ] || { echo "exit status $rc, expected 1"; return 1; }
	grep -q 'secret_fn' "$d/err" ||
		{ echo "error does not name secret_fn: $(cat "$d/err")"; return 1; }
	[ ! -e "$d/out.ko" ] || { echo "out.ko written despite the error"; return 1; }
}

test_klp_convert_bad_name_error() {
	local d=$work/t/convert_mod_badname rc=0
	convert mod_badname || rc=$?
	[ "$rc" -eq 1 ] || { echo "exit status $rc, expected 1"; return 1; }
	grep -qF '.klp.sym.vmlinux.dup_fn,x2' "$d/err" ||
		{ echo "error does not name the malformed symbol: $(cat "$d/err")"; return 1; }
}

test_klp_convert_needs_livepatch_modinfo() {
	local d=$work/t/convert_mod_nolivepatch rc=0
	convert mod_nolivepatch || rc=$?
	[ "$rc" -eq 1 ] || { echo "exit status $rc, expected 1"; return 1; }
	grep -q 'livepatch=Y' "$d/err" ||
		{ echo "error does not mention livepatch=Y: $(cat "$d/err")"; return 1; }
}

# lookup's names, linked into a module and converted: the relocations of
# .text to livepatch symbols, from two diff objects, share one section.
test_lookup_then_klp_convert() {
	local d n
	d=$(fresh pipeline diff_a diff_b)
	run_lookup "$work/vmlinux" "$work/obj/a.o" "$d/diff_a.o" \
		"$work/obj/b.o" "$d/diff_b.o" > "$d/out" 2> "$d/err" ||
		{ cat "$d/err"; return 1; }
	ld -r -o "$d/mod.ko" "$d/diff_a.o" "$d/diff_b.o" "$work/obj/modinfo.o" ||
		{ echo "ld -r failed"; return 1; }
	"$KLP_CONVERT" --symvers "$work/Module.symvers" "$d/mod.ko" \
		"$d/out.ko" 2> "$d/err" || { cat "$d/err"; return 1; }
	n=$(readelf -sW "$d/out.ko" | grep -c 'OS \[0xff20\] \.klp\.sym\.vmlinux\.')
	[ "$n" -eq 3 ] ||
		{ echo "$n SHN_LIVEPATCH symbols, expected 3 (dup_fn twice, shadow)"; return 1; }
	readelf -rW "$d/out.ko" |
		grep -q "^Relocation section '\.klp\.rela\.vmlinux\.text' .* 3 entries" ||
		{ echo ".klp.rela.vmlinux.text does not hold the 3 relocations"; return 1; }
	[ "$(readelf -SW "$d/out.ko" | grep -c '\.klp\.rela\.')" -eq 1 ] ||
		{ echo "more than one .klp.rela section for (vmlinux, .text)"; return 1; }
	if readelf -rW "$d/out.ko" | awk '/^Relocation section/ { sec = $3 }
	   /\.klp\.sym\./ { print sec }' | grep -qv "^'\.klp\.rela\."; then
		echo "a relocation to a livepatch symbol stayed in a normal .rela section"
		return 1
	fi
}

# A module's code using another module's export: the symbol keeps the
# kernel's name, its relocation goes with the patched module's.
test_klp_convert_for_prefix() {
	local d=$work/t/convert_mod_for
	convert mod_for || { cat "$d/err"; return 1; }
	readelf -sW "$d/out.ko" |
		grep -q 'OS \[0xff20\] \.klp\.sym\.other_mod\.other_export,0$' ||
		{ echo "no SHN_LIVEPATCH .klp.sym.other_mod.other_export,0"; return 1; }
	if readelf -sW "$d/out.ko" | grep -q '\.kpb\.for\.'; then
		echo "a .kpb.for. name was left in the module"
		return 1
	fi
	readelf -rW "$d/out.ko" |
		grep -q "^Relocation section '\.klp\.rela\.fake_mod\.text' .* 2 entries" ||
		{ echo ".klp.rela.fake_mod.text does not hold both relocations: $(readelf -rW "$d/out.ko")"; return 1; }
	if readelf -SW "$d/out.ko" | grep -q '\.klp\.rela\.other_mod'; then
		echo "a .klp.rela.other_mod section was written"
		return 1
	fi
}

# The kernel refuses module relocation sections that name vmlinux symbols.
test_klp_convert_module_to_vmlinux_error() {
	local d=$work/t/convert_mod_for_vmlinux rc=0
	convert mod_for_vmlinux || rc=$?
	[ "$rc" -eq 1 ] || { echo "exit status $rc, expected 1"; return 1; }
	grep -q 'exported_fn.*module fake_mod.*vmlinux symbols' "$d/err" ||
		{ echo "error does not explain: $(cat "$d/err")"; return 1; }
	[ ! -e "$d/out.ko" ] || { echo "out.ko written despite the error"; return 1; }
}

# A module's livepatch symbols in sections the loader reads at load: both
# reported.
test_klp_convert_early_sections_error() {
	local d=$work/t/convert_mod_early_module rc=0
	convert mod_early_module || rc=$?
	[ "$rc" -eq 2 ] || { echo "exit status $rc, expected 2 (refused)"; return 1; }
	grep -q 'refused patched: its entry in __jump_table (+0x8) refers to some_key of module fake_mod, which livepatch can only resolve when fake_mod is patched.*static_key_enabled()' "$d/err" ||
		{ echo "__jump_table not refused with its workaround: $(cat "$d/err")"; return 1; }
	grep -q 'its entry in \.static_call_sites (+0x0) .*static_call()' "$d/err" ||
		{ echo ".static_call_sites not refused with its workaround: $(cat "$d/err")"; return 1; }
	[ ! -e "$d/out.ko" ] || { echo "out.ko written despite the error"; return 1; }
}

# vmlinux's livepatch symbols in those sections: the loader writes
# .klp.rela.vmlinux.* before it reads them, so they move like any other.
test_klp_convert_early_sections_vmlinux() {
	local d=$work/t/convert_mod_early relocs
	convert mod_early || { cat "$d/err"; return 1; }
	relocs=$(readelf -rW "$d/out.ko")
	grep -q "^Relocation section '\.klp\.rela\.vmlinux\.__jump_table' .* 1 entry" <<< "$relocs" ||
		{ echo "no .klp.rela.vmlinux.__jump_table with the key: $relocs"; return 1; }
	grep -q "^Relocation section '\.klp\.rela\.vmlinux\.static_call_sites' .* 1 entry" <<< "$relocs" ||
		{ echo "no .klp.rela.vmlinux.static_call_sites with the key: $relocs"; return 1; }
	grep -q "^Relocation section '\.rela__jump_table' .* 1 entry" <<< "$relocs" ||
		{ echo "the site's relocation to patched did not stay in .rela__jump_table: $relocs"; return 1; }
}

# A static call through a module's key: its .static_call_sites entry is
# left out, the call to the trampoline moves to .klp.rela.fake_mod.*, the
# entry through vmlinux's key stays (now the first); so is the last entry,
# whose key is the module's trampoline itself (a key not exported).
test_klp_convert_module_static_call() {
	local d=$work/t/convert_mod_static_call relocs
	convert mod_static_call || { cat "$d/err"; return 1; }
	relocs=$(readelf -rW "$d/out.ko")
	grep -q "note: a static call through __SCK__my_call, a key of module fake_mod, goes through its trampoline __SCT__my_call" "$d/err" ||
		{ echo "no note about the site left out: $(cat "$d/err")"; return 1; }
	grep -q "note: a static call through __SCT__my_call, a key of module fake_mod, goes through its trampoline __SCT__my_call" "$d/err" ||
		{ echo "no note about the site with the trampoline for a key: $(cat "$d/err")"; return 1; }
	[ "$(readelf -SW "$d/out.ko" | awk '{ for (i = 1; i < NF; i++) if ($i == ".static_call_sites") print $(i + 4) }')" = 000008 ] ||
		{ echo ".static_call_sites is not one entry: $(readelf -SW "$d/out.ko" | grep static_call)"; return 1; }
	grep -A2 "^Relocation section '\.klp\.rela\.vmlinux\.static_call_sites' .* 1 entry" <<< "$relocs" |
		grep -q '^0*4 .*__SCK__vcall' ||
		{ echo "vmlinux's key not at offset 4 of .klp.rela.vmlinux.static_call_sites: $relocs"; return 1; }
	grep -A2 "^Relocation section '\.rela\.static_call_sites' .* 1 entry" <<< "$relocs" |
		grep -q '^0*0 ' ||
		{ echo "the kept site's address is not at offset 0: $relocs"; return 1; }
	! grep -q '__SCK__my_call' <<< "$relocs" ||
		{ echo "a relocation to the module's key is left: $relocs"; return 1; }
	grep -A3 "^Relocation section '\.klp\.rela\.fake_mod\.text'" <<< "$relocs" |
		grep -q '__SCT__my_call' ||
		{ echo "the call to the trampoline is not in .klp.rela.fake_mod.text: $relocs"; return 1; }
}

# A site through a module's key that does not call its trampoline: refused.
test_klp_convert_module_static_call_error() {
	local d=$work/t/convert_mod_static_call_bad rc=0
	convert mod_static_call_bad || rc=$?
	[ "$rc" -eq 2 ] || { echo "exit status $rc, expected 2 (refused)"; return 1; }
	grep -q 'its entry in \.static_call_sites (+0x4) refers to __SCK__my_call.*static_call()' "$d/err" ||
		{ echo ".static_call_sites not refused: $(cat "$d/err")"; return 1; }
}

# A module's tracepoint in patched code: its __jump_table entry is left
# out, the site stays a NOP (the tracepoint off), a note says so; a likely
# branch on such a key is still refused.
test_klp_convert_module_tracepoint() {
	local d=$work/t/convert_mod_tracepoint rc=0
	convert mod_tracepoint || { cat "$d/err"; return 1; }
	grep -q "note: tracepoint my_event of module fake_mod stays off" "$d/err" ||
		{ echo "no note: $(cat "$d/err")"; return 1; }
	! readelf -SW "$d/out.ko" | grep -q '__jump_table' ||
		{ echo "__jump_table is still there"; return 1; }
	! readelf -rW "$d/out.ko" | grep -q '__tracepoint_my_event' ||
		{ echo "a relocation to the module's tracepoint is left"; return 1; }
	d=$work/t/convert_mod_tracepoint_bad
	convert mod_tracepoint_bad || rc=$?
	[ "$rc" -eq 2 ] || { echo "a likely branch: exit status $rc, expected 2 (refused)"; return 1; }
	grep -q 'its entry in __jump_table (+0x8) refers to __tracepoint_my_event' "$d/err" ||
		{ echo "the likely branch was not refused: $(cat "$d/err")"; return 1; }
}

# lookup on a module target, linked and converted: module symbols in
# .klp.rela.fake_mod.text, the export of vmlinux a normal relocation.
test_module_lookup_then_klp_convert() {
	local d
	d=$(fresh module_pipeline diff_m1 diff_a)
	run_lookup_module --linked "$d/diff_a.o" "$work/obj/m1.o" \
		"$d/diff_m1.o" > "$d/out" 2> "$d/err" || { cat "$d/err"; return 1; }
	run_lookup "$work/vmlinux" --linked "$d/diff_m1.o" "$work/obj/a.o" \
		"$d/diff_a.o" >> "$d/out" 2> "$d/err" || { cat "$d/err"; return 1; }
	ld -r -o "$d/mod.ko" "$d/diff_m1.o" "$d/diff_a.o" "$work/obj/modinfo.o" ||
		{ echo "ld -r failed"; return 1; }
	"$KLP_CONVERT" --symvers "$work/Module.symvers" "$d/mod.ko" \
		"$d/out.ko" 2> "$d/err" || { cat "$d/err"; return 1; }
	readelf -rW "$d/out.ko" > "$d/relocs"
	grep -q "^Relocation section '\.klp\.rela\.fake_mod\.text' .* 3 entries" "$d/relocs" ||
		{ echo ".klp.rela.fake_mod.text does not hold mdup, mod_export, other_export: $(cat "$d/relocs")"; return 1; }
	grep -q "^Relocation section '\.klp\.rela\.vmlinux\.text' .* 2 entries" "$d/relocs" ||
		{ echo ".klp.rela.vmlinux.text does not hold dup_fn, shadow: $(cat "$d/relocs")"; return 1; }
	awk '/^Relocation section/ { sec = $3 } / exported_fn - 4$/ { print sec }' \
		"$d/relocs" | grep -qx "'\.rela\.text'" ||
		{ echo "exported_fn is not a normal relocation"; return 1; }
}

# ---- runner -----------------------------------------------------------------

run_test() {
	local name=$1 msg
	if msg=$("test_$name" 2>&1); then
		printf 'PASS %s\n' "$name"
		passed=$((passed + 1))
	else
		printf 'FAIL %s: %s\n' "$name" "${msg:-failed}"
		failed=$((failed + 1))
	fi
}

# A distribution's module is stripped with --strip-debug: no STT_FILE
# symbols.  One object: its statics are found; two objects with a static
# of the same name (mdup in m1.c and m2.c): lookup cannot tell, and says so.
test_module_without_file_symbols() {
	local d rc=0 u
	d=$(fresh module_nofile diff_m1 diff_a)
	if ! { ld -r -o "$d/one.ko" "$work/obj/m1.o" "$work/obj/modinfo_fake.o" &&
		strip --strip-debug "$d/one.ko" &&
		strip --strip-debug -o "$d/two.ko" "$work/fake-mod.ko"; }; then
		echo "fixture: cannot link and strip the modules"
		return 1
	fi
	cp "$d/diff_m1.o" "$d/before.o"
	"$LOOKUP" --module "$d/one.ko" --objname fake_mod \
		--symvers "$work/Module.symvers" --linked "$d/diff_a.o" \
		"$work/obj/m1.o" "$d/diff_m1.o" > "$d/out" 2> "$d/err" ||
		{ cat "$d/err"; return 1; }
	u=$(undefs "$d/diff_m1.o" | grep mdup)
	[ "$u" = ".klp.sym.fake_mod.mdup,0" ] ||
		{ echo "one object: mdup became [$u], expected .klp.sym.fake_mod.mdup,0"; return 1; }
	cp "$d/before.o" "$d/diff_m1.o"
	"$LOOKUP" --module "$d/two.ko" --objname fake_mod \
		--symvers "$work/Module.symvers" --linked "$d/diff_a.o" \
		"$work/obj/m1.o" "$d/diff_m1.o" > "$d/out" 2> "$d/err" || rc=$?
	[ "$rc" -eq 1 ] || { echo "two objects: exit status $rc, expected 1"; return 1; }
	grep -q 'symbol mdup .*several symbols of that name' "$d/err" ||
		{ echo "two objects: error does not say mdup is ambiguous: $(cat "$d/err")"; return 1; }
}

# The same stripped module with --module-debug: the -dbg package's copy of
# it (its symbols and their STT_FILE symbols) tells m1.c's mdup from m2.c's;
# the position is the stripped module's.  A debug module of other symbols
# is refused.
test_module_debug_tells_apart() {
	local d rc=0 u pos
	d=$(fresh module_debug diff_m1 diff_a)
	if ! { strip --strip-debug -o "$d/two.ko" "$work/fake-mod.ko" &&
		ld -r -o "$d/one.ko" "$work/obj/m1.o" "$work/obj/modinfo_fake.o"; }; then
		echo "fixture: cannot link and strip the modules"
		return 1
	fi
	pos=$(expected_mod_pos "$work/fake-mod.ko" mdup m1.c) ||
		{ echo "fixture: no single mdup in m1.c"; return 1; }
	cp "$d/diff_m1.o" "$d/before.o"
	"$LOOKUP" --module "$d/two.ko" --module-debug "$work/fake-mod.ko" \
		--objname fake_mod --symvers "$work/Module.symvers" \
		--linked "$d/diff_a.o" "$work/obj/m1.o" "$d/diff_m1.o" \
		> "$d/out" 2> "$d/err" || { cat "$d/err"; return 1; }
	u=$(undefs "$d/diff_m1.o" | grep mdup)
	[ "$u" = ".klp.sym.fake_mod.mdup,$pos" ] ||
		{ echo "mdup became [$u], expected .klp.sym.fake_mod.mdup,$pos"; return 1; }
	cp "$d/before.o" "$d/diff_m1.o"
	"$LOOKUP" --module "$d/two.ko" --module-debug "$d/one.ko" \
		--objname fake_mod --symvers "$work/Module.symvers" \
		--linked "$d/diff_a.o" "$work/obj/m1.o" "$d/diff_m1.o" \
		> "$d/out" 2> "$d/err" || rc=$?
	[ "$rc" -eq 1 ] || { echo "other debug module: exit status $rc, expected 1"; return 1; }
	grep -q 'one.ko.*not the debug copy of .*two.ko' "$d/err" ||
		{ echo "other debug module: error does not say so: $(cat "$d/err")"; return 1; }
	cmp -s "$d/diff_m1.o" "$d/before.o" ||
		{ echo "diff_m1.o was written despite the error"; return 1; }
}

# ---- System.map as the target --------------------------------------------

# System.map of a fake vmlinux, as scripts/mksysmap writes it.
sysmap() {
	nm -n "$1" | grep -v -e ' [aNUw] ' -e ' \.L' > "$2"
}

# lookup with --vmlinux FILE and with its System.map: the same names and
# func lines (only file groups tell statics apart in the first; neighbours
# in the second).
same_as_map() {
	local name=$1 vmlinux=$2 d e
	shift 2
	d=$(fresh "map_elf_$name" diff_a diff_b diff_c diff_dup)
	e=$(fresh "map_map_$name" diff_a diff_b diff_c diff_dup)
	sysmap "$vmlinux" "$e/System.map"
	run_lookup "$vmlinux" "${@//@D@/$d}" > "$d/out" 2> "$d/err" ||
		{ echo "with vmlinux:"; cat "$d/err"; return 1; }
	run_lookup "$e/System.map" "${@//@D@/$e}" > "$e/out" 2> "$e/err" ||
		{ echo "with System.map:"; cat "$e/err"; return 1; }
	cmp -s "$d/out" "$e/out" ||
		{ echo "func lines differ: [$(cat "$d/out")] vs [$(cat "$e/out")]"; return 1; }
	for f in diff_a diff_b diff_c diff_dup; do
		[ "$(undefs "$d/$f.o")" = "$(undefs "$e/$f.o")" ] || {
			echo "$f.o: vmlinux gives $(undefs "$d/$f.o" | tr '\n' ' '), System.map $(undefs "$e/$f.o" | tr '\n' ' ')"
			return 1
		}
	done
}

# dup_fn static in a.c and b.c, shadow static in a.c and global in c.c.
test_sysmap_like_vmlinux() {
	same_as_map all "$work/vmlinux" "$work/obj/b.o" @D@/diff_b.o \
		"$work/obj/a.o" @D@/diff_a.o "$work/obj/c.o" @D@/diff_c.o
}

# Two same.c whose statics differ: q's dup_fn is among q_one and p_one.
test_sysmap_neighbours_decide() {
	same_as_map same "$work/vmlinux-same" "$work/obj/q/same.o" @D@/diff_dup.o
}

# Two identical tie.c: the neighbours are the same, lookup says so.
test_sysmap_tie_error() {
	local d rc=0
	d=$(fresh map_tie diff_dup)
	sysmap "$work/vmlinux-tie" "$d/System.map"
	cp "$d/diff_dup.o" "$d/before.o"
	run_lookup "$d/System.map" "$work/obj/x/tie.o" "$d/diff_dup.o" \
		> "$d/out" 2> "$d/err" || rc=$?
	[ "$rc" -eq 1 ] || { echo "exit status $rc, expected 1"; return 1; }
	if ! grep -q 'symbol dup_fn .*neighbours' "$d/err" ||
	   [ "$(grep -c 'candidate: dup_fn' "$d/err")" -ne 2 ]; then
		echo "error does not name dup_fn, the neighbours and 2 candidates: $(cat "$d/err")"
		return 1
	fi
	cmp -s "$d/diff_dup.o" "$d/before.o" ||
		{ echo "diff_dup.o was written despite the error"; return 1; }
}

# Debian's image ships a one-line stub System.map: refused, saying where
# the real one is.
test_sysmap_stub_error() {
	local d rc=0
	d=$(fresh map_stub diff_c)
	echo 'ffffffffffffffff B The real System.map is in the linux-image-<version>-dbg package' \
		> "$d/System.map"
	run_lookup "$d/System.map" "$work/obj/c.o" "$d/diff_c.o" \
		> "$d/out" 2> "$d/err" || rc=$?
	[ "$rc" -eq 1 ] || { echo "exit status $rc, expected 1"; return 1; }
	grep -q 'line 1 is not .*-dbg' "$d/err" ||
		{ echo "error does not explain the stub: $(cat "$d/err")"; return 1; }
}

main() {
	local t msg tests
	for t in "$LOOKUP" "$KLP_CONVERT"; do
		if [ ! -x "$t" ]; then
			printf 'FAIL setup: %s is not built (run make)\n' "$t"
			printf '0 passed, 1 failed\n'
			exit 1
		fi
	done
	if ! msg=$(build_fixtures 2>&1); then
		printf 'FAIL setup: cannot build the fixtures with %s, ld and objcopy: %s\n' "$CC" "$msg"
		printf '0 passed, 1 failed\n'
		exit 1
	fi
	# every test_* function of this file, in the order they are defined;
	# one that this does not find (written another way) is a failure
	mapfile -t tests < <(sed -n 's/^test_\([a-z0-9_]*\)() {$/\1/p' "${BASH_SOURCE[0]}")
	for t in "${tests[@]}"; do
		run_test "$t"
	done
	for t in $(declare -F | sed -n 's/^declare -f test_//p'); do
		[[ " ${tests[*]} " == *" $t "* ]] && continue
		printf 'FAIL %s: test_%s is not defined as "test_NAME() {" at the start of a line, so it was not run\n' "$t" "$t"
		failed=$((failed + 1))
	done
	printf '%d passed, %d failed\n' "$passed" "$failed"
	[ "$failed" -eq 0 ]
}

main "$@"
