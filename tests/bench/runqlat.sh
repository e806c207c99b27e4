#!/bin/sh
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
# runqlat benchmark: what it adds per context switch. The workload is
# tk_runq's pipe ping-pong between two threads (no spinning): each round is
# two wakeups and about two context switches, as its own counters say. Each
# round of the benchmark measures the ping-pong's ns per round with nothing
# attached, then with each configuration between two baselines; "added" is
# traced minus the mean of the baselines around it, divided by the workload's
# context switches per round; medians over the rounds. The floor is empty
# programs on the same three hooks (tests/bench/floor.c sched|btf-sched, for
# the variant runqlat picks here).
# Run as root from anywhere: sh tests/bench/runqlat.sh
# The wall clock of a ping-pong is noisy on a shared machine; the second,
# load-independent figure is the kernel's own accounting of the programs
# (kernel.bpf_stats_enabled, on only for that pass, then restored): their
# run time over the whole system, divided by the context switches their
# sched_switch program saw. It leaves out the tracepoints' dispatch (the
# floor's wall-clock figure is mostly that).
# Knobs (environment): ROUNDS (5), PP_N (200000 ping-pong rounds per run).
set -u

ROOT=$(cd "$(dirname "$0")/../.." && pwd)
cd "$ROOT" || exit 1
B=build/bench
CC=${CC:-cc}
CLANG=${CLANG:-clang}
BPFTOOL=${BPFTOOL:-bpftool}
ROUNDS=${ROUNDS:-5}
PP_N=${PP_N:-200000}

log() { echo "bench: $*" >&2; }
die() { log "$*"; exit 1; }

[ "$(id -u)" = 0 ] || die "needs root (BPF, cgroups)"
if [ ! -x bin/runqlat ] || [ ! -x build/tests/tk_runq ]; then
	make -s bin/runqlat build/tests/tk_runq >&2 || die "build failed"
fi
mkdir -p $B
MULTIARCH=$($CC -print-multiarch 2>/dev/null)
$CLANG -g -O2 -target bpf -D__TARGET_ARCH_x86 -Wall -Ivmlinux/x86 -Ibpf \
	-I/usr/include/$MULTIARCH -c tests/bench/floor.bpf.c -o $B/floor.bpf.o &&
	$BPFTOOL gen skeleton $B/floor.bpf.o name floor_bpf > $B/floor.skel.h &&
	$CC -O2 -g -Wall -I$B tests/bench/floor.c -lbpf -lelf -lz -o $B/floor ||
	die "building the floor failed"

T=$(mktemp -d /tmp/tkbench-rq.XXXXXX) || die "mktemp failed"
CG=/sys/fs/cgroup/unified/tkbench-runqlat-$$
TPID=
STATS_SYSCTL=/proc/sys/kernel/bpf_stats_enabled
STATS_WAS=
cleanup() {
	trap - EXIT INT TERM
	[ -n "$TPID" ] && kill -INT "$TPID" 2>/dev/null
	[ -n "$STATS_WAS" ] && echo "$STATS_WAS" > $STATS_SYSCTL
	wait 2>/dev/null
	rmdir "$CG" 2>/dev/null
	rm -rf "$T"
}
trap cleanup EXIT
trap 'log interrupted; exit 130' INT TERM
mkdir "$CG" || die "cannot make $CG"

# start CMD...: CMD in the background, stdout to /dev/null, until it is ready.
start() {
	"$@" >/dev/null 2>"$T/err" &
	TPID=$!
	_i=0
	until grep -q 'Ctrl-C to end\|ready' "$T/err" 2>/dev/null; do
		_i=$((_i + 1))
		[ $_i -gt 600 ] || kill -0 "$TPID" 2>/dev/null || { cat "$T/err" >&2; return 1; }
		[ $_i -gt 600 ] && return 1
		sleep 0.05
	done
	sleep 0.2
}
stop() { kill -INT "$TPID" 2>/dev/null; wait "$TPID" 2>/dev/null; TPID=; }
# pp: one ping-pong run in the cgroup: "NS_PER_ROUND SWITCHES_PER_ROUND".
pp() {
	sh -c 'echo $$ >"$1/cgroup.procs" && exec build/tests/tk_runq "$2" 0' sh "$CG" "$PP_N" |
		awk -v n="$PP_N" '/^ns_per_round/ { t = $2 } /^switches/ { s = $2 / n }
			END { printf "%s %.3f\n", t, s }'
}
median() {
	sort -g | awk '{ a[NR] = $1 } END {
		if (!NR) print "nan"; else if (NR % 2) print a[(NR + 1) / 2];
		else print (a[NR / 2] + a[NR / 2 + 1]) / 2 }'
}

VARIANT=$(timeout 10 bin/runqlat -v -d 0.3 2>&1 >/dev/null | sed -n 's/.*attach: using //p' | head -1)
case $VARIANT in
tp_btf) FLOOR=btf-sched ;;
raw_tp) FLOOR=sched ;;
*) die "runqlat cannot attach here" ;;
esac
CFGS="floor rq rq_P rq_cg"
run() {
	case $1 in
	floor) start $B/floor $FLOOR ;;
	rq) start bin/runqlat ;;
	rq_P) start bin/runqlat -P ;;
	rq_cg) start bin/runqlat --cgroup "$CG" ;;
	esac
}

log "variant $VARIANT: $ROUNDS rounds of $PP_N ping-pong rounds x {baseline, $CFGS}"
for r in $(seq "$ROUNDS"); do
	prev=$(pp)
	for c in $CFGS; do
		run $c || die "could not start $c"
		t=$(pp)
		stop
		next=$(pp)
		# added ns per context switch: (traced - mean of baselines) / switches per round
		echo "$prev $t $next" | awk '{ printf "%.1f\n", ($3 - ($1 + $5) / 2) / $4 }' >> $T/$c
		prev=$next
	done
	echo "$prev" | cut -d' ' -f1 >> $T/base
	log "  round $r: baseline $(echo "$prev" | cut -d' ' -f1) ns per round, $(echo "$prev" | cut -d' ' -f2) switches per round"
done

# stats: "RUN_TIME_NS SWITCHES" of the programs the tracer holds now.
stats() {
	for _id in $(cat /proc/$TPID/fdinfo/* 2>/dev/null | awk '/^prog_id:/ { print $2 }' | sort -u); do
		$BPFTOOL prog show id "$_id" 2>/dev/null
	done | awk '{ for (i = 1; i < NF; i++) {
			if ($i == "name") name = $(i + 1)
			if ($i == "run_time_ns") t += $(i + 1)
			if ($i == "run_cnt" && name ~ /switch/) n += $(i + 1) } }
		END { print t + 0, n + 0 }'
}
if [ -w $STATS_SYSCTL ]; then
	STATS_WAS=$(cat $STATS_SYSCTL)
	echo 1 > $STATS_SYSCTL
	log "bpf_stats pass: one ping-pong run per configuration"
	for c in $CFGS; do
		run $c || die "could not start $c"
		a=$(stats)
		pp > /dev/null
		b=$(stats)
		stop
		echo "$a $b" | awk '{ n = $4 - $2; printf "%.0f\n", (n > 0 ? ($3 - $1) / n : 0) }' > $T/stats.$c
	done
	echo "$STATS_WAS" > $STATS_SYSCTL
	STATS_WAS=
fi

row() { printf '%-46s %10s %9s\n' "$1" "$2" "$3"; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b + 0 <= 0) print "-"; else printf "%.1fx", a / b }'; }
F=$(median < $T/floor)
echo
echo "runqlat benchmark  $(date -u '+%Y-%m-%d %H:%M UTC')  kernel $(uname -r)  $(nproc) CPUs"
echo "variant: $VARIANT; a two-thread pipe ping-pong of $PP_N rounds per measurement; medians of $ROUNDS rounds"
echo
row "MEASURE (added ns per context switch)" "VALUE" "vs FLOOR"
row "baseline: ns per ping-pong round" "$(median < $T/base)" ""
row "floor: empty programs on the three hooks" "$F" "1.0x"
row "runqlat" "$(median < $T/rq)" "$(ratio "$(median < $T/rq)" "$F")"
row "runqlat -P" "$(median < $T/rq_P)" "$(ratio "$(median < $T/rq_P)" "$F")"
row "runqlat --cgroup (the workload's)" "$(median < $T/rq_cg)" "$(ratio "$(median < $T/rq_cg)" "$F")"
if [ -f $T/stats.rq ]; then
	echo "-- ns in the programs per context switch on the system (kernel bpf_stats, one run each)"
	row "floor" "$(cat $T/stats.floor)" ""
	row "runqlat" "$(cat $T/stats.rq)" ""
	row "runqlat -P" "$(cat $T/stats.rq_P)" ""
	row "runqlat --cgroup" "$(cat $T/stats.rq_cg)" ""
fi
