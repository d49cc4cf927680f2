# SPDX-License-Identifier: GPL-2.0-only
# Benchmarks: reports under bench/results/, never pass/fail tests.
BENCH_BINS := $(BUILD)/bench/config_bench $(BUILD)/bench/rpc_bench

$(BUILD)/bench/rpc_bench: bench/rpc_bench.c $(LIBCLIENT) $(LIBCOMMON)
	$(call msg,LINK,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CC) $(CPPFLAGS_ALL) $(CFLAGS_ALL) -o $@ $^ $(LDFLAGS_ALL) $(CLIENT_LIBS) $(COMMON_LIBS) -lm

$(BUILD)/bench/config_bench: bench/config_bench.c $(LIBCLIENT) $(LIBCOMMON)
	$(call msg,LINK,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CC) $(CPPFLAGS_ALL) $(CFLAGS_ALL) -o $@ $^ $(LDFLAGS_ALL) $(CLIENT_LIBS) $(COMMON_LIBS)

bench: $(BENCH_BINS) $(SCXD) $(SCXCTL)
	$(Q)$(BUILD)/bench/config_bench bench/results/config.md $(SCXCTL)
	$(Q)cat bench/results/config.md
	$(Q)$(BUILD)/bench/rpc_bench $(SCXD) bench/results/rpc.md bench/results/rpc.svg
	$(Q)cat bench/results/rpc.md
