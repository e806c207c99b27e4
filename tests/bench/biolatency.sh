#!/bin/sh
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
# biolatency benchmark: added ns per 4 KiB O_DIRECT read on a loop device,
# against no tracer and against the floor (empty programs on the same block
# tracepoints, for the variant biolatency picks here), in one run. Each round
# measures a baseline (nothing attached), then each configuration between
# two baselines; "added" is traced minus the mean of the baselines just
# before and after, and the figures are medians of the rounds, so drift of
# the machine cancels out. biosnoop is measured here too (a record per read,
# to /dev/null): against the same floor, so its figure includes the dispatch
# of its third hook, block_getrq.
# Run as root from anywhere: sh tests/bench/biolatency.sh
# A loop device read costs some 10-30 us, so a few hundred ns added are near
# the noise of the wall clock; the second, load-independent figure is the
# kernel's own count of the time spent in biolatency's programs
# (kernel.bpf_stats_enabled, switched on only for that pass and restored),
# divided by the reads made. It leaves out the tracepoints' own dispatch cost
# (the floor).
# Knobs (environment): ROUNDS (5), IO_N (50000 reads per measurement),
# STATS (1: also the bpf_stats pass).
set -u

ROOT=$(cd "$(dirname "$0")/../.." && pwd)
cd "$ROOT" || exit 1
B=build/bench/biolatency
CC=${CC:-cc}
CLANG=${CLANG:-clang}
BPFTOOL=${BPFTOOL:-bpftool}
ROUNDS=${ROUNDS:-5}
IO_N=${IO_N:-50000}
STATS=${STATS:-1}
STATS_SYSCTL=/proc/sys/kernel/bpf_stats_enabled
STATS_WAS=

log() { echo "bench: $*" >&2; }
die() { log "$*"; exit 1; }

[ "$(id -u)" = 0 ] || die "needs root (BPF, loop devices)"
if [ ! -x bin/biolatency ] || [ ! -x bin/biosnoop ] || [ ! -x build/tests/tk_dio ]; then
	log "building bin/biolatency, bin/biosnoop and build/tests/tk_dio"
	make -s bin/biolatency bin/biosnoop build/tests/tk_dio >&2 || die "build failed"
fi
mkdir -p $B
MULTIARCH=$($CC -print-multiarch 2>/dev/null)
log "building the helpers in $B"
$CLANG -g -O2 -target bpf -D__TARGET_ARCH_x86 -Wall -Ivmlinux/x86 -Ibpf \
	-I/usr/include/$MULTIARCH -c tests/bench/biofloor.bpf.c -o $B/biofloor.bpf.o &&
	$BPFTOOL gen skeleton $B/biofloor.bpf.o name biofloor_bpf > $B/biofloor.skel.h &&
	$CC -O2 -g -Wall -I$B tests/bench/biofloor.c -lbpf -lelf -lz -o $B/biofloor ||
	die "building the helpers failed"

T=$(mktemp -d /tmp/tkbench-bl.XXXXXX) || die "mktemp failed"
TPID=
LOOPDEV=
cleanup() {
	trap - EXIT INT TERM
	[ -n "$TPID" ] && kill -INT "$TPID" 2>/dev/null
	[ -n "$STATS_WAS" ] && echo "$STATS_WAS" > $STATS_SYSCTL
	wait 2>/dev/null
	[ -n "$LOOPDEV" ] && losetup -d "$LOOPDEV"
	rm -rf "$T"
}
trap cleanup EXIT
trap 'log interrupted; exit 130' INT TERM

# A loop device over a sparse file: its reads are served from the page cache
# (holes), so the device is fast and steady and the tracer's share shows.
truncate -s 64M $T/disk
LOOPDEV=$(losetup -f --show $T/disk) || die "losetup failed"
LOOP=${LOOPDEV#/dev/}
SCHED=$(sed -n 's/.*\[\(.*\)\].*/\1/p' /sys/block/$LOOP/queue/scheduler 2>/dev/null)

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
# plus VALUE: "+12.5", or "-3.0" (noise can make an added cost negative).
plus() { awk -v v="$1" 'BEGIN { if (v == "nan") print v; else if (v + 0 >= 0) print "+" v; else print v }'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b + 0 <= 0 || a == "nan") print "-"; else printf "%.1fx", a / b }'; }

VARIANT=$(timeout 10 bin/biolatency -v 0.5 1 2>&1 >/dev/null | sed -n 's/.*attach: using //p' | head -1)
[ -n "$VARIANT" ] || die "biolatency cannot attach here"

READY='Ctrl-C to end'
CFGS="floor bl bl_d bl_df bs_d floor_q bl_q"
start() {
	case $1 in
	floor) tracer_start $T/err.$1 ready $B/biofloor "$VARIANT" ;;
	floor_q) tracer_start $T/err.$1 ready $B/biofloor "$VARIANT-Q" ;;
	bl) tracer_start $T/err.$1 "$READY" bin/biolatency ;;
	bl_d) tracer_start $T/err.$1 "$READY" bin/biolatency -d "$LOOP" ;;
	bl_df) tracer_start $T/err.$1 "$READY" bin/biolatency -D -F ;;
	bl_q) tracer_start $T/err.$1 "$READY" bin/biolatency -Q ;;
	bs_d) tracer_start $T/err.$1 "$READY" bin/biosnoop -d "$LOOP" ;;
	esac
}
dio() {
	build/tests/tk_dio -t "$LOOPDEV" read "$IO_N" 4096 | sed -n 's/^ns_per_io //p'
}

log "variant $VARIANT, $LOOP (scheduler ${SCHED:-?}): $ROUNDS rounds of $IO_N 4 KiB O_DIRECT reads x {baseline, $CFGS}"
for r in $(seq "$ROUNDS"); do
	prev=$(dio)
	[ -n "$prev" ] || die "tk_dio failed"
	echo "$prev" >> $T/base
	for c in $CFGS; do
		start $c || die "could not start $c"
		t=$(dio)
		tracer_stop
		next=$(dio)
		[ -n "$t" ] && [ -n "$next" ] || die "tk_dio failed"
		echo "$next" >> $T/base
		echo "$prev $t $next" >> $T/$c
		prev=$next
	done
	log "  round $r: baseline $prev ns/read"
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
	log "bpf_stats pass: one run of $IO_N reads per configuration"
	for c in bl bl_d bl_df bl_q bs_d; do
		start $c || die "could not start $c"
		n0=$(prog_ns)
		dio > /dev/null
		n1=$(prog_ns)
		tracer_stop
		awk -v a="$n0" -v b="$n1" -v n="$IO_N" 'BEGIN { printf "%.0f\n", (b - a) / n }' > $T/stats.$c
	done
	echo "$STATS_WAS" > $STATS_SYSCTL
	STATS_WAS=
fi

row() { printf '%-44s %20s %9s\n' "$1" "$2" "$3"; }
FLOOR=$(added $T/floor)
FLOOR_Q=$(added $T/floor_q)
echo
echo "biolatency benchmark  $(date -u '+%Y-%m-%d %H:%M UTC')  kernel $(uname -r)  $(nproc) CPUs"
echo "variant: $VARIANT; $IO_N 4 KiB O_DIRECT reads of $LOOP (scheduler ${SCHED:-?}) per measurement; medians of $ROUNDS rounds"
echo "added = traced - mean(baseline before, baseline after); [min..max] over rounds"
echo
row "MEASURE (ns per read)" "VALUE" "vs FLOOR"
row "baseline (no tracer)" "$(median < $T/base)" ""
row "floor: empty programs on issue+complete" "$(plus "$FLOOR") [$(added_range $T/floor)]" "1.0x"
for c in bl bl_d bl_df bs_d; do
	case $c in
	bl) name="biolatency" ;;
	bl_d) name="biolatency -d $LOOP (that disk only)" ;;
	bl_df) name="biolatency -D -F" ;;
	bs_d) name="biosnoop -d $LOOP (a line per read)" ;;
	esac
	v=$(added $T/$c)
	row "$name" "$(plus "$v") [$(added_range $T/$c)]" "$(ratio "$v" "$FLOOR")"
done
row "floor for -Q: insert+issue+complete" "$(plus "$FLOOR_Q") [$(added_range $T/floor_q)]" "1.0x"
v=$(added $T/bl_q)
row "biolatency -Q" "$(plus "$v") [$(added_range $T/bl_q)]" "$(ratio "$v" "$FLOOR_Q")"
if [ -f $T/stats.bl ]; then
	echo "-- time in biolatency's BPF programs per read (kernel bpf_stats, one run each)"
	row "biolatency" "$(cat $T/stats.bl)" ""
	row "biolatency -d $LOOP" "$(cat $T/stats.bl_d)" ""
	row "biolatency -D -F" "$(cat $T/stats.bl_df)" ""
	row "biolatency -Q" "$(cat $T/stats.bl_q)" ""
	row "biosnoop -d $LOOP" "$(cat $T/stats.bs_d)" ""
fi
