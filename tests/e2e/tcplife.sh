#!/bin/sh
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
# tcplife end to end: real tool, real kernel, sessions of our own on
# loopback (127.0.0.1, ::1) between tk_tcp talk and tk_tcp serve, which say
# their pids, ports and the exact bytes they wrote and read: each session's
# line must carry its owner, its ports and those byte counts, both ends.
. "$(dirname "$0")/lib.sh"
TL="$TK_BIN/tcplife"
TCP="$TK_HELPERS/tk_tcp"
D=$T_DIR

# --- bad input: one line, status 2, nothing loaded (no root needed) --------

bad() {
	want=$1
	shift
	"$TL" "$@" >"$D/out" 2>"$D/err" </dev/null
	rc=$?
	printf '%s\nTry '\''tcplife --help'\''.\n' "$want" >"$D/want"
	if [ $rc -eq 2 ] && cmp -s "$D/err" "$D/want" && [ ! -s "$D/out" ]; then
		ok "bad input: tcplife $*"
	else
		echo "# got status $rc"
		not_ok "bad input: tcplife $*: want '$want', status 2" "$D/err"
	fi
}

ports65=$(seq -s, 1 65)
bad "tcplife: invalid port 'x' in '80,x'" -L 80,x
bad "tcplife: invalid port '' in '80,,443'" -D 80,,443
bad "tcplife: port '0' is out of range (1 to 65535)" -L 0
bad "tcplife: too many ports in '$ports65' (at most 64)" -L "$ports65"
bad "tcplife: option '-D' needs an argument" -D
bad "tcplife: -4 and -6 cannot be used together" -6 -4
bad "tcplife: unexpected argument '5'" 5
bad "tcplife: invalid PID '12abc'" -p 12abc
bad "tcplife: invalid TID 'x'" --tid x
bad "tcplife: invalid cgroup '/tmp': not a cgroup2 directory" --cgroup /tmp
bad "tcplife: invalid duration 'soon'" -d soon
bad "tcplife: invalid option '-Z'" -Z
"$TL" --help >"$D/out" 2>"$D/err"
check "--help: usage on stdout, status 0" [ $? -eq 0 ]
check "--help: the usage line" has "$D/out" "^Usage: tcplife"
"$TL" --version >"$D/out"
check "--version" has "$D/out" '^tcplife \(tracekit\) [0-9]+\.[0-9]+\.[0-9]+$'

need_root
chmod 0777 "$D"

# rec FILE LPORT RPORT: the JSON record of the session with these ports.
rec() {
	grep "\"lport\":$2,\"raddr\":\"[^\"]*\",\"rport\":$3," "$1"
}

# session_ok WHAT FILE NAME K SERVER ADDR IP: workload NAME's K-th session
# with server SERVER (lib.sh's server NAME), and the server's end of it,
# carry the byte counts each side counted itself, the workload's pid (owner
# connect) and the server's (owner close), ADDR both ends and ip IP.
session_ok() {
	_what=$1 _f=$2 _n=$3 _k=$4 _s=$5 _a=$6 _ip=$7
	_pid=$(sed -n 's/^pid \([0-9]*\)$/\1/p' "$T_DIR/work.$_n")
	_p=$(sed -n 's/^port \([0-9]*\)$/\1/p' "$T_DIR/serve.$_s")
	_spid=$(sed -n 's/^pid \([0-9]*\)$/\1/p' "$T_DIR/serve.$_s")
	_line=$(sed -n 's/^session //p' "$T_DIR/work.$_n" | sed -n "${_k}p")
	_lp=$(echo "$_line" | sed 's/lport \([0-9]*\) .*/\1/')
	_rx=$(echo "$_line" | sed 's/.* rx \([0-9]*\) .*/\1/')
	_tx=$(echo "$_line" | sed 's/.* tx \([0-9]*\)$/\1/')
	# The server's own account of the same session.
	_sline=$(grep "^session lport $_p rport $_lp " "$T_DIR/serve.$_s")
	_srx=$(echo "$_sline" | sed 's/.* rx \([0-9]*\) .*/\1/')
	_stx=$(echo "$_sline" | sed 's/.* tx \([0-9]*\)$/\1/')
	_ae=$(echo "$_a" | sed 's/\./\\./g')
	check "$_what: client end: pid $_pid (connect), out, ports, tx $_tx rx $_rx bytes as the workload counted" \
		has "$_f" "^$(je session),\"pid\":$_pid,\"uid\":0,\"comm\":\"tk_tcp\",\"owner\":\"connect\",\"dir\":\"out\",\"ip\":$_ip,\"laddr\":\"$_ae\",\"lport\":$_lp,\"raddr\":\"$_ae\",\"rport\":$_p,\"tx_bytes\":$_tx,\"rx_bytes\":$_rx,\"span_ns\":[0-9]+\}$"
	check "$_what: server end: pid $_spid (close), in, tx $_stx rx $_srx as the server counted" \
		has "$_f" "^$(je session),\"pid\":$_spid,\"uid\":0,\"comm\":\"tk_tcp\",\"owner\":\"close\",\"dir\":\"in\",\"ip\":$_ip,\"laddr\":\"$_ae\",\"lport\":$_p,\"raddr\":\"$_ae\",\"rport\":$_lp,\"tx_bytes\":$_stx,\"rx_bytes\":$_srx,\"span_ns\":[0-9]+\}$"
}

# Servers: their session lines are read from serve.NAME (lib.sh's server).
server v4 127.0.0.1 -w 70000
P4=$S_PORT
SP4=$S_PID
server v6 ::1 -w 12345
P6=$S_PORT
SP6=$S_PID
# Reads 3000 bytes, answers 100 and closes first.
server first 127.0.0.1 -r 3000 -w 100
PF=$S_PORT
SPF=$S_PID
O="$D/out"
SHOW="$O"

# --- bytes and owners, IPv4 and IPv6, both closing orders, JSON ---------------
talk a -w 100000 127.0.0.1 "$P4" 2
pa=$W_PID
talk b -w 1 ::1 "$P6" 1
pb=$W_PID
talk c -w 3000 -S 127.0.0.1 "$PF" 1
pc=$W_PID
talk m -w 777 ::ffff:127.0.0.1 "$P4" 1
pm=$W_PID
tool_start "$O" "$TL" -j || exit 1
go a
go b
go c
go m
sleep 0.3
stop_tool INT
check "exit 0 on SIGINT" [ "$TOOL_RC" -eq 0 ]
check "the workload moved what it meant to (100000 out, 70000 back)" \
	has "$D/work.a" '^session lport [0-9]+ rx 70000 tx 100000$'
session_ok "IPv4 session 1" "$O" a 1 v4 127.0.0.1 4
session_ok "IPv4 session 2" "$O" a 2 v4 127.0.0.1 4
session_ok "IPv4-mapped session (as IPv4)" "$O" m 1 v4 127.0.0.1 4
session_ok "IPv6 session" "$O" b 1 v6 ::1 6
session_ok "server closing first" "$O" c 1 first 127.0.0.1 4
if grep -v '^{.*}$' "$O" | grep -q .; then
	not_ok "JSON mode prints only objects" "$O"
else
	ok "JSON mode prints only objects"
fi

# --- lifespan: the workload holds the session 400 ms --------------------------
talk a -s 400 -w 10 127.0.0.1 "$P4" 1
tool_start "$O" "$TL" -j || exit 1
go a
sleep 0.3
stop_tool INT
# (Through a file: the qemu guest has no /dev/stdin.)
rec "$O" "$(lport a)" "$P4" >"$D/rec"
d=$(json_num "$D/rec" span_ns)
check "span covers the workload's 400 ms (got ${d}ns)" in_range "$d" 400000000 5000000000

# --- a session with no owner: reset before any process touched it -------------
# The listener never accepts; the client closes with a reset (SO_LINGER 0),
# so the server's end goes ESTABLISHED -> CLOSE in softirq.
: >"$D/listen.q"
"$TCP" listen -A 127.0.0.1 0 >"$D/listen.q" 2>&1 &
T_PIDS="$T_PIDS $!"
wait_for "$D/listen.q" '^port ' 5
PQ=$(sed -n 's/^port \([0-9]*\)$/\1/p' "$D/listen.q")
rm -f "$D/go.q"
mkfifo "$D/go.q"
"$TCP" connect -g "$D/go.q" -l 127.0.0.1 "$PQ" 1 >"$D/work.q" 2>&1 &
T_PIDS="$T_PIDS $!"
W_BG_q=$!
wait_for "$D/work.q" '^pid ' 5
pq=$(sed -n 's/^pid \([0-9]*\)$/\1/p' "$D/work.q")
tool_start "$O" "$TL" -j || exit 1
go q
sleep 0.3
stop_tool INT
lq=$(sed -n 's/^connect lport \([0-9]*\) ret 0$/\1/p' "$D/work.q")
check "a session nobody owned: pid, uid, comm null, owner none, in" \
	has "$O" "^$(je session),\"pid\":null,\"uid\":null,\"comm\":null,\"owner\":\"none\",\"dir\":\"in\",\"ip\":4,\"laddr\":\"127\.0\.0\.1\",\"lport\":$PQ,\"raddr\":\"127\.0\.0\.1\",\"rport\":$lq,\"tx_bytes\":0,\"rx_bytes\":0,"
check "its client end: owned by the connect" \
	has "$O" "\"pid\":$pq,.*\"owner\":\"connect\",\"dir\":\"out\",.*\"lport\":$lq,"

# --- text -----------------------------------------------------------------------
talk a -w 5000 127.0.0.1 "$P4" 1
pa=$W_PID
talk b -w 10 ::1 "$P6" 1
pb=$W_PID
tool_start "$O" "$TL" || exit 1
go a
go b
sleep 0.3
stop_tool INT
la=$(lport a)
lb=$(lport b)
check "text header" has "$O" '^PID +COMM +LADDR +LPORT +RADDR +RPORT +TX_KB +RX_KB +MS$'
# 5000 bytes out is 4 KiB rounded down; 70000 back is 68.
check "text: the client's line, kilobytes rounded down" \
	has "$O" "^$pa +tk_tcp +127\.0\.0\.1 +$la +127\.0\.0\.1 +$P4 +4 +68 +[0-9]+\.[0-9]{2}$"
check "text: the server's line" \
	has "$O" "^$SP4 +tk_tcp +127\.0\.0\.1 +$P4 +127\.0\.0\.1 +$la +68 +4 +[0-9]+\.[0-9]{2}$"
check "text: IPv6" has "$O" "^$pb +tk_tcp +::1 +$lb +::1 +$P6 +0 +12 +"

talk b -w 10 ::1 "$P6" 1
pb=$W_PID
tool_start "$O" "$TL" -w -t -T || exit 1
go b
sleep 0.3
stop_tool INT
lb=$(lport b)
check "-w -t -T header" has "$O" '^TIME +TIME\(s\) +PID +COMM +IP +LADDR +LPORT +RADDR +RPORT +TX_KB +RX_KB +MS$'
check "-w: IP column" has "$O" "^[0-9:]{8} +[0-9.]+ +$pb +tk_tcp +6 +::1 +$lb +::1 +$P6 +0 +12 +"
check "-t: the first close at 0.000000" has "$O" '^[0-9:]{8} +0\.000000 +'

# --- filters, each including what it should and excluding the rest -----------
talk a -w 10 127.0.0.1 "$P4" 1
pa=$W_PID
talk b -w 10 127.0.0.1 "$P4" 1
pb=$W_PID
tool_start "$O" "$TL" -j -p "$pa" || exit 1
go a
go b
sleep 0.3
stop_tool INT
check "-p includes the sessions the process owns" has "$O" "\"pid\":$pa,.*\"lport\":$(lport a),"
check "-p excludes other processes' sessions (the server's, the other client's)" \
	[ "$(grep -c . "$O")" -eq 1 ]

talk a -w 10 127.0.0.1 "$P4" 1
talk b -w 10 ::1 "$P6" 1
tool_start "$O" "$TL" -j -L "$P4" || exit 1
go a
go b
sleep 0.3
stop_tool INT
check "-L PORT includes the server's end" has "$O" "\"pid\":$SP4,.*\"lport\":$P4,\"raddr\":\"127\.0\.0\.1\",\"rport\":$(lport a),"
check "-L PORT excludes the rest" [ "$(grep -c . "$O")" -eq 1 ]

talk a -w 10 127.0.0.1 "$P4" 1
talk b -w 10 ::1 "$P6" 1
talk c -w 3000 -S 127.0.0.1 "$PF" 1
tool_start "$O" "$TL" -j -D "$P6,$P4" || exit 1
go a
go b
go c
sleep 0.3
stop_tool INT
check "-D LIST includes the first port's client" has "$O" "\"lport\":$(lport b),\"raddr\":\"::1\",\"rport\":$P6,"
check "-D LIST includes the second port's client" has "$O" "\"lport\":$(lport a),\"raddr\":\"127\.0\.0\.1\",\"rport\":$P4,"
check "-D LIST excludes the servers' ends and unlisted ports" [ "$(grep -c . "$O")" -eq 2 ]

for f in 4 6; do
	talk a -w 10 127.0.0.1 "$P4" 1
	talk b -w 10 ::1 "$P6" 1
	talk m -w 10 ::ffff:127.0.0.1 "$P4" 1
	tool_start "$O" "$TL" -j -$f || exit 1
	go a
	go b
	go m
	sleep 0.3
	stop_tool INT
	if [ $f = 4 ]; then
		check "-4 includes IPv4" has "$O" "\"ip\":4,.*\"lport\":$(lport a),"
		check "-4 includes IPv4-mapped" has "$O" "\"ip\":4,.*\"lport\":$(lport m),"
		check "-4 excludes IPv6" not has "$O" "\"ip\":6,"
	else
		check "-6 includes IPv6" has "$O" "\"ip\":6,.*\"lport\":$(lport b),"
		check "-6 excludes IPv4 and IPv4-mapped" not has "$O" "\"ip\":4,"
	fi
done

CG=/sys/fs/cgroup/unified/tk-e2e-tl-$$
if mkdir "$CG" 2>/dev/null; then
	talk a -C "$CG" -w 10 127.0.0.1 "$P4" 1
	pa=$W_PID
	talk b -w 10 127.0.0.1 "$P4" 1
	tool_start "$O" "$TL" -j --cgroup "$CG" || exit 1
	go a
	go b
	sleep 0.3
	stop_tool INT
	check "--cgroup includes sessions owned in the cgroup" has "$O" "\"pid\":$pa,"
	check "--cgroup excludes the rest" [ "$(grep -c . "$O")" -eq 1 ]
	rmdir "$CG"
else
	not_ok "cannot create cgroup $CG"
fi

talk a -u 65534 -w 10 127.0.0.1 "$P4" 1
pa=$W_PID
talk b -w 10 127.0.0.1 "$P4" 1
tool_start "$O" "$TL" -j -u 65534 || exit 1
go a
go b
sleep 0.3
stop_tool INT
check "-u includes that uid's sessions, with the uid" has "$O" "\"pid\":$pa,\"uid\":65534,"
check "-u excludes the rest" [ "$(grep -c . "$O")" -eq 1 ]

# --- a storm: every session a line or a counted loss -----------------------------
# (Fewer in the qemu lane's guest, ten times slower.)
N=${TK_TCPLIFE_STORM:-3000}
in_guest && N=${TK_TCPLIFE_STORM:-600}
: >"$D/listen.s"
"$TCP" listen 127.0.0.1 0 >"$D/listen.s" 2>&1 &
T_PIDS="$T_PIDS $!"
wait_for "$D/listen.s" '^port ' 5
PS=$(sed -n 's/^port \([0-9]*\)$/\1/p' "$D/listen.s")
rm -f "$D/go.s"
mkfifo "$D/go.s"
"$TCP" connect -g "$D/go.s" -l 127.0.0.1 "$PS" "$N" >"$D/work.s" 2>&1 &
T_PIDS="$T_PIDS $!"
W_BG_s=$!
wait_for "$D/work.s" '^pid ' 5
ps_=$(sed -n 's/^pid \([0-9]*\)$/\1/p' "$D/work.s")
tool_start "$O" "$TL" -j -D "$PS" || exit 1
go s
sleep 0.5
stop_tool INT
made=$(grep -c '^connect lport [0-9]* ret 0$' "$D/work.s")
delivered=$(grep -c "\"pid\":$ps_,.*\"rport\":$PS," "$O")
lost=$(json_num "$O" count | awk '{ s += $1 } END { print s + 0 }')
check "storm: the workload made its $N sessions ($made)" [ "$made" -eq "$N" ]
check "storm: every session a line or a counted loss ($delivered + $lost lost of $made)" \
	[ $((delivered + lost)) -eq "$made" ]
check "storm: lines delivered ($delivered)" [ "$delivered" -gt 0 ]

# --- ends: -d, SIGTERM, SIGPIPE ------------------------------------------------
talk a -w 10 127.0.0.1 "$P4" 1
pa=$W_PID
start_tool "$O" "$O.err" "$TL" -j -d 1.5 -v
wait_for "$O.err" 'Ctrl-C to end' 10
go a
wait "$TOOL_PID"
check "-d ends with status 0" [ $? -eq 0 ]
check "-d end flushes the sessions seen" has "$O" "\"pid\":$pa,"
talk a -w 10 127.0.0.1 "$P4" 1
pa=$W_PID
tool_start "$O" "$TL" || exit 1
go a
sleep 0.3
stop_tool TERM
check "SIGTERM ends with status 0" [ "$TOOL_RC" -eq 0 ]
check "SIGTERM end flushes the sessions seen" has "$O" "^$pa +tk_tcp "
talk a -w 10 127.0.0.1 "$P4" 3
rm -f "$D/pipe.rc"
: >"$D/pipe.err"
( "$TL" -v -d 10; echo $? >"$D/pipe.rc" ) 2>"$D/pipe.err" | head -n 1 >"$D/pipe.out" &
T_PIDS="$T_PIDS $!"
wait_for "$D/pipe.err" 'Ctrl-C to end' 10
go a
wait_for "$D/pipe.rc" . 10
check "SIGPIPE: status 0" [ "$(cat "$D/pipe.rc" 2>/dev/null)" = 0 ]
check "SIGPIPE: nothing on stderr but -v's lines" only_v_lines "$D/pipe.err"

not_root_check "$TL"
leak_check "no BPF program, link or map left behind"
finish
