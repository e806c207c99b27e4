#!/bin/sh
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
# Benchmark of the process tools: added ns per event for execsnoop (per
# fork+exec+wait of a small static program), exitsnoop (per fork+exit+wait)
# killsnoop (per kill(getpid(), 0)) and bindsnoop (per socket()+bind()+close()
# of a UDP socket on 127.0.0.1, port 0; bindloop.c), against no tracer and against the
# floor (empty programs on the same hooks, for the variant the tool picks
# here), in one run. Each round measures a baseline, then each configuration
# between two baselines; "added" is traced minus the mean of the baselines
# around it, medians over the rounds (as biolatency.sh). A fork costs
# hundreds of microseconds here, so the wall-clock figure of execsnoop and
# exitsnoop is noisy; the second figure is the kernel's own count of the
# time spent in the tool's programs (kernel.bpf_stats_enabled, on only for
# that pass) per event of the hook, every process's on the machine.
# offcputime (per context switch of switchloop: two processes passing a byte
# through pipes on one CPU) is measured the same way, against empty
# programs on sched_switch; -p OTHER is the tool filtering every switch out.
# Run as root from anywhere: sh tests/bench/procsnoop.sh [TOOL...]
# Knobs (environment): ROUNDS (5), EXEC_N (2000 forks per measurement),
# KILL_N (200000 kill calls), BIND_N (50000 binds), SWITCH_N (200000 round
# trips), STATS (1: also the bpf_stats pass).
set -u

ROOT=$(cd "$(dirname "$0")/../.." && pwd)
cd "$ROOT" || exit 1
B=build/bench/proc
CC=${CC:-cc}
CLANG=${CLANG:-clang}
BPFTOOL=${BPFTOOL:-bpftool}
ROUNDS=${ROUNDS:-5}
EXEC_N=${EXEC_N:-2000}
KILL_N=${KILL_N:-200000}
BIND_N=${BIND_N:-50000}
# Where the floor's cgroup programs go: where bindsnoop's do, the cgroup2 root.
TK_CGROUP2=$(awk '$3 == "cgroup2" { print $2; exit }' /proc/mounts)
export TK_CGROUP2
SWITCH_N=${SWITCH_N:-200000}
STATS=${STATS:-1}
STATS_SYSCTL=/proc/sys/kernel/bpf_stats_enabled
STATS_WAS=
TOOLS=${*:-execsnoop exitsnoop killsnoop bindsnoop}

log() { echo "bench: $*" >&2; }
die() { log "$*"; exit 1; }

[ "$(id -u)" = 0 ] || die "needs root (BPF)"
for t in $TOOLS; do
	case $t in execsnoop | exitsnoop | killsnoop | bindsnoop | offcputime) ;; *) die "no benchmark for $t" ;; esac
	if [ ! -x bin/$t ] || [ ! -x build/tests/tk_proc ]; then
		log "building bin/$t and build/tests/tk_proc"
		make -s bin/$t build/tests/tk_proc >&2 || die "build failed"
	fi
done
mkdir -p $B
MULTIARCH=$($CC -print-multiarch 2>/dev/null)
$CLANG -g -O2 -target bpf -D__TARGET_ARCH_x86 -Wall -Ivmlinux/x86 -Ibpf \
	-I/usr/include/$MULTIARCH -c tests/bench/procfloor.bpf.c -o $B/procfloor.bpf.o &&
	$BPFTOOL gen skeleton $B/procfloor.bpf.o name procfloor_bpf > $B/procfloor.skel.h &&
	$CC -O2 -g -Wall -I$B tests/bench/procfloor.c -lbpf -lelf -lz -o $B/procfloor &&
	$CC -O2 -g -Wall tests/bench/bindloop.c -o $B/bindloop &&
	$CC -O2 -g -Wall tests/bench/switchloop.c -o $B/switchloop ||
	die "building the floor failed"

T=$(mktemp -d /tmp/tkbench-proc.XXXXXX) || die "mktemp failed"
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

# ns per event of TOOL's workload, pinned to the last CPU.
CPU=$(($(nproc) - 1))
work() {
	case $1 in
	execsnoop) _n=$EXEC_N; set -- -n "$EXEC_N" exec build/tests/tk_proc tkbench ;;
	exitsnoop) _n=$EXEC_N; set -- -n "$EXEC_N" exit 0 ;;
	killsnoop) _n=$KILL_N; set -- -n "$KILL_N" kill0 ;;
	bindsnoop) _n=$BIND_N ;;
	offcputime) $B/switchloop "$SWITCH_N" $CPU; return ;;
	esac
	_t0=$(date +%s%N)
	if [ "$1" = bindsnoop ]; then
		taskset -c $CPU $B/bindloop "$BIND_N"
	else
		taskset -c $CPU build/tests/tk_proc "$@" >/dev/null
	fi
	_t1=$(date +%s%N)
	echo $(((_t1 - _t0) / _n))
}

# prog_stats PATTERN: "RUN_TIME_NS RUNS": the total run time of the programs
# the tracer holds, and how often those named PATTERN ran (the divisor).
prog_stats() {
	for _id in $(cat /proc/$TPID/fdinfo/* 2>/dev/null | awk '/^prog_id:/ { print $2 }' | sort -u); do
		$BPFTOOL prog show id "$_id" 2>/dev/null
	done | awk -v pat="$1" '{ for (i = 1; i < NF; i++) {
			if ($i == "name") name = $(i + 1)
			if ($i == "run_time_ns") s += $(i + 1)
			if ($i == "run_cnt" && name ~ pat) n += $(i + 1) } }
		END { print s + 0, n + 0 }'
}

row() { printf '%-48s %22s %9s\n' "$1" "$2" "$3"; }
READY='Ctrl-C to end'

for TOOL in $TOOLS; do
	VARIANT=$(timeout 10 bin/$TOOL -v -d 0.5 2>&1 >/dev/null |
		sed -n 's/.*attach: using \([^ ]*\).*/\1/p' | head -1)
	case $TOOL.$VARIANT in
	execsnoop.tp_btf) FLOOR="floor_exec_btf" ;;
	execsnoop.raw_tp) FLOOR="floor_exec_raw" ;;
	execsnoop.tracepoint) FLOOR="floor_exec_tp" ;;
	exitsnoop.tp_btf) FLOOR="floor_exit_btf" ;;
	exitsnoop.raw_tp) FLOOR="floor_exit_raw" ;;
	exitsnoop.tracepoint) FLOOR="floor_exit_tp" ;;
	killsnoop.tracepoint) FLOOR="floor_kill_enter floor_kill_exit" ;;
	bindsnoop.cgroup) FLOOR="floor_bind_enter floor_bind_exit floor_bind4 floor_bind6" ;;
	bindsnoop.tracepoint) FLOOR="floor_bind_enter floor_bind_exit" ;;
	offcputime.tp_btf) FLOOR="floor_switch_btf" ;;
	offcputime.raw_tp) FLOOR="floor_switch_raw" ;;
	*) die "$TOOL cannot attach here" ;;
	esac
	case $TOOL in
	execsnoop) CFGS="floor t t_x t_j"; PAT='^exec_'; UNIT=exec ;;
	exitsnoop) CFGS="floor t t_T t_j"; PAT='^exit_'; UNIT="fork+exit" ;;
	killsnoop) CFGS="floor t t_j"; PAT='^kill_exit$'; UNIT="kill()" ;;
	bindsnoop) CFGS="floor t t_j"; PAT='^bind_exit$'; UNIT="bind()" ;;
	offcputime) CFGS="floor t t_p"; PAT='^sched_switch'; UNIT=switch ;;
	esac
	start() {
		case $1 in
		floor) tracer_start $T/err.$1 ready $B/procfloor $FLOOR ;;
		t) tracer_start $T/err.$1 "$READY" bin/$TOOL -v ;;
		t_x) tracer_start $T/err.$1 "$READY" bin/$TOOL -x -v ;;
		t_T) tracer_start $T/err.$1 "$READY" bin/$TOOL -T -v ;;
		t_j) tracer_start $T/err.$1 "$READY" bin/$TOOL -j -v ;;
		t_p) tracer_start $T/err.$1 "$READY" bin/$TOOL -p 1 -v ;;
		esac
	}
	rm -f $T/base $T/floor $T/t $T/t_x $T/t_T $T/t_j $T/t_p $T/stats.*
	log "$TOOL, variant $VARIANT: $ROUNDS rounds x {baseline, $CFGS}"
	for r in $(seq "$ROUNDS"); do
		prev=$(work $TOOL)
		echo "$prev" >> $T/base
		for c in $CFGS; do
			start $c || die "could not start $c"
			t=$(work $TOOL)
			tracer_stop
			next=$(work $TOOL)
			echo "$next" >> $T/base
			echo "$prev $t $next" >> $T/$c
			prev=$next
		done
		log "  round $r: baseline $prev ns per $UNIT"
	done
	if [ "$STATS" = 1 ] && [ -w $STATS_SYSCTL ]; then
		STATS_WAS=$(cat $STATS_SYSCTL)
		echo 1 > $STATS_SYSCTL
		for c in $CFGS; do
			[ $c = floor ] && continue
			start $c || die "could not start $c"
			s0=$(prog_stats "$PAT")
			work $TOOL > /dev/null
			s1=$(prog_stats "$PAT")
			tracer_stop
			echo "$s0 $s1" | awk '{ if ($4 > $2) printf "%.0f (%d runs)\n", ($3 - $1) / ($4 - $2), $4 - $2; else print "-" }' > $T/stats.$c
		done
		echo "$STATS_WAS" > $STATS_SYSCTL
		STATS_WAS=
	fi

	F=$(added $T/floor)
	echo
	echo "$TOOL benchmark  $(date -u '+%Y-%m-%d %H:%M UTC')  kernel $(uname -r)  $(nproc) CPUs"
	echo "variant: $VARIANT; medians of $ROUNDS rounds; added = traced - mean(baseline before, baseline after)"
	echo
	row "MEASURE (ns per $UNIT)" "VALUE [min..max]" "vs FLOOR"
	row "baseline (no tracer)" "$(median < $T/base)" ""
	row "floor: empty programs ($FLOOR)" "$(plus "$F") [$(added_range $T/floor)]" "1.0x"
	for c in $CFGS; do
		[ $c = floor ] && continue
		case $c in
		t) name="$TOOL" ;;
		t_x) name="$TOOL -x (+ execve(at) syscall hooks)" ;;
		t_T) name="$TOOL -T (every thread)" ;;
		t_j) name="$TOOL -j" ;;
		t_p) name="$TOOL -p 1 (every switch filtered out)" ;;
		esac
		v=$(added $T/$c)
		row "$name" "$(plus "$v") [$(added_range $T/$c)]" "$(ratio "$v" "$F")"
	done
	if [ -f $T/stats.t ]; then
		echo "-- time in $TOOL's BPF programs per run of its main hook (kernel bpf_stats)"
		for c in $CFGS; do
			[ -f $T/stats.$c ] && row "$TOOL$(case $c in t_x) echo ' -x';; t_T) echo ' -T';; t_j) echo ' -j';; t_p) echo ' -p 1';; esac)" "$(cat $T/stats.$c)" ""
		done
	fi
done
