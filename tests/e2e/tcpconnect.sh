#!/bin/sh
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
# tcpconnect end to end: real tool, real kernel, a workload that connects to
# listeners on loopback (127.0.0.1 and ::1) only; every assertion is about a
# connect the tool must have seen, with its pid, addresses and ports.
. "$(dirname "$0")/lib.sh"
TC="$TK_BIN/tcpconnect"
TCP="$TK_HELPERS/tk_tcp"
VARIANTS=${TK_VARIANTS_tcpconnect:-"auto fentry kprobe tracepoint"}
D=$T_DIR

# --- bad input: one line, status 2, nothing loaded (no root needed) --------

# bad 'EXPECTED FIRST LINE' ARGS...
bad() {
	want=$1
	shift
	"$TC" "$@" >"$D/out" 2>"$D/err" </dev/null
	rc=$?
	printf '%s\nTry '\''tcpconnect --help'\''.\n' "$want" >"$D/want"
	if [ $rc -eq 2 ] && cmp -s "$D/err" "$D/want" && [ ! -s "$D/out" ]; then
		ok "bad input: tcpconnect $*"
	else
		echo "# got status $rc"
		not_ok "bad input: tcpconnect $*: want '$want', status 2" "$D/err"
	fi
}

ports65=$(seq -s, 1 65)
bad "tcpconnect: invalid port 'x' in '80,x'" -P 80,x
bad "tcpconnect: invalid port '' in '80,,443'" -P 80,,443
bad "tcpconnect: invalid port '' in '80,'" -P 80,
bad "tcpconnect: invalid port ' 443' in '80, 443'" -P '80, 443'
bad "tcpconnect: invalid port '0x50' in '0x50'" -P 0x50
bad "tcpconnect: port '0' is out of range (1 to 65535)" -P 0
bad "tcpconnect: port '65536' is out of range (1 to 65535)" -P 443,65536
bad "tcpconnect: too many ports in '$ports65' (at most 64)" -P "$ports65"
bad "tcpconnect: option '-P' needs an argument" -P
bad "tcpconnect: -4 and -6 cannot be used together" -4 -6
bad "tcpconnect: -4 and -6 cannot be used together" -6 -4
bad "tcpconnect: -L cannot be used with -c (counts have no local port)" -c -L
bad "tcpconnect: -t cannot be used with -c (counts have no time column)" -t -c
bad "tcpconnect: -U cannot be used with -c (counts have no UID column)" -c -U
bad "tcpconnect: invalid attach variant 'nope' (choose from: auto, fentry, kprobe, tracepoint)" --attach=nope
bad "tcpconnect: invalid PID '12abc'" -p 12abc
bad "tcpconnect: PID '0' is out of range (1 to 2147483647)" -p 0
bad "tcpconnect: invalid UID 'bob'" -u bob
bad "tcpconnect: invalid cgroup '/tmp': not a cgroup2 directory" --cgroup /tmp
bad "tcpconnect: invalid duration 'soon'" -d soon
bad "tcpconnect: INTERVAL needs -c (without it, connects are printed as they happen)" 1
bad "tcpconnect: interval '0' is out of range (0.001 to 31536000 seconds)" -c 0
bad "tcpconnect: count '0' is out of range (1 to 9223372036854775807)" -c 1 0
bad "tcpconnect: unexpected argument '3'" -c 1 2 3
bad "tcpconnect: invalid option '-Z'" -Z
"$TC" --help >"$D/out" 2>"$D/err"
check "--help: usage on stdout, status 0" [ $? -eq 0 ] && has "$D/out" "^Usage: tcpconnect"
"$TC" --version >"$D/out"
check "--version" has "$D/out" '^tcpconnect \(tracekit\) [0-9]+\.[0-9]+\.[0-9]+$'

need_root
chmod 0777 "$D"		# the workload also runs as uid 65534

# go_nowait NAME: like go, without waiting for the workload to end.
go_nowait() {
	( : >"$D/go.$1" ) &
	T_PIDS="$T_PIDS $!"
}

# lports NAME: the local ports workload NAME printed, one per line.
lports() {
	sed -n 's/^connect lport \([0-9]*\) .*/\1/p' "$D/work.$1"
}

# lines FILE PATTERN: how many lines of FILE match the extended regex.
lines() {
	grep -Ec -- "$2" "$1"
}

listener v4 127.0.0.1
P4=$L_PORT
listener v4b 127.0.0.1
P4B=$L_PORT
listener v6 ::1
P6=$L_PORT
# A port nobody listens on: a listener's, after it is gone.
listener closed 127.0.0.1
PC=$L_PORT
kill "$L_BG_closed"
wait "$L_BG_closed" 2>/dev/null
# A listener that never accepts, with room for one connection: once that
# one is queued, SYNs to it go unanswered (and are retransmitted).
listener full 127.0.0.1 -b 0 -A
PF=$L_PORT
"$TCP" connect -k 600000 127.0.0.1 "$PF" 1 >"$D/work.filler" 2>&1 &
T_PIDS="$T_PIDS $!"
wait_for "$D/work.filler" '^connect lport [0-9]* ret 0$' 5 ||
	not_ok "could not fill the accept queue of port $PF" "$D/work.filler"
sleep 0.2

for v in $VARIANTS; do
	O="$D/out.$v"
	SHOW="$O"
	A="--attach=$v"

	# A variant this kernel cannot run must fail cleanly when forced.
	variant_refused "$TC" "$v" && continue

	# --- text: IPv4, IPv6, IPv4-mapped, and a refused connect ---
	tcp a 127.0.0.1 "$P4" 1
	pa=$W_PID
	tcp b ::1 "$P6" 1
	pb=$W_PID
	tcp m ::ffff:127.0.0.1 "$P4" 1
	pm=$W_PID
	tcp c 127.0.0.1 "$PC" 1
	pc=$W_PID
	tool_start "$O" "$TC" "$A" || continue
	go a
	go b
	go m
	go c
	sleep 0.3
	stop_tool INT
	check "[$v] exit 0 on SIGINT" [ "$TOOL_RC" -eq 0 ]
	check "[$v] header line" has "$O" '^PID +COMM +IP +SADDR +DADDR +DPORT$'
	check "[$v] IPv4 connect: pid, comm, 4, 127.0.0.1 -> 127.0.0.1 port $P4" \
		has "$O" "^$pa +tk_tcp +4 +127\.0\.0\.1 +127\.0\.0\.1 +$P4\$"
	check "[$v] IPv6 connect: pid, comm, 6, ::1 -> ::1 port $P6" \
		has "$O" "^$pb +tk_tcp +6 +::1 +::1 +$P6\$"
	check "[$v] IPv4-mapped connect on an IPv6 socket shows as IPv4, once" \
		[ "$(lines "$O" "^$pm +tk_tcp +4 +127\.0\.0\.1 +127\.0\.0\.1 +$P4\$")" -eq 1 ]
	check "[$v] refused connect reported (helper saw ECONNREFUSED)" \
		has "$D/work.c" 'ret -1 errno 111$'
	check "[$v] refused connect reported (the SYN was sent)" \
		has "$O" "^$pc +tk_tcp +4 +127\.0\.0\.1 +127\.0\.0\.1 +$PC\$"
	check "[$v] one line per connect" [ "$(lines "$O" "^($pa|$pb|$pm|$pc) ")" -eq 4 ]

	# --- -L: the local port the helper saw ---
	tcp a 127.0.0.1 "$P4" 3
	pa=$W_PID
	tcp b ::1 "$P6" 1
	pb=$W_PID
	tcp c 127.0.0.1 "$PC" 1
	pc=$W_PID
	tool_start "$O" "$TC" "$A" -L || continue
	go a
	go b
	go c
	sleep 0.3
	stop_tool INT
	check "[$v] -L header" has "$O" '^PID +COMM +IP +SADDR +LPORT +DADDR +DPORT$'
	n=0
	for lp in $(lports a); do
		has "$O" "^$pa +tk_tcp +4 +127\.0\.0\.1 +$lp +127\.0\.0\.1 +$P4\$" && n=$((n + 1))
	done
	check "[$v] -L: the 3 IPv4 connects with their local ports" [ "$n" -eq 3 ]
	check "[$v] -L: the IPv6 connect with its local port" \
		has "$O" "^$pb +tk_tcp +6 +::1 +$(lports b) +::1 +$P6\$"
	check "[$v] -L: the refused connect with its local port" \
		has "$O" "^$pc +tk_tcp +4 +127\.0\.0\.1 +$(lports c) +127\.0\.0\.1 +$PC\$"

	# --- -L, unanswered SYN: printed while the connect is still pending,
	# at the latest when the SYN is retransmitted (about 1 s) ---
	tcp a -N -k 4000 127.0.0.1 "$PF" 1
	pa=$W_PID
	tool_start "$O" "$TC" "$A" -L || continue
	go_nowait a
	wait_for "$D/work.a" '^connect lport' 30
	lp=$(lports a)
	# (wait_for takes a basic regular expression.)
	if wait_for "$O" "^$pa  *tk_tcp  *4  *127\.0\.0\.1  *$lp  *127\.0\.0\.1  *$PF\$" 3; then
		ok "[$v] -L: an unanswered connect is printed with its port within 3 s"
	else
		not_ok "[$v] -L: an unanswered connect is printed with its port within 3 s" "$O"
	fi
	stop_tool INT
	# Stopped before any retransmission: printed at exit, the port
	# unknown to the tracepoint variant.
	tcp a -N -k 4000 127.0.0.1 "$PF" 1
	pa=$W_PID
	tool_start "$O" "$TC" "$A" -L || continue
	chosen=$(sed -n 's/.*attach: using \(.*\)/\1/p' "$O.err")
	go_nowait a
	wait_for "$D/work.a" '^connect lport' 30
	sleep 0.3
	stop_tool INT
	lp=$(lports a)
	# The tracepoint variant does not know the port yet, unless a slow
	# machine let the SYN be retransmitted before the tool stopped.
	[ "$chosen" = tracepoint ] && lp="(0|$lp)"
	check "[$v] -L: a connect still unanswered at exit is printed, not lost" \
		has "$O" "^$pa +tk_tcp +4 +127\.0\.0\.1 +$lp +127\.0\.0\.1 +$PF\$"

	# --- JSON: the same fields ---
	tcp a 127.0.0.1 "$P4" 1
	pa=$W_PID
	tcp b ::1 "$P6" 1
	pb=$W_PID
	tool_start "$O" "$TC" "$A" -j -L || continue
	go a
	go b
	sleep 0.3
	stop_tool INT
	check "[$v] JSON IPv4 record: ts_ns, pid, tid, uid, comm, ip, addresses, ports" \
		has "$O" "^$(je connect),\"pid\":$pa,\"tid\":$pa,\"uid\":0,\"comm\":\"tk_tcp\",\"ip\":4,\"saddr\":\"127\.0\.0\.1\",\"lport\":$(lports a),\"daddr\":\"127\.0\.0\.1\",\"dport\":$P4\}\$"
	check "[$v] JSON IPv6 record" \
		has "$O" "^$(je connect),\"pid\":$pb,\"tid\":$pb,\"uid\":0,\"comm\":\"tk_tcp\",\"ip\":6,\"saddr\":\"::1\",\"lport\":$(lports b),\"daddr\":\"::1\",\"dport\":$P6\}\$"
	if grep -v '^{.*}$' "$O" | grep -q .; then
		not_ok "[$v] JSON mode prints only objects" "$O"
	else
		ok "[$v] JSON mode prints only objects"
	fi

	# --- -c: exact counts per source, destination and port ---
	tcp a 127.0.0.1 "$P4" 5
	tcp b ::1 "$P6" 3
	tcp c 127.0.0.1 "$PC" 2
	tool_start "$O" "$TC" "$A" -c || continue
	go a
	go b
	go c
	stop_tool INT
	check "[$v] -c exit 0" [ "$TOOL_RC" -eq 0 ]
	check "[$v] -c header" has "$O" '^LADDR +RADDR +RPORT +CONNECTS$'
	check "[$v] -c counts the 5 IPv4 connects" has "$O" "^127\.0\.0\.1 +127\.0\.0\.1 +$P4 +5\$"
	check "[$v] -c counts the 3 IPv6 connects" has "$O" "^::1 +::1 +$P6 +3\$"
	check "[$v] -c counts the 2 refused connects" has "$O" "^127\.0\.0\.1 +127\.0\.0\.1 +$PC +2\$"

	# --- filters, each including what it should and excluding the rest ---
	tcp a 127.0.0.1 "$P4" 1
	pa=$W_PID
	tcp b 127.0.0.1 "$P4" 1
	pb=$W_PID
	tool_start "$O" "$TC" "$A" -p "$pa" || continue
	go a
	go b
	sleep 0.3
	stop_tool INT
	check "[$v] -p includes that pid" has "$O" "^$pa +tk_tcp "
	check "[$v] -p excludes other pids" not has "$O" "^$pb "

	tcp a 127.0.0.1 "$P4" 1
	pa=$W_PID
	tcp b 127.0.0.1 "$P4B" 1
	pb=$W_PID
	tcp c ::1 "$P6" 1
	pc=$W_PID
	tool_start "$O" "$TC" "$A" -P "$P4" || continue
	go a
	go b
	go c
	sleep 0.3
	stop_tool INT
	check "[$v] -P PORT includes connects to that port" has "$O" "^$pa .* $P4\$"
	check "[$v] -P PORT excludes other ports" not has "$O" "^($pb|$pc) "
	tcp a 127.0.0.1 "$P4" 1
	pa=$W_PID
	tcp b 127.0.0.1 "$P4B" 1
	pb=$W_PID
	tcp c ::1 "$P6" 1
	pc=$W_PID
	tool_start "$O" "$TC" "$A" -P "$P6,$P4B" || continue
	go a
	go b
	go c
	sleep 0.3
	stop_tool INT
	check "[$v] -P LIST includes the first port listed" has "$O" "^$pc .* $P6\$"
	check "[$v] -P LIST includes the second port listed" has "$O" "^$pb .* $P4B\$"
	check "[$v] -P LIST excludes unlisted ports" not has "$O" "^$pa "

	for f in 4 6; do
		tcp a 127.0.0.1 "$P4" 1
		pa=$W_PID
		tcp b ::1 "$P6" 1
		pb=$W_PID
		tcp m ::ffff:127.0.0.1 "$P4" 1
		pm=$W_PID
		tool_start "$O" "$TC" "$A" -$f || continue
		go a
		go b
		go m
		sleep 0.3
		stop_tool INT
		if [ $f = 4 ]; then
			check "[$v] -4 includes IPv4" has "$O" "^$pa +tk_tcp +4 "
			check "[$v] -4 includes IPv4-mapped" has "$O" "^$pm +tk_tcp +4 "
			check "[$v] -4 excludes IPv6" not has "$O" "^$pb "
		else
			check "[$v] -6 includes IPv6" has "$O" "^$pb +tk_tcp +6 "
			check "[$v] -6 excludes IPv4 (and IPv4-mapped)" not has "$O" "^($pa|$pm) "
		fi
	done

	tcp a -u 65534 127.0.0.1 "$P4" 1
	pa=$W_PID
	tcp b 127.0.0.1 "$P4" 1
	pb=$W_PID
	tool_start "$O" "$TC" "$A" -U || continue
	go a
	go b
	sleep 0.3
	stop_tool INT
	check "[$v] -U header" has "$O" '^UID +PID +COMM +IP +SADDR +DADDR +DPORT$'
	check "[$v] -U shows the connecting uid (65534)" has "$O" "^65534 +$pa +tk_tcp +4 "
	check "[$v] -U shows uid 0 for root" has "$O" "^0 +$pb +tk_tcp +4 "
	tcp a -u 65534 127.0.0.1 "$P4" 1
	pa=$W_PID
	tcp b 127.0.0.1 "$P4" 1
	pb=$W_PID
	tool_start "$O" "$TC" "$A" -u 65534 || continue
	go a
	go b
	sleep 0.3
	stop_tool INT
	check "[$v] -u includes that uid" has "$O" "^$pa +tk_tcp "
	check "[$v] -u excludes other uids" not has "$O" "^$pb "

	CG=/sys/fs/cgroup/unified/tk-e2e-tc-$$
	if mkdir "$CG" 2>/dev/null; then
		tcp a -C "$CG" 127.0.0.1 "$P4" 1
		pa=$W_PID
		tcp b 127.0.0.1 "$P4" 1
		pb=$W_PID
		tool_start "$O" "$TC" "$A" --cgroup "$CG" || continue
		go a
		go b
		sleep 0.3
		stop_tool INT
		check "[$v] --cgroup includes processes in the cgroup" has "$O" "^$pa +tk_tcp "
		check "[$v] --cgroup excludes the rest" not has "$O" "^$pb "
		rmdir "$CG"
	else
		not_ok "cannot create cgroup $CG"
	fi
done

O="$D/out"
SHOW="$O"

# -t: a time column, 0 for the first connect.
tcp a 127.0.0.1 "$P4" 2
pa=$W_PID
tool_start "$O" "$TC" -t -p "$pa" || exit 1
go a
sleep 0.3
stop_tool INT
check "-t header" has "$O" '^TIME\(s\) +PID +COMM +IP +SADDR +DADDR +DPORT$'
check "-t: the first connect at 0.000" has "$O" "^0\.000 +$pa +tk_tcp "
check "-t: both connects timed" [ "$(lines "$O" "^[0-9]+\.[0-9]{3} +$pa +tk_tcp ")" -eq 2 ]

# JSON without -L has no lport field.
tcp a 127.0.0.1 "$P4" 1
pa=$W_PID
tool_start "$O" "$TC" -j || exit 1
go a
sleep 0.3
stop_tool INT
check "JSON without -L: no lport field" \
	has "$O" "\"pid\":$pa,.*\"ip\":4,\"saddr\":\"127\.0\.0\.1\",\"daddr\":\"127\.0\.0\.1\",\"dport\":$P4\}\$"

# -c in JSON: a summary object with the exact count.
tcp a 127.0.0.1 "$P4" 4
tool_start "$O" "$TC" -c -j || exit 1
go a
stop_tool INT
check "-c -j: a summary record" has "$O" "^$(je summary),\"rows\":\\["
check "-c -j: the row with the exact count" \
	has "$O" "\{\"ip\":4,\"saddr\":\"127\.0\.0\.1\",\"daddr\":\"127\.0\.0\.1\",\"dport\":$P4,\"count\":4\}"

# Intervals: a report each interval, counts since the previous one.
start_tool "$O" "$O.err" "$TC" -c 0.3 -d 1.05
wait "$TOOL_PID"
check "-c 0.3 -d 1.05 exits 0" [ $? -eq 0 ]
n=$(lines "$O" '^\[[0-9][0-9]:[0-9][0-9]:[0-9][0-9]\]$')
check "-c 0.3 -d 1.05 prints 4 reports (3 intervals and the end; got $n)" [ "$n" -eq 4 ]
start_tool "$O" "$O.err" "$TC" -c 0.2 2
wait "$TOOL_PID"
check "-c 0.2 2 exits 0" [ $? -eq 0 ]
check "-c 0.2 2 prints 2 reports" [ "$(lines "$O" '^LADDR ')" -eq 2 ]
tcp a 127.0.0.1 "$P4" 3
tool_start "$O" "$TC" -c 0.4 -d 5 || exit 1
go a
sleep 1
stop_tool INT
# Reports are not cumulative: over all of them, the 3 connects add up to 3.
n=$(awk -v p="$P4" '$1 == "127.0.0.1" && $2 == "127.0.0.1" && $3 == p { s += $4 } END { print s + 0 }' "$O")
check "-c with intervals: each report counts only what is new (total $n)" [ "$n" -eq 3 ]

# Ends: -d and SIGTERM; connects seen before the end are printed.
tcp a 127.0.0.1 "$P4" 1
pa=$W_PID
start_tool "$O" "$O.err" "$TC" -d 1.5 -v
wait_for "$O.err" 'Ctrl-C to end' 10
go a
wait "$TOOL_PID"
check "-d ends with status 0" [ $? -eq 0 ]
check "-d end flushes the connects seen" has "$O" "^$pa +tk_tcp "
tcp a 127.0.0.1 "$P4" 2
start_tool "$O" "$O.err" "$TC" -c -d 1.5
wait_for "$O.err" 'Ctrl-C to end' 10
go a
wait "$TOOL_PID"
check "-c -d ends with status 0" [ $? -eq 0 ]
check "-c -d end prints the counts" has "$O" "^127\.0\.0\.1 +127\.0\.0\.1 +$P4 +2\$"
tcp a 127.0.0.1 "$P4" 1
pa=$W_PID
tool_start "$O" "$TC" -j || exit 1
go a
sleep 0.3
stop_tool TERM
check "SIGTERM ends with status 0" [ "$TOOL_RC" -eq 0 ]
check "SIGTERM end flushes the connects seen" has "$O" "\"pid\":$pa,"

# SIGPIPE (tcpconnect | head -1): a quiet end with status 0, also with -L,
# which looks for connects still waiting for their port as it ends.
for opt in "" -L; do
	tcp a 127.0.0.1 "$P4" 3
	rm -f "$D/pipe.rc"
	: >"$D/pipe.err"
	( "$TC" -v -d 10 $opt; echo $? >"$D/pipe.rc" ) 2>"$D/pipe.err" | head -n 1 >"$D/pipe.out" &
	T_PIDS="$T_PIDS $!"
	wait_for "$D/pipe.err" 'Ctrl-C to end' 10
	go a
	wait_for "$D/pipe.rc" . 10
	check "SIGPIPE${opt:+ with $opt}: status 0" [ "$(cat "$D/pipe.rc" 2>/dev/null)" = 0 ]
	check "SIGPIPE${opt:+ with $opt}: nothing on stderr but -v's lines" \
		only_v_lines "$D/pipe.err"
done

# Not root: one line, status 1, nothing loaded.
"$TK_HELPERS/tk_work" -u 65534 exec "$TC" >"$D/nr.out" 2>"$D/nr.err"
rc=$?
if [ $rc -eq 1 ] && [ "$(grep -c . "$D/nr.err")" -eq 1 ] && has "$D/nr.err" 'need root'; then
	ok "not root: one clear line, status 1"
else
	not_ok "not root: one clear line, status 1 (got $rc)" "$D/nr.err"
fi

leak_check "no BPF program or link left behind"
finish
