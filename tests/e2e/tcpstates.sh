#!/bin/sh
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
# tcpstates end to end: real tool, real kernel, sessions of our own on
# loopback (127.0.0.1, ::1) between tk_tcp talk and tk_tcp serve, which say
# their pids and ports. Each socket's changes, grouped by skaddr, must be
# the TCP state machine's for what the workload did: an active open and
# close, a passive open and close, and the same with the other side
# closing first.
. "$(dirname "$0")/lib.sh"
TS="$TK_BIN/tcpstates"
TCP="$TK_HELPERS/tk_tcp"
D=$T_DIR

# --- bad input: one line, status 2, nothing loaded (no root needed) --------

bad() {
	want=$1
	shift
	"$TS" "$@" >"$D/out" 2>"$D/err" </dev/null
	rc=$?
	printf '%s\nTry '\''tcpstates --help'\''.\n' "$want" >"$D/want"
	if [ $rc -eq 2 ] && cmp -s "$D/err" "$D/want" && [ ! -s "$D/out" ]; then
		ok "bad input: tcpstates $*"
	else
		echo "# got status $rc"
		not_ok "bad input: tcpstates $*: want '$want', status 2" "$D/err"
	fi
}

ports65=$(seq -s, 1 65)
bad "tcpstates: invalid port 'x' in '80,x'" -L 80,x
bad "tcpstates: invalid port '' in '80,'" -D 80,
bad "tcpstates: port '0' is out of range (1 to 65535)" -D 0
bad "tcpstates: port '65536' is out of range (1 to 65535)" -L 443,65536
bad "tcpstates: too many ports in '$ports65' (at most 64)" -D "$ports65"
bad "tcpstates: option '-L' needs an argument" -L
bad "tcpstates: -4 and -6 cannot be used together" -4 -6
bad "tcpstates: unexpected argument '1'" 1
bad "tcpstates: invalid PID '12abc'" -p 12abc
bad "tcpstates: invalid UID 'bob'" -u bob
bad "tcpstates: invalid cgroup '/tmp': not a cgroup2 directory" --cgroup /tmp
bad "tcpstates: invalid duration 'soon'" -d soon
bad "tcpstates: invalid option '-Z'" -Z
"$TS" --help >"$D/out" 2>"$D/err"
check "--help: usage on stdout, status 0" [ $? -eq 0 ] && has "$D/out" "^Usage: tcpstates"
"$TS" --version >"$D/out"
check "--version" has "$D/out" '^tcpstates \(tracekit\) [0-9]+\.[0-9]+\.[0-9]+$'

need_root
chmod 0777 "$D"

# states FILE LPORT RPORT: the changes of the socket whose records (JSON)
# have these ports, from its first change out of CLOSE or LISTEN to its
# CLOSE, as "OLD>NEW OLD>NEW ...". Grouped by skaddr, since a connecting
# socket has no local port at its first change. In ts_ns order: the perf
# buffer is one per CPU, and a socket's changes happen on more than one
# (its process's, softirq's), so they may be printed out of order
# (tcpstates(8)).
states() {
	sort -t: -k2,2n "$1" >"$T_DIR/states.sorted"
	awk -v lp="$2" -v rp="$3" '
	function f(k,   r) {
		if (!match($0, "\"" k "\":\"?[^,\"}]*"))
			return ""
		r = substr($0, RSTART + length(k) + 3, RLENGTH - length(k) - 3)
		sub(/^"/, "", r)
		return r
	}
	{
		sk = f("skaddr"); o = f("oldstate"); n = f("newstate")
		if (o == "CLOSE" || o == "LISTEN") { seq[sk] = ""; mine[sk] = 0 }
		seq[sk] = seq[sk] (seq[sk] == "" ? "" : " ") o ">" n
		if (f("lport") == lp && f("rport") == rp)
			mine[sk] = 1
		if (n == "CLOSE" && mine[sk]) { print seq[sk]; exit }
	}' "$T_DIR/states.sorted"
}

# delta FILE LPORT RPORT OLD: delta_ns of that socket's change out of OLD.
delta() {
	# (Through a file: the qemu guest has no /dev/stdin.)
	grep "\"lport\":$2,\"raddr\":\"[^\"]*\",\"rport\":$3,\"oldstate\":\"$4\"" "$1" >"$T_DIR/delta"
	json_num "$T_DIR/delta" delta_ns | head -n 1
}

ACTIVE="CLOSE>SYN_SENT SYN_SENT>ESTABLISHED ESTABLISHED>FIN_WAIT1 FIN_WAIT1>FIN_WAIT2 FIN_WAIT2>CLOSE"
PASSIVE="LISTEN>SYN_RECV SYN_RECV>ESTABLISHED ESTABLISHED>CLOSE_WAIT CLOSE_WAIT>LAST_ACK LAST_ACK>CLOSE"
# The other side closing first.
ACTIVE_2ND="CLOSE>SYN_SENT SYN_SENT>ESTABLISHED ESTABLISHED>CLOSE_WAIT CLOSE_WAIT>LAST_ACK LAST_ACK>CLOSE"
PASSIVE_1ST="LISTEN>SYN_RECV SYN_RECV>ESTABLISHED ESTABLISHED>FIN_WAIT1 FIN_WAIT1>FIN_WAIT2 FIN_WAIT2>CLOSE"

server v4 127.0.0.1 -w 5000
P4=$S_PORT
SP4=$S_PID
server v6 ::1 -w 5000
P6=$S_PORT
# Reads 3000 bytes, answers and closes first.
server first 127.0.0.1 -r 3000 -w 100
PF=$S_PORT
O="$D/out"
SHOW="$O"

# --- the state machine, IPv4 and IPv6, JSON -----------------------------------
talk a -w 3000 -s 300 127.0.0.1 "$P4" 1
pa=$W_PID
talk b -w 3000 ::1 "$P6" 1
talk c -w 3000 -S 127.0.0.1 "$PF" 1
tool_start "$O" "$TS" -j || exit 1
go a
go b
go c
sleep 0.3
stop_tool INT
check "exit 0 on SIGINT" [ "$TOOL_RC" -eq 0 ]
la=$(lport a)
lb=$(lport b)
lc=$(lport c)
s=$(states "$O" "$la" "$P4")
check "IPv4 active open, active close: $ACTIVE (got: $s)" [ "$s" = "$ACTIVE" ]
s=$(states "$O" "$P4" "$la")
check "IPv4 passive open, passive close: $PASSIVE (got: $s)" [ "$s" = "$PASSIVE" ]
s=$(states "$O" "$lb" "$P6")
check "IPv6 active open, active close (got: $s)" [ "$s" = "$ACTIVE" ]
s=$(states "$O" "$P6" "$lb")
check "IPv6 passive open, passive close (got: $s)" [ "$s" = "$PASSIVE" ]
s=$(states "$O" "$lc" "$PF")
check "active open, the server closing first: $ACTIVE_2ND (got: $s)" [ "$s" = "$ACTIVE_2ND" ]
s=$(states "$O" "$PF" "$lc")
check "passive open, closing first: $PASSIVE_1ST (got: $s)" [ "$s" = "$PASSIVE_1ST" ]
check "the connect (CLOSE -> SYN_SENT) runs in the workload: its pid, comm, addresses" \
	has "$O" "\"pid\":$pa,\"tid\":$pa,\"comm\":\"tk_tcp\",\"ip\":4,\"laddr\":\"127\.0\.0\.1\",\"lport\":0,\"raddr\":\"127\.0\.0\.1\",\"rport\":$P4,\"oldstate\":\"CLOSE\",\"newstate\":\"SYN_SENT\",\"delta_ns\":0\}$"
check "IPv6 records: ip 6, ::1 both ends" \
	has "$O" "\"ip\":6,\"laddr\":\"::1\",\"lport\":$lb,\"raddr\":\"::1\",\"rport\":$P6,\"oldstate\":\"SYN_SENT\",\"newstate\":\"ESTABLISHED\""
# The workload slept 300 ms between connecting and writing: the time in
# ESTABLISHED is at least that (it ends when the workload shuts down).
d=$(delta "$O" "$la" "$P4" ESTABLISHED)
check "ms in ESTABLISHED covers the workload's 300 ms sleep (got ${d}ns)" \
	in_range "$d" 300000000 5000000000
check "records carry ts_ns and a hex skaddr" has "$O" "^$(je state),\"skaddr\":\"[0-9a-f]+\",\"pid\":"
if grep -v '^{.*}$' "$O" | grep -q .; then
	not_ok "JSON mode prints only objects" "$O"
else
	ok "JSON mode prints only objects"
fi

# --- text ---------------------------------------------------------------------
talk a -w 10 127.0.0.1 "$P4" 1
pa=$W_PID
tool_start "$O" "$TS" || exit 1
go a
sleep 0.3
stop_tool INT
la=$(lport a)
check "text header" has "$O" '^SKADDR +PID +COMM +LADDR +LPORT +RADDR +RPORT +OLDSTATE +-> NEWSTATE +MS$'
check "text: the connect line" \
	has "$O" "^[0-9a-f]+ +$pa +tk_tcp +127\.0\.0\.1 +0 +127\.0\.0\.1 +$P4 +CLOSE +-> SYN_SENT +0\.000$"
check "text: the client's FIN_WAIT2 -> CLOSE with its port" \
	has "$O" "^[0-9a-f]+ +[0-9]+ +.* +127\.0\.0\.1 +$la +127\.0\.0\.1 +$P4 +FIN_WAIT2 +-> CLOSE +[0-9]+\.[0-9]{3}$"

talk b -w 10 ::1 "$P6" 1
tool_start "$O" "$TS" -w -T -Y || exit 1
go b
sleep 0.3
stop_tool INT
lb=$(lport b)
check "-w -T -Y header" has "$O" '^TIME +TIME\(s\) +SKADDR +PID +COMM +IP +LADDR +LPORT +RADDR +RPORT +OLDSTATE +-> NEWSTATE +MS$'
check "-w: IP column, IPv6 addresses" \
	has "$O" "^[0-9:.]+ +[0-9.]+ +[0-9a-f]+ +[0-9]+ +.* +6 +::1 +$lb +::1 +$P6 +SYN_SENT +-> ESTABLISHED "
check "-T: the first change at 0.000000" has "$O" '^[0-9:.]+ +0\.000000 +[0-9a-f]+ '
# -Y: the wall clock of the change, as date(1) tells it around the run.
now=$(date +%H:%M)
check "-Y: HH:MM:SS.mmm of today (now $now)" \
	has "$O" "^[0-2][0-9]:[0-5][0-9]:[0-5][0-9]\.[0-9]{3} +[0-9.]+ +[0-9a-f]+ "
first=$(awk 'NR == 2 { print substr($1, 1, 5) }' "$O")
before=$(date -d "@$(( $(date +%s) - 60 ))" +%H:%M 2>/dev/null || echo "$now")
check "-Y: the time is the system's ($first, now $now)" one_of "$first" "$now" "$before"

talk a -w 10 127.0.0.1 "$P4" 1
tool_start "$O" "$TS" -j -Y || exit 1
go a
sleep 0.3
stop_tool INT
check "-j -Y: the envelope's time, no second one" has "$O" "^$(je state),\"skaddr\":"

# --- filters, each including what it should and excluding the rest -----------
talk a -w 10 127.0.0.1 "$P4" 1
talk b -w 10 ::1 "$P6" 1
tool_start "$O" "$TS" -j -L "$P4" || exit 1
go a
go b
sleep 0.3
stop_tool INT
la=$(lport a)
check "-L PORT includes the server's socket (local port $P4)" \
	[ "$(states "$O" "$P4" "$la")" = "$PASSIVE" ]
check "-L PORT excludes the client's (local port $la)" not has "$O" "\"lport\":$la,"
check "-L PORT excludes other ports" not has "$O" "\"rport\":$P6,"

talk a -w 10 127.0.0.1 "$P4" 1
talk b -w 10 ::1 "$P6" 1
talk c -w 3000 -S 127.0.0.1 "$PF" 1
tool_start "$O" "$TS" -j -D "$P6,$P4" || exit 1
go a
go b
go c
sleep 0.3
stop_tool INT
la=$(lport a)
lb=$(lport b)
check "-D LIST includes the first port's client" [ "$(states "$O" "$lb" "$P6")" = "$ACTIVE" ]
check "-D LIST includes the second port's client" [ "$(states "$O" "$la" "$P4")" = "$ACTIVE" ]
check "-D LIST excludes the servers' sockets" not has "$O" "\"lport\":($P4|$P6),"
check "-D LIST excludes unlisted ports" not has "$O" "\"rport\":$PF,"

for f in 4 6; do
	talk a -w 10 127.0.0.1 "$P4" 1
	talk b -w 10 ::1 "$P6" 1
	talk m -w 10 ::ffff:127.0.0.1 "$P4" 1
	tool_start "$O" "$TS" -j -$f || exit 1
	go a
	go b
	go m
	sleep 0.3
	stop_tool INT
	la=$(lport a)
	lb=$(lport b)
	lm=$(lport m)
	if [ $f = 4 ]; then
		check "-4 includes IPv4" [ "$(states "$O" "$la" "$P4")" = "$ACTIVE" ]
		check "-4 includes IPv4-mapped (as 4)" \
			has "$O" "\"ip\":4,\"laddr\":\"127\.0\.0\.1\",\"lport\":$lm,"
		check "-4 excludes IPv6" not has "$O" "\"ip\":6,"
	else
		check "-6 includes IPv6" [ "$(states "$O" "$lb" "$P6")" = "$ACTIVE" ]
		check "-6 excludes IPv4 and IPv4-mapped" not has "$O" "\"ip\":4,"
	fi
done

talk a -w 10 127.0.0.1 "$P4" 1
pa=$W_PID
talk b -w 10 127.0.0.1 "$P4" 1
pb=$W_PID
tool_start "$O" "$TS" -j -p "$pa" || exit 1
go a
go b
sleep 0.3
stop_tool INT
check "-p includes the process's own changes (its connect)" \
	has "$O" "\"pid\":$pa,.*\"oldstate\":\"CLOSE\",\"newstate\":\"SYN_SENT\""
check "-p excludes other processes" not has "$O" "\"pid\":$pb,"
check "-p excludes the changes of other tasks (only pid $pa)" \
	[ "$(grep -c . "$O")" -eq "$(grep -c "\"pid\":$pa," "$O")" ]

CG=/sys/fs/cgroup/unified/tk-e2e-ts-$$
if mkdir "$CG" 2>/dev/null; then
	talk a -C "$CG" -w 10 127.0.0.1 "$P4" 1
	pa=$W_PID
	talk b -w 10 127.0.0.1 "$P4" 1
	pb=$W_PID
	tool_start "$O" "$TS" -j --cgroup "$CG" || exit 1
	go a
	go b
	sleep 0.3
	stop_tool INT
	check "--cgroup includes tasks in the cgroup" \
		has "$O" "\"pid\":$pa,.*\"newstate\":\"SYN_SENT\""
	check "--cgroup excludes the rest" not has "$O" "\"pid\":$pb,"
	rmdir "$CG"
else
	not_ok "cannot create cgroup $CG"
fi

# --- ends: -d, SIGTERM, SIGPIPE ------------------------------------------------
talk a -w 10 127.0.0.1 "$P4" 1
la=""
start_tool "$O" "$O.err" "$TS" -j -d 1.5 -v
wait_for "$O.err" 'Ctrl-C to end' 10
go a
wait "$TOOL_PID"
check "-d ends with status 0" [ $? -eq 0 ]
check "-d end flushes the changes seen" [ "$(states "$O" "$(lport a)" "$P4")" = "$ACTIVE" ]
talk a -w 10 127.0.0.1 "$P4" 1
tool_start "$O" "$TS" || exit 1
go a
sleep 0.3
stop_tool TERM
check "SIGTERM ends with status 0" [ "$TOOL_RC" -eq 0 ]
check "SIGTERM end flushes the changes seen" has "$O" " $(lport a) +127\.0\.0\.1 +$P4 +FIN_WAIT2 +-> CLOSE "
talk a -w 10 127.0.0.1 "$P4" 3
rm -f "$D/pipe.rc"
: >"$D/pipe.err"
( "$TS" -v -d 10; echo $? >"$D/pipe.rc" ) 2>"$D/pipe.err" | head -n 1 >"$D/pipe.out" &
T_PIDS="$T_PIDS $!"
wait_for "$D/pipe.err" 'Ctrl-C to end' 10
go a
wait_for "$D/pipe.rc" . 10
check "SIGPIPE: status 0" [ "$(cat "$D/pipe.rc" 2>/dev/null)" = 0 ]
check "SIGPIPE: nothing on stderr but -v's lines" only_v_lines "$D/pipe.err"

not_root_check "$TS"
leak_check "no BPF program, link or map left behind"
finish
