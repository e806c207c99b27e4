#!/bin/sh
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
# bindsnoop end to end: real tool, real kernel, a workload (tk_bind) that
# binds known sockets -- TCP and UDP, IPv4 and IPv6, port 0 (the kernel's
# choice, read back with getsockname), SO_REUSEADDR, SO_REUSEPORT,
# IP_FREEBIND, IP_TRANSPARENT, IP_BIND_ADDRESS_NO_PORT, SO_BINDTODEVICE, a
# raw socket, and binds failing with EADDRINUSE, EINVAL (twice: a bound
# socket, a short address), ENOTSOCK and EACCES -- and prints each in the
# tool's columns. The tool's lines for that pid must be exactly those lines.
. "$(dirname "$0")/lib.sh"
BS="$TK_BIN/bindsnoop"

# --- bad input (no root needed) ---------------------------------------------
bad_input bindsnoop "bindsnoop: invalid port 'x' in '80,x'" -P 80,x
bad_input bindsnoop "bindsnoop: port '0' is out of range (1 to 65535)" -P 0
bad_input bindsnoop "bindsnoop: too many ports in '$(seq -s, 1 65)' (at most 64)" -P "$(seq -s, 1 65)"
bad_input bindsnoop "bindsnoop: option '-P' needs an argument" -P
bad_input bindsnoop "bindsnoop: -4 and -6 cannot be used together" -4 -6
bad_input bindsnoop "bindsnoop: invalid attach variant 'nope' (choose from: auto, cgroup, tracepoint)" --attach=nope
bad_input bindsnoop "bindsnoop: invalid PID '12abc'" -p 12abc
bad_input bindsnoop "bindsnoop: unexpected argument '5'" 5
bad_input bindsnoop "bindsnoop: invalid option '-c'" -c

need_root
VARIANTS=${TK_VARIANTS_bindsnoop:-"auto cgroup tracepoint"}
D=$T_DIR
CG=$(awk '$3 == "cgroup2" { print $2; exit }' /proc/mounts)

# binds NAME [TK_BIND_ARGS]: tk_bind waiting for `go NAME`; sets W_PID.
binds() {
	_b=$1
	shift
	helper_go "$_b" "$TK_HELPERS/tk_bind" -g "$D/go.$_b" "$@"
}
# want NAME: what workload NAME did, "RET PROTO OPTS IF PORT ADDR" a line.
want() { sed -n 's/^bind //p' "$D/work.$1"; }
# got OUT PID: the tool's text lines for PID, the same columns.
got() { awk -v p="$2" '$1 == p { $1 = ""; $2 = ""; sub(/^  /, ""); print }' "$1"; }
# same DESCRIPTION WANT GOT: the two files hold the same lines, at least one.
same() {
	if [ -s "$2" ] && cmp -s "$2" "$3"; then
		ok "$1 ($(grep -c . "$2") binds)"
	else
		not_ok "$1" "$2" "$3" $SHOW
	fi
}
# run NAME OUT ARGS...: the tool (ARGS) watching workload NAME's binds
# (tk_bind with $BIND_ARGS); waits for the workload to end and for its last
# bind's line (JSON or text).
run() {
	_n=$1
	_out=$2
	shift 2
	# shellcheck disable=SC2086
	binds "$_n" $BIND_ARGS
	tool_start "$_out" "$BS" "$@" || return 1
	go "$_n"
	wait_for "$_out" "\"pid\":$W_PID,.*EACCES\\|^$W_PID .*EACCES\\|^.* $W_PID .*EACCES" 10
	sleep 0.2
	stop_tool INT
}

# The outcomes without the tool: with it, each bind must end the same way.
"$TK_HELPERS/tk_bind" >"$D/work.plain"
want plain | cut -d' ' -f1-2 >"$D/plain.results"
check "the workload's binds: 13 or more, the last EACCES or ENOTSOCK" \
	[ "$(want plain | grep -c .)" -ge 13 ]

for v in $VARIANTS; do
	O="$D/out.$v"
	SHOW="$O $O.err"
	A="--attach=$v"
	variant_refused "$BS" "$v" && continue
	run a "$O" "$A" || continue
	pa=$W_PID
	check "[$v] exit 0 on SIGINT" [ "$TOOL_RC" -eq 0 ]
	check "[$v] header line" has "$O" '^PID +COMM +RET +PROTO +OPTS +IF +PORT +ADDR$'
	want a >"$D/want.a"
	got "$O" "$pa" >"$D/got.a"
	same "[$v] every bind of the workload's, as it did it (result, protocol, options, device, port, address)" \
		"$D/want.a" "$D/got.a"
	want a | cut -d' ' -f1-2 >"$D/a.results"
	check "[$v] every bind ended as it does without the tool" cmp -s "$D/plain.results" "$D/a.results"
	case $v in
	auto) check "[auto] picks cgroup here (-v)" has "$O.err" 'attach: using cgroup' ;;
	cgroup) check "[cgroup] attaches to the cgroup2 root $CG (-v)" has_text "$O.err" "attach: using cgroup ($CG)" ;;
	esac
	only_v_lines "$O.err" && ok "[$v] stderr: only -v's lines" || not_ok "[$v] stderr: only -v's lines" "$O.err"

	# JSON: every field of the listener's bind, objects only, valid.
	run a "$O" "$A" -j || continue
	pa=$W_PID
	l=$(sed -n 's/^bind 0 TCP ...R. 0 \([0-9]*\) 127.0.0.1$/\1/p' "$D/work.a" | head -n 1)
	case $v in tracepoint) from=user ;; *) from=kernel ;; esac
	check "[$v] JSON: the SO_REUSEADDR listener's bind, port $l (asked 0), address from the $from" has_text "$O" \
		"\"pid\":$pa,\"tid\":$pa,\"uid\":0,\"comm\":\"tk_bind\",\"ret\":0,\"ip\":4,\"proto\":\"TCP\",\"protocol\":6,\"sock_type\":1,\"opts\":\"...R.\",\"freebind\":false,\"transparent\":false,\"bind_address_no_port\":false,\"reuseaddr\":true,\"reuseport\":false,\"ifindex\":0,\"port\":$l,\"asked_port\":0,\"addr\":\"127.0.0.1\",\"addr_from\":\"$from\"}"
	check "[$v] JSON: EADDRINUSE named, asked port $l" has "$O" \
		"\"pid\":$pa,.*\"ret\":-98,\"error\":\"EADDRINUSE\",.*\"port\":$l,\"asked_port\":$l,"
	check "[$v] JSON: the device bound by SO_BINDTODEVICE, by index and name" has "$O" \
		"\"pid\":$pa,.*\"ifindex\":1,\"ifname\":\"lo\","
	check "[$v] JSON: ENOTSOCK has no protocol" has "$O" \
		"\"pid\":$pa,.*\"error\":\"ENOTSOCK\",\"ip\":4,\"proto\":null,"
	check "[$v] JSON: one record per bind" [ "$(grep -c "\"pid\":$pa," "$O")" -eq "$(grep -c . "$D/want.a")" ]
	if grep -v '^{.*}$' "$O" | grep -q .; then
		not_ok "[$v] JSON mode prints only objects" "$O"
	else
		ok "[$v] JSON mode prints only objects"
	fi
	if command -v python3 >/dev/null; then
		check "[$v] JSON: every line parses" python3 -c '
import json, sys
for line in open(sys.argv[1]):
    json.loads(line)' "$O"
	fi
	bpf_track "$TOOL_PID"
done

# --- filters (auto) ----------------------------------------------------------
O="$D/out.filter"
SHOW="$O $O.err"

run a "$O" -x
want a | grep -v '^0 ' >"$D/want.x"
got "$O" "$W_PID" >"$D/got.x"
same "-x: exactly the failed binds" "$D/want.x" "$D/got.x"

# -P: the listener's port (bound, then refused to another socket), fixed
# for this run (the one the kernel gave it in the run without the tool),
# and the privileged port the workload fails to bind.
p1=$(want plain | awk 'NR == 1 { print $5 }')
p2=$(want plain | awk '$1 == "EACCES" { print $5 }')
BIND_ARGS="-p $p1"
run a "$O" -P "$p1${p2:+,$p2}"
BIND_ARGS=
want a | awk -v a="$p1" -v b="$p2" '$5 == a || $5 == b' >"$D/want.P"
got "$O" "$W_PID" >"$D/got.P"
check "-P: the workload bound port $p1 as asked" has "$D/work.a" "^bind 0 TCP [^ ]+ 0 $p1 127.0.0.1\$"
same "-P $p1${p2:+,$p2}: exactly the binds of those ports" "$D/want.P" "$D/got.P"

run a "$O" -4
want a | awk '$6 !~ /:/' >"$D/want.4"
got "$O" "$W_PID" >"$D/got.4"
same "-4: exactly the IPv4 binds" "$D/want.4" "$D/got.4"
run a "$O" -6
want a | awk '$6 ~ /:/' >"$D/want.6"
got "$O" "$W_PID" >"$D/got.6"
same "-6: exactly the IPv6 binds" "$D/want.6" "$D/got.6"

binds b
pb=$W_PID
binds a
pa=$W_PID
tool_start "$O" "$BS" -p "$pa" || true
go b
go a
wait_for "$O" "^$pa .*EACCES" 10
sleep 0.2
stop_tool INT
want a >"$D/want.p"
got "$O" "$pa" >"$D/got.p"
same "-p $pa: every bind of that process" "$D/want.p" "$D/got.p"
check "-p: nothing of another process (pid $pb, same binds)" \
	[ "$(awk 'NR > 1 && $1 != "'"$pa"'"' "$O" | grep -c .)" -eq 0 ]

# --cgroup: a workload moved into a cgroup of our own, another outside it.
if [ -n "$CG" ]; then
	C="$CG/tk-bindsnoop-$$"
	mkdir "$C"
	binds b
	pb=$W_PID
	binds a
	pa=$W_PID
	echo "$pa" >"$C/cgroup.procs"
	tool_start "$O" "$BS" --cgroup "$C" || true
	go b
	go a
	wait_for "$O" "^$pa .*EACCES" 10
	sleep 0.2
	stop_tool INT
	want a >"$D/want.c"
	got "$O" "$pa" >"$D/got.c"
	same "--cgroup: every bind of the process in the cgroup" "$D/want.c" "$D/got.c"
	check "--cgroup: nothing of the process outside it ($pb)" [ -z "$(got "$O" "$pb")" ]
	rmdir "$C"
else
	not_ok "no cgroup2 mounted: --cgroup untested"
fi

# -T and -t: the time columns.
run a "$O" -T -t
check "-T -t: header" has "$O" '^TIME +TIME\(s\) +PID +COMM +RET '
check "-T -t: HH:MM:SS and seconds since start" \
	has "$O" "^[0-9][0-9]:[0-9][0-9]:[0-9][0-9] +[0-9]+\.[0-9]{3} +$W_PID +tk_bind +0 +TCP "

# SIGTERM ends it too, with status 0.
tool_start "$O" "$BS" || true
stop_tool TERM
check "exit 0 on SIGTERM" [ "$TOOL_RC" -eq 0 ]

not_root_check "$BS"
leak_check "nothing left loaded"
if [ -n "$CG" ]; then
	cgroup_clean "no program left attached to the cgroup2 root $CG" "$CG"
fi
finish
