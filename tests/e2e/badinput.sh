#!/bin/sh
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
# Bad input: one line naming the problem, "Try 'X --help'.", status 2, and
# nothing loaded (so these run without root).
. "$(dirname "$0")/lib.sh"
D=$T_DIR

bad() { bad_input "$@"; }

for t in opensnoop syscount; do
	bad $t "$t: invalid PID '12abc'" -p 12abc
	bad $t "$t: PID '0' is out of range (1 to 2147483647)" -p 0
	bad $t "$t: invalid PID ' 12'" -p ' 12'
	bad $t "$t: invalid TID 'x'" -t x
	bad $t "$t: option '-p' needs an argument" -p
	bad $t "$t: invalid option '--no-such-option'" --no-such-option
	bad $t "$t: invalid option '-Z'" -Z
	bad $t "$t: invalid duration 'soon'" -d soon
	bad $t "$t: duration '0' is out of range (0.001 to 31536000 seconds)" -d 0
	bad $t "$t: unexpected argument 'extra'" extra
	bad $t "$t: invalid attach variant 'nope' (choose from: auto, $(case $t in opensnoop) echo tracepoint, tracepoint-enter ;; syscount) echo tp_btf, raw_tp ;; esac))" --attach=nope
	bad $t "$t: cannot read BTF file '/nonexistent': No such file or directory" --btf /nonexistent
	"$TK_BIN/$t" --help >"$D/out" 2>"$D/err"
	rc=$?
	check "$t --help: usage on stdout, status 0" [ $rc -eq 0 ]
	check "$t --help: starts with Usage" has "$D/out" "^Usage: $t"
	"$TK_BIN/$t" --version >"$D/out"
	check "$t --version" has "$D/out" "^$t \(tracekit\) [0-9]+\.[0-9]+\.[0-9]+$"
done

bad opensnoop "opensnoop: invalid UID 'bob'" -u bob
bad opensnoop "opensnoop: COMM 'averyveryverylongname' is longer than 15 characters (the kernel keeps 15)" -n averyveryverylongname
bad opensnoop "opensnoop: invalid FLAG 'O_BOGUS' (O_RDONLY, O_WRONLY, O_CREAT, ...)" -f O_BOGUS
bad opensnoop "opensnoop: invalid cgroup '/tmp': not a cgroup2 directory" --cgroup /tmp
bad opensnoop "opensnoop: invalid cgroup '/nonexistent': No such file or directory" --cgroup /nonexistent
bad opensnoop "opensnoop: option '--cgroup' needs an argument" --cgroup
bad syscount "syscount: invalid ERRNO 'EBOGUS'" -e EBOGUS
bad syscount "syscount: invalid TOP 'ten'" -T ten
bad syscount "syscount: interval '0' is out of range (0.001 to 31536000 seconds)" -i 0
bad syscount "syscount: -m needs -L (there is no time to show otherwise)" -m
bad syscount "syscount: invalid cgroup '/tmp': not a cgroup2 directory" -c /tmp

# Every tool the Makefile builds (the qemu guest has the Makefile too).
ALL=$(sed -n 's/^TOOLS := //p' "$ROOT/Makefile")
check "the Makefile names the tools" [ -n "$ALL" ]

# The same shared option, the same words and spellings, in every tool.
for t in $ALL; do
	bad $t "$t: option '--json' takes no argument" --json=1
	bad $t "$t: option '--verbose' takes no argument" --verbose=yes
	# Decimal only: strtod would take a hex float, an exponent or "inf".
	d=--duration
	bad $t "$t: invalid duration '0x1p3'" $d 0x1p3
	bad $t "$t: invalid duration '1e3'" $d 1e3
	# What the user typed is quoted escaped: it cannot steer the terminal.
	bad $t "$t: invalid duration '1\\x1b[2J'" $d "$(printf '1\033[2J')"
	bad $t "$t: invalid option '--bogus\\x07'" "$(printf -- '--bogus\007')"
	# --btf: a FIFO would hang open(); a directory or garbage is named as such.
	rm -f "$D/fifo"
	mkfifo "$D/fifo"
	bad $t "$t: BTF file '$D/fifo' is not a regular file" --btf "$D/fifo"
	bad $t "$t: BTF file '/' is not a regular file" --btf /
	printf 'garbage, not BTF\n' >"$D/garbage"
	bad $t "$t: BTF file '$D/garbage' is neither BTF nor an ELF file" --btf "$D/garbage"
done
# --name and --comm are one option everywhere (bcc's letter stays: -c in sslsniff).
for t in $ALL; do
	"$TK_BIN/$t" --help 2>/dev/null | grep -q -- '--comm' || continue
	bad $t "$t: COMM 'averyveryverylongname' is longer than 15 characters (the kernel keeps 15)" --comm averyveryverylongname
	bad $t "$t: COMM 'averyveryverylongname' is longer than 15 characters (the kernel keeps 15)" --name averyveryverylongname
done
bad sslsniff "sslsniff: COMM 'averyveryverylongname' is longer than 15 characters (the kernel keeps 15)" -c averyveryverylongname
bad sslsniff "sslsniff: option '--handshake' takes no argument" --handshake=1
finish
