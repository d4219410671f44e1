# kpatch-build: livepatch module build toolchain
CC      ?= gcc
CFLAGS  ?= -O2 -g
CFLAGS  += -std=gnu11 -Wall -Wextra -Werror -Ilib
LDLIBS  := -lelf -ldw
PREFIX  ?= /usr/local
BINDIR  := $(PREFIX)/bin
LIBEXEC := $(PREFIX)/libexec/kpatch-build
DATADIR := $(PREFIX)/share/kpatch-build
SBINDIR := $(PREFIX)/sbin
UNITDIR ?= $(PREFIX)/lib/systemd/system

LIB_SRC := $(wildcard lib/*.c)
LIB_HDR := $(wildcard lib/*.h)
TOOLS   := create-diff-object/create-diff-object lookup/lookup klp-convert/klp-convert \
	   verify-target/verify-target used-code/used-code

# The same tools built with AddressSanitizer (leaks too) and
# UndefinedBehaviorSanitizer, for the unit tests; not installed.
ASAN_DIR    := build/asan
ASAN_CFLAGS := -O1 -g -std=gnu11 -Wall -Wextra -Werror -Ilib \
	-fsanitize=address,undefined -fno-omit-frame-pointer \
	-fno-sanitize-recover=all
ASAN_TOOLS  := $(addprefix $(ASAN_DIR)/,$(notdir $(TOOLS)))

all: $(TOOLS)

# Each tool is all the .c files of its directory plus lib/:
# tool_rule OUTPUT, SOURCE-DIRECTORY, FLAGS
define tool_rule
$(1): $$(wildcard $(2)*.c $(2)*.h) $$(LIB_SRC) $$(LIB_HDR)
	@mkdir -p $$(dir $$@)
	$$(CC) $(3) -o $$@ $$(filter %.c,$$^) $$(LDLIBS)
endef
$(foreach t,$(TOOLS),$(eval $(call tool_rule,$(t),$(dir $(t)),$$(CFLAGS))))
$(foreach t,$(TOOLS),$(eval $(call tool_rule,$(ASAN_DIR)/$(notdir $(t)),$(dir $(t)),$$(ASAN_CFLAGS))))

asan: $(ASAN_TOOLS)

# libFuzzer targets (clang), one per tool: test/fuzz/harness.c with the
# tool's main() and everything else of the tool (see test/fuzz/README).
FUZZ_CC     ?= clang-14
FUZZ_DIR    := build/fuzz
FUZZ_CFLAGS := -O1 -g -std=gnu11 -Wall -Wextra -Werror -Ilib \
	-fsanitize=fuzzer,address,undefined -fno-omit-frame-pointer \
	-fno-sanitize-recover=all
FUZZ_TARGETS := $(addprefix $(FUZZ_DIR)/fuzz-,create-diff-object lookup klp-convert)
define fuzz_rule
$(FUZZ_DIR)/fuzz-$(notdir $(1)): test/fuzz/harness.c $$(wildcard $(dir $(1))*.c $(dir $(1))*.h) $$(LIB_SRC) $$(LIB_HDR)
	@mkdir -p $$(dir $$@)
	$$(FUZZ_CC) $$(FUZZ_CFLAGS) -D$(2) -o $$@ $$(filter-out %/main.c,$$(filter %.c,$$^)) $$(LDLIBS)
endef
$(eval $(call fuzz_rule,create-diff-object/create-diff-object,FUZZ_CDO))
$(eval $(call fuzz_rule,lookup/lookup,FUZZ_LOOKUP))
$(eval $(call fuzz_rule,klp-convert/klp-convert,FUZZ_KLP_CONVERT))

fuzz-targets: $(FUZZ_TARGETS)

install: all
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(LIBEXEC) $(DESTDIR)$(DATADIR)/templates
	install -m 755 kpatch-build/kpatch-build $(DESTDIR)$(BINDIR)/kpatch-build
	install -m 644 kpatch-build/*.sh kpatch-build/*.mk kpatch-build/*.awk \
		$(DESTDIR)$(LIBEXEC)/
	install -m 755 $(TOOLS) $(DESTDIR)$(LIBEXEC)/
	install -m 644 templates/* $(DESTDIR)$(DATADIR)/templates/
	install -d $(DESTDIR)$(SBINDIR) $(DESTDIR)$(UNITDIR)
	install -m 755 kpatch/kpatch $(DESTDIR)$(SBINDIR)/kpatch
	install -m 755 kpatch/kpatch-package $(DESTDIR)$(BINDIR)/kpatch-package
	sed 's|@SBINDIR@|$(SBINDIR)|' kpatch/kpatch.service >$(DESTDIR)$(UNITDIR)/kpatch.service
	chmod 644 $(DESTDIR)$(UNITDIR)/kpatch.service

# Installs the Debian packages the build and the tests need (root, apt).
deps:
	@bash scripts/install-deps.sh

unit: all asan
	@bash test/unit/run.sh
	@bash test/unit/selftest/run.sh
	@bash test/unit/generator/run.sh
	@bash test/unit/lookup/run.sh
	@bash test/unit/driver/run.sh
	@bash test/unit/driver/inputs.sh
	@bash test/unit/driver/verify-target.sh
	@bash test/unit/driver/prune.sh
	@bash test/unit/corrupt/run.sh
	@bash test/unit/kpatch.sh
	@bash test/unit/kpatch-package.sh
	@bash test/unit/sanitized.sh test/unit/run.sh
	@bash test/unit/sanitized.sh test/unit/lookup/run.sh
	@bash test/unit/sanitized.sh test/unit/corrupt/run.sh

# libFuzzer targets (clang): FUZZ_SECONDS in all, split among the tools;
# exits non-zero on a crash, hang, leak or sanitizer report.
FUZZ_SECONDS ?= 600
fuzz: all $(FUZZ_TARGETS)
	@FUZZ_SECONDS=$(FUZZ_SECONDS) bash test/fuzz/run.sh

integration: all
	@bash test/integration/run.sh
	@bash test/integration/inputs.sh
	@bash test/integration/tree-safety.sh
	@bash test/integration/kpatch/run.sh
	@bash test/integration/kpatch/signing.sh
	@bash test/integration/distcc.sh
	@bash test/integration/header-prune.sh

# The built-in default: the meminfo sample, end to end, in a VM.
demo:
	@bash scripts/demo.sh

# Wall time of each kpatch-build step (prints figures, asserts nothing).
bench: all
	@bash bench/bench.sh

# Runs every test and ends with the line "N passed, N failed".
check: deps all asan
	@bash test/run.sh

# Debian's own kernel (distro mode): modules built without building the
# kernel, proven in QEMU on its vmlinuz; "N passed, N failed" last.
check-distro: deps all
	@bash test/run.sh distro

# Wall time of each step of distro mode, cold and warm cache.
bench-distro: all
	@KPB_DISTRO_SOURCE=/usr/src/linux-source-6.1.tar.xz bash bench/bench-distro.sh
	@KPB_DISTRO_SOURCE=/usr/src/linux-source-6.12.tar.xz bash bench/bench-distro.sh

# Distro mode for the releases a fleet runs: an older release cold and warm,
# three releases in one command (prints figures, asserts nothing).
bench-releases: all
	@bash bench/bench-releases.sh

# A cumulative patch of the real-fixes corpus, locally and through a distccd
# on 127.0.0.1, cold and warm, and an estimate for N hosts (prints figures).
bench-distcc: all
	@bash bench/bench-distcc.sh

# The corpus of real fixes: Debian's 6.1.187-1 -> 6.1.190-1 update, one
# patch per changed kernel .c file, built for 6.1.0-53 and proven in the VM
# (hours; CORPUS_ARGS="--every 36" for a sample).  Table: test/updates/.
corpus: deps all
	@bash test/updates/run.sh $(CORPUS_ARGS)

clean:
	rm -f $(TOOLS)
	rm -rf build

.PHONY: bench-releases bench-distcc corpus all asan fuzz-targets install deps demo bench bench-distro unit integration check check-distro fuzz clean
