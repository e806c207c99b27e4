#!/bin/sh
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
# biolatency end to end: on a loop device of its own, a workload does a known
# number of O_DIRECT reads and writes (each exactly one request); the
# histograms must count exactly those. Bad input first: it needs no root.
. "$(dirname "$0")/lib.sh"
BL="$TK_BIN/biolatency"
VARIANTS=${TK_VARIANTS_biolatency:-"auto tp_btf raw_tp"}
D=$T_DIR

if ! [ -x "$BL" ]; then
	not_ok "$BL is not built (make bin/biolatency)"
	finish
	exit 1
fi

# --- bad input: one line, "Try ...", status 2, nothing on stdout ------------

# bad 'EXPECTED FIRST LINE' ARGS...
bad() {
	want=$1
	shift
	"$BL" "$@" >"$D/out" 2>"$D/err" </dev/null
	rc=$?
	printf '%s\nTry '\''biolatency --help'\''.\n' "$want" >"$D/want"
	if [ $rc -eq 2 ] && cmp -s "$D/err" "$D/want" && [ ! -s "$D/out" ]; then
		ok "bad input: biolatency $*"
	else
		echo "# got status $rc"
		not_ok "bad input: biolatency $*: want '$want', status 2" "$D/err"
	fi
}

bad "biolatency: invalid interval 'soon'" soon
bad "biolatency: interval '0' is out of range (0.001 to 31536000 seconds)" 0
bad "biolatency: invalid count 'x'" 1 x
bad "biolatency: count '0' is out of range (1 to 9223372036854775807)" 1 0
bad "biolatency: unexpected argument '3'" 1 2 3
bad "biolatency: invalid attach variant 'nope' (choose from: auto, tp_btf, raw_tp)" --attach=nope
bad "biolatency: invalid option '-p'" -p 1
bad "biolatency: option '-d' needs an argument" -d
bad "biolatency: invalid cgroup '/tmp': not a cgroup2 directory" -c /tmp

# The unknown disk's line lists the disks there are: /sys/block's entries.
"$BL" -d nope >"$D/out" 2>"$D/err" </dev/null
rc=$?
for b in /sys/block/*; do
	[ -f "$b/dev" ] && basename "$b"
done | sort >"$D/disks.want"
sed -n "s/^biolatency: unknown disk 'nope' (disks: \\(.*\\))\$/\\1/p" "$D/err" |
	tr ' ' '\n' | sort >"$D/disks.got"
if [ $rc -eq 2 ] && [ "$(grep -c . "$D/err")" -eq 2 ] && [ -s "$D/disks.got" ] &&
   cmp -s "$D/disks.got" "$D/disks.want" && has "$D/err" "^Try 'biolatency --help'\\.\$" &&
   [ ! -s "$D/out" ]; then
	ok "bad input: -d nope names the disk and lists those there are"
else
	echo "# got status $rc; disks: $(cat /sys/block/*/dev 2>/dev/null | wc -l)"
	not_ok "bad input: -d nope names the disk and lists those there are" "$D/err"
fi

"$BL" --help >"$D/out" 2>"$D/err"
check "--help: usage on stdout, status 0" [ $? -eq 0 ]
check "--help shows the usage line" has "$D/out" '^Usage: biolatency \[OPTION\]\.\.\. \[INTERVAL \[COUNT\]\]$'
"$BL" --version >"$D/out"
check "--version" has "$D/out" '^biolatency \(tracekit\) [0-9]+\.[0-9]+\.[0-9]+$'

need_root

# --- a loop device of our own ------------------------------------------------

LOOPDEV=
SCHED=
bl_cleanup() {
	# The tools and workloads first: they hold the device open.
	for p in $T_PIDS; do kill "$p" 2>/dev/null; done
	if [ -n "$LOOPDEV" ]; then
		# The scheduler is the device's, not the attachment's: leave it
		# as we found it for the next user of this loop device.
		[ -n "$SCHED" ] && echo "$SCHED" >"/sys/block/$LOOP/queue/scheduler" 2>/dev/null
		# Detaching a device still open only marks it for autoclear.
		losetup -d "$LOOPDEV" 2>/dev/null
	fi
	t_cleanup
}
trap 'bl_cleanup' EXIT

# An MBR with one partition (sectors 2048 to 6143), so the device has a
# partition to refuse to -d; the workloads overwrite it later, which does not
# matter once the kernel has read it.
truncate -s 64M "$D/disk"
printf '\000\000\000\000\203\000\000\000\000\010\000\000\000\020\000\000' |
	dd of="$D/disk" bs=1 seek=446 conv=notrunc 2>/dev/null
printf '\125\252' | dd of="$D/disk" bs=1 seek=510 conv=notrunc 2>/dev/null
LOOPDEV=$(losetup -P -f --show "$D/disk" 2>"$D/losetup.err" ||
	losetup -f --show "$D/disk" 2>>"$D/losetup.err")
# busybox's losetup has no --show: the device is the one holding the file.
if [ -z "$LOOPDEV" ] && losetup -P -f "$D/disk" 2>>"$D/losetup.err"; then
	LOOPDEV=$(losetup -a | sed -n "s|^\(/dev/loop[0-9]*\):.* $D/disk\$|\1|p" | head -n 1)
fi
if [ -z "$LOOPDEV" ]; then
	not_ok "losetup: cannot make a loop device" "$D/losetup.err"
	finish
	exit 1
fi
LOOP=${LOOPDEV#/dev/}
SCHED=$(sed -n 's/.*\[\(.*\)\].*/\1/p' "/sys/block/$LOOP/queue/scheduler" 2>/dev/null)

if [ -d "/sys/block/$LOOP/${LOOP}p1" ]; then
	bad "biolatency: '${LOOP}p1' is a partition: requests are per disk (try -d $LOOP)" \
		-d "${LOOP}p1"
else
	# Not a BPF matter, so not a failure even under CI: test_disks covers
	# the partition logic on a fake sysfs.
	echo "# SKIP $T_NAME: -d PARTITION: this kernel made no ${LOOP}p1 (no MBR partition support?)"
fi

# dio NAME TK_DIO_ARGS...: start the workload on our device, waiting for
# `go NAME` (lib.sh) to do its I/O.
dio() {
	_n=$1
	shift
	rm -f "$D/go.$_n"
	mkfifo "$D/go.$_n"
	: >"$D/work.$_n"	# now, not in the background job: wait_for reads it next
	"$TK_HELPERS/tk_dio" -g "$D/go.$_n" "$LOOPDEV" "$@" >"$D/work.$_n" 2>&1 &
	T_PIDS="$T_PIDS $!"
	eval "W_BG_$_n=$!"
	wait_for "$D/work.$_n" '^pid ' 5 || not_ok "workload $_n did not start" "$D/work.$_n"
}

# hist_sum FILE: the counts of every bucket of every histogram in FILE.
hist_sum() {
	awk '$2 == "->" && $4 == ":" { s += $5 } END { print s + 0 }' "$1"
}

# section_sums FILE KEY: "NAME SUM" for each histogram under a "KEY = NAME"
# line (the name up to a tab: "disk = loop0<TAB>flags = Read").
section_sums() {
	awk -v k="$2 = " '
		index($0, k) { name = substr($0, index($0, k) + length(k)); sub(/\t.*/, "", name) }
		name != "" && $2 == "->" && $4 == ":" { s[name] += $5 }
		END { for (n in s) print n, s[n] }' "$1"
}

# json_bucket_sum FILE: the counts of all buckets of all JSON histograms.
json_bucket_sum() {
	awk '{
		s = $0
		while (match(s, /"high":[0-9]+,"count":[0-9]+/)) {
			m = substr(s, RSTART, RLENGTH)
			sub(/.*"count":/, "", m)
			n += m
			s = substr(s, RSTART + RLENGTH)
		}
	} END { print n + 0 }' "$1"
}

# json_count FILE: the count of the first histogram of each JSON report.
json_count() {
	sed -n 's/.*"histograms":\[{"count":\([0-9]*\),.*/\1/p' "$1"
}

# --- every attach variant: exact counts, text --------------------------------

for v in $VARIANTS; do
	O="$D/out.$v"
	SHOW="$O $O.err"
	A="--attach=$v"

	dio a read 20 4096 write 7 4096
	tool_start "$O" "$BL" "$A" -d "$LOOP" || continue
	go a
	stop_tool INT
	check "[$v] exit 0 on SIGINT" [ "$TOOL_RC" -eq 0 ]
	check "[$v] the workload did 20 reads and 7 writes" has "$D/work.a" '^done reads 20 writes 7$'
	check "[$v] -d $LOOP counts exactly the 27 I/Os (got $(hist_sum "$O"))" [ "$(hist_sum "$O")" = 27 ]
	check "[$v] histogram header in usecs" has "$O" '^ +usecs +: count +distribution$'
	check "[$v] no disk or flags lines without -D, -F" not has "$O" '^(disk|flags) = '
	check "[$v] nothing lost" not has "$O.err" 'lost'
	[ "$v" = auto ] || check "[$v] -v says $v is used" has "$O.err" "attach: using $v\$"
done

# --- -F: one histogram per set of flags ------------------------------------

O="$D/out"
SHOW="$O"
dio a read 11 4096 write 5 8192
tool_start "$O" "$BL" -F -d "$LOOP" || exit 1
go a
stop_tool INT
section_sums "$O" flags >"$D/sums"
SHOW="$O $D/sums"
check "-F: one histogram of the 11 reads" has "$D/sums" '^([A-Za-z]+-)*Read 11$'
check "-F: one histogram of the 5 writes" has "$D/sums" '^([A-Za-z]+-)*Write 5$'
check "-F: no other histograms" [ "$(grep -c . "$D/sums")" -eq 2 ]

# --- -D: one histogram per disk; with -F both, bcc's "disk = X<TAB>flags = Y"

dio a read 9 4096
tool_start "$O" "$BL" -D || exit 1
go a
stop_tool INT
section_sums "$O" disk >"$D/sums"
SHOW="$O $D/sums"
check "-D: a 'disk = $LOOP' histogram" has "$O" "^disk = $LOOP\$"
check "-D: $LOOP's histogram counts its 9 reads" has "$D/sums" "^$LOOP 9\$"

dio a read 4 4096 write 3 4096
tool_start "$O" "$BL" -D -F || exit 1
go a
stop_tool INT
TAB=$(printf '\t')
SHOW="$O"
check "-D -F: 'disk = $LOOP<TAB>flags = ...Read'" has "$O" "^disk = $LOOP${TAB}flags = ([A-Za-z]+-)*Read\$"
check "-D -F: 'disk = $LOOP<TAB>flags = ...Write'" has "$O" "^disk = $LOOP${TAB}flags = ([A-Za-z]+-)*Write\$"

# --- -m, -e, JSON ------------------------------------------------------------

dio a read 13 4096
tool_start "$O" "$BL" -m -d "/dev/$LOOP" || exit 1
go a
stop_tool INT
check "-m: the unit is msecs" has "$O" '^ +msecs +: count +distribution$'
check "-m -d /dev/$LOOP: the 13 reads are counted" [ "$(hist_sum "$O")" = 13 ]

dio a read 6 4096
tool_start "$O" "$BL" -e -d "$LOOP" || exit 1
go a
stop_tool INT
check "-e: bcc's average, total and count line" \
	has "$O" '^avg = [0-9]+ usecs, total: [0-9]+ usecs, count: 6$'

dio a read 10 4096 write 5 4096
tool_start "$O" "$BL" -j -F -d "$LOOP" || exit 1
go a
stop_tool INT
check "JSON: one object, of type histograms" [ "$(grep -cE "^$(je histograms),\"unit\":\"usecs\",\"histograms\":\\[" "$O")" -eq 1 ]
check "JSON: the buckets add up to the 15 I/Os (got $(json_bucket_sum "$O"))" [ "$(json_bucket_sum "$O")" = 15 ]
check "JSON: a Read histogram of count 10" has "$O" '\{"flags":"([A-Za-z]+-)*Read","count":10,"total_ns":[1-9][0-9]*,"hist":\{"unit":"usecs","buckets":\['
check "JSON: a Write histogram of count 5" has "$O" '\{"flags":"([A-Za-z]+-)*Write","count":5,"total_ns":[1-9][0-9]*,"hist":'
check "JSON: each histogram's total" has "$O" '\],"total":10\}'

# --- -Q: never less than without ---------------------------------------------
# With mq-deadline every request passes block_rq_insert before block_rq_issue.
# Both tools watch the same I/Os; the one without -Q is started first, so at
# each tracepoint its program runs first: it starts the clock later (issue,
# not insert) and stops it earlier. So -Q's total is strictly larger.

sched_set "$LOOP" mq-deadline
sched=$?
if [ $sched -eq 0 ]; then
	dio a read 30 4096
	tool_start "$D/plain" "$BL" -j -d "$LOOP" || exit 1
	PLAIN=$TOOL_PID
	tool_start "$D/queued" "$BL" -j -Q -d "$LOOP" || exit 1
	go a
	stop_tool INT
	rq=$TOOL_RC
	TOOL_PID=$PLAIN
	stop_tool INT
	SHOW="$D/plain $D/queued"
	pt=$(json_num "$D/plain" total_ns)
	qt=$(json_num "$D/queued" total_ns)
	pc=$(json_count "$D/plain")
	qc=$(json_count "$D/queued")
	check "-Q: both tools exit 0" [ "$rq" -eq 0 -a "$TOOL_RC" -eq 0 ]
	check "-Q and without: both count the 30 reads (got ${pc:-?}, ${qc:-?})" \
		[ "${pc:-0}" = 30 -a "${qc:-0}" = 30 ]
	check "-Q: total ${qt:-?} ns > ${pt:-?} ns without" [ "${qt:-0}" -gt "${pt:-0}" ]
	echo "${SCHED:-none}" >"/sys/block/$LOOP/queue/scheduler"
elif [ $sched -eq 2 ]; then
	# No scheduler, no block_rq_insert: -Q has nothing to add, and no
	# request waits in a queue for the checks below to see.
	echo "# SKIP $T_NAME: -Q under mq-deadline: this kernel gives $LOOP no I/O scheduler ($(cat "/sys/block/$LOOP/queue/scheduler"))"
else
	not_ok "cannot set the mq-deadline scheduler on $LOOP" "/sys/block/$LOOP/queue/scheduler"
fi

# --- intervals ---------------------------------------------------------------

start_tool "$O" "$O.err" "$BL" -T -d "$LOOP" 0.3 3
wait "$TOOL_PID"
rc=$?
n=$(grep -c '^[0-9][0-9]:[0-9][0-9]:[0-9][0-9]$' "$O")
SHOW="$O $O.err"
check "'-T 0.3 3' exits 0 by itself" [ $rc -eq 0 ]
check "'-T 0.3 3' prints 3 reports, each with the time (got $n)" [ "$n" -eq 3 ]

start_tool "$O" "$O.err" "$BL" -j -d "$LOOP" 0.2 2
wait "$TOOL_PID"
rc=$?
n=$(grep -c '"type":"histograms"' "$O")
check "'-j 0.2 2' exits 0 with 2 JSON reports (got $n)" [ $rc -eq 0 -a "$n" -eq 2 ]

# The I/O of an interval is in that interval's report, and only there.
dio a read 8 4096
tool_start "$O" "$BL" -j -d "$LOOP" 0.5 || exit 1
go a
sleep 1.2
stop_tool INT
SHOW="$O"
check "intervals: the 8 reads appear once over all reports (got $(json_bucket_sum "$O"))" \
	[ "$(json_bucket_sum "$O")" = 8 ]
check "intervals: a report each interval" [ "$(grep -c '"type":"histograms"' "$O")" -ge 2 ]

# --- signals, cgroup ---------------------------------------------------------

dio a read 5 4096
tool_start "$O" "$BL" -d "$LOOP" || exit 1
go a
stop_tool TERM
check "SIGTERM exits 0" [ "$TOOL_RC" -eq 0 ]
check "SIGTERM prints the histogram" [ "$(hist_sum "$O")" = 5 ]

CG=/sys/fs/cgroup/unified/tk-e2e-bl-$$
if mkdir "$CG" 2>/dev/null; then
	rm -f "$D/go.c"
	mkfifo "$D/go.c"
	: >"$D/work.c"
	# tk_work joins the cgroup, then becomes tk_dio.
	"$TK_HELPERS/tk_work" -C "$CG" exec "$TK_HELPERS/tk_dio" -g "$D/go.c" "$LOOPDEV" \
		read 12 4096 >"$D/work.c" 2>&1 &
	T_PIDS="$T_PIDS $!"
	W_BG_c=$!
	wait_for "$D/work.c" '^pid [0-9]*$' 5 || not_ok "workload c did not start" "$D/work.c"
	dio b read 5 4096
	tool_start "$O" "$BL" -c "$CG" -d "$LOOP" || exit 1
	go c
	go b
	stop_tool INT
	check "-c/--cgroup counts only the cgroup's 12 reads (got $(hist_sum "$O"))" \
		[ "$(hist_sum "$O")" = 12 ]
	rmdir "$CG"
else
	not_ok "cannot create cgroup $CG"
fi

not_root_check "$BL"

leak_check "no BPF program or link left behind"
finish
