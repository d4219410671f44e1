# shellcheck shell=bash
# What the kpatch and kpatch-package unit tests share: driver/lib.sh's work
# directory, result and finish, and fake_module.
# shellcheck source=test/unit/driver/lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/driver/lib.sh"

# fake_module [--plain] FILE KEY=VALUE...: an object whose .modinfo has
# livepatch=Y (not with --plain) and the given fields; modinfo reads it
# like a module.
fake_module() {
	local out kv i=0 lp=livepatch=Y
	[ "$1" != --plain ] || { lp=name=plain; shift; }
	out=$1
	shift
	for kv in "$lp" "$@"; do
		i=$((i + 1))
		printf '__attribute__((section(".modinfo"), used)) static const char m%d[] = "%s";\n' \
			"$i" "$kv"
	done >"$work/fake.c"
	gcc -c -o "$out" "$work/fake.c"
}
