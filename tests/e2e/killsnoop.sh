#!/bin/sh
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
# killsnoop end to end: real tool, real kernel, a workload (tk_proc send)
# that signals a child of its own with kill, tkill, tgkill or
# pidfd_send_signal, then again once the child is gone, and prints each
# call's target, signal and result; every assertion is derived from that.
. "$(dirname "$0")/lib.sh"
need_root
KS="$TK_BIN/killsnoop"
VARIANTS=${TK_VARIANTS_killsnoop:-"auto tracepoint"}
D=$T_DIR
T_PROGS='(kill|tkill|tgkill|pidfd)_(enter|exit)'
# The sender runs under names of our own: its comm is unique to the test.
ln -s "$TK_HELPERS/tk_proc" "$D/tkkill"
ln -s "$TK_HELPERS/tk_proc" "$D/tkkother"

# proc NAME PROG [TK_PROC_ARGS...]: start PROG (tk_proc) in the background,
# waiting for `go NAME` (lib.sh); sets W_PID. Its lines go to $D/work.NAME.
proc() {
	_n=$1
	_p=$2
	shift 2
	rm -f "$D/go.$_n"
	mkfifo "$D/go.$_n"
	: >"$D/work.$_n"
	"$_p" -g "$D/go.$_n" "$@" >"$D/work.$_n" 2>&1 &
	T_PIDS="$T_PIDS $!"
	eval "W_BG_$_n=$!"
	wait_for "$D/work.$_n" '^pid ' 5 || not_ok "workload $_n did not start" "$D/work.$_n"
	W_PID=$(sed -n 's/^pid \([0-9]*\)$/\1/p' "$D/work.$_n")
}
# target NAME: the child the workload signalled.
target() { sed -n 's/^send [a-z]* \([0-9]*\) .*/\1/p' "$D/work.$1" | head -n 1; }
# result NAME N: the N-th call's result as the tool shows it (ret or -errno).
result() {
	sed -n 's/^send .* ret \(-*[0-9]*\) errno \([0-9]*\)$/\1 \2/p' "$D/work.$1" |
		sed -n "${2}p" | awk '{ print ($1 < 0) ? -$2 : $1 }'
}

for v in $VARIANTS; do
	O="$D/out.$v"
	SHOW="$O $O.err"
	A="--attach=$v"
	for call in kill tkill tgkill pidfd; do
		proc a "$D/tkkill" send $call 15
		pa=$W_PID
		tool_start "$O" "$KS" "$A" || continue
		go a
		sleep 0.3
		stop_tool INT
		t=$(target a)
		r1=$(result a 1)
		r2=$(result a 2)
		check "[$v] $call: header line" has "$O" '^TIME +PID +COMM +SIG +TPID +RESULT$'
		check "[$v] $call: SIGTERM from $pa to $t, result $r1" \
			has "$O" "^[0-9][0-9]:[0-9][0-9]:[0-9][0-9] +$pa +tkkill +15 +$t +$r1\$"
		check "[$v] $call: again after the child is gone, result $r2 (ESRCH)" \
			[ "$r2" = -3 ] && has "$O" "^[0-9:]+ +$pa +tkkill +15 +$t +-3\$"
		check "[$v] $call: each call one line" [ "$(grep -Ec " $pa +tkkill +15 " "$O")" -eq 2 ]
	done
	check "[$v] exit 0 on SIGINT" [ "$TOOL_RC" -eq 0 ]

	# --- JSON: the syscall, target, thread group, pidfd ---
	proc a "$D/tkkill" send tgkill 10
	pa=$W_PID
	proc b "$D/tkkill" send pidfd 10
	pb=$W_PID
	tool_start "$O" "$KS" "$A" -j || continue
	go a
	go b
	sleep 0.3
	stop_tool INT
	t=$(target a)
	check "[$v] JSON tgkill: pid, comm, syscall, sig, tpid, ttgid, ret" has_text "$O" \
		"\"pid\":$pa,\"tid\":$pa,\"uid\":0,\"comm\":\"tkkill\",\"syscall\":\"tgkill\",\"sig\":10,\"signal_name\":\"USR1\",\"tpid\":$t,\"ttgid\":$t,\"ret\":0}"
	t=$(target b)
	check "[$v] JSON pidfd_send_signal: the pidfd resolved to its pid" has \
		"$O" "\"pid\":$pb,.*\"syscall\":\"pidfd_send_signal\",\"sig\":10,\"signal_name\":\"USR1\",\"tpid\":$t,\"pidfd\":[0-9]+,\"ret\":0}"
	if grep -v '^{.*}$' "$O" | grep -q .; then
		not_ok "[$v] JSON mode prints only objects" "$O"
	else
		ok "[$v] JSON mode prints only objects"
	fi
done

# --- filters ---------------------------------------------------------------
O="$D/out.filter"
SHOW="$O $O.err"
proc a "$D/tkkill" send kill 15
pa=$W_PID
tool_start "$O" "$KS" -x || true
go a
sleep 0.3
stop_tool INT
check "-x includes failed sends" has "$O" " $pa +tkkill +15 +[0-9]+ +-3\$"
check "-x excludes successful ones" not has "$O" " $pa +tkkill +15 +[0-9]+ +0\$"

proc a "$D/tkkill" send kill 0
pa=$W_PID
proc b "$D/tkkill" send kill 15
pb=$W_PID
tool_start "$O" "$KS" -s SIGTERM || true
go a
go b
sleep 0.3
stop_tool INT
check "-s SIGTERM includes SIGTERM" has "$O" " $pb +tkkill +15 "
check "-s SIGTERM excludes other signals" not has "$O" " $pa +tkkill "
proc a "$D/tkkill" send kill 0
pa=$W_PID
tool_start "$O" "$KS" -s 0 || true
go a
sleep 0.3
stop_tool INT
check "-s 0: the existence check (signal 0)" has "$O" " $pa +tkkill +0 +[0-9]+ +0\$"

proc a "$D/tkkill" send kill 15
pa=$W_PID
proc b "$D/tkkill" send kill 15
pb=$W_PID
tool_start "$O" "$KS" -p "$pa" || true
go a
go b
sleep 0.3
stop_tool INT
check "-p includes that sender" has "$O" " $pa +tkkill "
check "-p excludes other senders" not has "$O" " $pb +tkkill "

proc a "$D/tkkother" send kill 15
pa=$W_PID
proc b "$D/tkkill" send kill 15
pb=$W_PID
tool_start "$O" "$KS" -n kother || true
go a
go b
sleep 0.3
stop_tool INT
check "-n includes that sender's name" has "$O" " $pa +tkkother "
check "-n excludes other names" not has "$O" " $pb +tkkill "

# --- a storm: every send a line, or counted lost ---------------------------
N=${KILLSNOOP_STORM:-1000}
O="$D/out.storm"
SHOW="$O.err"
proc s "$D/tkkother" -n "$N" send kill 15
ps=$W_PID
tool_start "$O" "$KS" -j -p "$ps" || true
go s
sleep 0.5
stop_tool INT
want=$(grep -c '^send kill ' "$D/work.s")
got=$(grep -c "\"pid\":$ps,.*\"syscall\":\"kill\",\"sig\":15," "$O")
lost=$(json_num "$O" count | awk '{ s += $1 } END { print s + 0 }')
check "storm: $N children, 2 sends each" [ "$want" -eq $((2 * N)) ]
check "storm: delivered $got + lost $lost = sends $want" [ $((got + lost)) -eq "$want" ]

# --- untrusted names: a sender named with control bytes -------------------
O="$D/out.esc"
SHOW="$O $O.err"
esc=$(printf 'tkk\033[1m\377')
ln -s "$TK_HELPERS/tk_proc" "$D/$esc"
proc a "$D/$esc" send kill 12
tool_start "$O" "$KS" -s USR2 || true
go a
sleep 0.3
stop_tool INT
check "control and invalid bytes in names are escaped in text" has_text "$O" 'tkk\x1b[1m\xff '
check "no raw escape byte reaches the output" not grep -q "$(printf '\033')" "$O"
proc a "$D/$esc" send kill 12
tool_start "$O" "$KS" -s USR2 -j || true
go a
sleep 0.3
stop_tool INT
check "control and invalid bytes in names are valid JSON" has_text "$O" '"comm":"tkk\u001b[1m\udcff"'

# --- ends ------------------------------------------------------------------
O="$D/out.end"
SHOW="$O $O.err"
proc a "$D/tkkill" send kill 15
pa=$W_PID
start_tool "$O" "$O.err" "$KS" -d 1.5 -v
wait_for "$O.err" 'Ctrl-C to end' 10
go a
wait "$TOOL_PID"
check "-d ends with status 0" [ $? -eq 0 ]
check "-d end flushes the sends received" has "$O" " $pa +tkkill +15 "
proc a "$D/tkkill" send kill 15
pa=$W_PID
tool_start "$O" "$KS" -j || true
go a
sleep 0.3
stop_tool TERM
check "SIGTERM ends with status 0" [ "$TOOL_RC" -eq 0 ]
check "SIGTERM end flushes the sends received" has_text "$O" "\"pid\":$pa,"

# --- bad input: one line, status 2, nothing loaded -------------------------
bad() {
	want=$1
	shift
	"$KS" "$@" >"$D/bad.out" 2>"$D/bad.err" </dev/null
	rc=$?
	printf '%s\nTry '\''killsnoop --help'\''.\n' "$want" >"$D/bad.want"
	if [ $rc -eq 2 ] && cmp -s "$D/bad.err" "$D/bad.want" && [ ! -s "$D/bad.out" ]; then
		ok "bad input: killsnoop $*"
	else
		not_ok "bad input: killsnoop $* (status $rc, want '$want')" "$D/bad.err"
	fi
}
bad "killsnoop: invalid signal 'FOO'" -s FOO
bad "killsnoop: invalid signal 'SIG'" -s SIG
bad "killsnoop: signal '65' is out of range (0 to 64)" -s 65
bad "killsnoop: invalid signal '9x'" -s 9x
bad "killsnoop: option '-s' needs an argument" -s
bad "killsnoop: invalid PID '12abc'" -p 12abc
bad "killsnoop: unexpected argument 'extra'" extra
bad "killsnoop: invalid attach variant 'kprobe' (choose from: auto, tracepoint)" --attach=kprobe

not_root_check "$KS"
leak_check "no BPF program or link left behind" "$D/bpf.before"
finish
