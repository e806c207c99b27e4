#!/bin/sh
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
# tracekit benchmarks: overhead per event against an empty-program floor and
# against bpftrace, event delivery under a burst, startup time, peak RSS and
# static size. Every figure is a difference or a ratio measured in this run.
# Run as root from anywhere: sh tests/bench/run.sh   (or: make bench)
# Knobs (environment): ROUNDS (5), OPEN_N (300000), SYS_N (3000000),
# BURST (1000000), START_RUNS (10), PEERS (1: include bpftrace if installed),
# QUIET_WAIT (120: seconds to wait for other tracers on the machine to end).
set -u

ROOT=$(cd "$(dirname "$0")/../.." && pwd)
cd "$ROOT" || exit 1
B=build/bench
CC=${CC:-cc}
CLANG=${CLANG:-clang}
BPFTOOL=${BPFTOOL:-bpftool}
ROUNDS=${ROUNDS:-5}
OPEN_N=${OPEN_N:-300000}
SYS_N=${SYS_N:-3000000}
BURST=${BURST:-1000000}
START_RUNS=${START_RUNS:-10}
PEERS=${PEERS:-1}

T0=$(date +%s)
log() { printf 'bench: [%3ss] %s\n' "$(($(date +%s) - T0))" "$*" >&2; }
die() { log "$*"; exit 1; }

[ "$(id -u)" = 0 ] || die "needs root (BPF)"
# The floor loaders attach through libbpf, which needs tracefs mounted (the
# tools mount it themselves; on a fresh machine nothing has yet).
if [ ! -d /sys/kernel/tracing/events ] && [ ! -d /sys/kernel/debug/tracing/events ]; then
	mount -t tracefs tracefs /sys/kernel/tracing ||
		die "tracefs is not mounted at /sys/kernel/tracing and mounting it failed"
	log "mounted tracefs at /sys/kernel/tracing"
fi

# --- build -------------------------------------------------------------------
TOOLS=$(sed -n 's/^TOOLS := //p' Makefile)
missing=
for t in $TOOLS; do [ -x bin/$t ] && [ -x bin/static/$t ] || missing=1; done
if [ -n "$missing" ]; then
	log "building the tools (make all static)"
	make -s all static >&2 || die "build failed"
fi
mkdir -p $B
MULTIARCH=$($CC -print-multiarch 2>/dev/null)
log "building the benchmark helpers in $B"
$CLANG -g -O2 -target bpf -D__TARGET_ARCH_x86 -Wall -Ivmlinux/x86 -Ibpf \
	-I/usr/include/$MULTIARCH -c tests/bench/floor.bpf.c -o $B/floor.bpf.o &&
	$BPFTOOL gen skeleton $B/floor.bpf.o name floor_bpf > $B/floor.skel.h &&
	$CC -O2 -g -Wall -I$B tests/bench/floor.c -lbpf -lelf -lz -o $B/floor &&
	$CC -O2 -g -Wall tests/bench/tkwait.c -lbpf -lelf -lz -o $B/tkwait &&
	$CC -O2 -g -Wall tests/bench/startlat.c -o $B/startlat &&
	$CC -O2 -g -Wall tests/bench/progstat.c -lbpf -lelf -lz -o $B/progstat &&
	$CC -O2 -g -Wall tests/bench/openloop.c -o $B/openloop &&
	$CC -O2 -g -Wall tests/bench/sysloop.c -o $B/sysloop ||
	die "building the helpers failed"

BPFTRACE=
if [ "$PEERS" = 1 ] && command -v bpftrace >/dev/null 2>&1 &&
   [ -r /usr/sbin/opensnoop.bt ] && [ -r /usr/sbin/syscount.bt ]; then
	BPFTRACE=$(command -v bpftrace)
fi

# --- bookkeeping and cleanup ---------------------------------------------------
T=$(mktemp -d /tmp/tkbench.XXXXXX) || die "mktemp failed"
# The tools' minimised kernel BTF (common/btfmin.h): in a cache of the
# bench's own, made by each tool's first run below, used by all later ones.
export TRACEKIT_BTF_CACHE=$T/btfcache
PIDS=
TPID=
HWM=0
RSS=0

progs_now() { $BPFTOOL prog show 2>/dev/null | awk -F: '/^[0-9]+:/ { print $1 }' | sort; }

cleanup() {
	trap - EXIT INT TERM
	for p in $PIDS; do kill -INT "$p" 2>/dev/null; done
	sleep 0.5
	for p in $PIDS; do kill -KILL "$p" 2>/dev/null; done
	rm -rf "$T"
}
trap cleanup EXIT
trap 'log interrupted; exit 130' INT TERM

forget() {
	_n=
	for _p in $PIDS; do [ "$_p" = "$1" ] || _n="$_n $_p"; done
	PIDS=$_n
}

# tracer_start OUT ERR "HOOK..." CMD [ARG]...: start CMD in the background and
# wait until its programs are attached to all of HOOK (tkwait), then settle.
tracer_start() {
	_out=$1 _err=$2 _hooks=$3
	shift 3
	"$@" > "$_out" 2> "$_err" &
	TPID=$!
	PIDS="$PIDS $TPID"
	# shellcheck disable=SC2086
	if ! $B/tkwait "$TPID" 60000 $_hooks; then
		log "tracer did not attach: $*"
		sed 's/^/  | /' "$_err" >&2
		return 1
	fi
	sleep 0.2
}

# tracer_stop: note its peak and current RSS (VmHWM, VmRSS in kB), SIGINT it
# and wait (10 s at most).
tracer_stop() {
	HWM=$(awk '/^VmHWM:/ { print $2 }' /proc/$TPID/status 2>/dev/null)
	RSS=$(awk '/^VmRSS:/ { print $2 }' /proc/$TPID/status 2>/dev/null)
	HWM=${HWM:-0} RSS=${RSS:-0}
	kill -INT "$TPID" 2>/dev/null
	_i=0
	while kill -0 "$TPID" 2>/dev/null && [ "$(awk '{ print $3 }' /proc/$TPID/stat 2>/dev/null)" != Z ]; do
		_i=$((_i + 1))
		if [ $_i -gt 200 ]; then
			log "tracer $TPID did not exit on SIGINT: killing it"
			kill -KILL "$TPID" 2>/dev/null
			break
		fi
		sleep 0.05
	done
	wait "$TPID" 2>/dev/null
	forget "$TPID"
}

median() {
	sort -g | awk '{ a[NR] = $1 } END {
		if (!NR) print "nan"; else if (NR % 2) print a[(NR + 1) / 2];
		else print (a[NR / 2] + a[NR / 2 + 1]) / 2 }'
}

# Result files hold one line per round: "BW BC TW TC AW AC HWM RSS", wall and
# CPU ns/op of the baseline before, the traced run and the baseline after,
# then the tracer's VmHWM and VmRSS (kB).
# Added ns of each round: traced - mean of the baselines just before and after.
added() { awk '{ printf "%.1f\n", $3 - ($1 + $5) / 2 }' "$1" | median; }
added_cpu() { awk '{ printf "%.1f\n", $4 - ($2 + $6) / 2 }' "$1" | median; }
added_range() { awk '{ v = $3 - ($1 + $5) / 2; if (NR == 1 || v < lo) lo = v; if (NR == 1 || v > hi) hi = v }
	END { if (NR) printf "%.0f..%.0f", lo, hi }' "$1"; }
col() { awk -v c="$2" '{ print $c }' "$1" | median; }
maxcol() { awk -v c="$2" 'BEGIN { m = 0 } $c > m { m = $c } END { print m }' "$1"; }

# Other people's tracers on this machine skew the figures (a program already on
# a syscall tracepoint puts every task on the slow syscall path, baseline
# included). foreign: "comm(pid)" of processes other than ours holding
# tracing-type BPF programs. Checked before every traced run and reported.
foreign() {
	_ids=$($BPFTOOL prog show 2>/dev/null | awk -F'[: ]+' '/^[0-9]+:/ &&
		$2 ~ /^(tracepoint|raw_tracepoint|raw_tracepoint_writable|tracing|kprobe|perf_event)$/ { print $1 }')
	[ -n "$_ids" ] || return 0
	_pat=$(echo $_ids | tr ' ' '|')
	grep -lE "^prog_id:[[:space:]]*($_pat)\$" /proc/[0-9]*/fdinfo/* 2>/dev/null | cut -d/ -f3 | sort -u |
	while read -r _p; do
		case " $PIDS " in *" $_p "*) ;; *) printf '%s(%s) ' "$(cat /proc/$_p/comm 2>/dev/null)" "$_p" ;; esac
	done
}
note_foreign() { _f=$(foreign); [ -z "$_f" ] || echo "$1: $_f" >> $T/foreign; }

QUIET_WAIT=${QUIET_WAIT:-120}
_w=0
while [ -n "$(foreign)" ] && [ $_w -lt "$QUIET_WAIT" ]; do
	[ $_w = 0 ] && log "waiting up to ${QUIET_WAIT}s for other tracers to finish: $(foreign)"
	sleep 2
	_w=$((_w + 2))
done

START_PROGS=$(progs_now)
echo "$START_PROGS" > $T/progs.start
LOAD_START=$(cut -d' ' -f1-3 /proc/loadavg)

# A process that never opens anything: the target of the filtered-out run.
sleep 100000 &
IDLE_PID=$!
PIDS="$PIDS $IDLE_PID"

OS=bin/opensnoop
SC=bin/syscount
OPEN_HOOKS="sys_exit_open sys_exit_openat sys_exit_openat2"
TARGET=$T/open-target
echo x > "$TARGET"

OS_VARIANT=$(timeout 5 $OS -v -d 1 2>&1 >/dev/null | sed -n 's/.*attach: using //p' | head -1)
SC_VARIANT=$(timeout 5 $SC -v -d 1 2>&1 >/dev/null | sed -n 's/.*attach: using //p' | head -1)

# --- opensnoop: added ns per open() -------------------------------------------
OPEN_CFGS="floor snoop snoop_p snoop_jf"
[ -n "$BPFTRACE" ] && OPEN_CFGS="$OPEN_CFGS bt"
open_start() {
	case $1 in
	floor) tracer_start /dev/null $T/err.$1 "$OPEN_HOOKS" $B/floor open ;;
	snoop) tracer_start /dev/null $T/err.$1 "$OPEN_HOOKS" $OS ;;
	snoop_p) tracer_start /dev/null $T/err.$1 "$OPEN_HOOKS" $OS -p $IDLE_PID ;;
	snoop_jf) tracer_start $T/snoop.json $T/err.$1 "$OPEN_HOOKS" $OS -j ;;
	bt) tracer_start /dev/null $T/err.$1 "sys_enter_openat sys_exit_openat" \
		$BPFTRACE /usr/sbin/opensnoop.bt ;;
	esac
}
openloop() { $B/openloop "$OPEN_N" "$TARGET"; }

log "opensnoop overhead: $ROUNDS rounds of $OPEN_N opens x {baseline, $OPEN_CFGS}"
for r in $(seq "$ROUNDS"); do
	prev=$(openloop) || die "openloop failed"
	echo "$prev" >> $T/open.base
	for c in $OPEN_CFGS; do
		open_start $c || die "could not start $c"
		note_foreign "open $c round $r"
		t=$(openloop) || die "openloop failed"
		tracer_stop
		rm -f $T/snoop.json
		next=$(openloop) || die "openloop failed"
		echo "$next" >> $T/open.base
		echo "$prev $t $next $HWM $RSS" >> $T/open.$c
		prev=$next
	done
	log "  round $r: baseline $prev ns/open (wall, cpu)"
done

# --- syscount: added ns per syscall --------------------------------------------
SYS_CFGS="floor_x floor_ex floor_bx floor_bex sc sc_L"
[ -n "$BPFTRACE" ] && SYS_CFGS="$SYS_CFGS bt"
sys_start() {
	case $1 in
	floor_x) tracer_start /dev/null $T/err.$1 "sys_exit" $B/floor exit ;;
	floor_ex) tracer_start /dev/null $T/err.$1 "sys_enter sys_exit" $B/floor enter-exit ;;
	floor_bx) tracer_start /dev/null $T/err.$1 "sys_exit" $B/floor btf-exit ;;
	floor_bex) tracer_start /dev/null $T/err.$1 "sys_enter sys_exit" $B/floor btf-enter-exit ;;
	sc) tracer_start /dev/null $T/err.$1 "sys_exit" $SC ;;
	sc_L) tracer_start /dev/null $T/err.$1 "sys_enter sys_exit" $SC -L ;;
	bt) tracer_start /dev/null $T/err.$1 "sys_enter" $BPFTRACE /usr/sbin/syscount.bt ;;
	esac
}
sysloop() { $B/sysloop "$SYS_N"; }

log "syscount overhead: $ROUNDS rounds of $SYS_N getppid() x {baseline, $SYS_CFGS}"
for r in $(seq "$ROUNDS"); do
	prev=$(sysloop) || die "sysloop failed"
	echo "$prev" >> $T/sys.base
	for c in $SYS_CFGS; do
		sys_start $c || die "could not start $c"
		note_foreign "sys $c round $r"
		t=$(sysloop) || die "sysloop failed"
		tracer_stop
		next=$(sysloop) || die "sysloop failed"
		echo "$next" >> $T/sys.base
		echo "$prev $t $next $HWM $RSS" >> $T/sys.$c
		prev=$next
	done
	log "  round $r: baseline $prev ns/syscall (wall, cpu)"
done

# One more syscount run for the static binary's RSS during the loop.
tracer_start /dev/null $T/err.sc_static "sys_exit" bin/static/syscount || die "static syscount"
sysloop > /dev/null
tracer_stop
SC_STATIC_HWM=$HWM SC_STATIC_RSS=$RSS

# --- in-kernel time per event -------------------------------------------------
# One more run of each configuration with BPF run-time statistics on (only for
# this phase): mean ns per program run, summed over the programs that ran (one
# run each per event). The statistics cost something themselves, which the
# floor rows show.
# kstat LABEL START-FN CFG WORKLOAD...
kstat() {
	_l=$1 _fn=$2 _c=$3
	shift 3
	$_fn $_c || return 1
	$B/progstat "$TPID" "$@" > /dev/null 2> $T/kstat.raw
	tracer_stop
	awk -v l="$_l" '$1 == "progstat" && $3 > 0 { s += $4; n = n ? n "+" $2 : $2 }
		END { printf "%s %.1f %s\n", l, s, n }' $T/kstat.raw >> $T/kstat
}
log "in-kernel time per event (BPF_ENABLE_STATS)"
kstat open_floor open_start floor $B/openloop "$OPEN_N" "$TARGET" || die "kstat failed"
kstat open_snoop open_start snoop $B/openloop "$OPEN_N" "$TARGET" || die "kstat failed"
kstat open_snoop_p open_start snoop_p $B/openloop "$OPEN_N" "$TARGET" || die "kstat failed"
kstat sys_floor_x sys_start floor_x $B/sysloop "$SYS_N" || die "kstat failed"
kstat sys_floor_ex sys_start floor_ex $B/sysloop "$SYS_N" || die "kstat failed"
kstat sys_floor_bx sys_start floor_bx $B/sysloop "$SYS_N" || die "kstat failed"
kstat sys_floor_bex sys_start floor_bex $B/sysloop "$SYS_N" || die "kstat failed"
kstat sys_sc sys_start sc $B/sysloop "$SYS_N" || die "kstat failed"
kstat sys_sc_L sys_start sc_L $B/sysloop "$SYS_N" || die "kstat failed"

# --- burst delivery ------------------------------------------------------------
# burst LABEL CMD...: a BURST-open burst of a unique path while the tracer
# writes to a file. Once the workload is done, waits until the file grows by
# less than 64 KiB in half a second (the backlog is drained; other processes'
# opens keep it growing slowly), then stops the tracer (which also delivers
# whatever is still queued on the way out).
burst() {
	_l=$1
	shift
	_tgt=$T/burst-$_l-$$
	echo x > "$_tgt"
	tracer_start $T/burst.$_l.out $T/burst.$_l.err "$BURST_HOOKS" "$@" || return 1
	note_foreign "burst $_l"
	_ns=$($B/openloop "$BURST" "$_tgt" 0) || return 1
	_s0=$(stat -c %s $T/burst.$_l.out)
	_i=0
	while [ $_i -lt 120 ]; do
		sleep 0.5
		_s1=$(stat -c %s $T/burst.$_l.out)
		[ $((_s1 - _s0)) -lt 65536 ] && break
		_s0=$_s1
		_i=$((_i + 1))
	done
	tracer_stop
	_got=$(grep -cF "$_tgt" $T/burst.$_l.out)
	# opensnoop -j: {"v":1,"type":"lost",...,"count":N}; text: "N events lost" (stderr);
	# bpftrace: "Lost N events".
	_lost=$(cat $T/burst.$_l.out $T/burst.$_l.err | awk '
		/"type":"lost"/ { if (match($0, /"count":[0-9]+/)) n += substr($0, RSTART + 8, RLENGTH - 8) }
		/[0-9]+ events? lost/ { for (i = 1; i < NF; i++) if ($(i + 1) ~ /^events?$/ && $i ~ /^[0-9]+$/) n += $i }
		/^Lost [0-9]+ events/ { n += $2 }
		END { print n + 0 }')
	echo "$_ns $_got $_lost $HWM $RSS" > $T/burst.$_l
	rm -f $T/burst.$_l.out "$_tgt"
}

log "burst: $BURST opens while opensnoop -j writes to a file (dynamic, then static)"
BURST_HOOKS=$OPEN_HOOKS
burst dyn $OS -j || die "burst failed"
burst static bin/static/opensnoop -j || die "burst failed"
# A busy neighbour: a process spinning in user space, which the scheduler
# puts on the CPU the workload is not on, where the reader must share it.
log "burst: the same, with a process spinning beside it"
sh -c 'while :; do :; done' &
SPIN=$!
PIDS="$PIDS $SPIN"
burst busy $OS -j
_rc=$?
kill $SPIN 2>/dev/null
wait $SPIN 2>/dev/null
forget $SPIN
[ $_rc = 0 ] || die "burst failed"
if [ -n "$BPFTRACE" ]; then
	log "burst: the same under bpftrace opensnoop.bt"
	BURST_HOOKS="sys_enter_openat sys_exit_openat"
	burst bt $BPFTRACE /usr/sbin/opensnoop.bt || die "burst failed"
fi

# --- startup -------------------------------------------------------------------
log "startup: $START_RUNS runs each, exec to the ready line on a terminal"
# Each tool's first run on a kernel makes its minimised BTF (kept in the
# cache for the runs after): timed apart, made again every run
# (TRACEKIT_BTF_CACHE where no cache can be made: kept for the run alone);
# and the whole kernel BTF, as before the cache (TRACEKIT_BTF_CACHE=0).
for _f in first:/proc/tkbench-no-cache whole:0; do
	TRACEKIT_BTF_CACHE=${_f#*:} $B/startlat "$START_RUNS" COMM bin/static/opensnoop \
		> $T/start.os_${_f%%:*} || die "startup failed"
	TRACEKIT_BTF_CACHE=${_f#*:} $B/startlat "$START_RUNS" 'tracing syscalls' bin/static/syscount \
		> $T/start.sc_${_f%%:*} || die "startup failed"
done
for t in $TOOLS; do
	case $t in ttysnoop) _a=-a;; *) _a=;; esac
	$B/startlat 1 'Ctrl-C to end' bin/static/$t $_a >/dev/null || die "$t did not start"
done
$B/startlat "$START_RUNS" COMM $OS > $T/start.os || die "opensnoop startup failed"
$B/startlat "$START_RUNS" 'tracing syscalls' $SC > $T/start.sc || die "syscount startup failed"
$B/startlat "$START_RUNS" COMM bin/static/opensnoop > $T/start.os_static || die "startup failed"
$B/startlat "$START_RUNS" 'tracing syscalls' bin/static/syscount > $T/start.sc_static || die "startup failed"
# Reference: the floor loader on opensnoop's hooks (no CO-RE, no probing) and
# on tp_btf (libbpf parses the kernel's BTF to find the attach point).
$B/startlat "$START_RUNS" ready $B/floor open > $T/start.floor_open || die "floor startup failed"
$B/startlat "$START_RUNS" ready $B/floor btf-exit > $T/start.floor_btf || die "floor startup failed"
if [ -n "$BPFTRACE" ]; then
	$B/startlat 3 'Tracing open' $BPFTRACE /usr/sbin/opensnoop.bt > $T/start.bt || die "bpftrace startup failed"
fi
# Every tool as the kit ships it (bin/static: its libbpf), to its ready line
# (tk_ready: "tracing ...; Ctrl-C to end", printed once attached), and its
# VmHWM then, against the floor loader on sys_exit_open* above.
log "startup: every tool, static ($START_RUNS runs each)"
for t in $TOOLS; do
	case $t in ttysnoop) _a=-a;; *) _a=;; esac
	$B/startlat "$START_RUNS" 'Ctrl-C to end' bin/static/$t $_a > $T/startall.$t ||
		die "$t startup failed"
done

# --- static size ---------------------------------------------------------------
size_of() { stat -c %s "$1"; }
for t in opensnoop syscount; do
	cp bin/static/$t $T/$t.static && strip $T/$t.static
	cp bin/$t $T/$t.dyn && strip $T/$t.dyn
done

# --- cleanup check -------------------------------------------------------------
kill "$IDLE_PID" 2>/dev/null
wait "$IDLE_PID" 2>/dev/null
forget "$IDLE_PID"
# Programs loaded since the start that no process holds open any more would
# be ours, leaked (pinned or stuck); others belong to whoever holds them.
holders() { grep -lE "^prog_id:[[:space:]]*$1\$" /proc/[0-9]*/fdinfo/* 2>/dev/null |
	cut -d/ -f3 | sort -u | while read -r p; do printf '%s(%s) ' "$(cat /proc/$p/comm 2>/dev/null)" "$p"; done; }
LEFT=
OTHERS=
for i in $(seq 40); do
	LEFT=
	OTHERS=
	for id in $(progs_now | comm -13 $T/progs.start -); do
		h=$(holders "$id")
		if [ -n "$h" ]; then OTHERS="$OTHERS $id:$h"; else LEFT="$LEFT $id"; fi
	done
	[ -z "$LEFT" ] && break
	sleep 0.1
done
LOAD_END=$(cut -d' ' -f1-3 /proc/loadavg)

# --- report --------------------------------------------------------------------
# row LABEL VALUE VSFLOOR TARGET VERDICT [CPU]
row() { printf '%-44s %18s %8s %8s  %-26s %s\n' "$1" "$2" "${6:-}" "$3" "$4" "$5"; }
# sgn VALUE FORMAT: the value with its sign (+ for added cost)
sgn() { awk -v v="$1" -v f="$2" 'BEGIN { if (v == "nan" || v == "") print "n/a"; else printf((v >= 0 ? "+" : "") f, v) }'; }
cpu() { sgn "$1" %.1f; }
# verdict VALUE OP LIMIT -> PASS/MISS
verdict() { awk -v v="$1" -v l="$3" -v op="$2" 'BEGIN {
	if (v == "nan" || v == "") { print "n/a"; exit }
	ok = (op == "<=") ? (v <= l) : (v >= l); print ok ? "PASS" : "MISS" }'; }
fmt() { awk -v v="$1" -v f="$2" 'BEGIN { if (v == "nan" || v == "") print "n/a"; else printf f, v }'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b + 0 <= 0 || a == "nan") print "-"; else printf "%.1fx", a / b }'; }
kb2mb() { awk -v k="$1" 'BEGIN { printf "%.2f", k / 1024 }'; }

OB=$(median < $T/open.base)
OBC=$(awk '{ print $2 }' $T/open.base | median)
SBC=$(awk '{ print $2 }' $T/sys.base | median)
OFLOOR=$(added $T/open.floor)
SB=$(median < $T/sys.base)
SFX=$(added $T/sys.floor_x)
SFEX=$(added $T/sys.floor_ex)

echo
echo "tracekit benchmarks  $(date -u '+%Y-%m-%d %H:%M UTC')  kernel $(uname -r)  $(nproc) CPUs"
echo "$(awk -F': ' '/model name/ { print $2; exit }' /proc/cpuinfo); tools at $(git rev-parse --short HEAD 2>/dev/null || echo '?')$(git diff --quiet HEAD -- 2>/dev/null || echo ' (+local changes)')"
echo "opensnoop attach variant: ${OS_VARIANT:-?}; syscount attach variant: ${SC_VARIANT:-?}; loadavg start $LOAD_START, end $LOAD_END"
echo "medians of $ROUNDS rounds; added = traced - mean(baseline before, baseline after); [min..max] over rounds"
if [ -s $T/foreign ]; then
	echo "WARNING: other tracers were running during $(wc -l < $T/foreign) of the measurements (their cost is in"
	echo "  baseline and traced alike, and an already-enabled syscall tracepoint lowers the floor):"
	cut -d: -f2- $T/foreign | tr ' ' '\n' | grep . | sort | uniq -c | sort -rn | head -8 | awk '{ printf "  %s seen %d times\n", $2, $1 }'
else
	echo "no other tracers were running during the measurements"
fi
echo
row "MEASURE" "VALUE" "vs FLOOR" "TARGET" "VERDICT" "CPU"
echo "(VALUE: wall ns [min..max over rounds]; CPU: the same from the workload's own CPU time, less"
echo " sensitive to other load on the machine; vs FLOOR: ratio of VALUE to the floor's VALUE)"
echo "-- opensnoop: added ns per openat()+close(), N=$OPEN_N, output to /dev/null"
row "baseline (no tracer), ns/op" "$(fmt "$OB" %.0f)" "" "" "" "$(fmt "$OBC" %.0f)"
row "floor: empty progs on sys_exit_open*" "$(sgn "$OFLOOR" %.0f) [$(added_range $T/open.floor)]" "1.0x" "" "" "$(cpu "$(added_cpu $T/open.floor)")"
v=$(added $T/open.snoop)
row "opensnoop" "$(sgn "$v" %.0f) [$(added_range $T/open.snoop)]" "$(ratio "$v" "$OFLOOR")" "(info: judged in-kernel)" "" "$(cpu "$(added_cpu $T/open.snoop)")"
v=$(added $T/open.snoop_p)
row "opensnoop -p OTHER (filtered in kernel)" "$(sgn "$v" %.0f) [$(added_range $T/open.snoop_p)]" "$(ratio "$v" "$OFLOOR")" "" "" "$(cpu "$(added_cpu $T/open.snoop_p)")"
v=$(added $T/open.snoop_jf)
row "opensnoop -j > file (info)" "$(sgn "$v" %.0f) [$(added_range $T/open.snoop_jf)]" "$(ratio "$v" "$OFLOOR")" "" "" "$(cpu "$(added_cpu $T/open.snoop_jf)")"
if [ -n "$BPFTRACE" ]; then
	v=$(added $T/open.bt)
	row "bpftrace opensnoop.bt (peer)" "$(sgn "$v" %.0f) [$(added_range $T/open.bt)]" "$(ratio "$v" "$OFLOOR")" "" "" "$(cpu "$(added_cpu $T/open.bt)")"
fi

echo "-- burst: $BURST opens of one unique path, opensnoop -j > file (default settings)"
for l in dyn static busy bt; do
	[ -f $T/burst.$l ] || continue
	read -r ns nsc got lost hwm rss < $T/burst.$l
	case $l in dyn) name="opensnoop";; static) name="opensnoop (static)";;
	busy) name="opensnoop, a CPU-bound process beside it";;
	bt) name="bpftrace opensnoop.bt (peer)";; esac
	share=$(awk -v g="$got" -v b="$BURST" 'BEGIN { printf "%.2f", 100 * g / b }')
	diff=$((got + lost - BURST))
	row "$name: delivered" "$share% ($got)" "" ">= 99% (best C: 54%)" "$(verdict "$share" ">=" 99)"
	if [ $diff -eq 0 ]; then acc="= burst"; elif [ $diff -gt 0 ]; then acc="burst+$diff"; else acc="burst$diff"; fi
	if [ $diff -ge 0 ]; then lv=PASS; else lv=MISS; fi
	[ "$l" = bt ] && lv=""
	row "  lost reported; delivered + lost" "$lost; $acc" "" "all loss counted" "$lv"
	row "  workload ns/op during the burst" "$(fmt "$ns" %.0f)" "" "" ""
done

echo "-- syscount: added ns per syscall(SYS_getppid), N=$SYS_N"
row "baseline (no tracer), ns/op" "$(fmt "$SB" %.1f)" "" "" "" "$(fmt "$SBC" %.1f)"
row "floor: empty raw_tp sys_exit" "$(sgn "$SFX" %.1f) [$(added_range $T/sys.floor_x)]" "1.0x" "" "" "$(cpu "$(added_cpu $T/sys.floor_x)")"
row "floor: empty raw_tp sys_enter+exit" "$(sgn "$SFEX" %.1f) [$(added_range $T/sys.floor_ex)]" "1.0x" "" "" "$(cpu "$(added_cpu $T/sys.floor_ex)")"
v=$(added $T/sys.floor_bx)
row "floor: empty tp_btf sys_exit (info)" "$(sgn "$v" %.1f) [$(added_range $T/sys.floor_bx)]" "$(ratio "$v" "$SFX")" "" "" "$(cpu "$(added_cpu $T/sys.floor_bx)")"
v=$(added $T/sys.floor_bex)
row "floor: empty tp_btf sys_enter+exit (info)" "$(sgn "$v" %.1f) [$(added_range $T/sys.floor_bex)]" "$(ratio "$v" "$SFEX")" "" "" "$(cpu "$(added_cpu $T/sys.floor_bex)")"
v=$(added $T/sys.sc)
# Plain syscount runs at sys_exit alone; -L at sys_enter too.
row "syscount (vs raw_tp sys_exit floor)" "$(sgn "$v" %.1f) [$(added_range $T/sys.sc)]" "$(ratio "$v" "$SFX")" "(info: judged in-kernel)" "" "$(cpu "$(added_cpu $T/sys.sc)")"
v=$(added $T/sys.sc_L)
row "syscount -L (vs enter+exit floor)" "$(sgn "$v" %.1f) [$(added_range $T/sys.sc_L)]" "$(ratio "$v" "$SFEX")" "(info: judged in-kernel)" "" "$(cpu "$(added_cpu $T/sys.sc_L)")"
if [ -n "$BPFTRACE" ]; then
	v=$(added $T/sys.bt)
	row "bpftrace syscount.bt (peer; sys_enter only)" "$(sgn "$v" %.1f) [$(added_range $T/sys.bt)]" "$(ratio "$v" "$SFX")" "" "" "$(cpu "$(added_cpu $T/sys.bt)")"
fi

echo "-- in-kernel BPF time per event: mean ns per program run, summed over the hooks that fired"
echo "   (BPF_ENABLE_STATS, a separate run; the statistics' own cost is in the floor rows). The"
echo "   per-event targets are judged here: the program's own time against an empty one's on the"
echo "   same hooks, which a slow or busy machine's syscall time does not drown"
kv() { awk -v l="$1" '$1 == l { print $2 }' $T/kstat; }
KOF=$(kv open_floor)
KSV=$SC_VARIANT
case $KSV in tp_btf) KSX=$(kv sys_floor_bx) KSEX=$(kv sys_floor_bex) KSN="tp_btf";;
*) KSX=$(kv sys_floor_x) KSEX=$(kv sys_floor_ex) KSN="raw_tp";; esac
while read -r l v progs; do
	tgt= vd= vs=
	case $l in
	open_floor) name="floor: empty progs on sys_exit_open*";;
	open_snoop) name="opensnoop"; vs=$(ratio "$v" "$KOF"); tgt="<= 3x floor"
		vd=$(verdict "$(awk -v a="$v" -v b="$KOF" 'BEGIN { print (b > 0) ? a / b : "" }')" "<=" 3);;
	open_snoop_p) name="opensnoop -p OTHER"; vs=$(ratio "$v" "$KOF");;
	sys_floor_x) name="floor: empty raw_tp sys_exit";;
	sys_floor_ex) name="floor: empty raw_tp sys_enter+exit";;
	sys_floor_bx) name="floor: empty tp_btf sys_exit";;
	sys_floor_bex) name="floor: empty tp_btf sys_enter+exit";;
	sys_sc) name="syscount (vs $KSN sys_exit floor)"; vs=$(ratio "$v" "$KSX"); tgt="<= 1.2x floor"
		vd=$(verdict "$(awk -v a="$v" -v b="$KSX" 'BEGIN { print (b > 0) ? a / b : "" }')" "<=" 1.2);;
	sys_sc_L) name="syscount -L (vs $KSN enter+exit floor)"; vs=$(ratio "$v" "$KSEX"); tgt="<= 1.8x floor"
		vd=$(verdict "$(awk -v a="$v" -v b="$KSEX" 'BEGIN { print (b > 0) ? a / b : "" }')" "<=" 1.8);;
	esac
	row "$name" "$(fmt "$v" %.1f)" "$vs" "$tgt" "$vd"
done < $T/kstat

echo "-- startup: fork+exec to the ready line on a terminal, median of $START_RUNS (exit: SIGINT to reaped)"
for l in os sc os_static sc_static os_first sc_first os_whole sc_whole floor_open floor_btf bt; do
	[ -f $T/start.$l ] || continue
	case $l in
	os) name="opensnoop (header line)";; sc) name="syscount (\"tracing syscalls\")";;
	os_static) name="opensnoop static";; sc_static) name="syscount static";;
	os_first) name="opensnoop static, a kernel's first run";;
	sc_first) name="syscount static, a kernel's first run";;
	os_whole) name="opensnoop static, whole kernel BTF";;
	sc_whole) name="syscount static, whole kernel BTF";;
	bt) name="bpftrace opensnoop.bt (peer, 3 runs)";;
	floor_open) name="floor loader, sys_exit_open* (ref)";;
	floor_btf) name="floor loader, tp_btf sys_exit (ref)";;
	esac
	s=$(col $T/start.$l 1)
	x=$(col $T/start.$l 2)
	case $l in bt|floor*|*_first|*_whole) tgt="" vd="";; *) tgt="<= 8 ms (best C: 17)"; vd=$(verdict "$s" "<=" 8);; esac
	row "$name, ms" "$(fmt "$s" %.1f)" "" "$tgt" "$vd"
	h=$(awk '$5 == 1' $T/start.$l | wc -l)
	k=$(awk '$5 == 0 && $4 != 0' $T/start.$l | wc -l)
	n=$(wc -l < $T/start.$l)
	if [ "$h" -gt 0 ] || [ "$k" -gt 0 ]; then ev="MISS"; else ev="PASS"; fi
	[ $l = bt ] && ev=""
	row "  exit after SIGINT, ms (hung; killed by it)" "$(fmt "$x" %.1f) ($h; $k of $n)" "" "exits cleanly" "$ev"
done

echo "-- every tool (static), its minimised BTF cached, vs the floor loader on sys_exit_open*, same run, median of $START_RUNS:"
echo "   exec to the ready line, ms (+ over the loader); peak RSS (VmHWM) at the ready line, MB (+)"
FS=$(col $T/start.floor_open 1)
FM=$(kb2mb "$(col $T/start.floor_open 6)")
row "floor loader: ready, ms; peak, MB" "$(fmt "$FS" %.1f); $FM" "" "" ""
for t in $TOOLS; do
	s=$(col $T/startall.$t 1)
	m=$(kb2mb "$(col $T/startall.$t 6)")
	ds=$(awk -v a="$s" -v b="$FS" 'BEGIN { print a - b }')
	dm=$(awk -v a="$m" -v b="$FM" 'BEGIN { print a - b }')
	row "$t: ready, ms (+ loader)" "$(fmt "$s" %.1f) ($(sgn "$ds" %.1f))" "" "<= loader + 5 ms" "$(verdict "$ds" "<=" 5)"
	row "$t: peak at ready, MB (+ loader)" "$m ($(sgn "$dm" %.2f))" "" "<= loader + 2 MB" "$(verdict "$dm" "<=" 2)"
done

echo "-- RSS, MB: peak = VmHWM, steady = VmRSS, both read just before stopping the tracer"
# rss_rows LABEL HWM_KB RSS_KB [TARGETNOTE]
rss_rows() {
	_p=$(kb2mb "$2")
	_s=$(kb2mb "$3")
	row "$1: peak" "$_p" "" "<= 2.5${4:+ $4}" "$(verdict "$_p" "<=" 2.5)"
	row "$1: steady" "$_s" "" "(info)" "$(verdict "$_s" "<=" 2.5)"
}
rss_rows "opensnoop during the burst" "$(awk '{ print $5 }' $T/burst.dyn)" "$(awk '{ print $6 }' $T/burst.dyn)" "(best C: 3.5)"
rss_rows "opensnoop static, burst" "$(awk '{ print $5 }' $T/burst.static)" "$(awk '{ print $6 }' $T/burst.static)"
rss_rows "syscount during the loop" "$(maxcol $T/sys.sc 7)" "$(maxcol $T/sys.sc 8)" "(best C: 3.5)"
rss_rows "syscount -L during the loop" "$(maxcol $T/sys.sc_L 7)" "$(maxcol $T/sys.sc_L 8)"
rss_rows "syscount static during the loop" "$SC_STATIC_HWM" "$SC_STATIC_RSS"
row "floor loader, sys_exit_open* (ref): peak" "$(kb2mb "$(maxcol $T/open.floor 7)")" "" "" ""
row "floor loader, tp_btf sys_exit (ref): peak" "$(kb2mb "$(maxcol $T/sys.floor_bx 7)")" "" "" ""
if [ -n "$BPFTRACE" ]; then
	row "bpftrace opensnoop.bt (peer): peak" "$(kb2mb "$(maxcol $T/open.bt 7)")" "" "" ""
	row "bpftrace syscount.bt (peer): peak" "$(kb2mb "$(maxcol $T/sys.bt 7)")" "" "" ""
fi

echo "-- size, bytes"
for t in opensnoop syscount; do
	s=$(size_of $T/$t.static)
	row "$t static, stripped" "$s" "" "<= 1200000 (best C: 1.46M)" "$(verdict "$s" "<=" 1200000)"
	row "  unstripped / dynamic stripped (info)" "$(size_of bin/static/$t) / $(size_of $T/$t.dyn)" "" "" ""
done

echo "-- cleanup"
for p in $PIDS; do kill -0 "$p" 2>/dev/null && LEFT="$LEFT pid:$p"; done
if [ -z "$LEFT" ]; then
	row "tracers stopped, BPF programs left behind" "none" "" "none" "PASS"
else
	row "tracers or BPF programs left behind" "$(echo $LEFT)" "" "none" "MISS"
	for id in $LEFT; do $BPFTOOL prog show id "$id" 2>/dev/null; done
fi
[ -z "$OTHERS" ] || echo "(programs loaded meanwhile by other processes, not ours:$OTHERS)"
