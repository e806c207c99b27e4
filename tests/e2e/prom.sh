#!/bin/sh
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
# Fleet mode (common/prom.c): syscount and biolatency as Prometheus
# exporters. The counters must equal what the workloads did (their own
# counts, the loop device's /sys/block/*/stat); the exposition must pass
# promtool; the HTTP server must answer only GET /metrics and survive
# oversized, idle and surplus clients without stalling the tracing;
# --textfile must never be seen half written and leave no temp file.
. "$(dirname "$0")/lib.sh"
SC="$TK_BIN/syscount"
BL="$TK_BIN/biolatency"
D=$T_DIR

# --- bad input: one line, status 2, before anything is loaded ---------------

bad_input syscount "syscount: invalid --prometheus address 'nope': expected ADDR:PORT" \
	--prometheus nope
bad_input syscount \
	"syscount: invalid --prometheus address '127.0.0.1:99999': port out of range (0 to 65535)" \
	--prometheus 127.0.0.1:99999
bad_input syscount \
	"syscount: invalid --prometheus address '::1:80': invalid IPv4 address (an IPv6 one goes in brackets)" \
	--prometheus ::1:80
bad_input biolatency "biolatency: invalid --textfile '/nonexistent/m.prom': /nonexistent/ is not a writable directory" \
	--textfile /nonexistent/m.prom
# ":PORT" is loopback (below), so only the port can be wrong.
bad_input syscount \
	"syscount: invalid --prometheus address ':99999': port out of range (0 to 65535)" \
	--prometheus :99999
bad_input syscount "syscount: invalid --prometheus address '[]:80': no address before the port" \
	--prometheus '[]:80'
mkdir "$D/adir"
bad_input syscount "syscount: invalid --textfile '$D/adir': not a regular file" --textfile "$D/adir"
bad_input syscount "syscount: invalid --prom-top 'x'" --prom-top x
bad_input tcpconnect "tcpconnect: --prometheus and --textfile need -c (the metrics are its counts)" \
	--prometheus 127.0.0.1:0
bad_input profile "profile: -f and --svg cannot go with --prometheus or --textfile (the metrics are samples by comm, no stacks)" \
	-f --prometheus 127.0.0.1:0
bad_input tcpretrans "tcpretrans: --prometheus and --textfile need -c (the metrics are its counts)" \
	--prometheus 127.0.0.1:0
bad_input tcpretrans "tcpretrans: --prometheus and --textfile need -c (the metrics are its counts)" \
	--textfile "$D/x.prom"
listener busy 127.0.0.1
bad_input syscount "syscount: cannot listen on '127.0.0.1:$L_PORT': Address already in use" \
	--prometheus "127.0.0.1:$L_PORT"
kill "$L_PID" 2>/dev/null

need_root
command -v curl >/dev/null || { not_ok "curl is not installed"; finish; exit 1; }

# A directory root cannot write either: a read-only file system.
mkdir "$D/ro"
if mount -t tmpfs -o ro,size=64k tkprom "$D/ro" 2>"$D/mount.err"; then
	bad_input syscount "syscount: invalid --textfile '$D/ro/m.prom': $D/ro/ is not a writable directory" \
		--textfile "$D/ro/m.prom"
	umount "$D/ro"
else
	not_ok "cannot mount a read-only tmpfs" "$D/mount.err"
fi

# ":PORT" binds loopback, never every address.
bpf_track_run "$SC" -v -d 0.2 --prometheus :0 >/dev/null 2>"$D/colon.err"
SHOW="$D/colon.err"
check "--prometheus :0 serves on 127.0.0.1 only" \
	has "$D/colon.err" '^syscount: serving metrics on http://127\.0\.0\.1:[1-9][0-9]*/metrics$'

# fetch FILE [CURL ARGS...]: GET /metrics into FILE; prints the status.
fetch() {
	_f=$1
	shift
	curl -s --max-time 5 -o "$_f" -w '%{http_code}' "$@" "http://127.0.0.1:$PORT/metrics"
}

# --- syscount: the counter is the workload's own count ----------------------

O="$D/sc"
SHOW="$O.err $D/m1"
work a -n 1000 -G 600:"$D/resume.a" getppid
pa=$W_PID
rm -f "$D/resume.a"
mkfifo "$D/resume.a"
prom_start "$O" "$SC" -L -p "$pa" || exit 1
( : >"$D/go.a" ) &
wait_for "$D/work.a" '^paused$' 10 || not_ok "workload a did not pause" "$D/work.a"
check "GET /metrics: 200" [ "$(fetch "$D/m1")" = 200 ]
check "syscount: the counter holds the 600 getppid calls made so far" \
	[ "$(metric "$D/m1" 'tracekit_syscalls_total{syscall="getppid"}')" = 600 ]
check "nothing lost: tracekit_lost_events_total 0" has "$D/m1" '^tracekit_lost_events_total 0$'
SHOW="$O.err $D/m1.lint"
lint "syscount's body" "$D/m1"
check "-L: time spent in getppid, in seconds" \
	has "$D/m1" '^tracekit_syscall_latency_seconds_total\{syscall="getppid"\} [0-9.e-]+$'
curl -s --max-time 5 -D "$D/h1" -o /dev/null "http://127.0.0.1:$PORT/metrics"
check "Content-Type is the text format 0.0.4" has "$D/h1" '^Content-Type: text/plain; version=0\.0\.4'

SHOW="$O.err"
check "GET /: 404" [ "$(curl -s --max-time 5 -o /dev/null -w '%{http_code}' "http://127.0.0.1:$PORT/")" = 404 ]
check "GET /metricsx: 404" [ "$(curl -s --max-time 5 -o /dev/null -w '%{http_code}' "http://127.0.0.1:$PORT/metricsx")" = 404 ]
check "POST /metrics: 405" [ "$(fetch /dev/null -X POST -d x=1)" = 405 ]
big=$(head -c 9000 /dev/zero | tr '\0' a)
code=$(fetch /dev/null -H "X-Big: $big")
check "a 9 KB request: 431 (got $code)" [ "$code" = 431 ]
check "after it, GET /metrics still answers" [ "$(fetch "$D/m2")" = 200 ]

# A client that sends nothing, and more idle ones than the server keeps
# (16): the tracing goes on and a later request is answered at once.
helper_go idle "$TK_HELPERS/tk_tcp" connect -k 4000 127.0.0.1 "$PORT" 20
wait_for "$D/work.idle" 'connect lport' 5
sleep 0.3
( : >"$D/resume.a" ) &
eval "wait \$W_BG_a"
check "workload a made its 1000 calls" has "$D/work.a" 'done|getppid'
# Well within the 5 s an idle connection may hold its slot.
r=$(curl -s --max-time 5 -o "$D/m3" -w '%{http_code} %{time_total}' "http://127.0.0.1:$PORT/metrics")
code=${r%% *}
SHOW="$O.err $D/m3 $D/work.idle"
check "20 idle connections: a new GET /metrics answered (got $r s)" \
	[ "$code" = 200 ] && [ "$(echo "${r#* }" | awk '{ print ($1 < 2) }')" = 1 ]
check "the counter grew to 1000 while idle clients were connected" \
	[ "$(metric "$D/m3" 'tracekit_syscalls_total{syscall="getppid"}')" = 1000 ]
check "the idle clients connected (20)" [ "$(grep -c '^connect lport .* ret 0' "$D/work.idle")" = 20 ]
stop_tool INT
check "syscount --prometheus: exit 0 on SIGINT" [ "$TOOL_RC" -eq 0 ]
check "nothing on stdout" [ ! -s "$O" ]
kill "$W_PID" 2>/dev/null

# --- --prom-top: the rest summed under "other" ------------------------------

O="$D/top"
SHOW="$O.err $D/m4"
work b -n 50 getppid
pb=$W_PID
prom_start "$O" "$SC" -p "$pb" --prom-top 1 || exit 1
go b
fetch "$D/m4" >/dev/null
stop_tool INT
n=$(grep -c '^tracekit_syscalls_total{' "$D/m4")
check "--prom-top 1: one syscall and other (got $n series)" [ "$n" = 2 ]
check "--prom-top 1: getppid (50) is the one kept" \
	[ "$(metric "$D/m4" 'tracekit_syscalls_total{syscall="getppid"}')" = 50 ]
check "--prom-top 1: other holds the rest" has "$D/m4" '^tracekit_syscalls_total\{syscall="other"\} [1-9][0-9]*$'

# --- --textfile: never seen half written, no temp file left -----------------

O="$D/tf"
F="$D/tk.prom"
SHOW="$O.err"
work c -n 2000 -G 1000:"$D/resume.c" getppid
pc=$W_PID
rm -f "$D/resume.c"
mkfifo "$D/resume.c"
tool_start "$O" "$SC" -L -p "$pc" -i 0.02 --textfile "$F" || exit 1
( : >"$D/go.c" ) &
wait_for "$D/work.c" '^paused$' 10
wait_for "$F" 'getppid' 5
# A reader polling the file while it is rewritten every 20 ms: each copy
# must be whole (as many latency samples as count samples, ending in a
# newline, the count never going back). The loop only copies (one fork a
# read: the TCG guest forks slowly); one awk judges the copies after. Here
# a copy takes a millisecond: a pause between them spreads the 300 over
# some 150 rewrites, as the guest's slow forks do by themselves.
pause=0.01
in_guest && pause=0
i=0
while [ $i -lt 300 ]; do
	cat "$F" >"$D/copy.$((1000 + i))" 2>/dev/null
	[ "$pause" = 0 ] || sleep "$pause"
	[ $i = 150 ] && ( : >"$D/resume.c" ) &
	i=$((i + 1))
done
# Each copy as one record (RS is a byte the format never holds), so its
# last byte shows; bad copies are named on stdout.
awk 'BEGIN { RS = "\001"; prev = 0 }
{
	nc = nl = 0; v = -1
	n = split($0, l, "\n")
	for (j = 1; j <= n; j++) {
		if (l[j] ~ /^tracekit_syscalls_total\{/) nc++
		if (l[j] ~ /^tracekit_syscall_latency_seconds_total\{/) nl++
		if (index(l[j], "tracekit_syscalls_total{syscall=\"getppid\"} ") == 1) {
			split(l[j], f, " "); v = f[2] + 0
		}
	}
	if (nc == 0 || nc != nl || substr($0, length($0)) != "\n" || v < prev)
		print FILENAME
	else
		prev = v
}
END { print "judged " NR }' "$D"/copy.1* >"$D/bad.list"
# An empty copy is no record: it counts as bad too.
bad=$(($(grep -vc '^judged ' "$D/bad.list") + 300 - $(sed -n 's/^judged //p' "$D/bad.list")))
[ "$bad" = 0 ] && [ -s "$D/bad.list" ] || cp "$D/bad.list" "$D/bad.copy"
eval "wait \$W_BG_c"
SHOW="$O.err $D/bad.copy"
check "--textfile: 300 reads during rewrites, none partial (bad: $bad)" [ "$bad" = 0 ]
stop_tool INT
check "--textfile: exit 0 on SIGINT" [ "$TOOL_RC" -eq 0 ]
check "--textfile: no temp file left" [ -z "$(ls "$D" | grep 'tk\.prom\.tmp')" ]
v=$(metric "$F" 'tracekit_syscalls_total{syscall="getppid"}')
check "--textfile: the last write holds all 2000 getppid calls (got $v)" [ "$v" = 2000 ]
SHOW="$F.lint"
lint "the textfile" "$F"

# --- biolatency: the histogram's count is the device's own -----------------

truncate -s 64M "$D/disk"
loop_attach "$D/disk" || { finish; exit 1; }
LOOP=${LOOPDEV#/dev/}
O="$D/bl"
SHOW="$O.err $D/b1"
prom_start "$O" "$BL" -D -d "$LOOP" || exit 1
s0=$(awk '{ print $1 + $5 }' "/sys/block/$LOOP/stat")
"$TK_HELPERS/tk_dio" "$LOOPDEV" read 20 4096 write 7 4096 >"$D/dio" 2>&1
s1=$(awk '{ print $1 + $5 }' "/sys/block/$LOOP/stat")
want=$((s1 - s0))
check "the loop device completed the 27 I/Os (stat: $want)" [ "$want" = 27 ]
got=
i=0
# Completions are counted in the kernel as they happen; a moment for the
# last one to land in the map.
while [ $i -lt 20 ]; do
	fetch "$D/b1" >/dev/null
	got=$(metric "$D/b1" "tracekit_block_io_latency_seconds_count{disk=\"$LOOP\"}")
	[ "$got" = "$want" ] && break
	sleep 0.1
	i=$((i + 1))
done
check "biolatency: _count{disk=\"$LOOP\"} = the stat's reads + writes ($want; got $got)" \
	[ "$got" = "$want" ]
awk -v d="$LOOP" '
	index($0, "tracekit_block_io_latency_seconds_bucket{disk=\"" d "\",le=") == 1 { print $2 }' \
	"$D/b1" >"$D/buckets"
check "buckets are cumulative: never decreasing, ending at _count" \
	awk -v c="$got" 'NR > 1 && $1 < p { exit 1 } { p = $1 } END { exit !(NR == 27 && p == c) }' \
	"$D/buckets"
check "biolatency: nothing lost: tracekit_lost_events_total 0" has "$D/b1" '^tracekit_lost_events_total 0$'
check "the last bucket is +Inf" has "$D/b1" "_bucket\\{disk=\"$LOOP\",le=\"\\+Inf\"\\} $want\$"
check "_sum in seconds, above zero" has "$D/b1" "^tracekit_block_io_latency_seconds_sum\\{disk=\"$LOOP\"\\} [0-9.e-]*[1-9]"
SHOW="$D/b1.lint"
lint "biolatency's body" "$D/b1"
stop_tool INT
check "biolatency --prometheus: exit 0 on SIGINT" [ "$TOOL_RC" -eq 0 ]

# -F over IPv6 loopback: one histogram per set of flags, with the counts
# the workload did.
O="$D/bl6"
SHOW="$O.err $D/b2"
tool_start "$O" "$BL" -F -d "$LOOP" --prometheus '[::1]:0' || exit 1
PORT6=$(sed -n 's|.*serving metrics on http://\[::1\]:\([0-9]*\)/metrics$|\1|p' "$O.err")
"$TK_HELPERS/tk_dio" "$LOOPDEV" read 11 4096 write 5 8192 >"$D/dio" 2>&1
i=0
while [ $i -lt 20 ]; do
	curl -s --max-time 5 -o "$D/b2" "http://[::1]:$PORT6/metrics"
	sed -n 's/^tracekit_block_io_latency_seconds_count{flags="\(.*\)"} \([0-9]*\)$/\1 \2/p' \
		"$D/b2" >"$D/flags"
	has "$D/flags" 'Read 11$' && has "$D/flags" 'Write 5$' && break
	sleep 0.1
	i=$((i + 1))
done
SHOW="$O.err $D/b2 $D/flags"
check "[::1]: -F: a histogram of the 11 reads" has "$D/flags" '^([A-Za-z]+-)*Read 11$'
check "[::1]: -F: a histogram of the 5 writes" has "$D/flags" '^([A-Za-z]+-)*Write 5$'
check "[::1]: -F: no other histograms" [ "$(grep -c . "$D/flags")" -eq 2 ]
stop_tool INT

# --- profile: samples by comm, against the spinner's own CPU time -----------

# A copy of tk_spin under a name of this run's own: its comm is unique, so
# its series holds its samples and nobody else's. Two exporters at once:
# -p (the spinner's series alone) and every process; each also writes a
# textfile, whose last write (after the perf events are closed) must sum to
# the samples the tool counted in the kernel, as its -v line says.
PR="$TK_BIN/profile"
SPIN="$D/tkp$$"
cp "$TK_HELPERS/tk_spin" "$SPIN"
comm=tkp$$
rm -f "$D/go.s"
mkfifo "$D/go.s"
"$SPIN" -g "$D/go.s" -k spin 1.5 >"$D/work.s" 2>&1 &
T_PIDS="$T_PIDS $!"
sbg=$!
wait_for "$D/work.s" '^pid ' 10 || not_ok "the spinner did not start" "$D/work.s"
ps=$(sed -n 's/^pid \([0-9]*\)$/\1/p' "$D/work.s")
O="$D/pr"
prom_start "$O.p" "$PR" -F 499 -p "$ps" --textfile "$D/pp.prom" || exit 1
pp=$TOOL_PID
PORTP=$PORT
prom_start "$O.a" "$PR" -F 499 --textfile "$D/pa.prom" || exit 1
pa=$TOOL_PID
( : >"$D/go.s" ) &
wait_for "$D/work.s" '^cpu_ns ' 30 || not_ok "the spinner did not finish" "$D/work.s"
fetch "$D/pr.a" >/dev/null
PORT=$PORTP
fetch "$D/pr.p" >/dev/null
TOOL_PID=$pp
stop_tool INT
rcp=$TOOL_RC
TOOL_PID=$pa
stop_tool INT
rca=$TOOL_RC
kill "$sbg" 2>/dev/null
want=$(sed -n 's/^cpu_ticks \([0-9]*\) clk_tck \([0-9]*\)$/\1 \2/p' "$D/work.s" |
	awk '{ printf "%d\n", $1 * 499 / $2 + 0.5 }')
s="tracekit_cpu_samples_total{comm=\"$comm\"}"
gp=$(metric "$D/pr.p" "$s")
ga=$(metric "$D/pr.a" "$s")
SHOW="$O.p.err $O.a.err $D/pr.p $D/pr.a $D/work.s"
check "profile --prometheus: exit 0 on SIGINT (both)" [ "$rcp$rca" = 00 ]
check "profile -p: one series, the spinner's comm $comm" \
	[ "$(grep -c '^tracekit_cpu_samples_total{' "$D/pr.p")" = 1 ] && [ "$gp" != none ]
check "profile: every process: the spinner's series is there" [ "$ga" != none ]
# The TCG guest's timers fire late (profile.sh): the host's check.
if in_guest; then
	echo "# SKIP in the TCG guest: samples near 499 Hz x CPU time (-p $gp, all $ga, want $want)"
else
	check "profile -p: $gp samples near 499 Hz x the spinner's CPU time ($want)" within_3sd "$gp" "$want"
	check "profile: every process: $ga samples of $comm near the same ($want)" within_3sd "$ga" "$want"
fi
for w in p a; do
	n=$(sed -n 's/^profile: \([0-9]*\) samples$/\1/p' "$O.$w.err")
	sum=$(awk '/^tracekit_cpu_samples_total\{/ { s += $2 } END { print s + 0 }' "$D/p$w.prom")
	SHOW="$O.$w.err $D/p$w.prom"
	check "profile ($w): the last textfile's series sum to the samples taken ($sum of $n)" \
		[ -n "$n" ] && [ "$sum" = "$n" ] && [ "$n" -gt 0 ]
	check "profile ($w): no sample lost" has "$D/p$w.prom" '^tracekit_cpu_samples_lost_total 0$'
done
SHOW="$D/pa.prom.lint"
lint "profile's textfile" "$D/pa.prom"

# --- tcpconnect -c: the counter is the workloads' own connects -------------

listener v4 127.0.0.1
P4=$L_PORT
listener v6 ::1
P6=$L_PORT
tcp ca 127.0.0.1 "$P4" 5
tcp cb ::1 "$P6" 3
O="$D/tc"
prom_start "$O.t" "$TK_BIN/tcpconnect" -c -P "$P4,$P6" --prom-top 1 || exit 1
pt=$TOOL_PID
PORTT=$PORT
prom_start "$O" "$TK_BIN/tcpconnect" -c -P "$P4,$P6" || exit 1
go ca
fetch "$D/c1" >/dev/null
go cb
fetch "$D/c2" >/dev/null
PORT=$PORTT
fetch "$D/c3" >/dev/null
stop_tool INT
rc=$TOOL_RC
TOOL_PID=$pt
stop_tool INT
rc=$rc$TOOL_RC
na=$(grep -c '^connect lport [0-9]* ret 0$' "$D/work.ca")
nb=$(grep -c '^connect lport [0-9]* ret 0$' "$D/work.cb")
s4="tracekit_tcp_connects_total{saddr=\"127.0.0.1\",daddr=\"127.0.0.1\",dport=\"$P4\"}"
s6="tracekit_tcp_connects_total{saddr=\"::1\",daddr=\"::1\",dport=\"$P6\"}"
SHOW="$O.err $O.t.err $D/c1 $D/c2 $D/c3 $D/work.ca $D/work.cb"
check "tcpconnect --prometheus: exit 0 on SIGINT (both)" [ "$rc" = 00 ]
check "the workloads connected 5 and 3 times ($na, $nb)" [ "$na" = 5 ] && [ "$nb" = 3 ]
check "tcpconnect -c: the IPv4 counter holds the 5 connects ($(metric "$D/c1" "$s4"))" \
	[ "$(metric "$D/c1" "$s4")" = "$na" ]
check "tcpconnect -c: the IPv6 counter holds the 3 connects ($(metric "$D/c2" "$s6"))" \
	[ "$(metric "$D/c2" "$s6")" = "$nb" ]
check "tcpconnect -c: the IPv4 counter still 5 a reading later" [ "$(metric "$D/c2" "$s4")" = "$na" ]
check "tcpconnect -c: no other series (-P $P4,$P6)" \
	[ "$(grep -c '^tracekit_tcp_connects_total{' "$D/c2")" = 2 ]
check "tcpconnect -c --prom-top 1: the 5 kept, the 3 as other in every label" \
	[ "$(metric "$D/c3" "$s4")" = "$na" ] &&
	[ "$(metric "$D/c3" 'tracekit_tcp_connects_total{saddr="other",daddr="other",dport="other"}')" = "$nb" ]
SHOW="$D/c2.lint"
lint "tcpconnect's body" "$D/c2"

# --- tcpretrans -c: the counter is the sending namespace's TcpRetransSegs ---

# prom_tcpretrans: two transfers over a lossy link of this file's own, each a
# flow with its own series; the first flow's counter must still hold after
# the second (a running total, though the kernel's map is drained at each
# reading). Returns 1 when there is no way to lose packets here.
prom_tcpretrans() {
	TR="$TK_BIN/tcpretrans"
	TCP="$TK_HELPERS/tk_tcp"
	command -v nstat >/dev/null 2>&1 || { LOSSY_WHY="no nstat (package iproute2)"; return 1; }
	lossy_link 20 || return 1
	"$IP" netns exec "$NB" "$TCP" serve "$AB" 0 >"$D/serve" 2>&1 &
	T_PIDS="$T_PIDS $!"
	wait_for "$D/serve" '^port ' 5 || { not_ok "server did not start" "$D/serve"; return 0; }
	P=$(sed -n 's/^port \([0-9]*\)$/\1/p' "$D/serve")
	O="$D/tr"
	prom_start "$O" "$TR" -c -l -D "$P" || return 0
	transfer 1
	want1=$WANT lp1=$LP
	fetch "$D/t1" >/dev/null
	transfer 2
	want2=$WANT lp2=$LP
	fetch "$D/t2" >/dev/null
	SHOW="$O.err $D/t1 $D/t2 $D/talk.1 $D/talk.2"
	s1="tracekit_tcp_retransmits_total{saddr=\"$AA\",sport=\"$lp1\",daddr=\"$AB\",dport=\"$P\"}"
	s2="tracekit_tcp_retransmits_total{saddr=\"$AA\",sport=\"$lp2\",daddr=\"$AB\",dport=\"$P\"}"
	check "tcpretrans: both transfers went through, each with retransmits ($want1, $want2)" \
		[ -n "$lp1" ] && [ -n "$lp2" ] && [ "$lp1" != "$lp2" ] && [ "$want1" -gt 0 ] && [ "$want2" -gt 0 ]
	check "tcpretrans -c: flow 1's counter = its TcpRetransSegs - TCPRetransFail ($want1; got $(metric "$D/t1" "$s1"))" \
		[ "$(metric "$D/t1" "$s1")" = "$want1" ]
	check "tcpretrans -c: flow 2's counter = its TcpRetransSegs - TCPRetransFail ($want2; got $(metric "$D/t2" "$s2"))" \
		[ "$(metric "$D/t2" "$s2")" = "$want2" ]
	check "tcpretrans -c: flow 1's counter still $want1 a reading later" \
		[ "$(metric "$D/t2" "$s1")" = "$want1" ]
	check "tcpretrans -c: no other flow (-D $P)" [ "$(grep -c '^tracekit_tcp_retransmits_total{' "$D/t2")" = 2 ]
	if grep -q 'attach: using tracepoint' "$O.err"; then
		check "tcpretrans -c -l without fentry or kprobes: no loss-probe counter" \
			not has "$D/t2" '^tracekit_tcp_loss_probes_total'
	else
		check "tcpretrans -c -l: a loss-probe counter per flow" \
			[ "$(grep -c '^tracekit_tcp_loss_probes_total{' "$D/t2")" = 2 ]
	fi
	SHOW="$D/t2.lint"
	lint "tcpretrans's body" "$D/t2"
	stop_tool INT
	check "tcpretrans --prometheus: exit 0 on SIGINT" [ "$TOOL_RC" -eq 0 ]
}

# counter NAME: the sending namespace's counter NAME.
counter() {
	"$IP" netns exec "$NA" nstat -az "$1" | awk -v n="$1" '$1 == n { print $2 }'
}

# transfer N: 1 MB from NA to the server, as in tcpretrans.sh; sets LP (the
# flow's local port) and WANT (segments retransmitted: TcpRetransSegs, less
# those that failed to go out).
transfer() {
	_s0=$(counter TcpRetransSegs)
	_f0=$(counter TcpExtTCPRetransFail)
	"$IP" netns exec "$NA" "$TCP" talk -w 1000000 "$AB" "$P" 1 >"$D/talk.$1" 2>&1
	sleep 0.3
	WANT=$(($(counter TcpRetransSegs) - _s0 - ($(counter TcpExtTCPRetransFail) - _f0)))
	LP=$(sed -n 's/^session lport \([0-9]*\) .*/\1/p' "$D/talk.$1")
}

if ! prom_tcpretrans; then
	if [ "${CI:-}" = true ]; then
		not_ok "tcpretrans: $LOSSY_WHY (CI=true: not skipping)"
	else
		echo "# SKIP tcpretrans's exporter: $LOSSY_WHY"
	fi
fi

leak_check
finish
