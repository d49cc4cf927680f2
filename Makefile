# SPDX-License-Identifier: GPL-2.0-only
#
# One non-recursive build for scxd, scxctl, the BPF scheduler and the tests.
# All outputs go to $(BUILD); downloaded toolchain pieces (libbpf, bpftool,
# the test kernel) live in $(SCX_CACHE) so that `make clean` keeps them.
# `V=1` shows the commands; `SANITIZE=address,undefined` builds instrumented
# binaries into build/san/ (never packaged).

.DELETE_ON_ERROR:
.SECONDARY:
.SUFFIXES:
.DEFAULT_GOAL := all

VERSION := 0.1.0
SCX_CACHE ?= $(HOME)/.cache/scxd
export SCX_CACHE

ifeq ($(V),1)
Q :=
msg = @true
else
Q := @
msg = @printf '  %-9s %s\n' $(1) $(2)
endif

SANITIZE ?=
ifneq ($(SANITIZE),)
BUILD ?= build/san
SAN_FLAGS := -fsanitize=$(SANITIZE) -fno-omit-frame-pointer -fno-sanitize-recover=all
else
BUILD ?= build
SAN_FLAGS :=
endif
# Tool paths and versions found by tools/deps; rebuilt when missing.
DEPS_MK := build/deps.mk

CC ?= gcc
PKG_CONFIG ?= pkg-config

# The developer warning set (STYLE.md 2.10). -Wmissing-prototypes: a public
# function has a prototype in its header, otherwise it is static.
WARN := -Wall -Wextra -Werror -Wformat=2 -Wformat-security -Wmissing-prototypes \
	-Wstrict-prototypes -Wold-style-definition -Wpointer-arith -Wwrite-strings \
	-Wshadow -Wundef -Wvla -Wimplicit-fallthrough -fno-common
# OpenSSF compiler hardening for C on x86-64.
HARDEN := -O2 -U_FORTIFY_SOURCE -D_FORTIFY_SOURCE=3 -fstack-protector-strong \
	-fstack-clash-protection -fcf-protection=full -fPIE
HARDEN_LD := -pie -Wl,-z,relro -Wl,-z,now -Wl,-z,noexecstack -Wl,--as-needed

CPPFLAGS_ALL := -D_GNU_SOURCE -I. -I$(BUILD)/gen -DSCX_VERSION='"$(VERSION)"' $(CPPFLAGS)
CFLAGS_ALL := -std=gnu11 -g $(HARDEN) $(WARN) $(SAN_FLAGS) $(CFLAGS)
LDFLAGS_ALL := $(HARDEN_LD) $(SAN_FLAGS) $(LDFLAGS)

# Generated protobuf-c code does not meet our warning set; it is compiled
# with the hardening flags but without -Werror and the extra warnings.
PB_CFLAGS := -std=gnu11 -g $(HARDEN) -Wall $(SAN_FLAGS)

COMMON_LIBS := -lprotobuf-c -lnuma -lpcre2-8
CLIENT_LIBS := -lyajl
AGENT_LIBS := -lcap -lsystemd -lnettle -lelf -lz -lm

NEED_DEPS := $(if $(MAKECMDGOALS),$(filter-out clean distclean help deps hdrcheck,$(MAKECMDGOALS)),all)
ifneq ($(NEED_DEPS),)
include $(DEPS_MK)
endif

$(DEPS_MK): tools/deps
	$(call msg,DEPS,$@)
	$(Q)mkdir -p $(@D)
	$(Q)tools/deps --mk $@

.PHONY: deps
deps:
	$(Q)mkdir -p build
	$(Q)tools/deps --refresh --mk $(DEPS_MK)

# ---------------------------------------------------------------- sources
PROTOS := $(sort $(wildcard proto/*.proto))
PROTO_C := $(patsubst proto/%.proto,$(BUILD)/gen/%.pb-c.c,$(PROTOS))
PROTO_H := $(PROTO_C:.c=.h)
PROTO_OBJS := $(PROTO_C:.c=.o)

COMMON_SRCS := $(sort $(wildcard common/*.c))
CLIENT_SRCS := $(sort $(filter-out client/main.c,$(wildcard client/*.c)))
AGENT_SRCS := $(sort $(filter-out agent/main.c,$(wildcard agent/*.c)))
BPF_SRCS := $(sort $(wildcard bpf/*.bpf.c))
SKELS := $(patsubst bpf/%.bpf.c,$(BUILD)/gen/%.skel.h,$(BPF_SRCS))

COMMON_OBJS := $(patsubst %.c,$(BUILD)/%.o,$(COMMON_SRCS)) $(PROTO_OBJS)
CLIENT_OBJS := $(patsubst %.c,$(BUILD)/%.o,$(CLIENT_SRCS))
AGENT_OBJS := $(patsubst %.c,$(BUILD)/%.o,$(AGENT_SRCS))

UNIT_SRCS := $(sort $(wildcard tests/unit/test_*.c))
UNIT_OBJS := $(patsubst %.c,$(BUILD)/%.o,$(UNIT_SRCS))
INTEG_SRCS := $(sort $(wildcard tests/integration/test_*.c))
INTEG_OBJS := $(patsubst %.c,$(BUILD)/%.o,$(INTEG_SRCS))
# Helpers shared by the test tiers (fake sysfs/procfs trees).
TEST_SUPPORT_OBJS := $(patsubst %.c,$(BUILD)/%.o,$(filter-out tests/runner.c,$(wildcard tests/*.c)))

LIBCOMMON := $(BUILD)/libscxcommon.a
LIBCLIENT := $(BUILD)/libscxclient.a
LIBAGENT := $(BUILD)/libscxagent.a

SCXD := $(BUILD)/scxd
SCXCTL := $(BUILD)/scxctl

# ---------------------------------------------------------------- rules
.PHONY: all
all: $(SCXD) $(SCXCTL)

$(PROTO_C) $(PROTO_H) &: $(PROTOS)
	$(call msg,PROTOC,$(PROTOS))
	$(Q)mkdir -p $(BUILD)/gen
	$(Q)protoc-c --c_out=$(BUILD)/gen -Iproto $(PROTOS)

$(PROTO_OBJS): %.o: %.c $(PROTO_H)
	$(call msg,CC,$@)
	$(Q)$(CC) $(PB_CFLAGS) -I$(BUILD)/gen -MMD -MP -c $< -o $@

# Headers, generated ones included, are tracked by -MMD after the first
# build; before it, the generated protobuf header and the BPF skeletons must
# exist (the skeletons only for code that can include them).
$(BUILD)/%.o: %.c $(DEPS_MK) | $(PROTO_H)
	$(call msg,CC,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CC) $(CPPFLAGS_ALL) -I$(LIBBPF_DIR)/include $(CFLAGS_ALL) -MMD -MP -c $< -o $@

$(BUILD)/%.a:
	$(call msg,AR,$@)
	$(Q)rm -f $@
	$(Q)ar rcs $@ $^

$(AGENT_OBJS) $(BUILD)/agent/main.o $(UNIT_OBJS) $(INTEG_OBJS): | $(SKELS)

$(LIBCOMMON): $(COMMON_OBJS)
$(LIBCLIENT): $(CLIENT_OBJS)
$(LIBAGENT): $(AGENT_OBJS)

$(SCXCTL): $(BUILD)/client/main.o $(LIBCLIENT) $(LIBCOMMON)
	$(call msg,LINK,$@)
	$(Q)$(CC) $(LDFLAGS_ALL) -o $@ $^ $(CLIENT_LIBS) $(COMMON_LIBS)

$(SCXD): $(BUILD)/agent/main.o $(LIBAGENT) $(LIBCOMMON) $(LIBBPF_A)
	$(call msg,LINK,$@)
	$(Q)$(CC) $(LDFLAGS_ALL) -o $@ $^ $(COMMON_LIBS) $(AGENT_LIBS)

# ---------------------------------------------------------------- BPF
# vmlinux.h comes from the BTF of the test kernel tools/deps fetched; CO-RE
# relocates every field access at load time, so the objects run on any
# kernel with sched_ext, not only that one.
BPF_CFLAGS := -g -O2 -target bpf -mcpu=v3 -Wall -Werror \
	-Wno-compare-distinct-pointer-types -D__TARGET_ARCH_x86 \
	-fms-extensions -Wno-microsoft-anon-tag

$(BUILD)/gen/%.bpf.o: bpf/%.bpf.c $(wildcard bpf/*.h) $(DEPS_MK)
	$(call msg,BPF,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(BPF_CLANG) $(BPF_CFLAGS) -I$(KERNEL_DIR) -I$(LIBBPF_DIR)/include -Ibpf -c $< -o $@

$(BUILD)/gen/%.skel.h: $(BUILD)/gen/%.bpf.o
	$(call msg,SKEL,$@)
	$(Q)$(BPFTOOL) gen skeleton $< name $(subst .,_,$*)_bpf > $@

# ---------------------------------------------------------------- tests
TEST_LIBS := -lcunit $(CLIENT_LIBS) $(COMMON_LIBS) $(AGENT_LIBS)

# Each tests/<tier>/test_<name>.c defines `int suite_<name>(void)`; the list
# of suites is generated from the file names so that adding a suite is
# adding a file.
$(BUILD)/gen/%_suites.h: FORCE
	$(Q)mkdir -p $(@D)
	$(Q)for f in $(sort $(wildcard tests/$*/test_*.c)); do \
		n=$${f##*/test_}; n=$${n%.c}; echo "SUITE($$n)"; done > $@.tmp
	$(Q)cmp -s $@.tmp $@ || mv $@.tmp $@; rm -f $@.tmp

$(BUILD)/tests/unit/runner.o: $(BUILD)/gen/unit_suites.h
$(BUILD)/tests/integration/runner.o: $(BUILD)/gen/integration_suites.h

$(BUILD)/tests/unit/runner.o $(BUILD)/tests/integration/runner.o: \
		tests/runner.c $(PROTO_H) $(DEPS_MK)
	$(call msg,CC,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CC) $(CPPFLAGS_ALL) -DSUITES_H='"$(notdir $(@D))_suites.h"' \
		-DTIER='"$(notdir $(@D))"' $(CFLAGS_ALL) -MMD -MP -c $< -o $@

$(BUILD)/tests/unit-runner: $(BUILD)/tests/unit/runner.o $(UNIT_OBJS) $(TEST_SUPPORT_OBJS) $(LIBCLIENT) $(LIBAGENT) $(LIBCOMMON) $(LIBBPF_A)
	$(call msg,LINK,$@)
	$(Q)$(CC) $(LDFLAGS_ALL) -o $@ $^ $(TEST_LIBS)

$(BUILD)/tests/integration-runner: $(BUILD)/tests/integration/runner.o $(INTEG_OBJS) $(TEST_SUPPORT_OBJS) $(LIBCLIENT) $(LIBAGENT) $(LIBCOMMON) $(LIBBPF_A)
	$(call msg,LINK,$@)
	$(Q)$(CC) $(LDFLAGS_ALL) -o $@ $^ $(TEST_LIBS)

.PHONY: FORCE
FORCE:

.PHONY: check check-clang check-unit check-integration check-fast check-vm check-fuzz check-packaging asan fuzz bench demo
check-unit: $(BUILD)/tests/unit-runner
	$(Q)$(BUILD)/tests/unit-runner

check-integration: $(BUILD)/tests/integration-runner all
	$(Q)SCXD=$(abspath $(SCXD)) SCXCTL=$(abspath $(SCXCTL)) \
		$(BUILD)/tests/integration-runner

check-fast: check-unit check-integration

asan:
	$(Q)$(MAKE) --no-print-directory SANITIZE=address,undefined check-fast

check-packaging: deb rpm
	$(Q)tests/packaging/run.sh

# The same sources under clang's warnings too (STYLE: gcc or clang, -Werror).
check-clang:
	$(Q)$(MAKE) --no-print-directory CC=clang BUILD=build/clang all build/clang/tests/unit-runner
	$(Q)build/clang/tests/unit-runner

check: check-fast check-clang check-fuzz check-packaging check-vm check-vm-systemd
	@echo "make check: all tiers passed"

include tests/fuzz/fuzz.mk
include tests/vm/vm.mk
include bench/bench.mk
include bench/sched.mk

# ---------------------------------------------------------------- install
PREFIX ?= /usr
SBINDIR ?= $(PREFIX)/sbin
BINDIR ?= $(PREFIX)/bin
UNITDIR ?= $(PREFIX)/lib/systemd/system
SYSUSERSDIR ?= $(PREFIX)/lib/sysusers.d
TMPFILESDIR ?= $(PREFIX)/lib/tmpfiles.d
DOCDIR ?= $(PREFIX)/share/doc/scxd
MANDIR ?= $(PREFIX)/share/man
BASHCOMPDIR ?= $(PREFIX)/share/bash-completion/completions
DESTDIR ?=

.PHONY: install
install: $(SCXD) $(SCXCTL)
	install -D -m 0755 $(SCXD) $(DESTDIR)$(SBINDIR)/scxd
	install -D -m 0755 $(SCXCTL) $(DESTDIR)$(BINDIR)/scxctl
	install -D -m 0644 packaging/systemd/scxd.service $(DESTDIR)$(UNITDIR)/scxd.service
	install -D -m 0644 packaging/systemd/scxd.socket $(DESTDIR)$(UNITDIR)/scxd.socket
	install -D -m 0644 packaging/sysusers.d/scxd.conf $(DESTDIR)$(SYSUSERSDIR)/scxd.conf
	install -D -m 0644 packaging/tmpfiles.d/scxd.conf $(DESTDIR)$(TMPFILESDIR)/scxd.conf
	install -d $(DESTDIR)$(DOCDIR)
	install -m 0644 README.md $(wildcard docs/*.md) $(DESTDIR)$(DOCDIR)/
	$(if $(wildcard examples/*.json),install -d $(DESTDIR)$(DOCDIR)/examples && \
		install -m 0644 $(wildcard examples/*.json) $(DESTDIR)$(DOCDIR)/examples/)
	$(if $(wildcard docs/*.8),install -d $(DESTDIR)$(MANDIR)/man8 && \
		install -m 0644 $(wildcard docs/*.8) $(DESTDIR)$(MANDIR)/man8/)
	$(if $(wildcard packaging/scxctl.bash),install -D -m 0644 packaging/scxctl.bash \
		$(DESTDIR)$(BASHCOMPDIR)/scxctl)

# ---------------------------------------------------------------- packages
# Both are built from a copy of the tree in build/pkg so that the source
# stays clean; libbpf comes from $(SCX_CACHE) as for every build.
PKG_STAGE := build/pkg/scxd-$(VERSION)
PKG_FILES := $(shell git ls-files 2>/dev/null)

.PHONY: deb rpm
deb: $(DEPS_MK)
	$(Q)rm -rf $(PKG_STAGE) && mkdir -p $(PKG_STAGE)
	$(Q)tar -c $(PKG_FILES) | tar -x -C $(PKG_STAGE)
	$(Q)cp -r packaging/debian $(PKG_STAGE)/debian
	$(Q)cp packaging/sysusers.d/scxd.conf $(PKG_STAGE)/debian/scxd.sysusers
	$(Q)cd $(PKG_STAGE) && dpkg-buildpackage -us -uc -b > ../deb.log 2>&1 || \
		{ tail -40 ../deb.log; exit 1; }
	$(Q)mv build/pkg/scxd_$(VERSION)_*.deb build/
	$(Q)ls build/*.deb

rpm: $(DEPS_MK)
	$(Q)rm -rf build/rpmbuild && mkdir -p build/rpmbuild/SOURCES build/pkg
	$(Q)tar -czf build/rpmbuild/SOURCES/scxd-$(VERSION).tar.gz --transform 's,^,scxd-$(VERSION)/,' $(PKG_FILES)
	$(Q)rpmbuild -bb packaging/rpm/scxd.spec \
		--define '_topdir $(abspath build/rpmbuild)' \
		--define 'scx_version $(VERSION)' \
		--define 'scx_cache $(SCX_CACHE)' \
		--nodeps > build/pkg/rpm.log 2>&1 || { tail -40 build/pkg/rpm.log; exit 1; }
	$(Q)mv build/rpmbuild/RPMS/*/scxd-$(VERSION)-*.rpm build/
	$(Q)ls build/*.rpm

# ---------------------------------------------------------------- misc
HDRS := $(sort $(wildcard common/*.h agent/*.h client/*.h))
.PHONY: hdrcheck
hdrcheck: $(PROTO_H)
	$(Q)for h in $(HDRS); do \
		echo "#include \"$$h\"" | $(CC) $(CPPFLAGS_ALL) -std=gnu11 $(WARN) \
			-x c -fsyntax-only - || exit 1; done; echo "hdrcheck: $(words $(HDRS)) headers"

.PHONY: clean distclean
clean:
	rm -rf build

# distclean also drops the download cache (libbpf, bpftool, kernel).
distclean: clean
	rm -rf $(SCX_CACHE)

-include $(shell find $(BUILD) -path build/pkg -prune -o -path build/rpmbuild -prune -o -name '*.d' -type f -print 2>/dev/null)
