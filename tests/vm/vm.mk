# SPDX-License-Identifier: GPL-2.0-only
# VM tier: test helpers built static (the guest has no libraries besides
# those tools/vm-run copies), and the targets that boot the guest. Every
# executable in build/vm-bin/ ends up on the guest's PATH, next to
# build/scxd and build/scxctl.

VM_BIN := build/vm-bin
VM_HELPERS := $(VM_BIN)/mini_loader
VM_CFLAGS := -std=gnu11 -O2 -g -Wall -Wextra -Werror -I$(BUILD)/gen -I$(LIBBPF_DIR)/include

$(VM_BIN)/mini_loader: tests/vm/mini_loader.c $(BUILD)/gen/minimal.skel.h $(DEPS_MK)
	$(call msg,LINK,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CC) $(VM_CFLAGS) -static -o $@ $< $(LIBBPF_A) -lelf -lz

check-vm: $(VM_HELPERS) all
	$(Q)tools/vm-run tests/vm/run.sh

demo: $(VM_HELPERS) all
	$(Q)tools/vm-run tests/vm/demo.sh
