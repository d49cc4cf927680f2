# SPDX-License-Identifier: GPL-2.0-only
# VM tier (DESIGN.md 7, VMTEST.md): a Debian kernel with sched_ext under
# QEMU, booted by tools/vm-run.
#
# Guest helpers: every tests/vm/<name>.c is a program of its own, built
# static (the guest has only the libraries tools/mkinitramfs copies) into
# $(VM_BIN)/<name>; every executable there is on the guest's PATH, next to
# scxd and scxctl. A helper may include any skeleton from $(BUILD)/gen.
#
# Scenarios: tests/vm/t_<NN>_<name>.sh, run in order by tests/vm/run.sh in
# the guest (see lib.sh for their shape). `make check-vm VM_TESTS=t_00_smoke`
# runs only those named.
#
# The VM tier is never instrumented: with SANITIZE set, check-vm and demo
# run in a make without it (sanitizer runtimes are not in the guest, and
# LeakSanitizer cannot work once scxd drops its capabilities).

VM_BIN := $(BUILD)/tests/vm-bin
VM_HELPERS := $(patsubst tests/vm/%.c,$(VM_BIN)/%,$(sort $(wildcard tests/vm/*.c)))
VM_LOG := $(BUILD)/tests/vm.log
VM_TESTS ?=
VM_RUN := tools/vm-run --build $(BUILD)
# Our warning set, no hardening or sanitizer flags: static, non-PIE.
VM_CFLAGS := -std=gnu11 -O2 -g $(WARN) -D_GNU_SOURCE -I$(BUILD)/gen -I$(LIBBPF_DIR)/include

$(VM_HELPERS): $(VM_BIN)/%: tests/vm/%.c $(DEPS_MK) | $(SKELS)
	$(call msg,LINK,$@)
	$(Q)mkdir -p $(@D) $(BUILD)/tests/vm
	$(Q)$(CC) $(VM_CFLAGS) -MMD -MP -MF $(BUILD)/tests/vm/$*.d -MT $@ -static -o $@ $< \
		$(LIBBPF_A) -lelf -lz

.PHONY: vm-helpers vm-shell check-vm-systemd
vm-helpers: $(VM_HELPERS)

ifneq ($(SANITIZE),)
check-vm check-vm-systemd demo vm-shell:
	@echo "  VM        $@: built without SANITIZE (the VM tier is never instrumented)"
	$(Q)$(MAKE) --no-print-directory SANITIZE= $@
else
# The guest's runner exits non-zero on any FAIL, and vm-run when the
# sentinel is missing; the FAIL lines are checked here once more.
check-vm: $(VM_HELPERS) all
	$(call msg,VM,tests/vm/run.sh $(VM_TESTS))
	$(Q)$(VM_RUN) --log $(VM_LOG) tests/vm/run.sh -- $(VM_TESTS)
	$(Q)if grep -q '^FAIL' $(VM_LOG); then echo "check-vm: failed checks:"; \
		grep '^FAIL' $(VM_LOG); exit 1; fi
	@echo "check-vm: $$(grep -c '^PASS' $(VM_LOG)) checks passed, $$(grep -c '^SKIP' $(VM_LOG)) skipped"

# The packaged units under a real systemd (PID 1 in the guest), from the
# .deb that `make deb` builds: tests/vm/systemd.sh.
VM_SYSTEMD_LOG := $(BUILD)/tests/vm-systemd.log
check-vm-systemd: $(VM_HELPERS) all deb
	$(call msg,VM,tests/vm/systemd.sh under systemd)
	$(Q)$(VM_RUN) --systemd --deb "$$(ls build/scxd_$(VERSION)_*.deb | head -1)" --log $(VM_SYSTEMD_LOG) tests/vm/systemd.sh
	$(Q)if grep -q '^FAIL' $(VM_SYSTEMD_LOG); then echo "check-vm-systemd: failed checks:"; \
		grep '^FAIL' $(VM_SYSTEMD_LOG); exit 1; fi
	@echo "check-vm-systemd: $$(grep -c '^PASS' $(VM_SYSTEMD_LOG)) checks passed"

demo: $(VM_HELPERS) all
	$(Q)$(VM_RUN) tests/vm/demo.sh

# An interactive shell in the guest, for poking at the scheduler by hand.
vm-shell: $(VM_HELPERS) all
	$(Q)$(VM_RUN) --shell
endif
