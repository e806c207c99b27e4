#!/bin/sh
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
# tcpretrans end to end: real retransmits. Two network namespaces of our own
# joined by a veth pair, packets from the sender lost on the way (netem loss
# 20% where the kernel has netem, else a classic BPF filter that drops 20% at
# the receiver's ingress), and a TCP transfer of known size across it
# (tk_tcp talk -> tk_tcp serve). The truth is the sending namespace's own
# TcpRetransSegs counter (nstat; namespaced, so it counts that transfer and
# nothing else), which the tool's count for the flow must equal.
. "$(dirname "$0")/lib.sh"
TR="$TK_BIN/tcpretrans"
TCP="$TK_HELPERS/tk_tcp"
D=$T_DIR
VARIANTS=${TK_VARIANTS_tcpretrans:-"auto fentry kprobe tracepoint"}

# --- bad input: one line, status 2, nothing loaded (no root needed) --------

bad() {
	want=$1
	shift
	"$TR" "$@" >"$D/out" 2>"$D/err" </dev/null
	rc=$?
	printf '%s\nTry '\''tcpretrans --help'\''.\n' "$want" >"$D/want"
	if [ $rc -eq 2 ] && cmp -s "$D/err" "$D/want" && [ ! -s "$D/out" ]; then
		ok "bad input: tcpretrans $*"
	else
		echo "# got status $rc"
		not_ok "bad input: tcpretrans $*: want '$want', status 2" "$D/err"
	fi
}

bad "tcpretrans: invalid port 'x' in '80,x'" -L 80,x
bad "tcpretrans: port '0' is out of range (1 to 65535)" -D 0
bad "tcpretrans: too many ports in '$(seq -s, 1 65)' (at most 64)" -D "$(seq -s, 1 65)"
bad "tcpretrans: -4 and -6 cannot be used together" -4 -6
bad "tcpretrans: -T and -t cannot be used together" -T -t
bad "tcpretrans: -T cannot be used with -c (counts have no time column)" -c -T
bad "tcpretrans: INTERVAL needs -c (without it, retransmits are printed as they happen)" 1
bad "tcpretrans: invalid interval 'x'" -c x
bad "tcpretrans: invalid attach variant 'x' (choose from: auto, fentry, kprobe, tracepoint)" --attach=x
bad "tcpretrans: invalid option '-p'" -p 1
bad "tcpretrans: invalid duration 'soon'" -d soon
"$TR" --help >"$D/out" 2>"$D/err"
check "--help: usage on stdout, status 0" [ $? -eq 0 ] && has "$D/out" "^Usage: tcpretrans"

need_root
command -v nstat >/dev/null 2>&1 || skip_or_fail "no nstat (package iproute2)"
lossy_link 20 || skip_or_fail "$LOSSY_WHY"
ok "loss: $LOSSY_HOW"

"$IP" netns exec "$NB" "$TCP" serve "$AB" 0 >"$D/serve" 2>&1 &
T_PIDS="$T_PIDS $!"
wait_for "$D/serve" '^pid ' 5 || not_ok "server did not start" "$D/serve"
P=$(sed -n 's/^port \([0-9]*\)$/\1/p' "$D/serve")

# counter NAME: the sending namespace's counter NAME.
counter() {
	"$IP" netns exec "$NA" nstat -az "$1" | awk -v n="$1" '$1 == n { print $2 }'
}

# field FILE KEY: a string or number field of each JSON line.
field() {
	sed -n "s/.*\"$2\":\"\\{0,1\\}\\([^\",}]*\\).*/\\1/p" "$1"
}

# json_ok DESCRIPTION FILE: every line of FILE is JSON, where python3 can
# say so (not in the busybox guest: said, not counted as a pass).
json_ok() {
	if ! command -v python3 >/dev/null 2>&1; then
		echo "# $1: not checked (no python3 here)"
		return 0
	fi
	check "$1" python3 -c 'import json, sys
for l in open(sys.argv[1]):
    json.loads(l)' "$2"
}

# segs_match GOT WANT LOST: the tool's segments are the kernel's, or fewer
# with runs the kernel skipped reported as LOST events (>= 1).
segs_match() {
	[ "$1" = none ] && return 1
	[ "$1" -eq "$2" ] || { [ "$3" -gt 0 ] && [ "$1" -lt "$2" ]; }
}

# row_match "RETRANSMITS SEGS TLPS" WANT TLPS LOST: -c's row for the flow; its
# retransmits must be the -j records ($nr) when nothing was lost.
row_match() {
	set -- $1 "$2" "$3" "$4"
	[ $# -eq 6 ] || return 1
	segs_match "$2" "$4" "$6" && [ "$3" -eq "$5" ] &&
		{ [ "$6" -gt 0 ] || [ "$1" -eq "$nr" ]; }
}

BYTES=1000000
for v in $VARIANTS; do
	O="$D/out.$v"
	SHOW="$O.j $O.c $O.cj $O.j.err $O.c.err"
	A="--attach=$v"
	variant_refused "$TR" "$v" -D "$P" && continue

	# Four at once on the same flow: JSON records and text lines (-l),
	# counts as a table and as JSON.
	tool_start "$O.j" "$TR" "$A" -l -j -D "$P" || continue
	pj=$TOOL_PID
	tool_start "$O.t" "$TR" "$A" -D "$P" || continue
	pt=$TOOL_PID
	tool_start "$O.c" "$TR" "$A" -l -c -D "$P" || continue
	pc=$TOOL_PID
	tool_start "$O.cj" "$TR" "$A" -c -j -D "$P" || continue
	pcj=$TOOL_PID
	segs0=$(counter TcpRetransSegs)
	fail0=$(counter TcpExtTCPRetransFail)
	tlp0=$(counter TcpExtTCPLossProbes)
	"$IP" netns exec "$NA" "$TCP" talk -w $BYTES "$AB" "$P" 1 >"$D/work" 2>&1
	sleep 0.3
	segs=$(($(counter TcpRetransSegs) - segs0))
	fails=$(($(counter TcpExtTCPRetransFail) - fail0))
	tlps=$(($(counter TcpExtTCPLossProbes) - tlp0))
	rcs=
	for p in $pj $pt $pc $pcj; do
		TOOL_PID=$p
		stop_tool INT
		rcs="$rcs$TOOL_RC"
	done
	echo "# [$v] TcpRetransSegs +$segs, TCPRetransFail +$fails, TCPLossProbes +$tlps"
	check "[$v] exit 0 on SIGINT, all four" [ "$rcs" = 0000 ]
	check "[$v] the transfer went through" has "$D/work" "^session lport [0-9]* rx 0 tx $BYTES\$"
	lp=$(sed -n 's/^session lport \([0-9]*\) .*/\1/p' "$D/work")
	check "[$v] the lossy link made retransmits (TcpRetransSegs +$segs)" [ "$segs" -gt 0 ]
	# Retransmits that failed to go out are in TcpRetransSegs too, not
	# in the tool's count (nothing was sent); there are none here as a
	# rule, but the truth allows for them.
	want=$((segs - fails))

	# One tracepoint hit is one skb, which with TSO/GSO (on, on veth)
	# holds several segments; TcpRetransSegs adds tcp_skb_pcount(skb),
	# and so does the tool's segs: like with like, segments on both
	# sides. (Lines are skbs; -c counts both.)
	json_valid "[$v] JSON: records of the schema, retransmits on the lossy link's flow" "$O.j" tcpretrans \
		--type retransmit --match lport="$lp"
	grep '"type":"retransmit"' "$O.j" >"$D/r.$v"
	grep '"type":"tlp"' "$O.j" >"$D/l.$v"
	nr=$(grep -c . "$D/r.$v")
	nl=$(grep -c . "$D/l.$v")
	got=$(field "$D/r.$v" segs | awk '{ s += $1 } END { print s + 0 }')
	# A retransmit whose program the kernel skipped (its timer's softirq
	# came while another BPF tracing program ran on that CPU: one at a
	# time per CPU) is a lost event, said as one: then, and only then, the
	# tool may count fewer. (-l: lost records count segments of none.)
	lj=$(grep '"type":"lost",' "$O.j" | json_num /dev/stdin count | awk '{ s += $1 } END { print s + 0 }')
	lc=$(sed -n 's/^tcpretrans: \([0-9]*\) events\{0,1\} lost$/\1/p' "$O.c.err" |
		awk '{ s += $1 } END { print s + 0 }')
	[ "$lj" -gt 0 ] || [ "$lc" -gt 0 ] && echo "# [$v] the kernel skipped runs: -j reported $lj lost, -c $lc"
	check "[$v] -j: retransmitted segments = the namespace's TcpRetransSegs ($got, want $want; $lj lost)" \
		segs_match "$got" "$want" "$lj"
	check "[$v] -j: every record is the flow's ($AA:$lp -> $AB:$P, ESTABLISHED or later)" \
		[ "$(grep -c "\"ip\":4,\"laddr\":\"$AA\",\"lport\":$lp,\"raddr\":\"$AB\",\"rport\":$P,\"state\":\"[A-Z_0-9]*\"" "$O.j")" -eq $((nr + nl)) ]
	json_ok "[$v] -j: valid JSON, one object a line" "$O.j"
	check "[$v] text: header" has "$O.t" '^TIME +PID +IP +LADDR:LPORT +T> +RADDR:RPORT +STATE$'
	check "[$v] text: a line per retransmit ($nr)" \
		[ "$(grep -Ec "^[0-9:]{8} +[0-9]+ +4 +$AA:$lp +R> +$AB:$P +[A-Z_0-9]+\$" "$O.t")" -eq "$nr" ]
	check "[$v] text: no other line" [ "$(grep -c . "$O.t")" -eq $((nr + 1)) ]
	row=$(awk -v f="$AA:$lp" -v t="$AB:$P" '$1 == f && $2 == t { print $3, $4, $5 }' "$O.c")
	check "[$v] -c: the flow's row: retransmits, segments as the namespace counted ($want; $lc lost), $nl TLPs (got '$row')" \
		row_match "$row" "$want" "$nl" "$lc"
	cjs=$(sed -n "s/.*{\"ip\":4,\"laddr\":\"$AA\",\"lport\":$lp,\"raddr\":\"$AB\",\"rport\":$P,\"retransmits\":\([0-9]*\),\"segs\":\([0-9]*\)}.*/\2/p" "$O.cj")
	lcj=$(grep '"type":"lost",' "$O.cj" | json_num /dev/stdin count | awk '{ s += $1 } END { print s + 0 }')
	check "[$v] -c -j: the flow's row ($cjs segments, want $want; $lcj lost)" \
		segs_match "${cjs:-none}" "$want" "$lcj"
	json_ok "[$v] -c -j: valid JSON" "$O.cj"

	# -l: tail-loss probes where the kernel lets them be seen. The hook is
	# tcp_send_loss_probe's entry, which can still decide to send nothing:
	# at least as many as the kernel's TCPLossProbes.
	got=$(sed -n 's/.*attach: using \([^ ]*\).*/\1/p' "$O.j.err")
	if [ "$got" = tracepoint ]; then
		check "[$v] -l without fentry or kprobes: one line says TLPs cannot be seen" \
			[ "$(grep -c 'tail-loss probes cannot be seen on this kernel' "$O.j.err")" -eq 1 ]
		check "[$v] -l without fentry or kprobes: no TLP record" [ "$nl" -eq 0 ]
	else
		check "[$v] -l: TLP records ($nl) >= the namespace's TCPLossProbes ($tlps)" \
			[ "$nl" -ge "$tlps" ]
		[ "$tlps" -gt 0 ] &&
			check "[$v] -l: the kernel sent TLPs and the tool saw them" [ "$nl" -gt 0 ]
		check "[$v] -l: no warning" not has_text "$O.j.err" 'cannot be seen'
	fi
done

leak_check "no BPF program, link or map left behind"
finish
