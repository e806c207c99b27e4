#!/bin/sh
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
# tcpconnect benchmark: added ns per connect() on loopback, against the floor
# (empty programs on the same hooks as the variant tcpconnect picks here), in
# one run. tcpstates and tcplife, on the sock:inet_sock_set_state tracepoint
# that every connect and close goes through several times (both ends), are
# measured in the same rounds against the empty program on that tracepoint;
# tcpaccept (each connect here is accepted once) against empty programs on
# the hooks of the variant it picks. Each round measures a baseline (nothing attached), then each
# configuration between two baselines; "added" is traced minus the mean of
# the baselines just before and after, and the figures are medians of the
# rounds, so drift of the machine cancels out.
# Run as root from anywhere: sh tests/bench/tcpconnect.sh
# A second, load-independent figure: the kernel's own count of the time spent
# in tcpconnect's programs (kernel.bpf_stats_enabled, switched on only for
# that pass and restored), divided by the connects made. Wall-clock figures
# on a busy machine are noise; this one is not, but it leaves out the hook's
# own dispatch cost (the floor) and the reader's work on another CPU.
# Knobs (environment): ROUNDS (5), CONN_N (20000 connects per measurement),
# ADDR (127.0.0.1; ::1 for IPv6), STATS (1: also the bpf_stats pass).
set -u

ROOT=$(cd "$(dirname "$0")/../.." && pwd)
cd "$ROOT" || exit 1
B=build/bench/tcpconnect
CC=${CC:-cc}
CLANG=${CLANG:-clang}
BPFTOOL=${BPFTOOL:-bpftool}
ROUNDS=${ROUNDS:-5}
CONN_N=${CONN_N:-20000}
ADDR=${ADDR:-127.0.0.1}
STATS=${STATS:-1}
STATS_SYSCTL=/proc/sys/kernel/bpf_stats_enabled
STATS_WAS=

log() { echo "bench: $*" >&2; }
die() { log "$*"; exit 1; }

[ "$(id -u)" = 0 ] || die "needs root (BPF)"
if [ ! -x bin/tcpconnect ] || [ ! -x bin/tcpstates ] || [ ! -x bin/tcplife ] ||
   [ ! -x bin/tcpaccept ]; then
	log "building bin/tcpconnect bin/tcpstates bin/tcplife bin/tcpaccept"
	make -s bin/tcpconnect bin/tcpstates bin/tcplife bin/tcpaccept >&2 || die "build failed"
fi
mkdir -p $B
MULTIARCH=$($CC -print-multiarch 2>/dev/null)
log "building the helpers in $B"
$CLANG -g -O2 -target bpf -D__TARGET_ARCH_x86 -Wall -Ivmlinux/x86 -Ibpf \
	-I/usr/include/$MULTIARCH -c tests/bench/tcpfloor.bpf.c -o $B/tcpfloor.bpf.o &&
	$BPFTOOL gen skeleton $B/tcpfloor.bpf.o name tcpfloor_bpf > $B/tcpfloor.skel.h &&
	$CC -O2 -g -Wall -I$B tests/bench/tcpfloor.c -lbpf -lelf -lz -o $B/tcpfloor &&
	$CC -O2 -g -Wall tests/bench/connloop.c -o $B/connloop ||
	die "building the helpers failed"

T=$(mktemp -d /tmp/tkbench-tc.XXXXXX) || die "mktemp failed"
TPID=
IDLE_PID=
cleanup() {
	trap - EXIT INT TERM
	[ -n "$TPID" ] && kill -INT "$TPID" 2>/dev/null
	[ -n "$IDLE_PID" ] && kill "$IDLE_PID" 2>/dev/null
	[ -n "$STATS_WAS" ] && echo "$STATS_WAS" > $STATS_SYSCTL
	wait 2>/dev/null
	rm -rf "$T"
}
trap cleanup EXIT
trap 'log interrupted; exit 130' INT TERM

# tracer_start ERR READY_PATTERN CMD...: start CMD with stdout to /dev/null
# and wait until its stderr says it is attached.
tracer_start() {
	_err=$1 _ready=$2
	shift 2
	"$@" >/dev/null 2>"$_err" &
	TPID=$!
	_i=0
	until grep -q "$_ready" "$_err" 2>/dev/null; do
		_i=$((_i + 1))
		if [ $_i -gt 600 ] || ! kill -0 "$TPID" 2>/dev/null; then
			sed 's/^/  | /' "$_err" >&2
			return 1
		fi
		sleep 0.05
	done
	sleep 0.2
}

tracer_stop() {
	kill -INT "$TPID" 2>/dev/null
	wait "$TPID" 2>/dev/null
	TPID=
}

median() {
	sort -g | awk '{ a[NR] = $1 } END {
		if (!NR) print "nan"; else if (NR % 2) print a[(NR + 1) / 2];
		else print (a[NR / 2] + a[NR / 2 + 1]) / 2 }'
}
added() { awk '{ printf "%.1f\n", $2 - ($1 + $3) / 2 }' "$1" | median; }
added_range() { awk '{ v = $2 - ($1 + $3) / 2; if (NR == 1 || v < lo) lo = v; if (NR == 1 || v > hi) hi = v }
	END { if (NR) printf "%.0f..%.0f", lo, hi }' "$1"; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b + 0 <= 0 || a == "nan") print "-"; else printf "%.1fx", a / b }'; }

VARIANT=$(timeout 10 bin/tcpconnect -v -d 0.5 2>&1 >/dev/null | sed -n 's/.*attach: using //p' | head -1)
[ -n "$VARIANT" ] || die "tcpconnect cannot attach here"
TA_VARIANT=$(timeout 10 bin/tcpaccept -v -d 0.5 2>&1 >/dev/null | sed -n 's/.*attach: using //p' | head -1)
[ -n "$TA_VARIANT" ] || die "tcpaccept cannot attach here"
# A process that never connects: the target of the filtered-out run.
sleep 100000 &
IDLE_PID=$!

READY='Ctrl-C to end'
CFGS="floor tc tc_p tc_c tc_L floor_L floor_tp ts tl tl_p floor_ta ta ta_p"
start() {
	case $1 in
	floor) tracer_start $T/err.$1 ready $B/tcpfloor "$VARIANT" ;;
	floor_L)
		# -L adds a hook only to the tracepoint variant.
		if [ "$VARIANT" = tracepoint ]; then
			tracer_start $T/err.$1 ready $B/tcpfloor tracepoint-L
		else
			tracer_start $T/err.$1 ready $B/tcpfloor "$VARIANT"
		fi ;;
	tc) tracer_start $T/err.$1 "$READY" bin/tcpconnect -v ;;
	tc_p) tracer_start $T/err.$1 "$READY" bin/tcpconnect -v -p "$IDLE_PID" ;;
	tc_c) tracer_start $T/err.$1 "$READY" bin/tcpconnect -v -c ;;
	tc_L) tracer_start $T/err.$1 "$READY" bin/tcpconnect -v -L ;;
	floor_tp) tracer_start $T/err.$1 ready $B/tcpfloor tracepoint ;;
	ts) tracer_start $T/err.$1 "$READY" bin/tcpstates -v ;;
	tl) tracer_start $T/err.$1 "$READY" bin/tcplife -v ;;
	tl_p) tracer_start $T/err.$1 "$READY" bin/tcplife -v -p "$IDLE_PID" ;;
	floor_ta) tracer_start $T/err.$1 ready $B/tcpfloor "accept-$TA_VARIANT" ;;
	ta) tracer_start $T/err.$1 "$READY" bin/tcpaccept -v ;;
	ta_p) tracer_start $T/err.$1 "$READY" bin/tcpaccept -v -p "$IDLE_PID" ;;
	esac
}
connloop() { $B/connloop "$CONN_N" "$ADDR"; }

log "variant $VARIANT: $ROUNDS rounds of $CONN_N connects to $ADDR x {baseline, $CFGS}"
for r in $(seq "$ROUNDS"); do
	prev=$(connloop) || die "connloop failed"
	echo "$prev" >> $T/base
	for c in $CFGS; do
		start $c || die "could not start $c"
		t=$(connloop) || die "connloop failed"
		tracer_stop
		next=$(connloop) || die "connloop failed"
		echo "$next" >> $T/base
		echo "$prev $t $next" >> $T/$c
		prev=$next
	done
	log "  round $r: baseline $prev ns/connect"
done

# prog_ns: total run_time_ns of the BPF programs the tracer holds open.
prog_ns() {
	for _id in $(cat /proc/$TPID/fdinfo/* 2>/dev/null | awk '/^prog_id:/ { print $2 }' | sort -u); do
		$BPFTOOL prog show id "$_id" 2>/dev/null
	done | awk '{ for (i = 1; i < NF; i++) if ($i == "run_time_ns") s += $(i + 1) } END { print s + 0 }'
}

if [ "$STATS" = 1 ] && [ -w $STATS_SYSCTL ]; then
	STATS_WAS=$(cat $STATS_SYSCTL)
	echo 1 > $STATS_SYSCTL
	log "bpf_stats pass: one run of $CONN_N connects per configuration"
	for c in tc tc_p tc_c tc_L ts tl tl_p ta ta_p; do
		start $c || die "could not start $c"
		n0=$(prog_ns)
		$B/connloop "$CONN_N" "$ADDR" 0 > /dev/null || die "connloop failed"
		n1=$(prog_ns)
		tracer_stop
		awk -v a="$n0" -v b="$n1" -v n="$CONN_N" 'BEGIN { printf "%.0f\n", (b - a) / n }' > $T/stats.$c
	done
	echo "$STATS_WAS" > $STATS_SYSCTL
	STATS_WAS=
fi

row() { printf '%-44s %20s %9s\n' "$1" "$2" "$3"; }
FLOOR=$(added $T/floor)
FLOOR_L=$(added $T/floor_L)
echo
echo "tcpconnect benchmark  $(date -u '+%Y-%m-%d %H:%M UTC')  kernel $(uname -r)  $(nproc) CPUs"
echo "variant: $VARIANT (tcpaccept: $TA_VARIANT); $CONN_N connects to $ADDR per measurement; medians of $ROUNDS rounds"
echo "added = traced - mean(baseline before, baseline after); [min..max] over rounds"
echo
row "MEASURE (ns per connect)" "VALUE" "vs FLOOR"
row "baseline (no tracer)" "$(median < $T/base)" ""
row "floor: empty programs, same hooks" "+$FLOOR [$(added_range $T/floor)]" "1.0x"
for c in tc tc_p tc_c tc_L; do
	case $c in
	tc) name="tcpconnect (text to /dev/null)"; f=$FLOOR ;;
	tc_p) name="tcpconnect -p OTHER (filtered in kernel)"; f=$FLOOR ;;
	tc_c) name="tcpconnect -c (counted in kernel)"; f=$FLOOR ;;
	tc_L) name="tcpconnect -L"; f=$FLOOR_L ;;
	esac
	v=$(added $T/$c)
	row "$name" "+$v [$(added_range $T/$c)]" "$(ratio "$v" "$f")"
done
row "floor for -L (adds tcp_retransmit_skb)" "+$FLOOR_L [$(added_range $T/floor_L)]" "1.0x"
FLOOR_TP=$(added $T/floor_tp)
row "floor: empty program on inet_sock_set_state" "+$FLOOR_TP [$(added_range $T/floor_tp)]" "1.0x"
for c in ts tl tl_p; do
	case $c in
	ts) name="tcpstates (text to /dev/null)" ;;
	tl) name="tcplife (text to /dev/null)" ;;
	tl_p) name="tcplife -p OTHER (filtered in kernel)" ;;
	esac
	v=$(added $T/$c)
	row "$name" "+$v [$(added_range $T/$c)]" "$(ratio "$v" "$FLOOR_TP")"
done
FLOOR_TA=$(added $T/floor_ta)
row "floor: empty programs, tcpaccept's hooks" "+$FLOOR_TA [$(added_range $T/floor_ta)]" "1.0x"
for c in ta ta_p; do
	case $c in
	ta) name="tcpaccept (text to /dev/null)" ;;
	ta_p) name="tcpaccept -p OTHER (filtered in kernel)" ;;
	esac
	v=$(added $T/$c)
	row "$name" "+$v [$(added_range $T/$c)]" "$(ratio "$v" "$FLOOR_TA")"
done
if [ -f $T/stats.tc ]; then
	echo "-- time in tcpconnect's BPF programs per connect (kernel bpf_stats, one run each)"
	row "tcpconnect" "$(cat $T/stats.tc)" ""
	row "tcpconnect -p OTHER" "$(cat $T/stats.tc_p)" ""
	row "tcpconnect -c" "$(cat $T/stats.tc_c)" ""
	row "tcpconnect -L" "$(cat $T/stats.tc_L)" ""
	row "tcpstates" "$(cat $T/stats.ts)" ""
	row "tcplife" "$(cat $T/stats.tl)" ""
	row "tcplife -p OTHER" "$(cat $T/stats.tl_p)" ""
	row "tcpaccept" "$(cat $T/stats.ta)" ""
	row "tcpaccept -p OTHER" "$(cat $T/stats.ta_p)" ""
fi
