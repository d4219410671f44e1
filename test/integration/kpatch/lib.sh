# shellcheck shell=bash
# The kpatch tests' guest userland: make_overlay DIR INST puts into DIR
# (vm.sh --overlay) kpatch from the installed tree INST at
# /opt/kpatch/sbin/kpatch, and bash, every GNU coreutils program and kmod
# (insmod, rmmod, modinfo, lsmod, modprobe) with their libraries at
# /opt/gnu/bin and /lib*, /bin/bash for kpatch's first line.
make_overlay() {
	local ov=$1 inst=$2 f progs
	mkdir -p "$ov/opt/gnu/bin" "$ov/opt/kpatch/sbin" "$ov/bin"
	cp "$inst/usr/sbin/kpatch" "$ov/opt/kpatch/sbin/"
	progs=(/bin/bash /usr/bin/kmod)
	while read -r f; do
		case $f in
		*/bin/*|*/sbin/*) [ -f "$f" ] && [ ! -L "$f" ] && progs+=("$f") ;;
		esac
	done < <(dpkg -L coreutils)
	cp "${progs[@]}" "$ov/opt/gnu/bin/"
	cp /bin/bash "$ov/bin/bash"
	for f in insmod rmmod modinfo lsmod modprobe; do
		ln -s kmod "$ov/opt/gnu/bin/$f"
	done
	for f in $(ldd "${progs[@]}" 2>/dev/null | grep -o '/[^ ]*\.so[^ ]*' | sort -u); do
		mkdir -p "$ov$(dirname "$f")"
		cp -L "$f" "$ov$f"
	done
}
