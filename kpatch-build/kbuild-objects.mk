# SPDX-License-Identifier: GPL-2.0
# kpatch-build: ask kbuild which C objects this configuration links into
# vmlinux or a module, without building anything and without writing into
# the tree.
#
#   make -C SRC --no-print-directory -f SRC/Makefile -f kbuild-objects.mk \
#        -o include/config/auto.conf ... kpb-objects KPB_OUT=DIR
#
# (--no-print-directory, or the Makefile of Linux 6.12 runs make again
# without this file; -o for the config files kbuild would regenerate.)
#
# Read after the kernel's own Makefile, this file sees everything kbuild's
# top level sets up (the config, the architecture's Makefile, the compiler
# flags, the exported variables); its goal then walks the directories as
# kbuild's descent does (scripts/Makefile.build: obj-y and obj-m
# directories, need-builtin and need-modorder passed down the same way),
# reading in every directory the same files in the same order (auto.conf,
# Kbuild.include, the directory's Kbuild or Makefile, Makefile.lib).
# Instead of building, each directory writes one file into KPB_OUT (named
# after the directory, '/' as ':') with lines:
#
#   y OBJ DIR    OBJ is linked into vmlinux: it is in real-obj-y of
#                directory DIR, whose built-in.a is linked (need-builtin),
#                or in lib-y of a library directory (ARCH_LIB: lib.a is
#                linked)
#   m OBJ DIR    OBJ is part of a module: real-obj-m of DIR, whose modules
#                are in modules.order (need-modorder)
#   d DIR FLAGS  the include options (-I, -iquote, -include) DIR's C
#                objects are compiled with beyond the standard ones
#   o OBJ FLAGS  the include options OBJ alone adds (CFLAGS_obj.o)
#
# and the top level writes "std FLAGS": the include options of every C
# object (LINUXINCLUDE and the -include of compiler_types.h), in order.
# Objects kbuild compiles but links into neither (extra-y, always-y,
# targets such as the vDSO's, hostprogs) are not listed.

kpb-mk := $(abspath $(lastword $(MAKEFILE_LIST)))

# "-I dir" and "-include file" as one word each, then only include options.
kpb-incflags = $(filter -I% -iquote=% -include=%,$(subst -iquote ,-iquote=,$(subst \
	-include ,-include=,$(subst -I ,-I,$(strip $(1))))))

define kpb-nl


endef

ifeq ($(obj),)
# ---- top level, after the kernel's Makefile --------------------------------

PHONY += kpb-objects
kpb-objects:
	$(if $(KPB_OUT),,$(error KPB_OUT (the output directory) is not set))
	$(file >$(KPB_OUT)/kpb-top,std $(call kpb-incflags,$(LINUXINCLUDE) \
		-include $(srctree)/include/linux/compiler_types.h))
	$(Q)$(MAKE) -f $(kpb-mk) obj=. need-builtin=1 need-modorder=1

else
# ---- one directory, as scripts/Makefile.build reads it ---------------------

src := $(obj)

obj-y :=
obj-m :=
lib-y :=
lib-m :=
always-y :=
always-m :=
targets :=
subdir-y :=
subdir-m :=
EXTRA_AFLAGS   :=
EXTRA_CFLAGS   :=
EXTRA_CPPFLAGS :=
EXTRA_LDFLAGS  :=
asflags-y  :=
ccflags-y  :=
rustflags-y :=
cppflags-y :=
ldflags-y  :=

subdir-asflags-y :=
subdir-ccflags-y :=

-include include/config/auto.conf

include $(srctree)/scripts/Kbuild.include
-include $(srctree)/scripts/Makefile.compiler

kbuild-dir := $(if $(filter /%,$(src)),$(src),$(srctree)/$(src))
include $(or $(wildcard $(kbuild-dir)/Kbuild),$(kbuild-dir)/Makefile)

include $(srctree)/scripts/Makefile.lib

kpb-y := $(if $(need-builtin),$(filter %.o,$(real-obj-y))) \
	$(if $(filter $(obj)/,$(ARCH_LIB)),$(filter %.o,$(lib-y)))
kpb-m := $(if $(need-modorder),$(filter %.o,$(real-obj-m)))

# The directory's include options: c_flags evaluated outside any target
# (no object's own CFLAGS_obj.o), without the standard ones.
kpb-std := $(call kpb-incflags,$(LINUXINCLUDE) \
	-include $(srctree)/include/linux/compiler_types.h)
kpb-dirflags := $(if $(strip $(kpb-y) $(kpb-m)),$(filter-out $(kpb-std),$(call \
	kpb-incflags,$(c_flags))))

# An object's own options, CFLAGS_$(target-stem).o as Makefile.lib reads it.
kpb-own = $(call kpb-incflags,$(CFLAGS_$(patsubst $(obj)/%.o,%,$(1)).o))

kpb-lines := \
	$(foreach o,$(sort $(kpb-y)),y $(o) $(obj)$(kpb-nl)) \
	$(foreach o,$(sort $(kpb-m)),m $(o) $(obj)$(kpb-nl)) \
	$(if $(kpb-dirflags),d $(obj) $(kpb-dirflags)$(kpb-nl)) \
	$(foreach o,$(sort $(kpb-y) $(kpb-m)),$(if $(call kpb-own,$(o)),o $(o) $(call kpb-own,$(o))$(kpb-nl)))

PHONY += kpb-dir $(subdir-ym)
kpb-dir: $(subdir-ym)
	$(file >$(KPB_OUT)/dir-$(subst /,:,$(obj)),$(kpb-lines))
	@:

# Descend as Makefile.build does.
$(subdir-ym):
	$(Q)$(MAKE) -f $(kpb-mk) obj=$@ \
	need-builtin=$(if $(filter $@/built-in.a, $(sort $(filter %/built-in.a, $(real-obj-y)))),1) \
	need-modorder=$(if $(filter $@/modules.order, $(sort $(filter %/modules.order, $(obj-m)))),1)

.DEFAULT_GOAL := kpb-dir
endif

.PHONY: $(PHONY)
