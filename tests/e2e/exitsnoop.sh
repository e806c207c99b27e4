#!/bin/sh
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
# exitsnoop end to end: real tool, real kernel, a workload (tk_proc) whose
# children exit with known codes, are killed by known signals (one dumping
# core), or run threads; the workload prints what waitpid(2) said and the
# ids involved, and every assertion is derived from that.
. "$(dirname "$0")/lib.sh"
need_root
XS="$TK_BIN/exitsnoop"
VARIANTS=${TK_VARIANTS_exitsnoop:-"auto tp_btf raw_tp tracepoint"}
D=$T_DIR
T_PROGS='exit_(btf|raw|tp)'
# The workload runs under a name of our own: its comm is unique to the test.
ln -s "$TK_HELPERS/tk_proc" "$D/tkexit"
ln -s "$TK_HELPERS/tk_proc" "$D/tkxstorm"

# proc NAME [TK_PROC_ARGS...]: start $D/tkexit (tk_proc) in $D, waiting for
# `go NAME` (lib.sh); sets W_PID. Its lines go to $D/work.NAME.
proc() {
	_n=$1
	shift
	rm -f "$D/go.$_n"
	mkfifo "$D/go.$_n"
	: >"$D/work.$_n"
	( cd "$D" && exec "$D/tkexit" -g "$D/go.$_n" "$@" ) >"$D/work.$_n" 2>&1 &
	T_PIDS="$T_PIDS $!"
	eval "W_BG_$_n=$!"
	wait_for "$D/work.$_n" '^pid ' 5 || not_ok "workload $_n did not start" "$D/work.$_n"
	W_PID=$(sed -n 's/^pid \([0-9]*\)$/\1/p' "$D/work.$_n")
}
# age_ok FILE PID MIN MAX: the AGE(s) column of PID's line is in [MIN, MAX].
age_ok() {
	awk -v p="$2" -v lo="$3" -v hi="$4" '$2 == p { f = 1; if ($5 < lo || $5 > hi) bad = 1 }
		END { exit !(f && !bad) }' "$1"
}

for v in $VARIANTS; do
	O="$D/out.$v"
	SHOW="$O $O.err"
	A="--attach=$v"

	# --- text: a code, a kill, a core dump, a process with threads ---
	proc a exit 3 300
	pa=$W_PID
	proc b signal 9
	pb=$W_PID
	proc c signal 6 1
	pc=$W_PID
	proc d threads 2
	pd=$W_PID
	tool_start "$O" "$XS" "$A" || continue
	go a
	go b
	go c
	go d
	sleep 0.3
	stop_tool INT
	check "[$v] exit 0 on SIGINT" [ "$TOOL_RC" -eq 0 ]
	check "[$v] header line" has "$O" '^PCOMM +PID +PPID +TID +AGE\(s\) +EXIT_CODE$'
	ca=$(sed -n 's/^exit \([0-9]*\) status 3$/\1/p' "$D/work.a")
	check "[$v] exit code 3 of child $ca of $pa" has "$O" "^tkexit +$ca +$pa +$ca +[0-9.]+ +code 3\$"
	check "[$v] its age: the 0.3 s it lived" age_ok "$O" "$ca" 0.29 5
	cb=$(sed -n 's/^signal \([0-9]*\) 9 core 0$/\1/p' "$D/work.b")
	check "[$v] killed by signal 9" has "$O" "^tkexit +$cb +$pb +$cb +[0-9.]+ +signal 9 \\(KILL\\)\$"
	cc=$(sed -n 's/^signal \([0-9]*\) 6 core \([01]\)$/\1 \2/p' "$D/work.c")
	case "$cc" in
	*" 1") check "[$v] SIGABRT with a core dump (waitpid: WCOREDUMP) is marked" \
		has "$O" "^tkexit +${cc% 1} +$pc +${cc% 1} +[0-9.]+ +signal 6 \\(ABRT\\), core dumped\$" ;;
	*) not_ok "[$v] the workload could not dump core" "$D/work.c" ;;
	esac
	check "[$v] a workload's own exit (status 0) is shown as 0" has "$O" "^tkexit +$pa +[0-9]+ +$pa +[0-9.]+ +0\$"
	cd=$(sed -n 's/^threads \([0-9]*\) done$/\1/p' "$D/work.d")
	check "[$v] a process with threads exits once" [ "$(grep -Ec "^tkexit +$cd " "$O")" -eq 1 ]
	rm -f "$D/core" "$D"/core.*

	# --- JSON, and every thread with -T ---
	proc a exit 7
	pa=$W_PID
	proc c signal 6 1
	proc d threads 2
	pd=$W_PID
	tool_start "$O" "$XS" "$A" -j -T || continue
	go a
	go c
	go d
	sleep 0.3
	stop_tool INT
	ca=$(sed -n 's/^exit \([0-9]*\) status 7$/\1/p' "$D/work.a")
	line=$(grep "\"pid\":$ca," "$O")
	case "$line" in
	*"\"pid\":$ca,\"tid\":$ca,\"ppid\":$pa,\"uid\":0,\"comm\":\"tkexit\",\"age_ns\":"*",\"exit_status\":1792,\"code\":7,\"signal\":null,\"signal_name\":null,\"core_dumped\":false}")
		ok "[$v] JSON: pid, tid, ppid, uid, comm, age, status, code 7" ;;
	*) not_ok "[$v] JSON: pid $ca ppid $pa code 7 (got: $line)" ;;
	esac
	cc=$(sed -n 's/^signal \([0-9]*\) 6 core 1$/\1/p' "$D/work.c")
	check "[$v] JSON: signal 6, ABRT, core dumped" \
		has "$O" "\"pid\":$cc,.*\"exit_status\":134,\"code\":null,\"signal\":6,\"signal_name\":\"ABRT\",\"core_dumped\":true}"
	cd=$(sed -n 's/^threads \([0-9]*\) done$/\1/p' "$D/work.d")
	for t in $(sed -n 's/^thread [0-9]* \([0-9]*\)$/\1/p' "$D/work.d"); do
		check "[$v] -T: thread $t of $cd exits" has "$O" "\"pid\":$cd,\"tid\":$t,"
	done
	check "[$v] -T: 2 threads and the leader of $cd: 3 exits" [ "$(grep -c "\"pid\":$cd," "$O")" -eq 3 ]
	if grep -v '^{.*}$' "$O" | grep -q .; then
		not_ok "[$v] JSON mode prints only objects" "$O"
	else
		ok "[$v] JSON mode prints only objects"
	fi
	rm -f "$D/core" "$D"/core.*
done

# --- filters ---------------------------------------------------------------
O="$D/out.filter"
SHOW="$O $O.err"
proc a exit 0
pa=$W_PID
proc b exit 5
pb=$W_PID
tool_start "$O" "$XS" -x -t -U || true
go a
go b
sleep 0.3
stop_tool INT
check "-t -U: TIME and UID columns" has "$O" '^TIME +UID +PCOMM +PID +PPID +TID +AGE\(s\) +EXIT_CODE$'
cb=$(sed -n 's/^exit \([0-9]*\) status 5$/\1/p' "$D/work.b")
check "-x includes failed exits" has "$O" "^[0-9][0-9]:[0-9][0-9]:[0-9][0-9] +0 +tkexit +$cb +$pb .* code 5\$"
ca=$(sed -n 's/^exit \([0-9]*\) status 0$/\1/p' "$D/work.a")
check "-x excludes exits with status 0" not has "$O" " tkexit +($ca|$pa|$pb) "

proc a exit 1
pa=$W_PID
proc b exit 1
pb=$W_PID
tool_start "$O" "$XS" -p "$pa" || true
go a
go b
sleep 0.3
stop_tool INT
check "-p includes that process" has "$O" "^tkexit +$pa "
check "-p excludes other processes" not has "$O" "^tkexit +$pb "

chmod 0755 "$D"
rm -f "$D/go.u"
mkfifo "$D/go.u"
"$TK_HELPERS/tk_work" -u 65534 exec "$D/tkexit" -g "$D/go.u" exit 4 >"$D/work.u" 2>&1 &
T_PIDS="$T_PIDS $!"
W_BG_u=$!
proc b exit 4
tool_start "$O" "$XS" -u 65534 -U || true
wait_for "$D/work.u" '^pid ' 30
go u
go b
sleep 0.3
stop_tool INT
cu=$(sed -n 's/^exit \([0-9]*\) status 4$/\1/p' "$D/work.u")
check "-u includes that uid (and -U shows it)" has "$O" "^65534 +tkexit +$cu .* code 4\$"
check "-u excludes other uids" not has "$O" "^0 "

CG=/sys/fs/cgroup/unified/tk-e2e-exit-$$
if mkdir "$CG" 2>/dev/null; then
	proc a exit 2
	echo "$W_PID" >"$CG/cgroup.procs"
	pa=$W_PID
	proc b exit 2
	pb=$W_PID
	tool_start "$O" "$XS" --cgroup "$CG" || true
	go a
	go b
	sleep 0.3
	stop_tool INT
	check "--cgroup includes processes in the cgroup" has "$O" "^tkexit +[0-9]+ +$pa .* code 2\$"
	check "--cgroup excludes the rest" not has "$O" "^tkexit +[0-9]+ +$pb "
	rmdir "$CG"
else
	not_ok "cannot create cgroup $CG"
fi

# --- a storm of exits: each one a line, or counted lost -------------------
N=${EXITSNOOP_STORM:-3000}
O="$D/out.storm"
SHOW="$O.err"
rm -f "$D/go.s"
mkfifo "$D/go.s"
"$D/tkxstorm" -g "$D/go.s" -n "$N" exit 1 >"$D/work.s" 2>&1 &
T_PIDS="$T_PIDS $!"
W_BG_s=$!
wait_for "$D/work.s" '^pid ' 30
ps=$(sed -n 's/^pid \([0-9]*\)$/\1/p' "$D/work.s")
tool_start "$O" "$XS" -j -n tkxstorm || true
go s
sleep 0.5
stop_tool INT
want=$(grep -c '^exit [0-9]* status 1$' "$D/work.s")
got=$(grep -c "\"ppid\":$ps,.*\"code\":1," "$O")
lost=$(json_num "$O" count | awk '{ s += $1 } END { print s + 0 }')
check "storm: all $N children exited with 1" [ "$want" -eq "$N" ]
check "storm: delivered $got + lost $lost = exits $want" [ $((got + lost)) -eq "$want" ]

# --- untrusted names: a process named with control bytes ------------------
O="$D/out.esc"
SHOW="$O $O.err"
esc=$(printf 'tkx\033[1m\377')
ln -s "$TK_HELPERS/tk_proc" "$D/$esc"
for mode in text json; do
	rm -f "$D/go.e"
	mkfifo "$D/go.e"
	"$D/$esc" -g "$D/go.e" exit 9 >"$D/work.e" 2>&1 &
	T_PIDS="$T_PIDS $!"
	W_BG_e=$!
	wait_for "$D/work.e" '^pid ' 30
	if [ $mode = text ]; then tool_start "$O" "$XS" -x || true; else tool_start "$O" "$XS" -x -j || true; fi
	go e
	sleep 0.3
	stop_tool INT
	if [ $mode = text ]; then
		check "control and invalid bytes in names are escaped in text" has_text "$O" 'tkx\x1b[1m\xff '
		check "no raw escape byte reaches the output" not grep -q "$(printf '\033')" "$O"
	else
		check "control and invalid bytes in names are valid JSON" has_text "$O" '"comm":"tkx\u001b[1m\udcff"'
	fi
done

# --- ends ------------------------------------------------------------------
O="$D/out.end"
SHOW="$O $O.err"
proc a exit 6
start_tool "$O" "$O.err" "$XS" -d 1.5 -v
wait_for "$O.err" 'Ctrl-C to end' 10
go a
wait "$TOOL_PID"
check "-d ends with status 0" [ $? -eq 0 ]
check "-d end flushes the exits received" has "$O" '^tkexit .* code 6$'
proc a exit 6
tool_start "$O" "$XS" -j || true
go a
sleep 0.3
stop_tool TERM
check "SIGTERM ends with status 0" [ "$TOOL_RC" -eq 0 ]
check "SIGTERM end flushes the exits received" has "$O" '"comm":"tkexit",.*"code":6,'

# --- bad input: one line, status 2, nothing loaded -------------------------
bad() {
	want=$1
	shift
	"$XS" "$@" >"$D/bad.out" 2>"$D/bad.err" </dev/null
	rc=$?
	printf '%s\nTry '\''exitsnoop --help'\''.\n' "$want" >"$D/bad.want"
	if [ $rc -eq 2 ] && cmp -s "$D/bad.err" "$D/bad.want" && [ ! -s "$D/bad.out" ]; then
		ok "bad input: exitsnoop $*"
	else
		not_ok "bad input: exitsnoop $* (status $rc, want '$want')" "$D/bad.err"
	fi
}
bad "exitsnoop: invalid PID '12abc'" -p 12abc
bad "exitsnoop: invalid TID 'x'" --tid x
bad "exitsnoop: invalid duration 'soon'" -d soon
bad "exitsnoop: unexpected argument 'extra'" extra
bad "exitsnoop: invalid attach variant 'fentry' (choose from: auto, tp_btf, raw_tp, tracepoint)" --attach=fentry

not_root_check "$XS"
leak_check "no BPF program or link left behind" "$D/bpf.before"
finish
