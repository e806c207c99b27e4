#!/bin/sh
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
# biosnoop end to end: on a loop device of its own, a workload does a known
# number of O_DIRECT reads and writes (each exactly one request) and fsyncs
# (each a cache flush); the tool's lines must match both the workload's own
# account and the requests the kernel counted in /sys/block/LOOP/stat, one
# for one, and credit the requests to the workload's pid. Bad input first:
# it needs no root.
. "$(dirname "$0")/lib.sh"
BS="$TK_BIN/biosnoop"
VARIANTS=${TK_VARIANTS_biosnoop:-"auto tp_btf raw_tp"}
D=$T_DIR

if ! [ -x "$BS" ]; then
	not_ok "$BS is not built (make bin/biosnoop)"
	finish
	exit 1
fi

# --- bad input: one line, "Try ...", status 2, nothing on stdout ------------

bad() {
	want=$1
	shift
	"$BS" "$@" >"$D/out" 2>"$D/err" </dev/null
	rc=$?
	printf '%s\nTry '\''biosnoop --help'\''.\n' "$want" >"$D/want"
	if [ $rc -eq 2 ] && cmp -s "$D/err" "$D/want" && [ ! -s "$D/out" ]; then
		ok "bad input: biosnoop $*"
	else
		echo "# got status $rc"
		not_ok "bad input: biosnoop $*: want '$want', status 2" "$D/err"
	fi
}

bad "biosnoop: unexpected argument '1'" 1
bad "biosnoop: invalid attach variant 'nope' (choose from: auto, tp_btf, raw_tp)" --attach=nope
bad "biosnoop: invalid option '-p'" -p 1
bad "biosnoop: option '-d' needs an argument" -d
bad "biosnoop: invalid cgroup '/tmp': not a cgroup2 directory" -c /tmp
bad "biosnoop: invalid duration 'soon'" --duration soon

"$BS" -d nope >"$D/out" 2>"$D/err" </dev/null
rc=$?
if [ $rc -eq 2 ] && [ "$(grep -c . "$D/err")" -eq 2 ] &&
   has "$D/err" "^biosnoop: unknown disk 'nope' \\(disks: .+\\)\$" && [ ! -s "$D/out" ]; then
	ok "bad input: -d nope names the disk and lists those there are"
else
	echo "# got status $rc"
	not_ok "bad input: -d nope names the disk and lists those there are" "$D/err"
fi

"$BS" --help >"$D/out" 2>"$D/err"
check "--help: usage on stdout, status 0" [ $? -eq 0 ]
check "--help shows the usage line" has "$D/out" '^Usage: biosnoop \[OPTION\]\.\.\.$'
"$BS" --version >"$D/out"
check "--version" has "$D/out" '^biosnoop \(tracekit\) [0-9]+\.[0-9]+\.[0-9]+$'

need_root

# --- a loop device of our own ------------------------------------------------

LOOPDEV=
SCHED=
bs_cleanup() {
	for p in $T_PIDS; do kill "$p" 2>/dev/null; done
	if [ -n "$LOOPDEV" ]; then
		[ -n "$SCHED" ] && echo "$SCHED" >"/sys/block/$LOOP/queue/scheduler" 2>/dev/null
		losetup -d "$LOOPDEV" 2>/dev/null
	fi
	t_cleanup
}
trap 'bs_cleanup' EXIT

truncate -s 64M "$D/disk"
LOOPDEV=$(losetup -f --show "$D/disk" 2>"$D/losetup.err")
if [ -z "$LOOPDEV" ] && losetup -f "$D/disk" 2>>"$D/losetup.err"; then
	LOOPDEV=$(losetup -a | sed -n "s|^\(/dev/loop[0-9]*\):.* $D/disk\$|\1|p" | head -n 1)
fi
if [ -z "$LOOPDEV" ]; then
	not_ok "losetup: cannot make a loop device" "$D/losetup.err"
	finish
	exit 1
fi
LOOP=${LOOPDEV#/dev/}
SCHED=$(sed -n 's/.*\[\(.*\)\].*/\1/p' "/sys/block/$LOOP/queue/scheduler" 2>/dev/null)
T_PROGS='block_(rq_insert|rq_issue_|rq_comple|getrq_)'

dio() {
	_n=$1
	shift
	rm -f "$D/go.$_n"
	mkfifo "$D/go.$_n"
	: >"$D/work.$_n"
	"$TK_HELPERS/tk_dio" -g "$D/go.$_n" "$LOOPDEV" "$@" >"$D/work.$_n" 2>&1 &
	T_PIDS="$T_PIDS $!"
	eval "W_BG_$_n=$!"
	wait_for "$D/work.$_n" '^pid ' 5 || not_ok "workload $_n did not start" "$D/work.$_n"
	W_PID=$(sed -n 's/^pid \([0-9]*\)$/\1/p' "$D/work.$_n")
}

# stat_sum FILE: completed reads, writes, discards and flushes in a copy of
# /sys/block/X/stat (fields 1, 5, 12, 16; the last two since 4.18 and 5.5).
stat_sum() {
	awk '{ print $1 + $5 + $12 + $16 }' "$1"
}
stat_field() {
	awk -v f="$2" '{ print $f + 0 }' "$1"
}

# lines OUT PID T BYTES: data lines of PID with the T column and size.
lines() {
	awk -v p="$2" -v t="$3" -v b="$4" '$3 == p && $5 == t && $7 == b' "$1" | grep -c .
}

# RS: the T the kernel itself gives tk_dio's direct 4 KiB reads, read from its
# own block_rq_issue event in a trace instance of this file's. 6.x marks them
# sync (RS); 5.10's block-device direct reads carry no REQ_SYNC (R).
kernel_read_rwbs() {
	_tr=$(awk '$3 == "tracefs" { print $2; exit }' /proc/mounts)
	_um=
	if [ -z "$_tr" ]; then
		mkdir -p "$D/tracefs" && mount -t tracefs nodev "$D/tracefs" || return 1
		_tr=$D/tracefs
		_um=1
	fi
	_in=$_tr/instances/tk-biosnoop-$$
	mkdir "$_in" 2>/dev/null || return 1
	echo 1 >"$_in/events/block/block_rq_issue/enable"
	dio r read 1 4096
	go r
	echo 0 >"$_in/events/block/block_rq_issue/enable"
	sed -n "s/.*block_rq_issue: $(cat "/sys/block/$LOOP/dev" | tr : ,) \([A-Z]*\) 4096 .*\[tk_dio\]\$/\1/p" \
		"$_in/trace" | head -n 1
	rmdir "$_in"
	[ -z "$_um" ] || umount "$D/tracefs"
}
RS=$(kernel_read_rwbs)
case "$RS" in
R | RS) ok "the kernel's own block_rq_issue calls a direct read '$RS' here" ;;
*) not_ok "the kernel's own block_rq_issue shows no direct read (got '$RS')"; RS=RS ;;
esac

# --- every attach variant: the kernel's count, the workload's count ----------

for v in $VARIANTS; do
	O="$D/out.$v"
	SHOW="$O $O.err $D/stat.before.$v $D/stat.after.$v"
	A="--attach=$v"

	dio a read 20 4096 write 7 8192 fsync 3 0
	tool_start "$O" "$BS" "$A" -d "$LOOP" || continue
	cp "/sys/block/$LOOP/stat" "$D/stat.before.$v"
	go a
	cp "/sys/block/$LOOP/stat" "$D/stat.after.$v"
	stop_tool INT
	check "[$v] exit 0 on SIGINT" [ "$TOOL_RC" -eq 0 ]
	check "[$v] the workload did 20 reads, 7 writes, 3 fsyncs" \
		has "$D/work.a" '^done reads 20 writes 7 fsyncs 3$'
	check "[$v] bcc's header" \
		has "$O" '^TIME\(s\) +COMM +PID +DISK +T +SECTOR +BYTES +LAT\(ms\)$'
	dr=$(( $(stat_field "$D/stat.after.$v" 1) - $(stat_field "$D/stat.before.$v" 1) ))
	dw=$(( $(stat_field "$D/stat.after.$v" 5) - $(stat_field "$D/stat.before.$v" 5) ))
	df=$(( $(stat_field "$D/stat.after.$v" 16) - $(stat_field "$D/stat.before.$v" 16) ))
	all=$(( $(stat_sum "$D/stat.after.$v") - $(stat_sum "$D/stat.before.$v") ))
	n=$(grep -c "^[0-9.]* .* $LOOP " "$O")
	# Each fsync is an empty pre-flush write the kernel completes (and
	# counts as a write) without issuing it, plus the flush it issues.
	check "[$v] the kernel counted 20 reads, 7+3 writes, 3 flushes (got $dr $dw $df)" \
		[ "$dr" = 20 -a "$dw" = 10 -a "$df" = 3 ]
	check "[$v] one line per request the kernel issued: $all - 3 (got $n)" \
		[ "$n" -eq $((all - 3)) ]
	check "[$v] the 20 reads of 4096 bytes, as pid $W_PID" [ "$(lines "$O" "$W_PID" "$RS" 4096)" = 20 ]
	check "[$v] the 7 writes of 8192 bytes, as pid $W_PID" [ "$(lines "$O" "$W_PID" WS 8192)" = 7 ]
	check "[$v] the 3 flushes (T FF, no sector), as pid $W_PID, whose fsyncs asked for them" \
		[ "$(awk -v p="$W_PID" '$3 == p && $5 == "FF" && $6 == -1 && $7 == 0' "$O" | grep -c .)" = "$df" ]
	check "[$v] reads at the workload's sectors, from 0 by 8" \
		[ "$(awk -v p="$W_PID" -v rs="$RS" '$3 == p && $5 == rs { s = s $6 " " } END { print s }' "$O")" = \
		  "0 8 16 24 32 40 48 56 64 72 80 88 96 104 112 120 128 136 144 152 " ]
	check "[$v] the first write where the reads ended (sector 160)" \
		[ "$(awk -v p="$W_PID" '$3 == p && $5 == "WS" { print $6; exit }' "$O")" = 160 ]
	check "[$v] comm tk_dio on the workload's lines" \
		[ "$(awk -v p="$W_PID" '$3 == p && $2 != "tk_dio"' "$O" | grep -c .)" = 0 ]
	check "[$v] latencies are milliseconds" \
		[ "$(awk -v p="$W_PID" '$3 == p && $8 !~ /^[0-9]+\.[0-9][0-9][0-9]$/' "$O" | grep -c .)" = 0 ]
	check "[$v] nothing lost" not has "$O.err" 'lost'
	[ "$v" = auto ] || check "[$v] -v says $v is used" has "$O.err" "attach: using $v\$"
done

# --- JSON and -Q, under mq-deadline (every request is inserted first) --------

O="$D/out"
SHOW="$O $O.err"
sched_set "$LOOP" mq-deadline
sched=$?
if [ $sched -eq 0 ]; then
	dio a read 10 4096 write 4 4096
	tool_start "$O" "$BS" -j -Q -d "$LOOP" || exit 1
	go a
	stop_tool INT
	check "-j -Q: exit 0" [ "$TOOL_RC" -eq 0 ]
	re='^'"$(je io)"',"pid":'$W_PID',"comm":"tk_dio","disk":"'$LOOP'","dev_major":[0-9]+,"dev_minor":[0-9]+,"rwbs":"'$RS'","flags":"([A-Za-z]+-)*Read","cmd_flags":[0-9]+,"sector":[0-9]+,"bytes":4096,"queue_ns":[0-9]+,"lat_ns":[0-9]+,"error":0\}$'
	check "-j -Q: the 10 reads, field by field" [ "$(grep -Ec "$re" "$O")" = 10 ]
	check "-j -Q: the 4 writes" \
		[ "$(grep -c '"pid":'$W_PID',.*"rwbs":"WS","flags":"[A-Za-z-]*Write",.*"bytes":4096,"queue_ns":[0-9]' "$O")" = 4 ]
	check "-j: nothing but records on stdout" [ "$(grep -cvE "^$(je io)," "$O")" = 0 ]

	dio a read 3 4096
	tool_start "$O" "$BS" -Q -d "$LOOP" || exit 1
	go a
	stop_tool INT
	check "-Q: a QUE(ms) column" has "$O" '^TIME\(s\) +COMM +PID +DISK +T +SECTOR +BYTES +QUE\(ms\) +LAT\(ms\)$'
	check "-Q: the 3 reads with a queue time" \
		[ "$(awk -v p="$W_PID" '$3 == p && $8 ~ /^[0-9]+\.[0-9]+$/ && $9 ~ /^[0-9]+\.[0-9]+$/' "$O" | grep -c .)" = 3 ]

	# Two processes at once through the scheduler: a dispatch run by one
	# issues requests of the other, so only the submitter's own hook
	# (block_getrq) can tell whose each request is. Their sectors say it.
	dio a read 1000 4096
	PA=$W_PID
	rm -f "$D/go.b"
	mkfifo "$D/go.b"
	: >"$D/work.b"
	"$TK_HELPERS/tk_dio" -g "$D/go.b" -o 33554432 "$LOOPDEV" read 1000 4096 >"$D/work.b" 2>&1 &
	T_PIDS="$T_PIDS $!"
	W_BG_b=$!
	wait_for "$D/work.b" '^pid ' 5 || not_ok "workload b did not start" "$D/work.b"
	PB=$(sed -n 's/^pid \([0-9]*\)$/\1/p' "$D/work.b")
	tool_start "$O" "$BS" -d "$LOOP" || exit 1
	( : >"$D/go.a" ) &
	( : >"$D/go.b" ) &
	wait "$W_BG_a" "$W_BG_b"
	stop_tool INT
	na=$(awk -v p="$PA" -v rs="$RS" '$3 == p && $5 == rs && $6 < 65536' "$O" | grep -c .)
	nb=$(awk -v p="$PB" -v rs="$RS" '$3 == p && $5 == rs && $6 >= 65536' "$O" | grep -c .)
	check "two processes at once: each one's 1000 reads, at its own sectors (got $na, $nb)" \
		[ "$na" = 1000 -a "$nb" = 1000 ]
	echo "${SCHED:-none}" >"/sys/block/$LOOP/queue/scheduler"
elif [ $sched -eq 2 ]; then
	# No scheduler, no block_rq_insert: -Q has nothing to add, and no
	# request waits in a queue for the checks below to see.
	echo "# SKIP $T_NAME: -Q under mq-deadline: this kernel gives $LOOP no I/O scheduler ($(cat "/sys/block/$LOOP/queue/scheduler"))"
else
	not_ok "cannot set the mq-deadline scheduler on $LOOP" "/sys/block/$LOOP/queue/scheduler"
fi

# --- ends: SIGTERM, --duration ----------------------------------------------

dio a read 5 4096
tool_start "$O" "$BS" -d "$LOOP" || exit 1
go a
stop_tool TERM
check "SIGTERM exits 0" [ "$TOOL_RC" -eq 0 ]
check "SIGTERM: the 5 reads were printed" [ "$(lines "$O" "$W_PID" "$RS" 4096)" = 5 ]

start_tool "$O" "$O.err" "$BS" --duration 0.5 -d "$LOOP"
wait "$TOOL_PID"
check "--duration 0.5 exits 0 by itself" [ $? -eq 0 ]

# --- --cgroup: the requests of the cgroup's process only ---------------------

CG=/sys/fs/cgroup/unified/tk-e2e-bs-$$
if mkdir "$CG" 2>/dev/null; then
	rm -f "$D/go.c"
	mkfifo "$D/go.c"
	: >"$D/work.c"
	"$TK_HELPERS/tk_work" -C "$CG" exec "$TK_HELPERS/tk_dio" -g "$D/go.c" "$LOOPDEV" \
		read 12 4096 >"$D/work.c" 2>&1 &
	T_PIDS="$T_PIDS $!"
	W_BG_c=$!
	wait_for "$D/work.c" '^pid [0-9]*$' 5 || not_ok "workload c did not start" "$D/work.c"
	CPID=$(sed -n 's/^pid \([0-9]*\)$/\1/p' "$D/work.c")
	dio b read 5 4096
	tool_start "$O" "$BS" -c "$CG" -d "$LOOP" || exit 1
	go c
	go b
	stop_tool INT
	check "-c/--cgroup: the cgroup's 12 reads, as its pid" [ "$(lines "$O" "$CPID" "$RS" 4096)" = 12 ]
	check "-c/--cgroup: nothing else" [ "$(grep -c "^[0-9.]* " "$O")" = 12 ]
	rmdir "$CG"
else
	not_ok "cannot create cgroup $CG"
fi

not_root_check "$BS"

leak_check "no BPF program or link left behind" "$D/bpf.before"
finish
