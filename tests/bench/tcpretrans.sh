#!/bin/sh
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
# tcpretrans benchmark: the time its BPF program takes per retransmit, from
# the kernel's own accounting (kernel.bpf_stats_enabled, switched on for the
# run and restored), streaming (-j to /dev/null) and counting in the kernel
# (-c), over N transfers of 1 MB across a link that loses 20% of what the
# sender sends (tests/e2e/lib.sh's lossy_link). The tracepoint fires only
# when TCP retransmits, which costs the connection a timeout or a recovery
# round trip: this per-event figure is the tool's whole overhead.
# Run as root from anywhere: sh tests/bench/tcpretrans.sh   Knobs: N (20).
set -u

ROOT=$(cd "$(dirname "$0")/../.." && pwd)
cd "$ROOT" || exit 1
. tests/e2e/lib.sh
T_PIDS=
T_NETNS=
BPFTOOL=${BPFTOOL:-bpftool}
N=${N:-20}
STATS_SYSCTL=/proc/sys/kernel/bpf_stats_enabled
STATS_WAS=
TPID=

log() { echo "bench: $*" >&2; }
die() { log "$*"; exit 1; }

[ "$(id -u)" = 0 ] || die "needs root (BPF, network namespaces)"
[ -w $STATS_SYSCTL ] || die "no $STATS_SYSCTL"
if [ ! -x bin/tcpretrans ] || [ ! -x build/tests/tk_tcp ]; then
	make -s bin/tcpretrans build/tests/tk_tcp >&2 || die "build failed"
fi
bench_cleanup() {
	trap - EXIT INT TERM
	[ -n "$TPID" ] && kill -INT "$TPID" 2>/dev/null
	[ -n "$STATS_WAS" ] && echo "$STATS_WAS" > $STATS_SYSCTL
	t_cleanup
}
trap bench_cleanup EXIT
trap 'log interrupted; exit 130' INT TERM

lossy_link 20 || die "$LOSSY_WHY"
"$IP" netns exec "$NB" build/tests/tk_tcp serve "$AB" 0 >"$T_DIR/serve" 2>&1 &
T_PIDS="$T_PIDS $!"
wait_for "$T_DIR/serve" '^pid ' 5 || die "server did not start: $(cat "$T_DIR/serve")"
P=$(sed -n 's/^port \([0-9]*\)$/\1/p' "$T_DIR/serve")

# "run_time_ns run_cnt" summed over the programs the tracer holds open.
prog_stats() {
	for _id in $(cat /proc/$TPID/fdinfo/* 2>/dev/null | awk '/^prog_id:/ { print $2 }' | sort -u); do
		$BPFTOOL prog show id "$_id" 2>/dev/null
	done | awk '{ for (i = 1; i < NF; i++) { if ($i == "run_time_ns") t += $(i + 1);
		if ($i == "run_cnt") c += $(i + 1) } } END { print t + 0, c + 0 }'
}

retrans() { "$IP" netns exec "$NA" nstat -az TcpRetransSegs | awk '$1 == "TcpRetransSegs" { print $2 }'; }

# measure LABEL ARGS...: tcpretrans ARGS during N transfers; one row.
measure() {
	_label=$1
	shift
	bin/tcpretrans -v "$@" >/dev/null 2>"$T_DIR/err" &
	TPID=$!
	wait_for "$T_DIR/err" 'Ctrl-C to end' 30 || die "tcpretrans did not start: $(cat "$T_DIR/err")"
	_v=$(sed -n 's/.*attach: using \([^ ]*\).*/\1/p' "$T_DIR/err")
	_s0=$(prog_stats)
	_r0=$(retrans)
	_i=0
	while [ $_i -lt "$N" ]; do
		"$IP" netns exec "$NA" build/tests/tk_tcp talk -w 1000000 "$AB" "$P" 1 >/dev/null ||
			die "transfer failed"
		_i=$((_i + 1))
	done
	_s1=$(prog_stats)
	_r1=$(retrans)
	kill -INT "$TPID"
	wait "$TPID"
	TPID=
	echo "$_s0 $_s1" | awk -v l="$_label" -v v="$_v" -v r="$((_r1 - _r0))" '{
		t = $3 - $1; c = $4 - $2
		printf "%-26s %-10s %8d %10d %14.0f\n", l, v, c, r, c ? t / c : 0 }'
}

STATS_WAS=$(cat $STATS_SYSCTL)
echo 1 > $STATS_SYSCTL
echo "tcpretrans benchmark  $(date -u '+%Y-%m-%d %H:%M UTC')  kernel $(uname -r)  $(nproc) CPUs"
echo "$N transfers of 1 MB, $LOSSY_HOW"
printf '%-26s %-10s %8s %10s %14s\n' "run" "variant" "prog runs" "retr segs" "ns per run"
measure "stream (-j > /dev/null)" -j
measure "count (-c)" -c
