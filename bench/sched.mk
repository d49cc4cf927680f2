# SPDX-License-Identifier: GPL-2.0-only
# make bench-sched: the scheduler benchmark in the VM (bench/sched_vm.sh),
# reported by bench/sched_report into bench/results/sched.{md,svg}.
BENCH_SCHED_LOG := $(BUILD)/bench/sched.log
BENCH_ROUNDS ?= 3

.PHONY: bench-sched
bench-sched: $(VM_HELPERS) all
	$(Q)mkdir -p $(BUILD)/bench bench/results
	$(Q)tools/vm-run --build $(BUILD) --timeout 900 --log $(BENCH_SCHED_LOG) bench/sched_vm.sh -- $(BENCH_ROUNDS) > /dev/null
	$(Q)grep -q '^DONE' $(BENCH_SCHED_LOG) || { echo "bench-sched: the guest did not finish"; tail -20 $(BENCH_SCHED_LOG); exit 1; }
	$(Q)bench/sched_report $(BENCH_SCHED_LOG) bench/results/sched.md bench/results/sched.svg
	@echo "bench-sched: bench/results/sched.md"
