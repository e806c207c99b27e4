#!/bin/sh
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
# dnssnoop end to end: real tool, real kernel, a local dnsmasq on a free
# loopback port (127.0.0.1 and ::1) with fixed records, and clients (dig,
# tests/helpers/tk_dns) started from known pids; every assertion is about a
# DNS message the tool must have seen. Only loopback traffic: nothing here
# uses /etc/resolv.conf.
. "$(dirname "$0")/lib.sh"
DS="$TK_BIN/dnssnoop"
DNS="$TK_HELPERS/tk_dns"
D=$T_DIR

# --- bad input: one line, status 2, nothing loaded (no root needed) --------

# bad 'EXPECTED FIRST LINE' ARGS...
bad() {
	want=$1
	shift
	"$DS" "$@" >"$D/out" 2>"$D/err" </dev/null
	rc=$?
	printf '%s\nTry '\''dnssnoop --help'\''.\n' "$want" >"$D/want"
	if [ $rc -eq 2 ] && cmp -s "$D/err" "$D/want" && [ ! -s "$D/out" ]; then
		ok "bad input: dnssnoop $*"
	else
		echo "# got status $rc"
		not_ok "bad input: dnssnoop $*: want '$want', status 2" "$D/err"
	fi
}

ports65=$(seq -s, 1 65)
CGROOT=$(awk '$3 == "cgroup2" { print $2; exit }' /proc/self/mounts)
bad "dnssnoop: invalid PID '12abc'" -p 12abc
bad "dnssnoop: PID '0' is out of range (1 to 2147483647)" -p 0
bad "dnssnoop: invalid UID 'bob'" -u bob
bad "dnssnoop: COMM 'averyveryverylongname' is longer than 15 characters (the kernel keeps 15)" -n averyveryverylongname
bad "dnssnoop: invalid port 'x' in '53,x'" -P 53,x
bad "dnssnoop: invalid port '' in '53,'" -P 53,
bad "dnssnoop: port '0' is out of range (1 to 65535)" -P 0
bad "dnssnoop: port '65536' is out of range (1 to 65535)" -P 53,65536
bad "dnssnoop: too many ports in '$ports65' (at most 64)" -P "$ports65"
bad "dnssnoop: option '-P' needs an argument" -P
bad "dnssnoop: empty NAME" -N ''
bad "dnssnoop: option '-N' needs an argument" -N
bad "dnssnoop: invalid attach variant 'nope' (choose from: auto, cgroup, socket)" --attach=nope
bad "dnssnoop: invalid cgroup '/tmp': not a cgroup2 directory" --cgroup /tmp
bad "dnssnoop: invalid cgroup '/nonexistent': No such file or directory" --cgroup /nonexistent
if [ -n "$CGROOT" ]; then
	bad "dnssnoop: --cgroup cannot be used with --attach=socket (a packet socket sees no cgroups)" \
		--cgroup "$CGROOT" --attach=socket
	bad "dnssnoop: --cgroup cannot be used with --attach=socket (a packet socket sees no cgroups)" \
		--attach=socket --cgroup "$CGROOT"
fi
bad "dnssnoop: invalid max-pending 'x'" --max-pending x
bad "dnssnoop: -x cannot go with --prometheus or --textfile (the metrics count every response)" \
	-x --prometheus 127.0.0.1:0
bad "dnssnoop: invalid --prometheus address ':99999': port out of range (0 to 65535)" --prometheus :99999
bad "dnssnoop: max-pending '0' is out of range (1 to 1048576)" --max-pending 0
bad "dnssnoop: invalid duration 'soon'" -d soon
bad "dnssnoop: duration '0' is out of range (0.001 to 31536000 seconds)" -d 0
bad "dnssnoop: unexpected argument 'extra'" extra
bad "dnssnoop: invalid option '-Z'" -Z
bad "dnssnoop: invalid option '--no-such-option'" --no-such-option
bad "dnssnoop: cannot read BTF file '/nonexistent': No such file or directory" --btf /nonexistent
"$DS" --help >"$D/out" 2>"$D/err"
check "--help: usage on stdout, status 0" [ $? -eq 0 ] && has "$D/out" "^Usage: dnssnoop"
"$DS" --version >"$D/out"
check "--version" has "$D/out" '^dnssnoop \(tracekit\) [0-9]+\.[0-9]+\.[0-9]+$'

need_root
chmod 0777 "$D"		# a client also runs as uid 65534

# --- what the tests need: dnsmasq and dig, from Debian ------------------------

# need_cmd COMMAND PACKAGE: install PACKAGE unless COMMAND is there.
need_cmd() {
	command -v "$1" >/dev/null 2>&1 && return 0
	export DEBIAN_FRONTEND=noninteractive
	apt-get install -y -qq --no-install-recommends "$2" >"$D/apt.log" 2>&1 ||
		{ apt-get update -qq >>"$D/apt.log" 2>&1 &&
		  apt-get install -y -qq --no-install-recommends "$2" >>"$D/apt.log" 2>&1; }
	command -v "$1" >/dev/null 2>&1
}

PATH=$PATH:/usr/sbin:/sbin
# dnsmasq-base: the server alone, without a system service that would
# start listening on port 53 when installed.
for need in dnsmasq:dnsmasq-base dig:dnsutils; do
	if ! need_cmd "${need%%:*}" "${need#*:}"; then
		if [ "${CI:-}" = true ]; then
			not_ok "cannot install ${need#*:} (CI=true: not skipping)" "$D/apt.log"
		else
			echo "# SKIP $T_NAME: cannot install ${need#*:}"
		fi
		finish
		exit $?
	fi
done

# --- the server ------------------------------------------------------------

# A free port, from the kernel (tk_dns binds port 0), then dnsmasq on it on
# both loopback addresses, UDP and TCP; another try if someone took it
# meanwhile. Sets P.
start_dnsmasq() {
	for try in 1 2 3 4 5; do
		: >"$D/free"
		"$DNS" -s 0 >"$D/free" 2>&1 &
		_fp=$!
		wait_for "$D/free" '^port ' 30
		kill "$_fp" 2>/dev/null
		wait "$_fp" 2>/dev/null
		P=$(sed -n 's/^port \([0-9]*\)$/\1/p' "$D/free")
		[ -n "$P" ] || continue
		# many.test: 20 A records, more than dnssnoop lists.
		_many=
		for _i in $(seq 1 20); do
			_many="$_many --host-record=many.test,10.9.0.$_i"
		done
		# -k, not --no-daemon: that serves TCP in the main process,
		# where one idle connection holds up every other query.
		# shellcheck disable=SC2086
		dnsmasq -k --port="$P" --listen-address=127.0.0.1 --listen-address=::1 \
			--bind-interfaces --no-resolv --no-hosts --pid-file= --user=root \
			--address=/ok.test/10.1.2.3 --address=/ok.test/fd00::1 \
			--cname=alias.test,ok.test --address=/nx.test/ $_many >"$D/dnsmasq.log" 2>&1 &
		DNSMASQ=$!
		T_PIDS="$T_PIDS $DNSMASQ"
		i=0
		while [ $i -lt 50 ]; do
			if "$DNS" -6 "$P" ok.test 2>/dev/null | grep -q '^rcode 0 ancount 1$' &&
			   "$DNS" -t "$P" ok.test 2>/dev/null | grep -q '^rcode 0 ancount 1$'; then
				return 0
			fi
			kill -0 "$DNSMASQ" 2>/dev/null || break
			sleep 0.1
			i=$((i + 1))
		done
		kill "$DNSMASQ" 2>/dev/null
		wait "$DNSMASQ" 2>/dev/null
	done
	return 1
}

if ! start_dnsmasq; then
	not_ok "dnsmasq does not answer on a loopback port" "$D/dnsmasq.log"
	finish
	exit $?
fi
ok "dnsmasq answers on 127.0.0.1 and ::1 port $P"

# --- clients that wait for `go NAME` (lib.sh) ---------------------------------

# dig_work NAME [-u UID | -C CGROUP] DIG_ARGS...: dig in the background, from
# a shell that prints its pid, waits for the go FIFO, then becomes dig (the
# same pid); -u and -C go through tk_work first. Sets W_PID.
dig_work() {
	_n=$1
	shift
	_pre=
	case "$1" in
	-u|-C) _pre="$TK_HELPERS/tk_work $1 $2 exec"; shift 2 ;;
	esac
	rm -f "$D/go.$_n"
	mkfifo -m 0666 "$D/go.$_n"
	: >"$D/work.$_n"
	# shellcheck disable=SC2016,SC2086
	$_pre /bin/sh -c 'echo "pid $$"; read _ <"$0"; exec dig "$@"' "$D/go.$_n" \
		+tries=1 +time=2 "$@" >"$D/work.$_n" 2>&1 &
	T_PIDS="$T_PIDS $!"
	eval "W_BG_$_n=$!"
	wait_for "$D/work.$_n" '^pid ' 5 || not_ok "dig $_n did not start" "$D/work.$_n"
	W_PID=$(sed -n 's/^pid \([0-9]*\).*/\1/p' "$D/work.$_n" | head -n 1)
}

# dns_work NAME TK_DNS_ARGS...: tk_dns with its socket already connected,
# waiting for `go NAME`. Sets W_PID.
dns_work() {
	_n=$1
	shift
	rm -f "$D/go.$_n"
	mkfifo "$D/go.$_n"
	: >"$D/work.$_n"
	"$DNS" -g "$D/go.$_n" "$@" >"$D/work.$_n" 2>&1 &
	T_PIDS="$T_PIDS $!"
	eval "W_BG_$_n=$!"
	wait_for "$D/work.$_n" '^pid ' 5 || not_ok "tk_dns $_n did not start" "$D/work.$_n"
	W_PID=$(sed -n 's/^pid \([0-9]*\)$/\1/p' "$D/work.$_n")
}

# dig_id NAME: the DNS id dig printed.
dig_id() {
	sed -n 's/.*, id: \([0-9]*\)$/\1/p' "$D/work.$1"
}

# col FILE PID DIR N: column N of PID's line of direction DIR.
col() {
	awk -v p="$2" -v d="$3" -v n="$4" '$1 == p && $3 == d { print $n; exit }' "$1"
}

LAT='[0-9]+\.[0-9]{3}'
OK_HEX=6f6b0474657374	# "ok" 4 "test", after the label length 2

# --- both variants: clients that hold their socket a while -------------------
# (the socket variant finds the process through /proc, by local port, so the
# process must still be there when the tool looks)
for v in cgroup socket; do
	O="$D/out.$v"
	SHOW="$O"
	dns_work a -w 1500 "$P" ok.test
	pa=$W_PID
	dns_work b -6 -t -q 28 -i 4242 -w 1500 "$P" ok.test
	pb=$W_PID
	dns_work c -i 777 -w 1500 "$P" a.nx.test
	pc=$W_PID
	tool_start "$O" "$DS" --attach=$v -P "$P" || continue
	go a
	go b
	go c
	stop_tool INT
	check "[$v] exit 0 on SIGINT" [ "$TOOL_RC" -eq 0 ]
	check "[$v] says which variant" has "$O.err" "attach: using $v"
	check "[$v] header line" \
		has "$O" '^PID +COMM +DIR +PROTO +SERVER +ID +QTYPE +QNAME +RCODE +ANSWERS +LAT\(ms\)$'
	check "[$v] UDP query from tk_dns $pa" \
		has "$O" "^$pa +tk_dns +Q +UDP +127\.0\.0\.1:$P +4660 +A +ok\.test +- +- +-\$"
	check "[$v] its response: NOERROR, 10.1.2.3, a latency" \
		has "$O" "^$pa +tk_dns +R +UDP +127\.0\.0\.1:$P +4660 +A +ok\.test +NOERROR +10\.1\.2\.3 +$LAT\$"
	check "[$v] TCP over IPv6: query" \
		has "$O" "^$pb +tk_dns +Q +TCP +\[::1\]:$P +4242 +AAAA +ok\.test +- +- +-\$"
	check "[$v] TCP over IPv6: response with fd00::1" \
		has "$O" "^$pb +tk_dns +R +TCP +\[::1\]:$P +4242 +AAAA +ok\.test +NOERROR +fd00::1 +$LAT\$"
	check "[$v] NXDOMAIN response" \
		has "$O" "^$pc +tk_dns +R +UDP +127\.0\.0\.1:$P +777 +A +a\.nx\.test +NXDOMAIN +- +$LAT\$"
	check "[$v] each message once" [ "$(grep -c "^$pa " "$O")" -eq 2 ]
done

# --- no cgroup2 (a mount namespace without it): auto takes the packet socket --
O="$D/out.nocgroup"
SHOW="$O $O.err"
cat >"$D/nocgroup.sh" <<'EOF'
for m in $(awk '$3 == "cgroup2" { print $2 }' /proc/self/mounts); do
	umount "$m" || exit 1
done
exec "$@"
EOF
dns_work a -w 1500 "$P" ok.test
pa=$W_PID
start_tool "$O" "$O.err" unshare -m sh "$D/nocgroup.sh" "$DS" -P "$P" -v
if wait_for "$O.err" 'Ctrl-C to end' 10; then
	go a
	stop_tool INT
	check "no cgroup2: says why" \
		has_text "$O.err" "attach: cgroup unavailable: no cgroup2 file system is mounted"
	check "no cgroup2: falls back to the socket variant" has_text "$O.err" "attach: using socket"
	check "no cgroup2: the response is seen" \
		has "$O" "^$pa +tk_dns +R +UDP +127\.0\.0\.1:$P +4660 +A +ok\.test +NOERROR +10\.1\.2\.3 +$LAT\$"
else
	not_ok "no cgroup2: dnssnoop did not start" "$O.err"
	stop_tool KILL
fi

# --- dig, the real thing: UDP and TCP, IPv4 and IPv6, answers, ids -----------
O="$D/out.dig"
SHOW="$O"
dig_work a @127.0.0.1 -p "$P" ok.test
pa=$W_PID
dig_work b @::1 -p "$P" ok.test AAAA
pb=$W_PID
dig_work c +tcp @127.0.0.1 -p "$P" alias.test
pc=$W_PID
dig_work d @127.0.0.1 -p "$P" a.nx.test
pd=$W_PID
tool_start "$O" "$DS" -P "$P"
go a
go b
go c
go d
stop_tool INT
check "dig: exit 0 on SIGINT" [ "$TOOL_RC" -eq 0 ]
check "dig: UDP query with pid $pa and comm dig" \
	has "$O" "^$pa +dig +Q +UDP +127\.0\.0\.1:$P +[0-9]+ +A +ok\.test +- +- +-\$"
check "dig: UDP response NOERROR 10.1.2.3 with a latency" \
	has "$O" "^$pa +dig +R +UDP +127\.0\.0\.1:$P +[0-9]+ +A +ok\.test +NOERROR +10\.1\.2\.3 +$LAT\$"
id=$(dig_id a)
same_id() {
	[ -n "$id" ] && [ "$(col "$O" "$pa" Q 6)" = "$id" ] && [ "$(col "$O" "$pa" R 6)" = "$id" ]
}
check "dig: query and response carry dig's id ($id)" same_id
check "dig: IPv6 query" has "$O" "^$pb +dig +Q +UDP +\[::1\]:$P +[0-9]+ +AAAA +ok\.test +- +- +-\$"
check "dig: IPv6 response fd00::1" \
	has "$O" "^$pb +dig +R +UDP +\[::1\]:$P +[0-9]+ +AAAA +ok\.test +NOERROR +fd00::1 +$LAT\$"
check "dig: TCP query (length prefix skipped)" \
	has "$O" "^$pc +dig +Q +TCP +127\.0\.0\.1:$P +$(dig_id c) +A +alias\.test +- +- +-\$"
check "dig: TCP response: the CNAME target" \
	has "$O" "^$pc +dig +R +TCP +127\.0\.0\.1:$P +$(dig_id c) +A +alias\.test +NOERROR +CNAME:ok\.test +$LAT\$"
check "dig: NXDOMAIN" \
	has "$O" "^$pd +dig +R +UDP +127\.0\.0\.1:$P +[0-9]+ +A +a\.nx\.test +NXDOMAIN +- +$LAT\$"

# --- -T: the wall clock of each message, between the test's own readings of it
# just before the query and just after its answer (date(1), to the second).
O="$D/out.T"
SHOW="$O"
dig_work a @127.0.0.1 -p "$P" ok.test
pa=$W_PID
tool_start "$O" "$DS" -P "$P" -T
t0=$(date +%H:%M:%S)
go a
t1=$(date +%H:%M:%S)
stop_tool INT
check "-T: header starts with TIME" has "$O" '^TIME +PID +COMM +DIR +PROTO '
# in_window LINE_REGEX: the line's HH:MM:SS.mmm is within [t0, t1].
in_window() {
	_t=$(grep -E "^[0-2][0-9]:[0-5][0-9]:[0-5][0-9]\.[0-9]{3} +$1" "$O" | head -n 1 | cut -c1-8)
	echo "# -T: $_t, the test read $t0 before and $t1 after"
	[ -n "$_t" ] || return 1
	# Past midnight the strings do not order: only the format then.
	awk -v t="$_t" -v a="$t0" -v b="$t1" 'BEGIN { exit !(a > b || (t >= a && t <= b)) }' </dev/null
}
check "-T: the query's time is the wall clock's" \
	in_window "$pa +dig +Q +UDP +127\.0\.0\.1:$P +[0-9]+ +A +ok\.test +- +- +-\$"
check "-T: the answer's too" \
	in_window "$pa +dig +R +UDP +127\.0\.0\.1:$P +[0-9]+ +A +ok\.test +NOERROR +10\.1\.2\.3 +$LAT\$"

# --- JSON --------------------------------------------------------------------
O="$D/out.json"
SHOW="$O"
dig_work a @127.0.0.1 -p "$P" ok.test AAAA
pa=$W_PID
js=$(date +%s%N)
tool_start "$O" "$DS" -P "$P" -j
j0=$(date +%s%N)
go a
j1=$(date +%s%N)
stop_tool INT
json_valid "JSON: records of the schema, dig's stamped within its run" "$O" dnssnoop \
	--since "$js" --type dns --match pid="$pa" --work "$j0:$j1"
id=$(dig_id a)
line=$(grep "\"pid\":$pa," "$O" | grep '"dir":"R"')
case "$line" in
*"\"comm\":\"dig\",\"dir\":\"R\",\"proto\":\"UDP\",\"ip\":4,\"server\":\"127.0.0.1\",\"server_port\":$P,"*"\"id\":$id,\"qtype\":\"AAAA\",\"qname\":\"ok.test\",\"rcode\":\"NOERROR\",\"answers\":[{\"rrtype\":\"AAAA\",\"ttl\":0,\"data\":\"fd00::1\"}],\"answers_truncated\":false,\"ancount\":1,\"tc\":false,\"latency_ns\":"[1-9]*",\"len\":"[1-9]*",\"error\":null}")
	ok "JSON response: pid, comm, server, id, qtype, qname, rcode, answers, latency" ;;
*) not_ok "JSON response: pid, comm, server, id, qtype, qname, rcode, answers, latency" "$O" ;;
esac
line=$(grep "\"pid\":$pa," "$O" | grep '"dir":"Q"')
case "$line" in
*"\"id\":$id,\"qtype\":\"AAAA\",\"qname\":\"ok.test\",\"rcode\":null,\"answers\":null,\"answers_truncated\":null,\"ancount\":null,\"tc\":null,\"latency_ns\":null,"*)
	ok "JSON query: the same keys, null where they do not apply" ;;
*) not_ok "JSON query: the same keys, null where they do not apply" "$O" ;;
esac
if grep -v '^{.*}$' "$O" | grep -q .; then
	not_ok "JSON mode prints only objects" "$O"
else
	ok "JSON mode prints only objects"
fi

# --- filters -------------------------------------------------------------------
O="$D/out.filter"
SHOW="$O"

# -x: failures only (NXDOMAIN, REFUSED: dnsmasq refuses names it does not
# know), no queries, no NOERROR.
dig_work a @127.0.0.1 -p "$P" ok.test
pa=$W_PID
dig_work b @127.0.0.1 -p "$P" b.nx.test
pb=$W_PID
dig_work c @127.0.0.1 -p "$P" other.test
pc=$W_PID
tool_start "$O" "$DS" -P "$P" -x
go a
go b
go c
stop_tool INT
check "-x shows NXDOMAIN" has "$O" "^$pb +dig +R .* b\.nx\.test +NXDOMAIN +- +$LAT\$"
check "-x shows REFUSED" has "$O" "^$pc +dig +R .* other\.test +REFUSED +- +$LAT\$"
check "-x hides NOERROR" not has "$O" "^$pa "
check "-x hides queries" not has "$O" '^[0-9]+ +[^ ]+ +Q '

# -N: a substring of the name, in any case.
dig_work a @127.0.0.1 -p "$P" ok.test
pa=$W_PID
dig_work b @127.0.0.1 -p "$P" c.nx.test
pb=$W_PID
tool_start "$O" "$DS" -P "$P" -N OK.TE
go a
go b
stop_tool INT
check "-N includes matching names (any case)" has "$O" "^$pa +dig +R .* ok\.test +NOERROR"
check "-N excludes other names" not has "$O" "^$pb "

# -p
dig_work a @127.0.0.1 -p "$P" ok.test
pa=$W_PID
dig_work b @127.0.0.1 -p "$P" ok.test
pb=$W_PID
tool_start "$O" "$DS" -P "$P" -p "$pa"
go a
go b
stop_tool INT
check "-p includes that pid" has "$O" "^$pa +dig +R .* ok\.test +NOERROR"
check "-p excludes other pids" not has "$O" "^$pb "

# -u
dig_work a -u 65534 @127.0.0.1 -p "$P" ok.test
pa=$W_PID
dig_work b @127.0.0.1 -p "$P" ok.test
pb=$W_PID
tool_start "$O" "$DS" -P "$P" -u 65534
go a
go b
stop_tool INT
check "-u includes that uid" has "$O" "^$pa +dig +R .* ok\.test +NOERROR"
check "-u excludes other uids" not has "$O" "^$pb "

# -n: the process's name, though dig sends from its isc-net-* threads.
dig_work a @127.0.0.1 -p "$P" ok.test
pa=$W_PID
dns_work b "$P" ok.test
pb=$W_PID
tool_start "$O" "$DS" -P "$P" -n di
go a
go b
stop_tool INT
check "-n matches the process name" has "$O" "^$pa +dig +R .* ok\.test +NOERROR"
check "-n excludes other names" not has "$O" "^$pb "
dig_work a @127.0.0.1 -p "$P" ok.test
pa=$W_PID
tool_start "$O" "$DS" -P "$P" -n isc-net
go a
stop_tool INT
check "-n does not match thread names" not has "$O" "^$pa "

# --cgroup
CG=$CGROOT/tk-e2e-dnssnoop-$$
if [ -n "$CGROOT" ] && mkdir "$CG" 2>/dev/null; then
	dig_work a -C "$CG" @127.0.0.1 -p "$P" ok.test
	pa=$W_PID
	dig_work b @127.0.0.1 -p "$P" ok.test
	pb=$W_PID
	tool_start "$O" "$DS" -P "$P" --cgroup "$CG"
	go a
	go b
	stop_tool INT
	check "--cgroup attaches to that cgroup" has_text "$O.err" "attach: using cgroup ($CG)"
	check "--cgroup includes its processes" has "$O" "^$pa +dig +R .* ok\.test +NOERROR"
	check "--cgroup excludes the rest" not has "$O" "^$pb "
	rmdir "$CG"
else
	not_ok "cannot create a cgroup under '$CGROOT'"
fi

# --- queries nobody answers: TIMEOUT under -x ----------------------------------
O="$D/out.timeout"
SHOW="$O"
: >"$D/sink"
"$DNS" -s 0 >"$D/sink" 2>&1 &
T_PIDS="$T_PIDS $!"
wait_for "$D/sink" '^port ' 30
S=$(sed -n 's/^port \([0-9]*\)$/\1/p' "$D/sink")
dig_work a +time=1 @127.0.0.1 -p "$S" lost.test
pa=$W_PID
tool_start "$O" "$DS" -P "$P,$S" -x
go a
wait_for "$O" TIMEOUT 6
stop_tool INT
check "an unanswered query is reported as TIMEOUT" \
	has "$O" "^$pa +dig +Q +UDP +127\.0\.0\.1:$S +[0-9]+ +A +lost\.test +TIMEOUT +- +-\$"
check "and only once" [ "$(grep -c TIMEOUT "$O")" -eq 1 ]
dig_work a +time=1 @127.0.0.1 -p "$S" lost2.test
pa=$W_PID
tool_start "$O" "$DS" -P "$S" -j
go a
wait_for "$O" TIMEOUT 6
stop_tool INT
check "JSON: the timeout as a record with rcode TIMEOUT" \
	has "$O" "\"pid\":$pa,.*\"dir\":\"Q\",.*\"qname\":\"lost2.test\",\"rcode\":\"TIMEOUT\","

# A timeout that falls due just before the end: a tick looks 0.1 s back
# (for answers still in the buffer), so between 2 and 2.1 s only the end of
# the run reports it.
dns_work a -r 12370100000100000000000002${OK_HEX}0000010001 "$S" -
pa=$W_PID
tool_start "$O" "$DS" -P "$S" -x
go a
sleep 2.03
stop_tool INT
check "a query that times out as the run ends: TIMEOUT, once" \
	[ "$(grep -cE "^$pa +tk_dns +Q +UDP +127\.0\.0\.1:$S +4663 +A +ok\.test +TIMEOUT +- +-\$" "$O")" = 1 ]

# --- malformed messages: shown as such, and the tool goes on -----------------
O="$D/out.malformed"
SHOW="$O"
dns_work a -r 123481 "$S" -
pa=$W_PID
dns_work b -r 123501000001000000000000c00c00010001 "$S" -		# a pointer to itself
pb=$W_PID
dns_work c -r 12360100000100000000000002${OK_HEX}0000010001 "$S" -
pc=$W_PID
tool_start "$O" "$DS" -P "$S"
go a
go b
go c
stop_tool INT
check "malformed: exit 0" [ "$TOOL_RC" -eq 0 ]
check "3 bytes: not DNS, shown as '?'" \
	has "$O" "^$pa +tk_dns +\? +UDP +127\.0\.0\.1:$S +- +- +- +- +- +-\$"
check "a compression loop: the name is [badname]" \
	has "$O" "^$pb +tk_dns +Q +UDP +127\.0\.0\.1:$S +4661 +- +\[badname\] +- +- +-\$"
check "a good query after them" \
	has "$O" "^$pc +tk_dns +Q +UDP +127\.0\.0\.1:$S +4662 +A +ok\.test +- +- +-\$"

# --- empty datagrams to the DNS port: each one a record ------------------------
O="$D/out.empty"
SHOW="$O"
dns_work a -n 5 -r '' "$S" -
pa=$W_PID
tool_start "$O" "$DS" -P "$S" -j
go a
stop_tool INT
sent=$(sed -n 's/^sent \([0-9]*\)$/\1/p' "$D/work.a")
check "the workload sent 5 empty datagrams" [ "$sent" = 5 ]
check "each empty datagram is a record: dir ?, len 0, error 'empty message'" \
	[ "$(grep "\"pid\":$pa," "$O" | grep -c '"dir":"?",.*"len":0,"error":"empty message"}')" = "$sent" ]
dns_work a -n 3 -r '' "$S" -
pa=$W_PID
tool_start "$O" "$DS" -P "$S"
go a
stop_tool INT
check "text: each empty datagram a '?' line" \
	[ "$(grep -cE "^$pa +tk_dns +\? +UDP +127\.0\.0\.1:$S +- +- +- +- +- +-\$" "$O")" = 3 ]

# --- a full buffer: every datagram a record or counted lost, nothing else -------
# The reader of the output stalls, so the tool stops reading the kernel's
# buffer, which fills: what the workload sent is all there is to count
# (dnssnoop's own clock must not add "lost" events of its own).
O="$D/out.stall"
: >"$O"
: >"$O.err"
( "$DS" -P "$S" -j -v 2>"$O.err" &
  echo $! >"$D/stall.pid"
  wait $! ) | { sleep 4; cat; } >"$O" &
STALL=$!
T_PIDS="$T_PIDS $STALL"
if wait_for "$O.err" 'Ctrl-C to end' 10; then
	TOOL_PID=$(cat "$D/stall.pid")
	T_PIDS="$T_PIDS $TOOL_PID"
	dns_work a -n 20000 -r '' "$S" -
	go a
	sent=$(sed -n 's/^sent \([0-9]*\)$/\1/p' "$D/work.a")
	sleep 4		# the reader's stall ends; the tool catches up
	kill -INT "$TOOL_PID"
	wait "$STALL"
	recs=$(grep "\"server_port\":$S," "$O" | grep -c '"dir":"?",.*"len":0,')
	lost=$(grep '"type":"lost"' "$O" | json_num /dev/stdin count | awk '{ s += $1 } END { print s + 0 }')
	echo "# sent $sent, records $recs, lost $lost"
	check "full buffer: the workload sent 20000 datagrams" [ "$sent" = 20000 ]
	check "full buffer: some were lost (the buffer did fill)" [ "$lost" -gt 0 ]
	check "full buffer: records + lost == datagrams sent" [ $((recs + lost)) -eq "$sent" ]
else
	not_ok "full buffer: dnssnoop did not start" "$O.err"
fi

# --- more answers than listed: truncation marked, the true count kept -----------
O="$D/out.many"
SHOW="$O"
dig_work a @127.0.0.1 -p "$P" many.test
pa=$W_PID
tool_start "$O" "$DS" -P "$P" -j
go a
stop_tool INT
# dig's own answer section is the truth: how many A records came back.
nans=$(grep -cE '^many\.test\.[[:space:]].*[[:space:]]A[[:space:]]+10\.9\.0\.' "$D/work.a")
line=$(grep "\"pid\":$pa," "$O" | grep '"dir":"R"')
listed=$(printf '%s\n' "$line" | grep -o '"rrtype":"A","ttl":[0-9]*,"data":"10\.9\.0\.[0-9]*"' | wc -l)
check "dig got 20 A records" [ "$nans" = 20 ]
check "JSON: 16 answers listed" [ "$listed" = 16 ]
check "JSON: answers_truncated true, ancount $nans" \
	has_text "$O" "\"answers_truncated\":true,\"ancount\":$nans,"
fromdig() {
	printf '%s\n' "$line" | grep -o '"data":"10\.9\.0\.[0-9]*"' | cut -d'"' -f4 | sort >"$D/many.tool"
	sed -n 's/^many\.test\..*[[:space:]]A[[:space:]]\{1,\}\(10\.9\.0\.[0-9]*\)$/\1/p' \
		"$D/work.a" | sort >"$D/many.dig"
	[ -z "$(comm -23 "$D/many.tool" "$D/many.dig")" ]
}
check "the listed answers are among dig's" fromdig
dig_work a @127.0.0.1 -p "$P" many.test
pa=$W_PID
tool_start "$O" "$DS" -P "$P"
go a
stop_tool INT
check "text: the answers past 16 counted as +$((nans - 16))" \
	has "$O" "^$pa +dig +R +UDP .* many\.test +NOERROR +.*,\+$((nans - 16)) +$LAT\$"

# --- -x under a flood of unanswered queries: every one a TIMEOUT or counted ----
# pending_total FILE PID: TIMEOUT records of PID plus the evicted counts
# plus events lost (none expected: the workload paces itself).
pending_total() {
	_t=$(grep "\"pid\":$2," "$1" | grep -c '"rcode":"TIMEOUT"')
	_e=$(grep -E '"type":"lost"|"type":"evicted",.*"what":"query"' "$1" | json_num /dev/stdin count |
		awk '{ s += $1 } END { print s + 0 }')
	echo $((_t + _e))
}
O="$D/out.flood"
SHOW="$O"
dns_work a -n 300 -i 1000 "$S" flood.test
pa=$W_PID
tool_start "$O" "$DS" -P "$S" -x -j --max-pending 100
go a
sleep 2.5		# the last query's 2 seconds, and a tick
stop_tool INT
sent=$(sed -n 's/^sent \([0-9]*\)$/\1/p' "$D/work.a")
check "flood: the workload sent 300 queries" [ "$sent" = 300 ]
check "flood: none answered" has_text "$D/work.a" "answers 0"
check "--max-pending 100: TIMEOUT records + evicted (+ lost) == $sent" \
	[ "$(pending_total "$O" "$pa")" = "$sent" ]
check "--max-pending 100: 100 waited their 2 seconds" \
	[ "$(grep "\"pid\":$pa," "$O" | grep -c '"rcode":"TIMEOUT"')" = 100 ]
check "flood: nothing lost on the way" not has_text "$O" '"type":"lost"'
dns_work a -n 5000 -i 2000 "$S" flood.test
pa=$W_PID
tool_start "$O" "$DS" -P "$S" -x -j
go a
sleep 2.5
stop_tool INT
sent=$(sed -n 's/^sent \([0-9]*\)$/\1/p' "$D/work.a")
check "default table: the workload sent 5000 queries" [ "$sent" = 5000 ]
check "default table: TIMEOUT records + evicted (+ lost) == $sent" \
	[ "$(pending_total "$O" "$pa")" = "$sent" ]
check "default table: 4096 waited their 2 seconds" \
	[ "$(grep "\"pid\":$pa," "$O" | grep -c '"rcode":"TIMEOUT"')" = 4096 ]
dns_work a -n 150 -i 3000 "$S" flood.test
pa=$W_PID
tool_start "$O" "$DS" -P "$S" -x --max-pending 100
go a
sleep 2.5
stop_tool INT
check "text: the evicted queries on stderr" \
	has_text "$O.err" "dnssnoop: 50 unanswered queries forgotten before their timeout: more than 100 were waiting (--max-pending)"
check "text: 100 TIMEOUT lines" [ "$(grep -c "^$pa .* TIMEOUT " "$O")" = 100 ]

# --- DNS over TCP cut anywhere: the length alone, the length split, many in one --
for v in cgroup socket; do
	O="$D/out.tcpsplit.$v"
	SHOW="$O"
	# How long each client keeps its socket after its answer: the socket
	# variant finds the owner by port in /proc when it reads the packet,
	# up to 100 ms later and more under load (300 ms was too little for
	# the arm64 guest in CI's lane, beside an x86 guest: "-" for all of d).
	hold=300
	[ $v = socket ] && hold=2000
	dns_work a -t -i 501 -S 2 -w $hold "$P" ok.test		# the length in a segment of its own
	pa=$W_PID
	dns_work b -t -i 502 -S 1 -w $hold "$P" ok.test		# the length itself split
	pb=$W_PID
	dns_work c -t -i 503 -S 7 -w $hold "$P" ok.test		# inside the header
	pc=$W_PID
	dns_work d -t -n 3 -i 510 -S 1 -w $hold "$P" ok.test	# 3 queries, first byte alone
	pd=$W_PID
	tool_start "$O" "$DS" --attach=$v -P "$P" || continue
	# A capture says the clients' writes really left as separate segments.
	CAP=
	if [ $v = cgroup ] && need_cmd tcpdump tcpdump; then
		: >"$D/cap.err"
		tcpdump -i lo -nn -U -w "$D/split.pcap" "tcp dst port $P" 2>"$D/cap.err" &
		CAP=$!
		T_PIDS="$T_PIDS $CAP"
		wait_for "$D/cap.err" 'listening on' 10
	fi
	go a
	go b
	go c
	go d
	stop_tool INT
	if [ -n "$CAP" ]; then
		sleep 0.2
		kill -INT "$CAP"
		wait "$CAP"
		tcpdump -r "$D/split.pcap" -nn 2>/dev/null >"$D/split.txt"
		SHOW="$D/split.txt"
		for l in 2 1 7; do
			check "capture: a client segment of $l bytes (tcpdump)" \
				has "$D/split.txt" " > (127\.0\.0\.1)\.$P: .* length $l\$"
		done
		SHOW="$O"
	elif [ $v = cgroup ] && [ "${CI:-}" = true ]; then
		if command -v apt-get >/dev/null 2>&1; then
			not_ok "cannot install tcpdump (CI=true: not skipping)" "$D/apt.log"
		else
			# The qemu guest: no package manager, no tcpdump; the
			# host suite makes this capture.
			echo "# SKIP capture check: no tcpdump in this system (the host suite captures)"
		fi
	elif [ $v = cgroup ]; then
		echo "# SKIP capture check: cannot install tcpdump"
	fi
	for w in a b c; do
		check "[$v] tk_dns $w got its answer from dnsmasq" has_text "$D/work.$w" "rcode 0 ancount 1"
	done
	check "[$v] tk_dns d got 3 answers" has_text "$D/work.d" "answers 3"
	for pi in "$pa:501" "$pb:502" "$pc:503" "$pd:510" "$pd:511" "$pd:512"; do
		p=${pi%:*}
		i=${pi#*:}
		check "[$v] split TCP: query $i of $p decoded" \
			has "$O" "^$p +tk_dns +Q +TCP +127\.0\.0\.1:$P +$i +A +ok\.test +- +- +-\$"
		check "[$v] split TCP: its response, matched" \
			has "$O" "^$p +tk_dns +R +TCP +127\.0\.0\.1:$P +$i +A +ok\.test +NOERROR +10\.1\.2\.3 +$LAT\$"
	done
	check "[$v] split TCP: no '?' line" not has "$O" "^($pa|$pb|$pc|$pd) +tk_dns +\? "
	check "[$v] split TCP: each message once" \
		[ "$(grep -cE "^($pa|$pb|$pc|$pd) " "$O")" = 12 ]
done

# --- sockets opened before the tool: found through /proc --------------------
O="$D/out.before"
SHOW="$O"
dns_work a -w 300 "$P" ok.test		# connected now, before the tool starts
pa=$W_PID
tool_start "$O" "$DS" -P "$P"
go a
stop_tool INT
check "a socket connected before the start is attributed" \
	has "$O" "^$pa +tk_dns +R +UDP +127\.0\.0\.1:$P +4660 +A +ok\.test +NOERROR +10\.1\.2\.3 +$LAT\$"

# --- ends: -d, SIGTERM, SIGPIPE; what was received is printed -----------------
O="$D/out.end"
SHOW="$O"
dig_work a @127.0.0.1 -p "$P" ok.test
pa=$W_PID
start_tool "$O" "$O.err" "$DS" -P "$P" -d 2 -v
wait_for "$O.err" 'Ctrl-C to end' 10
go a
wait "$TOOL_PID"
check "-d ends with status 0" [ $? -eq 0 ]
check "-d end flushes the messages received" has "$O" "^$pa +dig +R "

dig_work a @127.0.0.1 -p "$P" ok.test
pa=$W_PID
tool_start "$O" "$DS" -P "$P" -j
go a
stop_tool TERM
check "SIGTERM ends with status 0" [ "$TOOL_RC" -eq 0 ]
check "SIGTERM end flushes the messages received" has "$O" "\"pid\":$pa,.*\"dir\":\"R\""

# The reader goes after the header; the next write finds it gone.
dig_work a @127.0.0.1 -p "$P" ok.test
dig_work b @127.0.0.1 -p "$P" ok.test
: >"$D/pipe.err"
: >"$D/pipe.rc"
: >"$D/pipe.out"
( "$DS" -P "$P" -v 2>"$D/pipe.err" &
  echo $! >"$D/pipe.pid"
  wait $!
  echo $? >"$D/pipe.rc" ) | head -n 1 >"$D/pipe.out" &
wait_for "$D/pipe.err" 'Ctrl-C to end' 10
T_PIDS="$T_PIDS $(cat "$D/pipe.pid")"
wait_for "$D/pipe.out" . 5
go a
go b
wait_for "$D/pipe.rc" . 10
check "SIGPIPE (dnssnoop | head -1) ends with status 0" [ "$(cat "$D/pipe.rc")" = 0 ]
SHOW="$D/pipe.err"
check "SIGPIPE end is quiet" only_v_lines "$D/pipe.err"

# Killed outright: the kernel removes the links with the process.
start_tool "$O" "$O.err" "$DS" -P "$P" -v
wait_for "$O.err" 'Ctrl-C to end' 10
kill -KILL "$TOOL_PID"
wait "$TOOL_PID" 2>/dev/null

# --- as an exporter: the clients' own queries and answers ---------------------

# tk_dns -n: N queries of one name and type, and the answers it read; the
# rcode each name gets is dnsmasq's configuration, which a single query of
# each shows. One more query to the server that never answers: TIMEOUT.
# -n tk_dns -P (this file's ports): what other tests' tk_dns do elsewhere,
# and dnsmasq's own side of each exchange, are not counted.
"$DNS" "$P" b.nx.test >"$D/rc.nx" 2>&1
"$DNS" -q 28 "$P" ok.test >"$D/rc.ok6" 2>&1
dns_work ea -n 30 "$P" ok.test
dns_work eb -n 7 "$P" c.nx.test
dns_work ec -q 28 -n 5 "$P" ok.test
dns_work ed "$S" lost3.test
O="$D/out.prom"
SHOW="$O.err"
prom_start "$O" "$DS" -n tk_dns -P "$P,$S" --textfile "$D/dns.prom" || { finish; exit 1; }
go ea eb ec ed
sent_ok=$(sed -n 's/^sent //p' "$D/work.ea") ans_ok=$(sed -n 's/^answers //p' "$D/work.ea")
sent_nx=$(sed -n 's/^sent //p' "$D/work.eb") ans_nx=$(sed -n 's/^answers //p' "$D/work.eb")
sent_6=$(sed -n 's/^sent //p' "$D/work.ec") ans_6=$(sed -n 's/^answers //p' "$D/work.ec")
SHOW="$D/rc.nx $D/rc.ok6 $D/work.ea $D/work.eb $D/work.ec $D/work.ed"
check "the clients: 30 A queries of ok.test, 7 of c.nx.test, 5 AAAA, all answered; one unanswered" \
	all '[ "$sent_ok $ans_ok $sent_nx $ans_nx $sent_6 $ans_6" = "30 30 7 7 5 5" ]' \
	'has "$D/work.ed" "^timeout$"'
check "dnsmasq answers nx.test with NXDOMAIN (3), AAAA ok.test with NOERROR (0)" \
	has "$D/rc.nx" '^rcode 3 ' && has "$D/rc.ok6" '^rcode 0 ancount 1$'
want_a=$((sent_ok + sent_nx + 1))
# Records reach the loop within its poll; the answer is read from the
# counts when the request comes, while records stream.
i=0
while [ $i -lt 50 ]; do
	curl -s --max-time 5 -o "$D/dm" "http://127.0.0.1:$PORT/metrics"
	[ "$(metric "$D/dm" 'tracekit_dns_responses_total{qtype="A",rcode="TIMEOUT"}')" = 1 ] &&
		[ "$(metric "$D/dm" 'tracekit_dns_responses_total{qtype="A",rcode="NOERROR"}')" = "$ans_ok" ] && break
	sleep 0.1
	i=$((i + 1))
done
SHOW="$D/dm $O.err"
check "metrics: A queries = the clients' $want_a (got $(metric "$D/dm" 'tracekit_dns_queries_total{qtype="A"}'))" \
	[ "$(metric "$D/dm" 'tracekit_dns_queries_total{qtype="A"}')" = "$want_a" ]
check "metrics: AAAA queries = $sent_6" \
	[ "$(metric "$D/dm" 'tracekit_dns_queries_total{qtype="AAAA"}')" = "$sent_6" ]
check "metrics: A NOERROR responses = the $ans_ok answers" \
	[ "$(metric "$D/dm" 'tracekit_dns_responses_total{qtype="A",rcode="NOERROR"}')" = "$ans_ok" ]
check "metrics: A NXDOMAIN responses = the $ans_nx answers" \
	[ "$(metric "$D/dm" 'tracekit_dns_responses_total{qtype="A",rcode="NXDOMAIN"}')" = "$ans_nx" ]
check "metrics: AAAA NOERROR responses = the $ans_6 answers" \
	[ "$(metric "$D/dm" 'tracekit_dns_responses_total{qtype="AAAA",rcode="NOERROR"}')" = "$ans_6" ]
check "metrics: the unanswered query as rcode TIMEOUT" \
	[ "$(metric "$D/dm" 'tracekit_dns_responses_total{qtype="A",rcode="TIMEOUT"}')" = 1 ]
check "metrics: no other response series" [ "$(grep -c '^tracekit_dns_responses_total{' "$D/dm")" = 4 ]
check "latency: a histogram of the $ans_ok answers, +Inf and _count alike" \
	all '[ "$(metric "$D/dm" "tracekit_dns_latency_seconds_count{qtype=\"A\",rcode=\"NOERROR\"}")" = "$ans_ok" ]' \
	'[ "$(metric "$D/dm" "tracekit_dns_latency_seconds_bucket{qtype=\"A\",rcode=\"NOERROR\",le=\"+Inf\"}")" = "$ans_ok" ]' \
	'has "$D/dm" "^tracekit_dns_latency_seconds_sum\{qtype=\"A\",rcode=\"NOERROR\"\} [0-9.e-]*[1-9]"'
check "latency: no histogram for the timeout" not has "$D/dm" 'latency_seconds_count\{qtype="A",rcode="TIMEOUT"\}'
check "nothing lost: tracekit_lost_events_total 0" has "$D/dm" '^tracekit_lost_events_total 0$'
SHOW="$D/dm.lint"
lint "dnssnoop's body" "$D/dm"
stop_tool TERM
SHOW="$O.err $D/dns.prom"
check "--prometheus: exit 0 on SIGTERM, nothing on stdout" [ "$TOOL_RC" -eq 0 ] && [ ! -s "$O" ]
check "--textfile: the last write holds the same counts" \
	all '[ "$(metric "$D/dns.prom" "tracekit_dns_queries_total{qtype=\"A\"}")" = "$want_a" ]' \
	'[ "$(metric "$D/dns.prom" "tracekit_dns_responses_total{qtype=\"A\",rcode=\"NXDOMAIN\"}")" = "$ans_nx" ]'

# Records from two CPUs: a perf buffer hands a read's records over CPU by
# CPU, so an answer (sent on dnsmasq's CPU) can come before its query (the
# client's CPU) and find nothing to match; the tool orders each read by the
# kernel's stamps. The exporter stopped (SIGSTOP) while a client on CPU 1
# asks once (CPU 1's buffer is ready first), then one on CPU 0 asks 10
# times, dnsmasq on CPU 1: all 11 answers must find their queries. The
# clients keep their sockets 3 s after their answers, for the socket
# variant's look in /proc once the reader runs again.
if [ "$(nproc)" -ge 2 ] && command -v taskset >/dev/null; then
	dns_work o1 -w 3000 "$P" ok.test
	taskset -p -c 1 "$W_PID" >/dev/null 2>&1
	dns_work o0 -n 10 -w 3000 "$P" ok.test
	taskset -p -c 0 "$W_PID" >/dev/null 2>&1
	taskset -p -c 1 "$DNSMASQ" >/dev/null 2>&1
	O="$D/out.order"
	if prom_start "$O" "$DS" -n tk_dns -P "$P"; then
		kill -STOP "$TOOL_PID"
		( : >"$D/go.o1" ) &
		wait_for "$D/work.o1" '^rcode ' 5
		( : >"$D/go.o0" ) &
		wait_for "$D/work.o0" '^answers ' 5
		kill -CONT "$TOOL_PID"
		i=0
		while [ $i -lt 50 ]; do
			curl -s --max-time 5 -o "$D/do" "http://127.0.0.1:$PORT/metrics"
			[ "$(metric "$D/do" 'tracekit_dns_responses_total{qtype="A",rcode="NOERROR"}')" = 11 ] && break
			sleep 0.1
			i=$((i + 1))
		done
		SHOW="$D/do $O.err $D/work.o1 $D/work.o0"
		check "two CPUs: the clients' 11 queries answered" \
			all 'has "$D/work.o1" "^rcode 0 ancount 1$"' 'has "$D/work.o0" "^answers 10$"'
		check "two CPUs, the reader stalled: each of the 11 answers found its query (latency _count)" \
			[ "$(metric "$D/do" 'tracekit_dns_latency_seconds_count{qtype="A",rcode="NOERROR"}')" = 11 ]
		stop_tool TERM
	fi
	eval "wait \$W_BG_o1 \$W_BG_o0"
	taskset -p -c "0-$(($(nproc) - 1))" "$DNSMASQ" >/dev/null 2>&1
fi

# Lost events as a metric: the exporter stopped (SIGSTOP) while 20000 empty
# datagrams overflow its 4 MB buffer; its last textfile's counter is what
# its "lost" lines on stderr add up to.
dns_work a -n 20000 -r '' "$S" -
O="$D/out.plost"
if prom_start "$O" "$DS" -P "$S" --textfile "$D/lost.prom"; then
	kill -STOP "$TOOL_PID"
	go a
	kill -CONT "$TOOL_PID"
	sleep 1
	stop_tool TERM
	lost=$(sed -n 's/^dnssnoop: \([0-9]*\) events\{0,1\} lost$/\1/p' "$O.err" | awk '{ s += $1 } END { print s + 0 }')
	got=$(metric "$D/lost.prom" tracekit_lost_events_total)
	SHOW="$O.err $D/lost.prom $D/work.a"
	check "stalled exporter: the workload sent 20000 datagrams" has "$D/work.a" '^sent 20000$'
	check "stalled exporter: tracekit_lost_events_total = the $lost reported on stderr (got $got)" \
		[ "$lost" -gt 0 ] && [ "$got" = "$lost" ]
fi

# Not root: one line, status 1, nothing loaded.
not_root_check "$DS"

leak_check "no BPF program or link left behind"
# Links go with their last fd; the cgroup must show nothing of ours either.
cgroup_clean "no program of ours left attached to $CGROOT" "$CGROOT"
finish
