#!/bin/sh
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
# mountsnoop benchmark: the time its BPF programs take per traced call, from
# the kernel's own accounting (kernel.bpf_stats_enabled, switched on for the
# run and restored), over N runs of tk_mount (10 calls each: the remount
# that makes its namespace private, then mount, umount2 and the new mount
# API). Mount calls are rare
# and cost tens of microseconds themselves, and the tool's programs run on
# no other system call, so this per-call figure is its whole overhead; the
# syscall tracepoints' own dispatch (opensnoop's floor in run.sh) comes on top.
# Run as root from anywhere: sh tests/bench/mountsnoop.sh   Knobs: N (300).
set -u

ROOT=$(cd "$(dirname "$0")/../.." && pwd)
cd "$ROOT" || exit 1
BPFTOOL=${BPFTOOL:-bpftool}
N=${N:-300}
STATS_SYSCTL=/proc/sys/kernel/bpf_stats_enabled
STATS_WAS=
TPID=

log() { echo "bench: $*" >&2; }
die() { log "$*"; exit 1; }

[ "$(id -u)" = 0 ] || die "needs root (BPF, mount namespaces)"
[ -w $STATS_SYSCTL ] || die "no $STATS_SYSCTL"
if [ ! -x bin/mountsnoop ] || [ ! -x build/tests/tk_mount ]; then
	make -s bin/mountsnoop build/tests/tk_mount >&2 || die "build failed"
fi
T=$(mktemp -d /tmp/tkbench-ms.XXXXXX) || die "mktemp failed"
cleanup() {
	trap - EXIT INT TERM
	[ -n "$TPID" ] && kill -INT "$TPID" 2>/dev/null
	wait 2>/dev/null
	[ -n "$STATS_WAS" ] && echo "$STATS_WAS" > $STATS_SYSCTL
	rm -rf "$T"
}
trap cleanup EXIT
trap 'log interrupted; exit 130' INT TERM
mkdir "$T/mnt"

# "run_time_ns run_cnt" summed over the programs the tracer holds open.
prog_stats() {
	for _id in $(cat /proc/$TPID/fdinfo/* 2>/dev/null | awk '/^prog_id:/ { print $2 }' | sort -u); do
		$BPFTOOL prog show id "$_id" 2>/dev/null
	done | awk '{ for (i = 1; i < NF; i++) { if ($i == "run_time_ns") t += $(i + 1);
		if ($i == "run_cnt") c += $(i + 1) } } END { print t + 0, c + 0 }'
}

STATS_WAS=$(cat $STATS_SYSCTL)
echo 1 > $STATS_SYSCTL
bin/mountsnoop -v >/dev/null 2>"$T/err" &
TPID=$!
i=0
until grep -q 'Ctrl-C to end' "$T/err" 2>/dev/null; do
	i=$((i + 1))
	[ $i -gt 600 ] && die "mountsnoop did not start: $(cat "$T/err")"
	sleep 0.05
done
VARIANT=$(sed -n 's/.*attach: using //p' "$T/err")
s0=$(prog_stats)
start=$(date +%s%N)
i=0
while [ $i -lt "$N" ]; do
	build/tests/tk_mount "$T/mnt" >/dev/null || die "tk_mount failed"
	i=$((i + 1))
done
end=$(date +%s%N)
s1=$(prog_stats)
kill -INT "$TPID"
wait "$TPID"
TPID=
echo "$STATS_WAS" > $STATS_SYSCTL
STATS_WAS=

echo "mountsnoop benchmark  $(date -u '+%Y-%m-%d %H:%M UTC')  kernel $(uname -r)  $(nproc) CPUs"
echo "variant: $VARIANT; $N runs of tk_mount, 10 traced calls each: $((N * 10)) calls"
echo "$s0 $s1" | awk -v n="$N" -v w="$((end - start))" '{
	t = $3 - $1; c = $4 - $2
	printf "program runs: %d\n", c
	printf "ns in mountsnoop'\''s programs per traced call: %.0f (per program run: %.0f)\n", t / (n * 10), c ? t / c : 0
	printf "wall time per tk_mount run (process start included): %.0f us\n", w / n / 1000 }'
