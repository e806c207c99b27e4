#!/bin/sh
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
# execsnoop end to end: real tool, real kernel, a workload (tk_proc) that
# forks and execs known programs and prints each child's pid, the thread
# that called exec and whether the exec succeeded; every assertion is about
# an exec the tool must have seen, derived from what the workload did.
. "$(dirname "$0")/lib.sh"
need_root
ES="$TK_BIN/execsnoop"
VARIANTS=${TK_VARIANTS_execsnoop:-"auto tp_btf raw_tp tracepoint"}
D=$T_DIR
T_PROGS='exec_(btf|raw|tp)|execve(at)?_(enter|exit)'
# The programs the workload execs: tk_proc under names of our own, so the
# new command's name (comm) is unique to this test.
ln -s "$TK_HELPERS/tk_proc" "$D/tkexec"
ln -s "$TK_HELPERS/tk_proc" "$D/tkstorm"
printf '#!%s\n' "$D/tkexec" >"$D/tkscript"
chmod +x "$D/tkscript"

# proc NAME [TK_PROC_ARGS...]: start tk_proc in the background, waiting for
# `go NAME` (lib.sh); sets W_PID. The workload's lines go to $D/work.NAME.
proc() {
	_n=$1
	shift
	rm -f "$D/go.$_n"
	mkfifo "$D/go.$_n"
	: >"$D/work.$_n"
	"$TK_HELPERS/tk_proc" -g "$D/go.$_n" "$@" >"$D/work.$_n" 2>&1 &
	T_PIDS="$T_PIDS $!"
	eval "W_BG_$_n=$!"
	wait_for "$D/work.$_n" '^pid ' 5 || not_ok "workload $_n did not start" "$D/work.$_n"
	W_PID=$(sed -n 's/^pid \([0-9]*\)$/\1/p' "$D/work.$_n")
}

# The children of workload NAME whose exec succeeded / failed (ERRNO).
ok_pids() { sed -n 's/^exec \([0-9]*\) ok .*/\1/p' "$D/work.$1"; }
fail_pid() { sed -n "s/^exec \\([0-9]*\\) fail $2 .*/\\1/p" "$D/work.$1"; }

for v in $VARIANTS; do
	O="$D/out.$v"
	SHOW="$O $O.err"
	A="--attach=$v"

	# --- text: a successful exec, a failed one (-x), a #! script ---
	proc a exec "$D/tkexec" tkexec "arg one" two
	pa=$W_PID
	proc b exec "$D/missing.$v" miss x
	pb=$W_PID
	proc c exec "$D/tkscript" script s1
	pc=$W_PID
	tool_start "$O" "$ES" "$A" -x || continue
	go a
	go b
	go c
	sleep 0.3
	stop_tool INT
	check "[$v] exit 0 on SIGINT" [ "$TOOL_RC" -eq 0 ]
	check "[$v] header line" has "$O" '^PCOMM +PID +PPID +RET +ARGS$'
	ca=$(ok_pids a)
	if [ -n "$ca" ] && has "$O" "^tkexec +$ca +$pa +0 tkexec arg one two\$"; then
		ok "[$v] exec by child $ca of $pa: comm, pid, ppid, ret 0, argv"
	else
		not_ok "[$v] exec by child $ca of $pa: comm, pid, ppid, ret 0, argv" "$O" "$D/work.a"
	fi
	cb=$(fail_pid b 2)
	if [ -n "$cb" ] && has "$O" "^tk_proc +$cb +$pb +-2 miss x\$"; then
		ok "[$v] -x: failed exec by $cb shows ret -2 and the caller's argv"
	else
		not_ok "[$v] -x: failed exec by $cb shows ret -2 and the caller's argv" "$O" "$D/work.b"
	fi
	cc=$(ok_pids c)
	if [ -n "$cc" ] && has "$O" " $cc +$pc +0 $D/tkexec $D/tkscript s1\$"; then
		ok "[$v] #! script: the interpreter first, as the kernel ran it"
	else
		not_ok "[$v] #! script: the interpreter first, as the kernel ran it" "$O" "$D/work.c"
	fi
	check "[$v] each exec is one line" [ "$(grep -c -E " ($ca|$cb|$cc) +($pa|$pb|$pc) " "$O")" -eq 3 ]

	# --- JSON: the same fields, a thread that execs, the interpreter ---
	proc a -T exec "$D/tkexec" tkexec j1 "q\"uote"
	pa=$W_PID
	proc b exec "$D/missing.$v" miss
	proc c exec "$D/tkscript" script
	tool_start "$O" "$ES" "$A" -j || continue
	go a
	go b
	go c
	sleep 0.3
	stop_tool INT
	ca=$(ok_pids a)
	ta=$(sed -n "s/^exec $ca ok \\([0-9]*\\)\$/\\1/p" "$D/work.a")
	line=$(grep "\"pid\":$ca," "$O")
	case "$line" in
	*"\"pid\":$ca,\"tid\":$ta,\"ppid\":$pa,\"uid\":0,\"comm\":\"tkexec\",\"ret\":0,\"filename\":\"$D/tkexec\","*"\"argc\":3,\"args\":[\"tkexec\",\"j1\",\"q\\\"uote\"],\"args_truncated\":false}")
		ok "[$v] JSON record: pid, tid of the exec'ing thread, ppid, uid, comm, ret, filename, args" ;;
	*) not_ok "[$v] JSON record for pid $ca tid $ta ppid $pa (got: $line)" "$D/work.a" ;;
	esac
	check "[$v] the exec'ing thread is not the process leader" [ -n "$ta" ] && [ "$ta" != "$ca" ]
	check "[$v] failed execs are left out without -x" not has_text "$O" "$D/missing.$v"
	cc=$(ok_pids c)
	line=$(grep "\"pid\":$cc," "$O")
	case "$v" in
	tracepoint) want="\"filename\":\"$D/tkscript\",\"interp\":null," ;;
	*) want="\"filename\":\"$D/tkscript\",\"interp\":\"$D/tkexec\"," ;;
	esac
	case "$line" in
	*"$want"*"\"args\":[\"$D/tkexec\",\"$D/tkscript\"]"*)
		ok "[$v] JSON: #! script's filename and interpreter" ;;
	*) not_ok "[$v] JSON: #! script's filename and interpreter (want $want; got: $line)" ;;
	esac
	if grep -v '^{.*}$' "$O" | grep -q .; then
		not_ok "[$v] JSON mode prints only objects" "$O"
	else
		ok "[$v] JSON mode prints only objects"
	fi
done

# --- argument display: quoting, --max-args, long lines, escaping ----------
O="$D/out.args"
SHOW="$O $O.err"
proc a exec "$D/tkexec" tkexec 'a b' 'say "hi"' c d
proc b exec "$D/tkexec" tkexec 1 2 3 4 5
long=$(head -c 9000 /dev/zero | tr '\0' L)
proc c exec "$D/tkexec" tkexec short "$long"
tool_start "$O" "$ES" -q --max-args 3 || true
go a
go b
go c
sleep 0.3
stop_tool INT
check "-q quotes each argument, \" escaped; --max-args 3 marks the rest" \
	has_text "$O" ' "tkexec" "a b" "say \"hi\"" ...'
check "--max-args 3 shows 3 arguments, then ..." has_text "$O" ' "tkexec" "1" "2" ...'
c=$(ok_pids c)
check "an argument line longer than the record is marked truncated" \
	has "$O" "^tkexec +$c .* \"tkexec\" \"short\" \"LLLL*\" \\.\\.\\.\$"
proc c exec "$D/tkexec" tkexec short "$long"
tool_start "$O" "$ES" -j || true
go c
sleep 0.3
stop_tool INT
c=$(ok_pids c)
line=$(grep "\"pid\":$c," "$O")
case "$line" in
*'"argc":3,'*'"args_truncated":true}') ok "JSON: argc 3 of the exec, args_truncated true" ;;
*) not_ok "JSON: argc 3 of the exec, args_truncated true (got: $(echo "$line" | cut -c1-300))" ;;
esac

esc=$(printf 'e\033[31mred\377')
proc a exec "$D/tkexec" tkexec "$esc"
tool_start "$O" "$ES" || true
go a
sleep 0.3
stop_tool INT
check "control and invalid bytes in arguments are escaped in text" has_text "$O" 'tkexec e\x1b[31mred\xff'
check "no raw escape byte reaches the output" not grep -q "$(printf '\033')" "$O"
proc a exec "$D/tkexec" tkexec "$esc"
tool_start "$O" "$ES" -j || true
go a
sleep 0.3
stop_tool INT
check "control and invalid bytes are valid JSON" has_text "$O" '"args":["tkexec","e\u001b[31mred\udcff"]'

# --- columns and filters ---------------------------------------------------
O="$D/out.filter"
SHOW="$O $O.err"
mkdir -p "$D/cwd.dir"
proc a exec "$D/tkexec" tkexec in.n
proc b exec "$D/tkstorm" tkstorm out.n
tool_start "$O" "$ES" -n tkex -T -t -U || true
go a
go b
sleep 0.3
stop_tool INT
check "-T -t -U: TIME, TIME(s) and UID columns" has "$O" '^TIME +TIME\(s\) +UID +PCOMM +PID +PPID +RET +ARGS$'
check "-n includes the new command's name" has "$O" '^[0-9][0-9]:[0-9][0-9]:[0-9][0-9] +[0-9]+\.[0-9]{3} +0 +tkexec .* tkexec in\.n$'
check "-n excludes other names" not has_text "$O" out.n

proc a self "$D/tkexec" tkexec by.pid
pa=$W_PID
proc b self "$D/tkexec" tkexec by.other
pb=$W_PID
tool_start "$O" "$ES" -p "$pa" || true
go a
go b
sleep 0.3
stop_tool INT
check "-p includes that process's exec" has "$O" "^tkexec +$pa .* tkexec by\\.pid\$"
check "-p excludes other processes" not has_text "$O" 'tkexec by.other'

proc a exec "$D/tkexec" tkexec needle.in.line
proc b exec "$D/tkexec" tkexec hay
tool_start "$O" "$ES" -l needle.in || true
go a
go b
sleep 0.3
stop_tool INT
check "-l includes argument lines containing LINE" has_text "$O" 'tkexec needle.in.line'
check "-l excludes the others" not has_text "$O" 'tkexec hay'

chmod 0755 "$D"
rm -f "$D/go.u"
mkfifo "$D/go.u"
"$TK_HELPERS/tk_work" -u 65534 exec "$TK_HELPERS/tk_proc" -g "$D/go.u" exec "$D/tkexec" tkexec by.nobody >"$D/work.u" 2>&1 &
T_PIDS="$T_PIDS $!"
W_BG_u=$!
proc b exec "$D/tkexec" tkexec by.root
tool_start "$O" "$ES" -u 65534 -U || true
wait_for "$D/work.u" '^pid ' 30
go u
go b
sleep 0.3
stop_tool INT
check "-u includes that uid (and -U shows it)" has "$O" '^65534 +tkexec .* tkexec by\.nobody$'
check "-u excludes other uids" not has_text "$O" by.root

rm -f "$D/go.w"
mkfifo "$D/go.w"
( cd "$D/cwd.dir" && exec "$TK_HELPERS/tk_proc" -g "$D/go.w" exec "$D/tkexec" tkexec in.cwd ) >"$D/work.w" 2>&1 &
T_PIDS="$T_PIDS $!"
W_BG_w=$!
tool_start "$O" "$ES" -c || true
wait_for "$D/work.w" '^pid ' 30
go w
sleep 0.3
stop_tool INT
check "-c: CWD column with the working directory" has "$O" "^tkexec .* 0 $D/cwd.dir tkexec in\\.cwd\$"
check "-c: header" has "$O" '^PCOMM +PID +PPID +RET +CWD +ARGS$'

CG=/sys/fs/cgroup/unified/tk-e2e-exec-$$
if mkdir "$CG" 2>/dev/null; then
	proc a exec "$D/tkexec" tkexec cg.in
	echo "$W_PID" >"$CG/cgroup.procs"
	proc b exec "$D/tkexec" tkexec cg.out
	tool_start "$O" "$ES" --cgroup "$CG" || true
	go a
	go b
	sleep 0.3
	stop_tool INT
	check "--cgroup includes processes in the cgroup" has_text "$O" 'tkexec cg.in'
	check "--cgroup excludes the rest" not has_text "$O" 'tkexec cg.out'
	rmdir "$CG"
else
	not_ok "cannot create cgroup $CG"
fi

# --- a fork/exec storm with the reader stalled: every exec that returned is
# a line, or counted lost; the workload says which execs returned. Each
# exec has a 600-byte argument, so its record is a large one (8768 bytes):
# the buffer (512 KiB a CPU, at least 1 MiB) holds some 60 of them a CPU,
# and the storm overflows it. ---------------------------------------------
N=${EXECSNOOP_STORM:-1500}
O="$D/out.storm"
SHOW="$O.err"
rm -f "$D/storm.done" "$D/storm.rc"
pad=$(head -c 600 /dev/zero | tr '\0' p)
proc s -n "$N" exec "$D/tkstorm" tkstorm storm "$pad"
(
	"$ES" -j -v -n tkstorm 2>"$O.err" &
	echo $! >"$D/storm.pid"
	wait $!
	echo $? >"$D/storm.rc"
) | { while [ ! -e "$D/storm.done" ]; do sleep 0.1; done; cat; } >"$O" &
T_PIDS="$T_PIDS $!"
wait_for "$O.err" 'Ctrl-C to end' 10
go s
touch "$D/storm.done"
sleep 0.5
kill -INT "$(cat "$D/storm.pid")"
wait_for "$D/storm.rc" . 30
want=$(grep -c '^exec [0-9]* ok ' "$D/work.s")
got=$(grep -c "\"ppid\":$W_PID,.*\"args\":\\[\"tkstorm\",\"storm\",\"$pad\"\\]" "$O")
lost=$(json_num "$O" count | awk '{ s += $1 } END { print s + 0 }')
check "storm: status 0" [ "$(cat "$D/storm.rc")" = 0 ]
check "storm: all $N execs returned" [ "$want" -eq "$N" ]
check "storm: execs were lost and reported ($lost)" [ "$lost" -gt 0 ]
check "storm: delivered $got + lost $lost = execs $want" [ $((got + lost)) -eq "$want" ]

# --- ends ------------------------------------------------------------------
O="$D/out.end"
SHOW="$O $O.err"
proc a exec "$D/tkexec" tkexec end.d
start_tool "$O" "$O.err" "$ES" -d 1.5 -v
wait_for "$O.err" 'Ctrl-C to end' 10
go a
wait "$TOOL_PID"
check "-d ends with status 0" [ $? -eq 0 ]
check "-d end flushes the execs received" has_text "$O" 'tkexec end.d'
proc a exec "$D/tkexec" tkexec end.term
tool_start "$O" "$ES" -j || true
go a
sleep 0.3
stop_tool TERM
check "SIGTERM ends with status 0" [ "$TOOL_RC" -eq 0 ]
check "SIGTERM end flushes the execs received" has_text "$O" '"end.term"'

# --- bad input: one line, status 2, nothing loaded -------------------------
bad() {
	want=$1
	shift
	"$ES" "$@" >"$D/bad.out" 2>"$D/bad.err" </dev/null
	rc=$?
	printf '%s\nTry '\''execsnoop --help'\''.\n' "$want" >"$D/bad.want"
	if [ $rc -eq 2 ] && cmp -s "$D/bad.err" "$D/bad.want" && [ ! -s "$D/bad.out" ]; then
		ok "bad input: execsnoop $*"
	else
		not_ok "bad input: execsnoop $* (status $rc, want '$want')" "$D/bad.err"
	fi
}
bad "execsnoop: invalid number of arguments '12abc'" --max-args 12abc
bad "execsnoop: number of arguments '0' is out of range (1 to 1024)" --max-args 0
bad "execsnoop: number of arguments '1025' is out of range (1 to 1024)" --max-args 1025
bad "execsnoop: invalid LINE '' (empty)" -l ''
bad "execsnoop: option '-l' needs an argument" -l
bad "execsnoop: invalid UID 'root'" -u root
bad "execsnoop: unexpected argument 'extra'" extra
bad "execsnoop: invalid attach variant 'kprobe' (choose from: auto, tp_btf, raw_tp, tracepoint)" --attach=kprobe

not_root_check "$ES"
leak_check "no BPF program or link left behind" "$D/bpf.before"
finish
