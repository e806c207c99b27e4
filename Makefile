# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
# tracekit: one build for every tool. `make help` lists the targets.

VERSION := 0.1.0
TOOLS := opensnoop syscount biolatency tcpconnect ttysnoop sslsniff dnssnoop execsnoop exitsnoop killsnoop biosnoop mountsnoop oomkill tcpstates tcplife profile tcpaccept bindsnoop tcpretrans offcputime runqlat

# The target architecture, as the kernel names it (vmlinux/$(ARCH)/,
# __TARGET_ARCH_$(ARCH)). `make ARCH=arm64` cross-builds with Debian's
# aarch64-linux-gnu- tools; `make CC=aarch64-linux-gnu-gcc` does the same
# (ARCH then comes from the compiler's target). A foreign architecture builds
# into $(OUT)=build/ARCH and $(BIN)=bin/ARCH, never mixing with the host's.
karch = $(patsubst x86_64,x86,$(patsubst aarch64,arm64,$(1)))
HOST_ARCH := $(call karch,$(shell uname -m))
CROSS_arm64 := aarch64-linux-gnu-
CROSS_x86 := x86_64-linux-gnu-
ifeq ($(origin CC),default)
ifneq ($(origin ARCH),undefined)
ifneq ($(call karch,$(ARCH)),$(HOST_ARCH))
CROSS_COMPILE ?= $(CROSS_$(call karch,$(ARCH)))
endif
endif
CC := $(if $(CROSS_COMPILE),$(CROSS_COMPILE)gcc,cc)
endif
TARGET_TRIPLE := $(shell $(CC) -dumpmachine 2>/dev/null)
TARGET_MACHINE := $(firstword $(subst -, ,$(TARGET_TRIPLE)))
ARCH ?= $(TARGET_MACHINE)
override ARCH := $(call karch,$(ARCH))
ifneq ($(ARCH),$(HOST_ARCH))
CROSS_COMPILE ?= $(TARGET_TRIPLE)-
endif
ifeq ($(origin AR),default)
AR := $(CROSS_COMPILE)ar
endif
STRIP ?= $(CROSS_COMPILE)strip
CLANG ?= clang
LLVM_STRIP ?= $(shell command -v llvm-strip || command -v llvm-strip-14 || echo true)
BPFTOOL ?= bpftool
PREFIX ?= /usr/local
# clang -target bpf knows no system include directories: the compiler's own
# list, searched after ours (as libbpf-bootstrap does), for asm/types.h & co.
CLANG_BPF_SYS_INCLUDES := $(shell $(CLANG) -v -E - </dev/null 2>&1 | \
	sed -n '/<...> search starts here:/,/End of search list./{ s| \(/.*\)|-idirafter \1|p }')

OUT := $(if $(filter $(HOST_ARCH),$(ARCH)),build,build/$(ARCH))
BIN := $(if $(filter $(HOST_ARCH),$(ARCH)),bin,bin/$(ARCH))
CFLAGS ?= -O2 -g
TK_CFLAGS := $(CPPFLAGS) $(CFLAGS) -std=gnu11 -Wall -Wextra -Werror -D_GNU_SOURCE \
	-Icommon -Ibpf -I$(OUT)/skel -DTK_VERSION='"$(VERSION)"' -MMD -MP
BPF_CFLAGS := -g -O2 -target bpf -D__TARGET_ARCH_$(ARCH) -Wall -Werror -MMD -MP \
	-Ivmlinux/$(ARCH) -Ibpf $(CLANG_BPF_SYS_INCLUDES)
LIBS := -lbpf -lelf -lz
# The static tools and the kit link a libbpf built from Debian's source
# package (LIBBPF_SRC=debian, the default; fetched once into build/libbpf-src
# by dist/libbpf-deb.sh): 1.7.0 maps /sys/kernel/btf/vmlinux (kernels 6.16+;
# trixie's 1.5.0 does not) where 1.1.2 reads and parses all of its 5.5 MB: startup
# 1.6-4x slower and the peak RSS 9-12 MB larger (tests/bench/README.md). The
# code is still written to, and compiled against, the installed 1.1 headers;
# the dynamic tools and the .deb keep the distribution's libbpf.
# LIBBPF_SRC=system links the installed libbpf.a instead (no network).
LIBBPF_SRC ?= debian
LIBBPF_DEB_SUITE ?= sid
LIBBPF_DEB_VERSION ?= 1.7.0-1
LIBBPF_A := $(if $(filter debian,$(LIBBPF_SRC)),$(OUT)/libbpf/libbpf.a)
# Fully static: no shared library, not even libc, is needed on the target.
# (-lzstd costs nothing unless libelf was built to use it.) With LIBBPF_A,
# the archive comes last among the link's inputs ($^), before these.
STATIC_LIBS := -Wl,-Bstatic $(if $(LIBBPF_A),,-lbpf) -lelf -lz -lzstd

COMMON_OBJ := $(patsubst common/%.c,$(OUT)/common/%.o,$(wildcard common/*.c))
HELPERS := $(patsubst tests/helpers/%.c,%,$(wildcard tests/helpers/*.c))
# A tool is tools/X.c, or a room of its own, tools/X/: main.c and the modules
# only X uses. Unit tests: tests/unit/common/ for common/, tests/unit/X/ for a
# room's modules (linked with them, without main.o).
ROOMS := $(patsubst tools/%/main.c,%,$(wildcard tools/*/main.c))
tool_srcs = $(if $(filter $(1),$(ROOMS)),$(wildcard tools/$(1)/*.c),tools/$(1).c)
tool_objs = $(patsubst tools/%.c,$(OUT)/tools/%.o,$(call tool_srcs,$(1)))
room_objs = $(if $(filter $(1),$(ROOMS)),$(filter-out %/main.o,$(call tool_objs,$(1))))
SKELS := $(patsubst %,$(OUT)/skel/%.skel.h,$(TOOLS))
UNIT_SRCS := $(wildcard tests/unit/*/test_*.c)
UNITS := $(patsubst %.c,%,$(notdir $(UNIT_SRCS)))

ifeq ($(V),1)
Q :=
msg :=
else
Q := @
msg = @printf '  %-8s %s\n' "$(1)" "$(2)";
endif

.DELETE_ON_ERROR:
.SECONDARY:
.PHONY: all static helpers units check check-host check-vm check-arm64 variants-table test-unit test-e2e install uninstall \
	vmlinux syscall-tables deps deps-cross test-deps clean help bench fuzz fuzz-replay

all: $(addprefix $(BIN)/,$(TOOLS)) helpers units

help:
	@echo "make            build bin/<tool> (dynamic), test helpers and unit tests"
	@echo "make static     build bin/static/<tool>: no shared libraries needed"
	@echo "                 (with libbpf from Debian $(LIBBPF_DEB_SUITE)'s source package; LIBBPF_SRC=system: the installed one)"
	@echo "make check      run the whole test suite (root, for the end-to-end part),"
	@echo "                 qemu lane included; check-host: without it; check-vm: it alone"
	@echo "make check-arm64  the qemu lane's arm64 6.1 guest alone"
	@echo "make deps       install the build dependencies (Debian 12, root)"
	@echo "make deps-cross  and the arm64 cross compiler and libraries (make kit makes both kits)"
	@echo "make test-deps  install the build and test dependencies (for check)"
	@echo "make install    install to \$$(DESTDIR)\$$(PREFIX)/sbin, share/man/man8 and bash completions"
	@echo "make multi      bin/multi/tracekit: every tool in one static binary (links in bin/multi/links)"
	@echo "make kit        $(OUT)/kit/tracekit-VERSION-ARCH.tar.gz: the incident-response kit"
	@echo "                 (with every $(OUT)/btf/RELEASE.btf there is)"
	@echo "make btf        $(OUT)/btf/RELEASE.btf: a minimised BTF for the tools, for a kernel"
	@echo "                 without BTF (BTF_SRC=FILE: its full BTF, vmlinux or vmlinuz;"
	@echo "                 default /sys/kernel/btf/vmlinux; BTF_RELEASE: its uname -r)"
	@echo "make deb        $(OUT)/deb/tracekit_VERSION_amd64.deb (dpkg-buildpackage on a copy of the tree)"
	@echo "make vmlinux    regenerate vmlinux/$(ARCH)/vmlinux.h from this kernel's BTF"
	@echo "                 (another ARCH's: from Debian's 6.1 cloud kernel of it)"
	@echo "make syscall-tables  $(OUT)/syscalls/*.inc from the kernel headers, to compare"
	@echo "make variants-table  README's table of the variant each tool picks per kernel (after check-vm)"
	@echo "ARCH=arm64      the target architecture (default: $(CC)'s, now $(ARCH))"
	@echo "make bench      run the benchmarks (root)"
	@echo "make fuzz       build the libFuzzer targets (build/fuzz/*_fuzz)"
	@echo "make fuzz-replay  replay the fuzz corpora under ASan+UBSan"
	@echo "V=1             show the commands"

# --- kernel side ------------------------------------------------------------
# DWARF (-g) is stripped, BTF kept. So are the relocations of .BTF.ext: libbpf
# relocates only executable sections, and they were a fifth of every object
# the skeletons embed (290 KB of the kit's 1.5 MB of BPF objects).
$(OUT)/bpf/%.bpf.o: bpf/%.bpf.c
	$(call msg,BPF,$@)
	@mkdir -p $(@D)
	$(Q)$(CLANG) $(BPF_CFLAGS) -c $< -o $@
	$(Q)$(LLVM_STRIP) -g -R .rel.BTF.ext $@

$(OUT)/skel/%.skel.h: $(OUT)/bpf/%.bpf.o
	$(call msg,GEN-SKEL,$@)
	@mkdir -p $(@D)
	$(Q)$(BPFTOOL) gen skeleton $< name $*_bpf > $@

# --- userspace --------------------------------------------------------------
$(OUT)/common/%.o: common/%.c
	$(call msg,CC,$@)
	@mkdir -p $(@D)
	$(Q)$(CC) $(TK_CFLAGS) -c $< -o $@

# Made anew each time: a module that moved out must not linger in it.
$(OUT)/libtracekit.a: $(COMMON_OBJ)
	$(call msg,AR,$@)
	$(Q)rm -f $@ && $(AR) rcs $@ $^

# Every skeleton exists before any tool object is compiled (-MMD then keeps
# each object's real dependencies, its own skeleton among them).
$(OUT)/tools/%.o: tools/%.c | $(SKELS)
	$(call msg,CC,$@)
	@mkdir -p $(@D)
	$(Q)$(CC) $(TK_CFLAGS) -c $< -o $@

static: $(addprefix $(BIN)/static/,$(TOOLS))

# libbpf.a from Debian's source package, built with $(CC) (cross too) by its
# own Makefile, nothing of ours passed down (MAKEFLAGS unset).
$(OUT)/libbpf/libbpf.a: dist/libbpf-deb.sh
	$(call msg,LIBBPF,$@ (Debian $(LIBBPF_DEB_SUITE) $(LIBBPF_DEB_VERSION)))
	@mkdir -p $(@D)/obj
	$(Q)src=$$(sh dist/libbpf-deb.sh build/libbpf-src $(LIBBPF_DEB_SUITE) $(LIBBPF_DEB_VERSION)) && \
		env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL $(MAKE) -s -C "$$src/src" BUILD_STATIC_ONLY=1 \
		OBJDIR=$(CURDIR)/$(@D)/obj CC='$(CC)' AR='$(AR)' >/dev/null && \
		sed -n '1s/^\([a-z0-9.+-]*\) (\([^)]*\)).*/`\1` source package \2 (Debian $(LIBBPF_DEB_SUITE))/p' \
			"$$src/debian/changelog" > $(@D)/source && \
		cp $(@D)/obj/libbpf.a $@

define tool_rules
$(BIN)/$(1): $(call tool_objs,$(1)) $(OUT)/libtracekit.a
	$$(call msg,LINK,$$@)
	@mkdir -p $$(@D)
	$$(Q)$$(CC) $$(LDFLAGS) $$^ $$(LIBS) -o $$@

$(BIN)/static/$(1): $(call tool_objs,$(1)) $(OUT)/libtracekit.a $(LIBBPF_A)
	$$(call msg,LINK,$$@)
	@mkdir -p $$(@D)
	$$(Q)$$(CC) -static $$(LDFLAGS) $$^ $$(STATIC_LIBS) -o $$@

# The multi-call binary: the tool's main again, as $(1)_main.
$(OUT)/multi/$(1).o: $(firstword $(filter %/main.c,$(call tool_srcs,$(1))) tools/$(1).c) | $(SKELS)
	$$(call msg,CC,$$@)
	@mkdir -p $$(@D)
	$$(Q)$$(CC) $$(TK_CFLAGS) -Dmain=$(1)_main -c $$< -o $$@
endef
$(foreach t,$(TOOLS),$(eval $(call tool_rules,$(t))))

# --- tests ------------------------------------------------------------------
# Workload helpers are static so the same files run in a busybox guest.
helpers: $(addprefix $(OUT)/tests/,$(HELPERS)) $(if $(LIBBPF_A),$(OUT)/tests/tk_btfmin)

# tests/e2e/btfmin.sh's: every tool's object relocated against the whole and
# the minimised kernel BTF (common/btfmin.c). Static with the static tools'
# libbpf, whose bpf_object__prepare() relocates without loading (1.6+: not
# built with LIBBPF_SRC=system's 1.1).
$(OUT)/tests/tk_btfmin.objs.h: Makefile
	@mkdir -p $(@D)
	$(Q){ printf '#define TK_OBJS(X)'; \
	      for t in $(TOOLS); do printf ' X(%s, "$(OUT)/bpf/%s.bpf.o")' $$t $$t; done; echo; } > $@
$(OUT)/tests/tk_btfmin: tests/btfmin/tk_btfmin.c $(OUT)/tests/tk_btfmin.objs.h $(OUT)/libtracekit.a $(LIBBPF_A) $(patsubst %,$(OUT)/bpf/%.bpf.o,$(TOOLS))
	$(call msg,LINK,$@)
	$(Q)$(CC) $(TK_CFLAGS) -I$(OUT)/tests -static $(filter %.c %.a,$^) $(STATIC_LIBS) -o $@

# profile's workload: with frame pointers in every function (gcc omits them
# in leaf functions above -O0, and on arm64 at -O0 too: spin_loop was
# missing from its stacks there), so main -> spin_loop -> spin_here
# is whole on its user stacks.
$(OUT)/tests/tk_spin: TK_CFLAGS += -O0 -fno-omit-frame-pointer -mno-omit-leaf-frame-pointer
# offcputime's: main -> sleep_loop -> sleep_here the same way.
$(OUT)/tests/tk_sleep: TK_CFLAGS += -O0 -fno-omit-frame-pointer -mno-omit-leaf-frame-pointer

$(OUT)/tests/%: tests/helpers/%.c
	$(call msg,CC,$@)
	@mkdir -p $(@D)
	$(Q)$(CC) $(TK_CFLAGS) -static $< -o $@

units: $(addprefix $(OUT)/unit/,$(UNITS))

# A room's modules as an archive, so a unit test pulls in only the module it
# tests (and what that needs), never the modules that need the tool's main.
define room_rules
$(OUT)/tools/$(1)/room.a: $(call room_objs,$(1))
	$$(call msg,AR,$$@)
	$$(Q)rm -f $$@ && $$(AR) rcs $$@ $$^
endef
$(foreach r,$(ROOMS),$(eval $(call room_rules,$(r))))

unit_room = $(filter $(notdir $(patsubst %/,%,$(dir $(1)))),$(ROOMS))
define unit_rules
$(OUT)/unit/$(notdir $(basename $(1))): $(1) $(if $(call unit_room,$(1)),$(OUT)/tools/$(call unit_room,$(1))/room.a) $(OUT)/libtracekit.a
	$$(call msg,CC,$$@)
	@mkdir -p $$(@D)
	$$(Q)$$(CC) $$(TK_CFLAGS) $(if $(call unit_room,$(1)),-Itools/$(call unit_room,$(1))) $$(filter $(1) %.a,$$^) $$(LIBS) -ldl -o $$@
endef
$(foreach u,$(UNIT_SRCS),$(eval $(call unit_rules,$(u))))

# The whole suite: unit, end-to-end here (the streaming tools' files twice:
# ring buffer, then perf buffer), and end-to-end on Debian's 5.10, 6.1 and 6.12
# kernels and Debian's arm64 6.1 under qemu, every attach variant (some 54
# minutes more, two guests at a time; check-host leaves it out).
check: all
	sh tests/run.sh unit e2e perfbuf vm

check-host: all
	sh tests/run.sh unit e2e perfbuf

check-vm: all
	sh tests/run.sh vm

# The arm64 guest alone, every variant forced (Debian's arm64 6.1 under
# qemu-system-aarch64, TCG: 33 minutes alone beside other work).
check-arm64: all
	TKVM_SERIES=arm64-6.1 sh tests/run.sh vm

# README's table of the variant auto picks per kernel: from the guests of the
# last check-vm (build/vm/variants/) and a moment of each tool here.
variants-table: all
	sh tests/vm/variants.sh host
	sh tests/vm/variants.sh readme

test-unit: units
	sh tests/run.sh unit

test-e2e: all
	sh tests/run.sh e2e

bench: all static
	sh tests/bench/run.sh

# Parsers of untrusted input have a libFuzzer target tests/fuzz/X_fuzz.c and
# a corpus tests/fuzz/X_corpus/; FUZZ_SRC_X is the parser's source.
FUZZ_SAN := -g -O1 -fsanitize=address,undefined -fno-sanitize-recover=all
FUZZ_SRC_dns := tools/dnssnoop/dns.c
FUZZ_SRC_elfsym := tools/sslsniff/elfsym.c
FUZZ_SRC_syms := common/syms.c

fuzz: $(OUT)/fuzz/dns_fuzz

.SECONDEXPANSION:
$(OUT)/fuzz/%_fuzz: tests/fuzz/%_fuzz.c $$(FUZZ_SRC_$$*)
	$(call msg,FUZZ,$@)
	@mkdir -p $(@D)
	$(Q)$(CLANG) $(FUZZ_SAN) -fsanitize=fuzzer -Icommon -I$(dir $(FUZZ_SRC_$*)) $^ -o $@

$(OUT)/fuzz/%_replay: tests/fuzz/%_fuzz.c tests/fuzz/replay.c $$(FUZZ_SRC_$$*)
	$(call msg,FUZZ,$@)
	@mkdir -p $(@D)
	$(Q)$(CLANG) $(FUZZ_SAN) -Icommon -I$(dir $(FUZZ_SRC_$*)) $^ -o $@

fuzz-replay: $(OUT)/fuzz/dns_replay
	$(OUT)/fuzz/dns_replay -m 300 tests/fuzz/dns_corpus/*

# --- install ----------------------------------------------------------------
install: $(addprefix $(BIN)/,$(TOOLS)) install-completions
	install -d $(DESTDIR)$(PREFIX)/sbin $(DESTDIR)$(PREFIX)/share/man/man8
	install -m 0755 $(addprefix $(BIN)/,$(TOOLS)) $(DESTDIR)$(PREFIX)/sbin/
	install -m 0644 $(addprefix man/man8/,$(addsuffix .8,$(TOOLS))) \
		$(DESTDIR)$(PREFIX)/share/man/man8/
	install -d $(DESTDIR)$(PREFIX)/share/tracekit
	install -m 0644 doc/tracekit.schema.json $(DESTDIR)$(PREFIX)/share/tracekit/

uninstall: uninstall-completions
	rm -f $(addprefix $(DESTDIR)$(PREFIX)/sbin/,$(TOOLS)) \
		$(addprefix $(DESTDIR)$(PREFIX)/share/man/man8/,$(addsuffix .8,$(TOOLS))) \
		$(DESTDIR)$(PREFIX)/share/tracekit/tracekit.schema.json
	-rmdir $(DESTDIR)$(PREFIX)/share/tracekit 2>/dev/null

# --- distribution: multi-call binary, kit, completions, package -------------
# bin/multi/tracekit is every tool in one static binary: each tool's main
# again (tools/X.c or tools/X/main.c), renamed X_main, with its room's modules, and tools/tracekit.c choosing by argv[0] (a link
# named after the tool) or argv[1] (`tracekit TOOL ARGS`). bin/multi/links/
# holds a link per tool and nothing else, for TK_BIN=bin/multi/links.
# `make kit`: $(KIT), the incident-response tarball (dist/mkkit.sh).
MANDOC ?= mandoc
KIT_ARCH := $(TARGET_MACHINE)
KIT_NAME := tracekit-$(VERSION)-$(KIT_ARCH)
KIT := $(OUT)/kit/$(KIT_NAME).tar.gz
MULTI_OBJ := $(addprefix $(OUT)/multi/,$(addsuffix .o,$(TOOLS))) \
	$(foreach t,$(TOOLS),$(call room_objs,$(t)))
BASHCOMPDIR ?= $(PREFIX)/share/bash-completion/completions
COMPLETIONS := $(addprefix $(OUT)/completions/,$(TOOLS))

.PHONY: tools multi kit kit-arm64 completions install-completions uninstall-completions \
	deb version test-e2e-multi

# Only what ships: the tools (debian/rules builds this, not the tests).
tools: $(addprefix $(BIN)/,$(TOOLS))

version:
	@echo $(VERSION)

multi: $(BIN)/multi/tracekit $(addprefix $(BIN)/multi/links/,$(TOOLS))

$(OUT)/multi/tracekit.o: tools/tracekit.c Makefile
	$(call msg,CC,$@)
	@mkdir -p $(@D)
	@listed="$$(sed -n 's/^\tTK_TOOL(\([a-z0-9]*\)).*/\1/p' $<)"; \
	if [ "$$(echo $$listed)" != "$(TOOLS)" ]; then \
		echo "$<: its TK_MULTICALL_TOOLS list ($$(echo $$listed)) is not the Makefile's TOOLS ($(TOOLS))" >&2; \
		exit 1; \
	fi
	$(Q)$(CC) $(TK_CFLAGS) -c $< -o $@

$(BIN)/multi/tracekit: $(OUT)/multi/tracekit.o $(MULTI_OBJ) $(OUT)/libtracekit.a $(LIBBPF_A)
	$(call msg,LINK,$@)
	@mkdir -p $(@D)
	$(Q)$(CC) -static $(LDFLAGS) $^ $(STATIC_LIBS) -o $@

$(BIN)/multi/links/%: $(BIN)/multi/tracekit
	@mkdir -p $(@D)
	$(Q)ln -sf ../tracekit $@

# The end-to-end tests with every tool run through the multi-call binary.
test-e2e-multi: multi helpers
	TK_BIN=$(CURDIR)/$(BIN)/multi/links sh tests/run.sh e2e

# On an x86 host `make kit` makes the arm64 kit too (build/arm64/kit/), when
# the cross compiler and the arm64 libraries are installed (make deps-cross).
KIT_CROSS := $(if $(filter x86,$(HOST_ARCH)),$(if $(filter x86,$(ARCH)),arm64))
kit: $(KIT) $(addprefix kit-,$(KIT_CROSS))

kit-arm64: kit-%:
	$(Q)if [ "$$($(CROSS_$*)gcc -print-file-name=libbpf.a 2>/dev/null)" != libbpf.a ] && \
		[ -n "$$($(CROSS_$*)gcc -print-file-name=libbpf.a 2>/dev/null)" ]; then \
		$(MAKE) --no-print-directory ARCH=$* kit; \
	else \
		echo "kit: no $* kit: $(CROSS_$*)gcc or the $* libraries are not installed (make deps-cross)"; \
	fi

# Minimised BTFs (make btf) present in $(OUT)/btf/ go into the kit's btf/.
KIT_BTF := $(wildcard $(OUT)/btf/*.btf)

$(KIT): $(BIN)/multi/tracekit $(LIBBPF_A) dist/mkkit.sh dist/KIT.md.in $(KIT_BTF) \
		$(addprefix man/man8/,$(addsuffix .8,tracekit $(TOOLS)))
	$(call msg,KIT,$@)
	$(Q)CC='$(CC)' STRIP='$(STRIP)' MANDOC='$(MANDOC)' BTF_FILES='$(KIT_BTF)' \
		LIBBPF_SOURCE='$(if $(LIBBPF_A),$(OUT)/libbpf/source)' \
		sh dist/mkkit.sh $@ $(KIT_NAME) $(BIN)/multi/tracekit man/man8 $(TOOLS)

# `make btf`: $(OUT)/btf/RELEASE.btf, the types and fields every tool's BPF
# object relocates against, taken from a full BTF of that kernel (BTF_SRC:
# /sys/kernel/btf/vmlinux, a raw BTF, a vmlinux ELF with .BTF or DWARF, or a
# vmlinuz); a few kilobytes where the full BTF is megabytes. A tool on a
# kernel without /sys/kernel/btf/vmlinux finds it in the kit (dist/mkbtf.sh).
BTF_SRC ?= /sys/kernel/btf/vmlinux
BTF_RELEASE ?=
BTF_OUT ?= $(OUT)/btf
BPF_OBJS := $(addprefix $(OUT)/bpf/,$(addsuffix .bpf.o,$(TOOLS)))

.PHONY: btf
btf: $(BPF_OBJS)
	$(call msg,BTF,$(BTF_OUT)/)
	$(Q)BPFTOOL='$(BPFTOOL)' sh dist/mkbtf.sh '$(BTF_SRC)' '$(BTF_RELEASE)' '$(BTF_OUT)' $^

# Bash completion for each tool, generated from its --help, so the two agree.
completions: $(COMPLETIONS)

$(OUT)/completions/%: $(BIN)/% dist/gen-completion.sh
	$(call msg,GEN,$@)
	@mkdir -p $(@D)
	$(Q)sh dist/gen-completion.sh $< > $@

install-completions: $(COMPLETIONS)
	install -d $(DESTDIR)$(BASHCOMPDIR)
	install -m 0644 $^ $(DESTDIR)$(BASHCOMPDIR)/

uninstall-completions:
	rm -f $(addprefix $(DESTDIR)$(BASHCOMPDIR)/,$(TOOLS))

# build/deb/tracekit_$(VERSION)_amd64.deb, built from a copy of the tree.
deb:
	sh dist/mkdeb.sh $(OUT)/deb

# --- maintenance ------------------------------------------------------------
# vmlinux/$(ARCH)/vmlinux.h from this kernel's BTF, or for another
# architecture (make vmlinux ARCH=arm64) from Debian's 6.1 cloud kernel of it
# (dist/vmlinux-btf.sh); VMLINUX_BTF=FILE takes a BTF file instead.
vmlinux:
	@mkdir -p vmlinux/$(ARCH) $(OUT)
	$(if $(VMLINUX_BTF),cp $(VMLINUX_BTF) $(OUT)/vmlinux.btf,BPFTOOL=$(BPFTOOL) sh dist/vmlinux-btf.sh $(ARCH) $(OUT)/vmlinux.btf)
	$(BPFTOOL) btf dump file $(OUT)/vmlinux.btf format c > vmlinux/$(ARCH)/vmlinux.h.tmp
	mv vmlinux/$(ARCH)/vmlinux.h.tmp vmlinux/$(ARCH)/vmlinux.h

# The syscall-name tables of tools/syscount/syscalls.c, regenerated from this
# machine's kernel headers (linux-libc-dev): diff them against the file.
syscall-tables:
	@mkdir -p $(OUT)/syscalls
	sh dist/gen-syscalls.sh x86_64 > $(OUT)/syscalls/x86_64.inc
	sh dist/gen-syscalls.sh arm64 > $(OUT)/syscalls/arm64.inc

deps:
	sh tests/install-deps.sh build

deps-cross:
	sh tests/install-deps.sh cross

test-deps:
	sh tests/install-deps.sh test

clean:
	rm -rf $(OUT) $(BIN)

# (build/vm holds unpacked Debian packages, with directories named *.d.)
-include $(shell find $(OUT) -path $(OUT)/vm -prune -o -name '*.d' -type f -print 2>/dev/null)
