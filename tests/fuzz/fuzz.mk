# SPDX-License-Identifier: GPL-2.0-only
# libFuzzer targets: tests/fuzz/fuzz_<name>.c defines LLVMFuzzerTestOneInput
# and is linked with common/ and client/ built by clang with the fuzzer,
# ASan and UBSan. Seeds live in tests/fuzz/corpus/<name>/ (may be absent).
# `make check` runs each target briefly (a fixed number of runs); `make fuzz`
# runs each for FUZZ_SECS seconds.

FUZZ_CLANG ?= $(BPF_CLANG)
FUZZ_SRCS := $(sort $(wildcard tests/fuzz/fuzz_*.c))
FUZZ_BINS := $(patsubst tests/fuzz/%.c,build/fuzz/%,$(FUZZ_SRCS))
FUZZ_LIB_SRCS := $(COMMON_SRCS) $(CLIENT_SRCS)
FUZZ_RUNS ?= 200000
FUZZ_SECS ?= 300
FUZZ_FLAGS := -std=gnu11 -g -O1 -fsanitize=fuzzer,address,undefined \
	-fno-sanitize-recover=all -D_GNU_SOURCE -I. -Ibuild/gen -DSCX_VERSION='"$(VERSION)"'

build/fuzz/fuzz_%: tests/fuzz/fuzz_%.c $(FUZZ_LIB_SRCS) $(PROTO_C) $(DEPS_MK)
	$(call msg,FUZZ-CC,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(FUZZ_CLANG) $(FUZZ_FLAGS) -o $@ $< $(FUZZ_LIB_SRCS) $(PROTO_C) \
		$(CLIENT_LIBS) $(COMMON_LIBS)

# Brief runs: every target, a fixed number of inputs, stop at the first crash.
check-fuzz: $(FUZZ_BINS)
	$(Q)for b in $(FUZZ_BINS); do \
		n=$${b##*/fuzz_}; c=tests/fuzz/corpus/$$n; w=build/fuzz/work-$$n; \
		rm -rf $$w; mkdir -p $$w; \
		echo "  FUZZ      $$n ($(FUZZ_RUNS) runs)"; \
		$$b -runs=$(FUZZ_RUNS) -max_len=65536 -artifact_prefix=build/fuzz/ $$w $$( [ -d $$c ] && echo $$c ) \
			> build/fuzz/$$n.log 2>&1 || { tail -40 build/fuzz/$$n.log; exit 1; }; \
		grep -E '^Done [0-9]+ runs' build/fuzz/$$n.log; \
	done; [ -n "$(FUZZ_BINS)" ] || { echo "check-fuzz: no fuzz targets"; exit 1; }

fuzz: $(FUZZ_BINS)
	$(Q)for b in $(FUZZ_BINS); do \
		n=$${b##*/fuzz_}; c=tests/fuzz/corpus/$$n; w=build/fuzz/work-$$n; mkdir -p $$w; \
		echo "  FUZZ      $$n ($(FUZZ_SECS) s)"; \
		$$b -max_total_time=$(FUZZ_SECS) -max_len=65536 -artifact_prefix=build/fuzz/ $$w $$( [ -d $$c ] && echo $$c ) \
			|| exit 1; \
	done
