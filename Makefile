# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
# tracekit: one build for every tool. `make help` lists the targets.

VERSION := 0.1.0
TOOLS := opensnoop syscount biolatency tcpconnect ttysnoop sslsniff dnssnoop

ARCH ?= x86
CC ?= cc
CLANG ?= clang
LLVM_STRIP ?= $(shell command -v llvm-strip || command -v llvm-strip-14 || echo true)
BPFTOOL ?= bpftool
PREFIX ?= /usr/local
MULTIARCH := $(shell $(CC) -print-multiarch 2>/dev/null)

OUT := build
CFLAGS ?= -O2 -g
TK_CFLAGS := $(CFLAGS) -std=gnu11 -Wall -Wextra -Werror -D_GNU_SOURCE \
	-Icommon -Ibpf -I$(OUT)/skel -DTK_VERSION='"$(VERSION)"' -MMD -MP
BPF_CFLAGS := -g -O2 -target bpf -D__TARGET_ARCH_$(ARCH) -Wall -Werror -MMD -MP \
	-Ivmlinux/$(ARCH) -Ibpf -I/usr/include/$(MULTIARCH)
LIBS := -lbpf -lelf -lz
# Fully static: no shared library, not even libc, is needed on the target.
STATIC_LIBS := -Wl,-Bstatic -lbpf -lelf -lz -lzstd

COMMON_OBJ := $(patsubst common/%.c,$(OUT)/common/%.o,$(wildcard common/*.c))
HELPERS := $(patsubst tests/helpers/%.c,%,$(wildcard tests/helpers/*.c))
UNITS := $(patsubst tests/unit/%.c,%,$(wildcard tests/unit/*.c))

ifeq ($(V),1)
Q :=
msg :=
else
Q := @
msg = @printf '  %-8s %s\n' "$(1)" "$(2)";
endif

.DELETE_ON_ERROR:
.SECONDARY:
.PHONY: all static helpers units check test-unit test-e2e install uninstall \
	vmlinux deps clean help bench fuzz fuzz-replay

all: $(addprefix bin/,$(TOOLS)) helpers units

help:
	@echo "make            build bin/<tool> (dynamic), test helpers and unit tests"
	@echo "make static     build bin/static/<tool>: no shared libraries needed"
	@echo "make check      run the whole test suite (root, for the end-to-end part)"
	@echo "make deps       install build and test dependencies (Debian 12, root)"
	@echo "make install    install to \$$(DESTDIR)\$$(PREFIX)/sbin and share/man/man8"
	@echo "make vmlinux    regenerate vmlinux/$(ARCH)/vmlinux.h from this kernel's BTF"
	@echo "make bench      run the benchmarks (root)"
	@echo "make fuzz       build the libFuzzer targets (build/fuzz/*_fuzz)"
	@echo "make fuzz-replay  replay the fuzz corpora under ASan+UBSan"
	@echo "V=1             show the commands"

# --- kernel side ------------------------------------------------------------
$(OUT)/bpf/%.bpf.o: bpf/%.bpf.c
	$(call msg,BPF,$@)
	@mkdir -p $(@D)
	$(Q)$(CLANG) $(BPF_CFLAGS) -c $< -o $@
	$(Q)$(LLVM_STRIP) -g $@

$(OUT)/skel/%.skel.h: $(OUT)/bpf/%.bpf.o
	$(call msg,GEN-SKEL,$@)
	@mkdir -p $(@D)
	$(Q)$(BPFTOOL) gen skeleton $< name $*_bpf > $@

# --- userspace --------------------------------------------------------------
$(OUT)/common/%.o: common/%.c
	$(call msg,CC,$@)
	@mkdir -p $(@D)
	$(Q)$(CC) $(TK_CFLAGS) -c $< -o $@

$(OUT)/libtracekit.a: $(COMMON_OBJ)
	$(call msg,AR,$@)
	$(Q)$(AR) rcs $@ $^

$(OUT)/tools/%.o: tools/%.c $(OUT)/skel/%.skel.h
	$(call msg,CC,$@)
	@mkdir -p $(@D)
	$(Q)$(CC) $(TK_CFLAGS) -c $< -o $@

bin/%: $(OUT)/tools/%.o $(OUT)/libtracekit.a
	$(call msg,LINK,$@)
	@mkdir -p $(@D)
	$(Q)$(CC) $(LDFLAGS) $^ $(LIBS) -o $@

static: $(addprefix bin/static/,$(TOOLS))

bin/static/%: $(OUT)/tools/%.o $(OUT)/libtracekit.a
	$(call msg,LINK,$@)
	@mkdir -p $(@D)
	$(Q)$(CC) -static $(LDFLAGS) $^ $(STATIC_LIBS) -o $@

# --- tests ------------------------------------------------------------------
# Workload helpers are static so the same files run in a busybox guest.
helpers: $(addprefix $(OUT)/tests/,$(HELPERS))

$(OUT)/tests/%: tests/helpers/%.c
	$(call msg,CC,$@)
	@mkdir -p $(@D)
	$(Q)$(CC) $(TK_CFLAGS) -static $< -o $@

units: $(addprefix $(OUT)/unit/,$(UNITS))

$(OUT)/unit/%: tests/unit/%.c $(OUT)/libtracekit.a
	$(call msg,CC,$@)
	@mkdir -p $(@D)
	$(Q)$(CC) $(TK_CFLAGS) $< $(OUT)/libtracekit.a $(LIBS) -ldl -o $@

check: all
	sh tests/run.sh

test-unit: units
	sh tests/run.sh unit

test-e2e: all
	sh tests/run.sh e2e

bench: all static
	sh tests/bench/run.sh

# Parsers of untrusted input (common/X.c) have a libFuzzer target
# tests/fuzz/X_fuzz.c and a corpus tests/fuzz/X_corpus/.
FUZZ_SAN := -g -O1 -fsanitize=address,undefined -fno-sanitize-recover=all

fuzz: $(OUT)/fuzz/dns_fuzz

$(OUT)/fuzz/%_fuzz: tests/fuzz/%_fuzz.c common/%.c
	$(call msg,FUZZ,$@)
	@mkdir -p $(@D)
	$(Q)$(CLANG) $(FUZZ_SAN) -fsanitize=fuzzer -Icommon $^ -o $@

$(OUT)/fuzz/%_replay: tests/fuzz/%_fuzz.c tests/fuzz/replay.c common/%.c
	$(call msg,FUZZ,$@)
	@mkdir -p $(@D)
	$(Q)$(CLANG) $(FUZZ_SAN) -Icommon $^ -o $@

fuzz-replay: $(OUT)/fuzz/dns_replay
	$(OUT)/fuzz/dns_replay -m 300 tests/fuzz/dns_corpus/*

# --- install ----------------------------------------------------------------
install: $(addprefix bin/,$(TOOLS))
	install -d $(DESTDIR)$(PREFIX)/sbin $(DESTDIR)$(PREFIX)/share/man/man8
	install -m 0755 $^ $(DESTDIR)$(PREFIX)/sbin/
	install -m 0644 $(addprefix man/man8/,$(addsuffix .8,$(TOOLS))) \
		$(DESTDIR)$(PREFIX)/share/man/man8/

uninstall:
	rm -f $(addprefix $(DESTDIR)$(PREFIX)/sbin/,$(TOOLS)) \
		$(addprefix $(DESTDIR)$(PREFIX)/share/man/man8/,$(addsuffix .8,$(TOOLS)))

# --- maintenance ------------------------------------------------------------
vmlinux:
	$(BPFTOOL) btf dump file /sys/kernel/btf/vmlinux format c > vmlinux/$(ARCH)/vmlinux.h.tmp
	mv vmlinux/$(ARCH)/vmlinux.h.tmp vmlinux/$(ARCH)/vmlinux.h

deps:
	sh tests/install-deps.sh

clean:
	rm -rf $(OUT) bin

-include $(shell find $(OUT) -name '*.d' 2>/dev/null)
