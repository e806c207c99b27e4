#!/bin/sh
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
# execsnoop benchmark: added ns per fork+exec+wait of a small static program,
# against no tracer and against the floor (an empty program on the
# sched_process_exec hook of the variant execsnoop picks here), in one run.
# Each round measures a baseline, then each configuration between two
# baselines; "added" is traced minus the mean of the baselines around it,
# medians over the rounds (as biolatency.sh). A fork+exec costs hundreds of
# microseconds, so the wall-clock figure is noisy; the second figure is the
# kernel's own count of time spent in execsnoop's programs
# (kernel.bpf_stats_enabled, on only for that pass) per exec.
# Run as root from anywhere: sh tests/bench/execsnoop.sh
# Knobs (environment): ROUNDS (5), EXEC_N (2000 execs per measurement),
# STATS (1: also the bpf_stats pass).
set -u

ROOT=$(cd "$(dirname "$0")/../.." && pwd)
cd "$ROOT" || exit 1
B=build/bench/proc
CC=${CC:-cc}
CLANG=${CLANG:-clang}
BPFTOOL=${BPFTOOL:-bpftool}
ROUNDS=${ROUNDS:-5}
EXEC_N=${EXEC_N:-2000}
STATS=${STATS:-1}
STATS_SYSCTL=/proc/sys/kernel/bpf_stats_enabled
STATS_WAS=

log() { echo "bench: $*" >&2; }
die() { log "$*"; exit 1; }

[ "$(id -u)" = 0 ] || die "needs root (BPF)"
if [ ! -x bin/execsnoop ] || [ ! -x build/tests/tk_proc ]; then
	log "building bin/execsnoop and build/tests/tk_proc"
	make -s bin/execsnoop build/tests/tk_proc >&2 || die "build failed"
fi
mkdir -p $B
MULTIARCH=$($CC -print-multiarch 2>/dev/null)
$CLANG -g -O2 -target bpf -D__TARGET_ARCH_x86 -Wall -Ivmlinux/x86 -Ibpf \
	-I/usr/include/$MULTIARCH -c tests/bench/procfloor.bpf.c -o $B/procfloor.bpf.o &&
	$BPFTOOL gen skeleton $B/procfloor.bpf.o name procfloor_bpf > $B/procfloor.skel.h &&
	$CC -O2 -g -Wall -I$B tests/bench/procfloor.c -lbpf -lelf -lz -o $B/procfloor ||
	die "building the floor failed"

T=$(mktemp -d /tmp/tkbench-ex.XXXXXX) || die "mktemp failed"
TPID=
cleanup() {
	trap - EXIT INT TERM
	[ -n "$TPID" ] && kill -INT "$TPID" 2>/dev/null
	[ -n "$STATS_WAS" ] && echo "$STATS_WAS" > $STATS_SYSCTL
	wait 2>/dev/null
	rm -rf "$T"
}
trap cleanup EXIT
trap 'log interrupted; exit 130' INT TERM

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
added() { awk '{ printf "%.0f\n", $2 - ($1 + $3) / 2 }' "$1" | median; }
added_range() { awk '{ v = $2 - ($1 + $3) / 2; if (NR == 1 || v < lo) lo = v; if (NR == 1 || v > hi) hi = v }
	END { if (NR) printf "%.0f..%.0f", lo, hi }' "$1"; }
plus() { awk -v v="$1" 'BEGIN { if (v == "nan") print v; else if (v + 0 >= 0) print "+" v; else print v }'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b + 0 <= 0 || a == "nan") print "-"; else printf "%.1fx", a / b }'; }

# ns per fork+exec+wait, the workload pinned to the last CPU.
CPU=$(($(nproc) - 1))
execs() {
	_t0=$(date +%s%N)
	taskset -c $CPU build/tests/tk_proc -n "$EXEC_N" exec build/tests/tk_proc tkbench >/dev/null
	_t1=$(date +%s%N)
	echo $(((_t1 - _t0) / EXEC_N))
}

VARIANT=$(timeout 10 bin/execsnoop -v -d 0.5 2>&1 >/dev/null | sed -n 's/.*attach: using //p' | head -1)
case $VARIANT in
tp_btf) FLOOR_PROG=floor_exec_btf ;;
raw_tp) FLOOR_PROG=floor_exec_raw ;;
tracepoint) FLOOR_PROG=floor_exec_tp ;;
*) die "execsnoop cannot attach here" ;;
esac

READY='Ctrl-C to end'
CFGS="floor es es_x es_j"
start() {
	case $1 in
	floor) tracer_start $T/err.$1 ready $B/procfloor $FLOOR_PROG ;;
	es) tracer_start $T/err.$1 "$READY" bin/execsnoop -v ;;
	es_x) tracer_start $T/err.$1 "$READY" bin/execsnoop -x -v ;;
	es_j) tracer_start $T/err.$1 "$READY" bin/execsnoop -j -v ;;
	esac
}

log "variant $VARIANT: $ROUNDS rounds of $EXEC_N fork+exec+wait x {baseline, $CFGS}"
for r in $(seq "$ROUNDS"); do
	prev=$(execs)
	echo "$prev" >> $T/base
	for c in $CFGS; do
		start $c || die "could not start $c"
		t=$(execs)
		tracer_stop
		next=$(execs)
		echo "$next" >> $T/base
		echo "$prev $t $next" >> $T/$c
		prev=$next
	done
	log "  round $r: baseline $prev ns/exec"
done

# prog_stats: "RUN_TIME_NS EXEC_RUNS": the total run time of the programs the
# tracer holds, and how often its sched_process_exec program ran (every exec
# on the machine, ours and others': the divisor).
prog_stats() {
	for _id in $(cat /proc/$TPID/fdinfo/* 2>/dev/null | awk '/^prog_id:/ { print $2 }' | sort -u); do
		$BPFTOOL prog show id "$_id" 2>/dev/null
	done | awk '{ for (i = 1; i < NF; i++) {
			if ($i == "name") name = $(i + 1)
			if ($i == "run_time_ns") s += $(i + 1)
			if ($i == "run_cnt" && name ~ /^exec_/) n += $(i + 1) } }
		END { print s + 0, n + 0 }'
}
if [ "$STATS" = 1 ] && [ -w $STATS_SYSCTL ]; then
	STATS_WAS=$(cat $STATS_SYSCTL)
	echo 1 > $STATS_SYSCTL
	log "bpf_stats pass: one run of $EXEC_N execs per configuration"
	for c in es es_x; do
		start $c || die "could not start $c"
		s0=$(prog_stats)
		execs > /dev/null
		s1=$(prog_stats)
		tracer_stop
		echo "$s0 $s1" | awk '{ if ($4 > $2) printf "%.0f (%d execs)\n", ($3 - $1) / ($4 - $2), $4 - $2; else print "-" }' > $T/stats.$c
	done
	echo "$STATS_WAS" > $STATS_SYSCTL
	STATS_WAS=
fi

row() { printf '%-44s %20s %9s\n' "$1" "$2" "$3"; }
FLOOR=$(added $T/floor)
echo
echo "execsnoop benchmark  $(date -u '+%Y-%m-%d %H:%M UTC')  kernel $(uname -r)  $(nproc) CPUs"
echo "variant: $VARIANT; $EXEC_N fork+exec+wait of a static program per measurement; medians of $ROUNDS rounds"
echo "added = traced - mean(baseline before, baseline after); [min..max] over rounds"
echo
row "MEASURE (ns per exec)" "VALUE" "vs FLOOR"
row "baseline (no tracer)" "$(median < $T/base)" ""
row "floor: empty program on sched_process_exec" "$(plus "$FLOOR") [$(added_range $T/floor)]" "1.0x"
for c in es es_x es_j; do
	case $c in
	es) name="execsnoop" ;;
	es_x) name="execsnoop -x (+ execve(at) syscall hooks)" ;;
	es_j) name="execsnoop -j" ;;
	esac
	v=$(added $T/$c)
	row "$name" "$(plus "$v") [$(added_range $T/$c)]" "$(ratio "$v" "$FLOOR")"
done
if [ -f $T/stats.es ]; then
	echo "-- time in execsnoop's BPF programs per exec (kernel bpf_stats, one run each)"
	row "execsnoop" "$(cat $T/stats.es)" ""
	row "execsnoop -x" "$(cat $T/stats.es_x)" ""
fi
