#!/bin/sh
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
# The whole test suite: unit tests of common/, the end-to-end tests (real
# tools, real kernel; root), the streaming tools' again on the perf buffer,
# then the same end-to-end tests on Debian's 5.10, 6.1
# and 6.12 kernels and Debian's arm64 6.1 under qemu, every attach variant
# (tests/vm/run.sh).
# Ends with the failed tests' "not ok" lines again (so the end of a long run
# says what failed) and the line "N passed, N failed".
# Usage: tests/run.sh [unit|e2e|perfbuf|vm|FILE.sh ...]
#        (default: unit e2e perfbuf vm)
# POSIX sh and busybox-level commands only: it also runs inside a busybox guest.
ROOT=$(cd "$(dirname "$0")/.." && pwd)
export ROOT
: "${TK_BIN:=$ROOT/bin}" "${TK_HELPERS:=$ROOT/build/tests}" "${TK_UNIT:=$ROOT/build/unit}"
export TK_BIN TK_HELPERS TK_UNIT

total_pass=0
total_fail=0
log=$(mktemp /tmp/tk-run.XXXXXX)
fails=$(mktemp /tmp/tk-run-fails.XXXXXX)

# show: the log of one test program, its failures kept for the end.
show() {
	cat "$log"
	grep '^not ok' "$log" >>"$fails"
}

# fail_line LINE: a failure found here (no result, bad status), kept too.
fail_line() {
	echo "$1"
	echo "$1" >>"$fails"
}

tally() {
	# Each test program ends with "NAME: N passed, M failed".
	line=$(grep -E '^[A-Za-z0-9_.-]+: [0-9]+ passed, [0-9]+ failed' "$log" | tail -n 1)
	if [ -z "$line" ]; then
		fail_line "not ok - $1 printed no result line (crashed?)"
		total_fail=$((total_fail + 1))
		return
	fi
	p=$(echo "$line" | sed -E 's/.*: ([0-9]+) passed.*/\1/')
	f=$(echo "$line" | sed -E 's/.* ([0-9]+) failed.*/\1/')
	if [ "$2" -ne 0 ] && [ "$f" -eq 0 ]; then
		fail_line "not ok - $1 exited $2"
		f=1
	fi
	total_pass=$((total_pass + p))
	total_fail=$((total_fail + f))
}

run_unit() {
	for t in "$TK_UNIT"/test_*; do
		case "$t" in *.d) continue ;; esac
		[ -x "$t" ] || continue
		"$t" >"$log" 2>&1
		rc=$?
		show
		tally "$(basename "$t")" "$rc"
	done
}

run_e2e_file() {
	sh "$1" >"$log" 2>&1
	rc=$?
	show
	tally "$(basename "$1")" "$rc"
}

run_e2e() {
	for f in "$ROOT"/tests/e2e/*.sh; do
		case "$(basename "$f")" in lib.sh) continue ;; esac
		run_e2e_file "$f"
	done
}

# The streaming tools' files again, forced onto the perf buffer that kernels
# before 5.8 get instead of the ring buffer (auto variant only).
PERFBUF_FILES="opensnoop tcpconnect ttysnoop dnssnoop sslsniff execsnoop exitsnoop killsnoop tcpstates tcplife tcpaccept bindsnoop tcpretrans bursts runtime"
run_perfbuf() {
	export TRACEKIT_PERF_BUFFER=1 TK_VARIANTS_opensnoop=auto \
		TK_VARIANTS_tcpconnect=auto TK_VARIANTS_ttysnoop=auto \
		TK_VARIANTS_execsnoop=auto TK_VARIANTS_exitsnoop=auto
	for n in $PERFBUF_FILES; do
		run_e2e_file "$ROOT/tests/e2e/$n.sh"
	done
	unset TRACEKIT_PERF_BUFFER TK_VARIANTS_opensnoop TK_VARIANTS_tcpconnect \
		TK_VARIANTS_ttysnoop TK_VARIANTS_execsnoop TK_VARIANTS_exitsnoop
}

# The qemu lane prints its own tests' lines and ends with its own total. Its
# progress (a line per test file and kernel as each ends, where the serial
# logs are) comes on stderr meanwhile.
run_vm() {
	sh "$ROOT/tests/vm/run.sh" >"$log"
	rc=$?
	show
	line=$(grep -E '^[0-9]+ passed, [0-9]+ failed$' "$log" | tail -n 1)
	if [ -z "$line" ]; then
		fail_line "not ok - tests/vm/run.sh printed no result line"
		total_fail=$((total_fail + 1))
		return
	fi
	p=${line%% passed*}
	f=${line#*passed, }
	f=${f%% failed}
	[ "$rc" -ne 0 ] && [ "$f" -eq 0 ] && fail_line "not ok - tests/vm/run.sh exited $rc" && f=1
	total_pass=$((total_pass + p))
	total_fail=$((total_fail + f))
}

if [ $# -eq 0 ]; then
	set -- unit e2e perfbuf vm
fi
for what in "$@"; do
	case "$what" in
	unit) run_unit ;;
	e2e) run_e2e ;;
	perfbuf) run_perfbuf ;;
	vm) run_vm ;;
	*) run_e2e_file "$what" ;;
	esac
done
echo
if [ -s "$fails" ]; then
	echo "# Failed ($(grep -c . "$fails") lines):"
	sed 's/^/#   /' "$fails"
fi
rm -f "$log" "$fails"
echo "$total_pass passed, $total_fail failed"
[ "$total_fail" -eq 0 ]
