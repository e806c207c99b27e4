#!/bin/sh
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
# The arm64 cross build (make ARCH=arm64) run under qemu-user (qemu-aarch64):
# the parts that need no kernel. Every static tool and the multi-call binary
# are aarch64 executables; --help and --version say what the host's build
# says; badinput.sh passes through them (one line, exit 2); syscount -l
# lists the arm64 (asm-generic) numbers; the unit tests pass as arm64 code;
# make btf takes the kernel BTF out of an arm64 Image.
# The tools against an arm64 kernel: the qemu lane (tests/vm/run.sh arm64-6.1).
# TK_ARM64_BIN=DIR takes a built bin/arm64 instead of running make.
. "$(dirname "$0")/lib.sh"
D=$T_DIR
TOOLS=$(sed -n 's/^TOOLS := //p' "$ROOT/Makefile")

QEMU=
for q in ${TK_QEMU_AARCH64:-} qemu-aarch64-static qemu-aarch64; do
	command -v "$q" >/dev/null 2>&1 && { QEMU=$(command -v "$q"); break; }
done
[ -n "$QEMU" ] || skip_or_fail "no qemu-aarch64 (package qemu-user-static)"

A=${TK_ARM64_BIN:-}
if [ -z "$A" ]; then
	command -v aarch64-linux-gnu-gcc >/dev/null 2>&1 ||
		skip_or_fail "no aarch64-linux-gnu-gcc (package gcc-aarch64-linux-gnu)"
	if make -s -C "$ROOT" ARCH=arm64 static multi units >"$D/make.log" 2>&1; then
		ok "make ARCH=arm64 static multi units"
	else
		not_ok "make ARCH=arm64 static multi units" "$D/make.log"
		finish
		exit 1
	fi
	A=$ROOT/bin/arm64
fi
U=${TK_ARM64_UNIT:-$ROOT/build/arm64/unit}

# machine FILE: the ELF header's e_machine, as a number (aarch64 is 183).
machine() { od -An -t u2 -j 18 -N 2 "$1" | tr -d ' '; }
# interp FILE: whether FILE has a PT_INTERP program header (dynamic).
interp() {
	ph=$(od -An -t u8 -j 32 -N 8 "$1" | tr -d ' ')
	n=$(od -An -t u2 -j 56 -N 2 "$1" | tr -d ' ')
	i=0
	while [ "$i" -lt "$n" ]; do
		[ "$(od -An -t u4 -j $((ph + i * 56)) -N 4 "$1" | tr -d ' ')" = 3 ] && return 0
		i=$((i + 1))
	done
	return 1
}

# Wrappers that run each tool under qemu-user, for badinput.sh's TK_BIN: the
# static tools, and the multi-call binary through its links (argv[0] is the
# link, so it picks the tool).
mkdir -p "$D/static" "$D/multi"
for t in $TOOLS; do
	for kind in static multi; do
		case $kind in static) f=$A/static/$t ;; multi) f=$A/multi/links/$t ;; esac
		printf '#!/bin/sh\nexec %s %s "$@"\n' "$QEMU" "$f" >"$D/$kind/$t"
		chmod +x "$D/$kind/$t"
	done
done

for f in $(for t in $TOOLS; do echo "$A/static/$t"; done) "$A/multi/tracekit"; do
	n=${f#"$A"/}
	check "$n: an aarch64 ELF (e_machine 183, got $(machine "$f"))" [ "$(machine "$f")" = 183 ]
	check "$n: static (no PT_INTERP)" not interp "$f"
done

# The host build's output is the truth for what needs no kernel: the same
# source, compiled for the host.
HOST_BIN=${TK_BIN:-$ROOT/bin}
for t in $TOOLS; do
	for kind in static multi; do
		"$D/$kind/$t" --help >"$D/help" 2>"$D/help.err"
		rc=$?
		check "$kind $t --help: status 0" [ $rc -eq 0 ]
		if [ -x "$HOST_BIN/$t" ]; then
			"$HOST_BIN/$t" --help >"$D/help.host" 2>&1
			SHOW="$D/help $D/help.err" check "$kind $t --help: as the host's build says it" \
				cmp -s "$D/help" "$D/help.host"
		else
			SHOW=$D/help check "$kind $t --help: starts with Usage" has "$D/help" "^Usage: $t "
		fi
		"$D/$kind/$t" --version >"$D/version" 2>&1
		SHOW=$D/version check "$kind $t --version" \
			has "$D/version" "^$t \(tracekit\) [0-9]+\.[0-9]+\.[0-9]+$"
	done
done

# relay FILE LABEL: a test file's results as this file's, labelled.
relay() {
	grep -E '^(not )?ok - ' "$1" | while IFS= read -r l; do
		case $l in
		"not ok - "*) echo "not ok - $T_NAME: $2: ${l#not ok - }" ;;
		*) echo "ok - $T_NAME: $2: ${l#ok - }" ;;
		esac
	done >"$D/relay"
	cat "$D/relay"
	T_PASS=$((T_PASS + $(grep -c '^ok' "$D/relay")))
	T_FAIL=$((T_FAIL + $(grep -c '^not ok' "$D/relay")))
	grep -qE '^[a-z0-9_]+: [0-9]+ passed, [0-9]+ failed' "$1" ||
		not_ok "$2: printed no result line" "$1"
}

# Bad input through the arm64 code: badinput.sh itself, on the wrappers.
for kind in static multi; do
	TK_BIN=$D/$kind sh "$ROOT/tests/e2e/badinput.sh" >"$D/bad.$kind" 2>&1
	relay "$D/bad.$kind" "$kind"
done

# syscount's names: the asm-generic numbering on arm64 (openat is 56, read is
# 63; no open(2) at all), as the kernel's uapi header gives them.
"$D/static/syscount" -l >"$D/list" 2>&1
for nr_name in "56 openat" "63 read" "64 write" "57 close" "221 execve" "435 clone3"; do
	SHOW=$D/list check "syscount -l: $nr_name" has "$D/list" "^ *$nr_name\$"
done
SHOW=$D/list check "syscount -l: no open (arm64 has only openat)" not has "$D/list" "^ *[0-9]+ open\$"
# All of them: the table dist/gen-syscalls.sh makes from this machine's uapi
# headers (asm-generic/unistd.h with arm64's __ARCH_WANTs).
if sh "$ROOT/dist/gen-syscalls.sh" arm64 >"$D/gen" 2>"$D/gen.err"; then
	sed -n 's/^[[:space:]]*\[\([0-9]*\)\] = "\([a-z0-9_]*\)",$/\1 \2/p' "$D/gen" >"$D/hdr"
	miss=0
	while read -r nr name; do
		grep -qE "^ *$nr $name\$" "$D/list" || { echo "# missing: $nr $name"; miss=$((miss + 1)); }
	done <"$D/hdr"
	n=$(wc -l <"$D/hdr" | tr -d ' ')
	check "syscount -l: all $n syscalls of the uapi headers ($miss missing)" \
		[ "$miss" -eq 0 ] && check "syscount -l: the headers gave a table ($n > 250)" [ "$n" -gt 250 ]
else
	not_ok "dist/gen-syscalls.sh arm64" "$D/gen.err"
fi

# The unit tests, built for arm64 (dynamic: the arm64 libraries of the cross
# build are on this machine).
n=0
for t in "$U"/test_*; do
	case "$t" in *.d) continue ;; esac
	[ -x "$t" ] || continue
	n=$((n + 1))
	# (test_syms strips a copy of itself: the arm64 objcopy can.)
	OBJCOPY=aarch64-linux-gnu-objcopy "$QEMU" "$t" >"$D/unit" 2>&1
	rc=$?
	line=$(grep -E '^test_[a-z0-9_]+: [0-9]+ passed, 0 failed$' "$D/unit")
	if [ $rc -eq 0 ] && [ -n "$line" ]; then
		ok "unit: $line"
	else
		not_ok "unit: $(basename "$t") (status $rc)" "$D/unit"
	fi
done
check "unit: the arm64 unit tests ran ($n)" [ "$n" -gt 0 ]

# make btf from arm64's vmlinuz (the arm64 lane's minimised BTF): a raw
# Image, an EFI stub's "MZ" at 0 and "ARM\x64" at 56, with no ELF inside,
# only the kernel's .BTF blob. One made around this machine's own BTF, raw
# and gzip'd, gives the very BTF that make btf makes from that BTF itself.
if [ -r /sys/kernel/btf/vmlinux ]; then
	{
		printf MZ
		head -c 54 /dev/zero
		printf ARMd
		head -c 4034 /dev/zero
		cat /sys/kernel/btf/vmlinux
		head -c 4096 /dev/zero
	} >"$D/Image"
	gzip -c "$D/Image" >"$D/Image.gz"
	make -s -C "$ROOT" btf BTF_SRC=/sys/kernel/btf/vmlinux BTF_RELEASE=tk-raw \
		BTF_OUT="$D/btf" >"$D/btf.log" 2>&1
	for i in Image Image.gz; do
		make -s -C "$ROOT" btf BTF_SRC="$D/$i" BTF_RELEASE="tk-$i" BTF_OUT="$D/btf" \
			>"$D/btf.log" 2>&1
		SHOW=$D/btf.log check "make btf from an arm64 $i: the BTF make btf makes from the kernel's own" \
			cmp -s "$D/btf/tk-raw.btf" "$D/btf/tk-$i.btf"
	done
	check "make btf: the minimised BTF has the task_struct" [ -s "$D/btf/tk-raw.btf" ]
fi
finish
