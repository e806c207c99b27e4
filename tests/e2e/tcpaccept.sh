#!/bin/sh
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
# tcpaccept end to end: real tool, real kernel, listeners of our own on
# loopback (127.0.0.1, ::1, and :: for an IPv4-mapped accept) that print
# every connection they accept as getsockname and getpeername see it
# (tk_tcp listen -P), and clients that print their own ports: the tool must
# give each accept exactly one line with the listener's pid and those
# addresses and ports, for every attach variant. The listeners are already
# waiting in accept() when each run of the tool starts, as an idle server is:
# the first accept after the start must be seen too (a hook on the return
# of the blocking inet_csk_accept missed it).
. "$(dirname "$0")/lib.sh"
TA="$TK_BIN/tcpaccept"
VARIANTS=${TK_VARIANTS_tcpaccept:-"auto fentry kprobe tracepoint"}
D=$T_DIR

# --- bad input: one line, status 2, nothing loaded (no root needed) --------

bad() {
	want=$1
	shift
	"$TA" "$@" >"$D/out" 2>"$D/err" </dev/null
	rc=$?
	printf '%s\nTry '\''tcpaccept --help'\''.\n' "$want" >"$D/want"
	if [ $rc -eq 2 ] && cmp -s "$D/err" "$D/want" && [ ! -s "$D/out" ]; then
		ok "bad input: tcpaccept $*"
	else
		echo "# got status $rc"
		not_ok "bad input: tcpaccept $*: want '$want', status 2" "$D/err"
	fi
}

ports65=$(seq -s, 1 65)
bad "tcpaccept: port '0' is out of range (1 to 65535)" -P 0
bad "tcpaccept: port '70000' is out of range (1 to 65535)" -P 70000
bad "tcpaccept: invalid port 'abc' in 'abc'" -P abc
bad "tcpaccept: invalid port '' in '80,,443'" -P 80,,443
bad "tcpaccept: too many ports in '$ports65' (at most 64)" -P "$ports65"
bad "tcpaccept: option '-P' needs an argument" -P
bad "tcpaccept: -4 and -6 cannot be used together" -4 -6
bad "tcpaccept: invalid PID '12abc'" -p 12abc
bad "tcpaccept: PID '0' is out of range (1 to 2147483647)" -p 0
bad "tcpaccept: invalid PID ''" -p ''
bad "tcpaccept: invalid attach variant 'nope' (choose from: auto, fentry, kprobe, tracepoint)" --attach=nope
bad "tcpaccept: invalid cgroup '/tmp': not a cgroup2 directory" --cgroup /tmp
bad "tcpaccept: invalid duration 'soon'" -d soon
bad "tcpaccept: unexpected argument '5'" 5
bad "tcpaccept: invalid option '-Z'" -Z
"$TA" --help >"$D/out" 2>"$D/err"
check "--help: usage on stdout, status 0" [ $? -eq 0 ]
check "--help: the usage line and examples" has "$D/out" "^Usage: tcpaccept"
check "--help: examples" has "$D/out" "^  tcpaccept -P 80,443 "
"$TA" --version >"$D/out"
check "--version" has "$D/out" '^tcpaccept \(tracekit\) [0-9]+\.[0-9]+\.[0-9]+$'

need_root
not_root_check "$TA"

# accepts NAME: the accepts listener NAME printed so far, as
# "LADDR LPORT RADDR RPORT" (mapped addresses as the tool prints them).
accepts() {
	sed -n 's/^accept laddr \([^ ]*\) lport \([0-9]*\) raddr \([^ ]*\) rport \([0-9]*\)$/\1 \2 \3 \4/p' \
		"$D/listen.$1" | sed 's/::ffff:\([0-9.]*\)/\1/g'
}

# settle NAME K: until listener NAME printed K accepts (10 s at most).
settle() {
	_i=0
	while [ "$(accepts "$1" | grep -c .)" -lt "$2" ] && [ $_i -lt 200 ]; do
		sleep 0.05
		_i=$((_i + 1))
	done
}

# mark NAME: remember how many accepts listener NAME printed (new ones are
# those after it: `fresh NAME`).
mark() {
	eval "M_$1=$(accepts "$1" | grep -c .)"
}
fresh() {
	eval "_m=\$M_$1"
	accepts "$1" | awk -v m="$_m" 'NR > m'
}

# every_accept_once WHAT FILE NAME PID IP: each accept listener NAME printed
# since `mark NAME` is in FILE (JSON) exactly once with pid PID, and FILE
# has no other line of PID's.
every_accept_once() {
	_what=$1 _f=$2 _n=$3 _pid=$4 _ip=$5
	fresh "$_n" >"$D/truth"
	_want=$(grep -c . "$D/truth")
	_bad=0
	while read -r _la _lp _ra _rp; do
		_c=$(grep -cE "^$(je accept),\"pid\":$_pid,\"tid\":$_pid,\"uid\":0,\"comm\":\"tk_tcp\",\"ip\":$_ip,\"raddr\":\"$_ra\",\"rport\":$_rp,\"laddr\":\"$_la\",\"lport\":$_lp}\$" "$_f")
		[ "$_c" -eq 1 ] || { echo "# $_la:$_lp <- $_ra:$_rp seen $_c times"; _bad=1; }
	done <"$D/truth"
	_got=$(grep -c "\"pid\":$_pid," "$_f")
	check "$_what: $_want accepts, each once with pid, tid, addresses and ports as the listener saw them" \
		[ "$_bad" -eq 0 ] && [ "$_want" -gt 0 ]
	check "$_what: exactly $_want lines for pid $_pid (got $_got)" [ "$_got" -eq "$_want" ]
}

listener v4 127.0.0.1 -P
P4=$L_PORT
LP4=$L_PID
listener v6 ::1 -P
P6=$L_PORT
LP6=$L_PID
# An IPv6 socket on the wildcard address accepts IPv4 peers as mapped.
listener any :: -P
PA=$L_PORT
LPA=$L_PID
STORM=1000
in_guest && STORM=300

for v in $VARIANTS; do
	O="$D/out.$v"
	SHOW="$O"
	A="--attach=$v"

	variant_refused "$TA" "$v" && continue

	# --- JSON: IPv4, IPv6, mapped; every accept once, fields exact ---
	tcp a 127.0.0.1 "$P4" 3
	tcp b ::1 "$P6" 2
	tcp c 127.0.0.1 "$PA" 2
	mark v4; mark v6; mark any
	tool_start "$O" "$TA" "$A" -j || continue
	go a; go b; go c
	settle v4 $((M_v4 + 3)); settle v6 $((M_v6 + 2)); settle any $((M_any + 2))
	sleep 0.3
	stop_tool INT
	check "[$v] exit 0 on SIGINT" [ "$TOOL_RC" -eq 0 ]
	check "[$v] stderr: only -v's lines" only_v_lines "$O.err"
	every_accept_once "[$v] IPv4" "$O" v4 "$LP4" 4
	every_accept_once "[$v] IPv6" "$O" v6 "$LP6" 6
	every_accept_once "[$v] IPv4-mapped on an IPv6 listener (as IPv4)" "$O" any "$LPA" 4
	check "[$v] the clients' own ports are the remote ports" \
		[ "$(sed -n 's/^connect lport \([0-9]*\) ret 0$/\1/p' "$D/work.a" | sort | tr '\n' ' ')" = \
		  "$(sed -n "s/.*\"pid\":$LP4,.*\"rport\":\([0-9]*\),.*/\1/p" "$O" | sort | tr '\n' ' ')" ]
	if grep -v '^{.*}$' "$O" | grep -q .; then
		not_ok "[$v] JSON mode prints only objects" "$O"
	else
		ok "[$v] JSON mode prints only objects"
	fi

	# --- text ---
	tcp a 127.0.0.1 "$P4" 1
	tcp b ::1 "$P6" 1
	mark v4; mark v6
	tool_start "$O" "$TA" "$A" || continue
	go a; go b
	settle v4 $((M_v4 + 1)); settle v6 $((M_v6 + 1))
	sleep 0.3
	stop_tool INT
	check "[$v] text header" has "$O" '^PID +COMM +IP +RADDR +RPORT +LADDR +LPORT$'
	r4=$(fresh v4 | cut -d' ' -f4)
	r6=$(fresh v6 | cut -d' ' -f4)
	check "[$v] text: IPv4 line" has "$O" "^$LP4 +tk_tcp +4 +127\.0\.0\.1 +$r4 +127\.0\.0\.1 +$P4$"
	check "[$v] text: IPv6 line" has "$O" "^$LP6 +tk_tcp +6 +::1 +$r6 +::1 +$P6$"

	# --- filters, each including what it should and excluding the rest ---
	# filter_run ARGS...: one connect to each listener under the tool.
	filter_run() {
		tcp a 127.0.0.1 "$P4" 1
		tcp b ::1 "$P6" 1
		mark v4; mark v6
		tool_start "$O" "$TA" "$A" -j "$@" || return 1
		go a; go b
		settle v4 $((M_v4 + 1)); settle v6 $((M_v6 + 1))
		sleep 0.3
		stop_tool INT
		r4=$(fresh v4 | cut -d' ' -f4)
		r6=$(fresh v6 | cut -d' ' -f4)
	}
	if filter_run -P "$P4,1"; then
		check "[$v] -P includes its local port" has "$O" "\"rport\":$r4,\"laddr\":\"127\.0\.0\.1\",\"lport\":$P4\}"
		check "[$v] -P excludes other local ports" not has "$O" "\"lport\":$P6\}"
	fi
	if filter_run -P "$P6"; then
		check "[$v] -P (the IPv6 listener's) includes it" has "$O" "\"rport\":$r6,\"laddr\":\"::1\",\"lport\":$P6\}"
		check "[$v] -P (the IPv6 listener's) excludes the IPv4 one" not has "$O" "\"lport\":$P4\}"
	fi
	if filter_run -4; then
		check "[$v] -4 includes IPv4" has "$O" "\"pid\":$LP4,.*\"rport\":$r4,"
		check "[$v] -4 excludes IPv6" not has "$O" "\"pid\":$LP6,"
	fi
	if filter_run -6; then
		check "[$v] -6 includes IPv6" has "$O" "\"pid\":$LP6,.*\"rport\":$r6,"
		check "[$v] -6 excludes IPv4" not has "$O" "\"pid\":$LP4,"
	fi
	if filter_run -p "$LP6"; then
		check "[$v] -p includes the acceptor" has "$O" "\"pid\":$LP6,.*\"rport\":$r6,"
		check "[$v] -p excludes other acceptors" not has "$O" "\"pid\":$LP4,"
	fi
	CG=/sys/fs/cgroup/unified/tk-e2e-ta-$$
	if mkdir "$CG" 2>/dev/null; then
		echo "$LP4" >"$CG/cgroup.procs"
		if filter_run --cgroup "$CG"; then
			check "[$v] --cgroup includes the acceptor in the cgroup" has "$O" "\"pid\":$LP4,.*\"rport\":$r4,"
			check "[$v] --cgroup excludes the one outside" not has "$O" "\"pid\":$LP6,"
		fi
		echo "$LP4" >"$(dirname "$CG")/cgroup.procs"
		rmdir "$CG"
	else
		not_ok "cannot create cgroup $CG"
	fi

	# --- a storm: every accept a line, or a loss the tool counted ---
	tcp s 127.0.0.1 "$P4" "$STORM"
	mark v4
	tool_start "$O" "$TA" "$A" -j -p "$LP4" || continue
	go s
	settle v4 $((M_v4 + STORM))
	sleep 0.3
	stop_tool INT
	made=$(fresh v4 | grep -c .)
	got=$(grep -c "\"pid\":$LP4," "$O")
	lost=$(json_num "$O" count | awk '{ n += $1 } END { print n + 0 }')
	uniq=$(sed -n "s/.*\"pid\":$LP4,.*\"rport\":\([0-9]*\),.*/\1/p" "$O" | sort -u | grep -c .)
	check "[$v] storm: the listener accepted all $STORM (got $made)" [ "$made" -eq "$STORM" ]
	check "[$v] storm: $got lines + $lost lost = $made accepts, no port twice ($uniq)" \
		[ $((got + lost)) -eq "$made" ] && [ "$uniq" -eq "$got" ]
done

# --- time columns (auto) ---
O="$D/out"
SHOW="$O"
tcp a 127.0.0.1 "$P4" 2
mark v4
tool_start "$O" "$TA" -T -t || exit 1
go a
settle v4 $((M_v4 + 2))
sleep 0.3
stop_tool INT
check "-T -t header" has "$O" '^TIME +TIME\(s\) +PID +COMM +IP +RADDR +RPORT +LADDR +LPORT$'
check "-t: the first accept at 0.000000" has "$O" "^[0-9:]{8} +0\.000000 +$LP4 +tk_tcp +4 "
check "-T -t: two lines for the two accepts" [ "$(grep -c " $LP4 *tk_tcp " "$O")" -eq 2 ]

leak_check "no BPF program or link left behind"
finish
