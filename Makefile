# kpatch-build: livepatch module build toolchain
CC      ?= gcc
CFLAGS  ?= -O2 -g
CFLAGS  += -std=gnu11 -Wall -Wextra -Werror -Ilib
LDLIBS  := -lelf -ldw
PREFIX  ?= /usr/local
BINDIR  := $(PREFIX)/bin
LIBEXEC := $(PREFIX)/libexec/kpatch-build
DATADIR := $(PREFIX)/share/kpatch-build

LIB_SRC := $(wildcard lib/*.c)
LIB_HDR := $(wildcard lib/*.h)
TOOLS   := create-diff-object/create-diff-object lookup/lookup klp-convert/klp-convert \
	   verify-target/verify-target

all: $(TOOLS)

# Each tool is all the .c files of its directory plus lib/.
define tool_rule
$(1): $$(wildcard $(dir $(1))*.c $(dir $(1))*.h) $$(LIB_SRC) $$(LIB_HDR)
	$$(CC) $$(CFLAGS) -o $$@ $$(filter %.c,$$^) $$(LDLIBS)
endef
$(foreach t,$(TOOLS),$(eval $(call tool_rule,$(t))))

install: all
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(LIBEXEC) $(DESTDIR)$(DATADIR)/templates
	install -m 755 kpatch-build/kpatch-build $(DESTDIR)$(BINDIR)/kpatch-build
	install -m 644 kpatch-build/*.sh kpatch-build/*.mk kpatch-build/*.awk \
		$(DESTDIR)$(LIBEXEC)/
	install -m 755 $(TOOLS) $(DESTDIR)$(LIBEXEC)/
	install -m 644 templates/* $(DESTDIR)$(DATADIR)/templates/

# Installs the Debian packages the build and the tests need (root, apt).
deps:
	@bash scripts/install-deps.sh

unit: all
	@bash test/unit/run.sh
	@bash test/unit/lookup/run.sh
	@bash test/unit/driver/run.sh
	@bash test/unit/driver/inputs.sh
	@bash test/unit/driver/verify-target.sh

integration: all
	@bash test/integration/run.sh
	@bash test/integration/inputs.sh
	@bash test/integration/tree-safety.sh

# The built-in default: the meminfo sample, end to end, in a VM.
demo:
	@bash scripts/demo.sh

# Wall time of each kpatch-build step (prints figures, asserts nothing).
bench: all
	@bash bench/bench.sh

# Runs every test and ends with the line "N passed, N failed".
check: deps all
	@bash test/run.sh

# Debian's own kernel (distro mode): modules built without building the
# kernel, proven in QEMU on its vmlinuz; "N passed, N failed" last.
check-distro: deps all
	@bash test/run.sh distro

# Wall time of each step of distro mode, cold and warm cache.
bench-distro: all
	@KPB_DISTRO_SOURCE=/usr/src/linux-source-6.1.tar.xz bash bench/bench-distro.sh
	@KPB_DISTRO_SOURCE=/usr/src/linux-source-6.12.tar.xz bash bench/bench-distro.sh

clean:
	rm -f $(TOOLS)

.PHONY: all install deps demo bench bench-distro unit integration check check-distro clean
