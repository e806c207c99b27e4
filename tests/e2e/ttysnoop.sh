#!/bin/sh
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
# ttysnoop end to end: real tool, real kernel, a workload (tk_pty) that
# writes known bytes to a pty of its own -- with write(2), writev(2), from a
# child, and through /dev/tty -- and other bytes to a second pty that must
# not show up. Every assertion is about bytes the tool must have seen:
# outputs are compared with cmp against what the workload wrote.
. "$(dirname "$0")/lib.sh"
TS="$TK_BIN/ttysnoop"
PTY="$TK_HELPERS/tk_pty"
VARIANTS=${TK_VARIANTS_ttysnoop:-"auto fentry kprobe tracepoint"}
D=$T_DIR

# --- bad input: one line, status 2, nothing loaded (no root needed) --------

# bad 'EXPECTED FIRST LINE' ARGS...
bad() {
	want=$1
	shift
	"$TS" "$@" >"$D/out" 2>"$D/err" </dev/null
	rc=$?
	printf '%s\nTry '\''ttysnoop --help'\''.\n' "$want" >"$D/want"
	if [ $rc -eq 2 ] && cmp -s "$D/err" "$D/want" && [ ! -s "$D/out" ]; then
		ok "bad input: ttysnoop $*"
	else
		echo "# got status $rc"
		not_ok "bad input: ttysnoop $*: want '$want', status 2" "$D/err"
	fi
}

bad "ttysnoop: '/dev/pts/99999' is not a terminal: No such file or directory" 99999
bad "ttysnoop: '/dev/pts/99999' is not a terminal: No such file or directory" /dev/pts/99999
bad "ttysnoop: 'nosuchtty' is not a terminal: No such file or directory" nosuchtty
bad "ttysnoop: '/etc/passwd' is not a terminal" /etc/passwd
bad "ttysnoop: '/dev/null' is not a terminal" /dev/null
bad "ttysnoop: '/dev/ptmx' is not a terminal" /dev/ptmx
bad "ttysnoop: '$D' is not a terminal" "$D"
bad "ttysnoop: '/dev/tty' stands for another terminal, which depends on the writer: name that terminal" /dev/tty
bad "ttysnoop: missing DEVICE (a terminal: 3, /dev/pts/3, /dev/tty1; or -a for all)"
bad "ttysnoop: missing DEVICE (a terminal: 3, /dev/pts/3, /dev/tty1; or -a for all)" -C -s 10
bad "ttysnoop: DEVICE cannot be used with -a (it watches every terminal)" -a /dev/console
bad "ttysnoop: unexpected argument 'extra'" /dev/console extra
bad "ttysnoop: invalid SIZE 'big'" -s big /dev/console
bad "ttysnoop: SIZE '0' is out of range (1 to 16384)" -s 0 /dev/console
bad "ttysnoop: SIZE '16385' is out of range (1 to 16384)" -s 16385 /dev/console
bad "ttysnoop: invalid COUNT '1x'" -c 1x /dev/console
bad "ttysnoop: COUNT '65' is out of range (1 to 64)" -c 65 /dev/console
bad "ttysnoop: invalid PID '12abc'" -p 12abc /dev/console
bad "ttysnoop: PID '0' is out of range (1 to 2147483647)" -a -p 0
bad "ttysnoop: invalid duration 'soon'" -a -d soon
bad "ttysnoop: option '-s' needs an argument" /dev/console -s
bad "ttysnoop: invalid attach variant 'nope' (choose from: auto, fentry, kprobe, tracepoint)" --attach=nope -a
bad "ttysnoop: invalid option '-Z'" -Z -a
bad "ttysnoop: invalid option '--nope'" --nope -a
"$TS" --help >"$D/out" 2>"$D/err"
check "--help: usage on stdout, status 0" [ $? -eq 0 ] && has "$D/out" "^Usage: ttysnoop"
"$TS" --version >"$D/out"
check "--version" has "$D/out" '^ttysnoop \(tracekit\) [0-9]+\.[0-9]+\.[0-9]+$'

need_root

# pty NAME OPS...: the workload, waiting for `go NAME` (lib.sh); sets P_PID,
# P_N (pts number of its first pty), P_PATH, P_N2 (the second). What it
# writes to the first pty goes to $D/exp.NAME too.
pty() {
	_n=$1
	shift
	rm -f "$D/go.$_n" "$D/exp.$_n"
	mkfifo "$D/go.$_n"
	: >"$D/work.$_n"	# now: the job would empty it too late for wait_for
	"$PTY" -g "$D/go.$_n" -e "$D/exp.$_n" "$@" >"$D/work.$_n" 2>&1 &
	T_PIDS="$T_PIDS $!"
	eval "W_BG_$_n=$!"
	wait_for "$D/work.$_n" '^pts2 ' 5 || not_ok "workload $_n did not start" "$D/work.$_n"
	P_PID=$(sed -n 's/^pid \([0-9]*\)$/\1/p' "$D/work.$_n")
	P_PATH=$(sed -n 's/^pts \([^ ]*\) [0-9]*$/\1/p' "$D/work.$_n")
	P_N=$(sed -n 's/^pts [^ ]* \([0-9]*\)$/\1/p' "$D/work.$_n")
	P_N2=$(sed -n 's/^pts2 [^ ]* \([0-9]*\)$/\1/p' "$D/work.$_n")
}

# same DESCRIPTION GOT WANT: the files are byte for byte the same, and not
# empty (so that a tool that saw nothing cannot pass).
same() {
	if [ -s "$3" ] && cmp "$2" "$3" >"$D/cmp" 2>&1; then
		ok "$1"
	else
		od -c "$2" | head -n 20 >"$D/got.od"
		od -c "$3" | head -n 20 >"$D/want.od"
		not_ok "$1" "$D/cmp" "$D/got.od" "$D/want.od"
	fi
}

# The bytes under test: text, a control sequence, bytes that are not
# UTF-8, a writev(2) with an empty segment, a write longer than SIZE, and
# writes from a child and through /dev/tty; plus a write to the other pty.
OPS_A='a:hello from tk_pty\n'
OPS_V='v:seg-one ||seg-two \xff\xfe\n'
OPS_C='a:ctl\x01\e[1mbold\e[0m\n'

# Where the kernel has bpf_loop (bpftool's probe says), the programs that
# split a write into records loop with it; their twins, the loop unrolled by
# the verifier, load before 5.17. "unrolled" runs everything again with those
# (TRACEKIT_NO_BPF_LOOP=1), so that both are proven on the kernels that have both.
if helper_missing bpf_loop tracepoint; then
	LOOPS="unrolled (the kernel lacks bpf_loop, 5.17+)"
else
	LOOPS="with bpf_loop"
fi
O="$D/out"
SHOW="$O $O.err"
"$TS" -v -a -d 0.1 >"$O" 2>"$O.err"
check "-v: the write-splitting loop runs $LOOPS" has_text "$O.err" "attach: loops $LOOPS"
TRACEKIT_NO_BPF_LOOP=1 "$TS" -v -a -d 0.1 >"$O" 2>"$O.err"
check "-v, TRACEKIT_NO_BPF_LOOP=1: the loop unrolled" \
	has_text "$O.err" "attach: loops unrolled (TRACEKIT_NO_BPF_LOOP set)"

for v in $VARIANTS unrolled; do
	O="$D/out.$v"
	SHOW="$O"
	A="--attach=$v"
	unset TRACEKIT_NO_BPF_LOOP
	if [ "$v" = unrolled ]; then
		[ "$LOOPS" = "with bpf_loop" ] || continue	# auto did it already
		export TRACEKIT_NO_BPF_LOOP=1
		A="--attach=auto"
	# A variant this kernel cannot run must fail cleanly when forced.
	elif variant_refused "$TS" "$v" -a; then
		continue
	fi

	# --- DEVICE as a number: exactly the bytes written to that pty ---
	pty a "$OPS_A" 'b:SECRET-OTHER-PTY\n' "$OPS_V" long:1000 "$OPS_C" \
		'child:from a child\n' 'tty:through /dev/tty\n' 'a:bye\a\n'
	tool_start "$O" "$TS" "$A" "$P_N" || continue
	go a
	sleep 0.3
	stop_tool INT
	check "[$v] exit 0 on SIGINT" [ "$TOOL_RC" -eq 0 ]
	# fentry and kprobe see a write's entry only: their records say so.
	used=$(sed -n 's/^ttysnoop: attach: using \([a-z]*\)$/\1/p' "$O.err")
	CONF=false
	[ "$used" = tracepoint ] && CONF=true
	same "[$v] DEVICE $P_N: the output is the bytes written to it, in order" "$O" "$D/exp.a"
	check "[$v] the write(2) is there" has_text "$O" "hello from tk_pty"
	check "[$v] the writev(2) is there, segments joined" has_text "$O" "seg-one seg-two "
	check "[$v] the write through /dev/tty is there" has_text "$O" "through /dev/tty"
	check "[$v] nothing from the other pty" not has_text "$O" "SECRET-OTHER-PTY"

	# --- DEVICE as a path; -p: only that process's writes ---
	pty a "$OPS_A" 'child:from a child\n' 'tty:through /dev/tty\n' 'a:bye\n'
	tool_start "$O" "$TS" "$A" -p "$P_PID" "$P_PATH" || continue
	go a
	sleep 0.3
	stop_tool INT
	printf 'hello from tk_pty\nbye\n' >"$D/want"
	same "[$v] DEVICE $P_PATH -p $P_PID: only that process's writes" "$O" "$D/want"

	# --- JSON: one record per write; data round-trips ---
	pty a "$OPS_A" 'b:SECRET-OTHER-PTY\n' "$OPS_V" long:1000 "$OPS_C" 'tty:through /dev/tty\n'
	pa=$P_PID
	js=$(date +%s%N)
	tool_start "$O" "$TS" "$A" -j "$P_N" || continue
	j0=$(date +%s%N)
	go a
	j1=$(date +%s%N)
	sleep 0.3
	stop_tool INT
	json_valid "[$v] JSON: records of the schema, the writes stamped within their run" "$O" ttysnoop \
		--since "$js" --type tty --match pid="$pa" --work "$j0:$j1"
	"$PTY" unjson data <"$O" >"$D/decoded"
	same "[$v] JSON: the data fields decode to the bytes written" "$D/decoded" "$D/exp.a"
	check "[$v] JSON: one record per write (5)" [ "$(grep -c '^{.*}$' "$O")" -eq 5 ]
	check "[$v] JSON record: ts_ns, device, pid, tid, comm, length, data, truncated" \
		has "$O" "^$(je tty),\"device\":\"pts/$P_N\",\"pid\":$pa,\"tid\":$pa,\"comm\":\"tk_pty\",\"length\":18,\"data\":\"hello from tk_pty\\\\n\",\"truncated\":false,\"confirmed\":$CONF\}\$"
	check "[$v] JSON: control bytes as \\u00XX escapes" \
		has_text "$O" '"data":"ctl\u0001\u001b[1mbold\u001b[0m\n"'
	check "[$v] JSON: bytes that are not UTF-8 as \\udcXX" \
		has_text "$O" '"length":19,"data":"seg-one seg-two \udcff\udcfe\n","truncated":false,"confirmed":'"$CONF}"
	check "[$v] JSON: a 1000-byte write arrives whole (4 records of 256)" \
		has "$O" '"length":1000,"data":"(0123456789abcdef){62}01234567","truncated":false,"confirmed":'"$CONF"'\}$'
	check "[$v] JSON: the write through /dev/tty, by the child" \
		has "$O" "\"pid\":$(sed -n 's/^ttychild //p' "$D/work.a"),.*\"data\":\"through /dev/tty\\\\n\""
	check "[$v] JSON: nothing from the other pty" not has_text "$O" "SECRET"

	# --- -s/-c: split into records and joined again; truncation ---
	pty a long:1000 long:100 'a:short\n'
	tool_start "$O" "$TS" "$A" -j -s 16 -c 4 "$P_N" || continue
	go a
	sleep 0.3
	stop_tool INT
	check "[$v] -s 16 -c 4: a 1000-byte write shows 64 bytes, truncated" \
		has "$O" '"length":1000,"data":"(0123456789abcdef){4}","truncated":true,"confirmed":'"$CONF"'\}$'
	check "[$v] -s 16 -c 4: a 100-byte write shows 64 bytes, truncated" \
		has "$O" '"length":100,"data":"(0123456789abcdef){4}","truncated":true,"confirmed":'"$CONF"'\}$'
	check "[$v] -s 16 -c 4: a short write is whole" \
		has "$O" '"length":6,"data":"short\\n","truncated":false,"confirmed":'"$CONF"'\}$'
	pty a long:1000 long:5
	tool_start "$O" "$TS" "$A" -j -s 16 -c 64 "$P_N" || continue
	go a
	sleep 0.3
	stop_tool INT
	check "[$v] -s 16 -c 64: 63 records of one write joined into one" \
		has "$O" '"length":1000,"data":"(0123456789abcdef){62}01234567","truncated":false,"confirmed":'"$CONF"'\}$'
	check "[$v] -s 16 -c 64: one record per write" [ "$(grep -c '^{' "$O")" -eq 2 ]
	pty a long:100 'a:after\n'
	tool_start "$O" "$TS" "$A" -s 16 -c 4 "$P_N" || continue
	go a
	sleep 0.3
	stop_tool INT
	printf '0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdefafter\n' >"$D/want"
	same "[$v] -s 16 -c 4 in text: the first 64 bytes of a long write" "$O" "$D/want"

	# --- -a: both ptys, each write labelled with terminal, pid and comm ---
	pty a 'a:to the first\n' 'b:to the second' 'a:first again\n'
	pa=$P_PID
	tool_start "$O" "$TS" "$A" -a -p "$pa" || continue
	go a
	sleep 0.3
	stop_tool INT
	printf '==> pts/%s %s tk_pty <==\n  to the first\\n\n==> pts/%s %s tk_pty <==\n  to the second\n==> pts/%s %s tk_pty <==\n  first again\\n\n' \
		"$P_N" "$pa" "$P_N2" "$pa" "$P_N" "$pa" >"$D/want"
	same "[$v] -a: every terminal, a labelled line before each write" "$O" "$D/want"
	pty a 'a:to the first\n' 'b:to the second' 'tty:via tty'
	pa=$P_PID
	tool_start "$O" "$TS" "$A" -a -j || continue
	go a
	sleep 0.3
	stop_tool INT
	check "[$v] -a -j: the first pty by name" \
		has "$O" "\"device\":\"pts/$P_N\",\"pid\":$pa,.*\"data\":\"to the first\\\\n\""
	check "[$v] -a -j: the second pty by name" \
		has "$O" "\"device\":\"pts/$P_N2\",\"pid\":$pa,.*\"data\":\"to the second\""
	check "[$v] -a -j: a write through /dev/tty names the terminal behind it" \
		has "$O" "\"device\":\"pts/$P_N\",.*\"data\":\"via tty\""

	# --- what reached the terminal: A's master is not read and a
	# non-blocking writer fills it. Writes that fail with EAGAIN wrote
	# nothing, a short write only its first bytes: the truth is what the
	# master then reads, byte for byte.
	pty a -H -m "$D/master.a" fill:3000
	tool_start "$O" "$TS" "$A" -C "$P_N" || continue
	go a
	sleep 0.3
	stop_tool INT
	SHOW="$D/work.a" check "[$v] full pty: the workload made a short write" \
		has "$D/work.a" '^partial [0-9]+ of 3000$'
	SHOW="$D/work.a" check "[$v] full pty: the workload's writes failed with EAGAIN" \
		has "$D/work.a" '^eagain [1-9]'
	if [ "$CONF" = true ]; then
		same "[$v] full pty: the output is what the master read (short write cut, EAGAIN writes absent)" \
			"$O" "$D/master.a"
		check "[$v] full pty: no failed write shown" not has_text "$O" EAGAIN-MUST-NOT-SHOW
	else
		check "[$v] full pty: the variant ($used) says it shows writes as asked" \
			has_text "$O.err" "sees writes as asked, not as done"
	fi
	pty a -H -m "$D/master.a" fill:3000
	tool_start "$O" "$TS" "$A" -j "$P_N" || continue
	go a
	sleep 0.3
	stop_tool INT
	"$PTY" unjson data <"$O" >"$D/decoded"
	if [ "$CONF" = true ]; then
		same "[$v] full pty, JSON: the data is what the master read" "$D/decoded" "$D/master.a"
		check "[$v] full pty, JSON: the lengths add up to what the master read" \
			[ "$(json_num "$O" length | awk '{ s += $1 } END { print s + 0 }')" -eq \
			  "$(wc -c <"$D/master.a")" ]
		check "[$v] full pty, JSON: every record confirmed" \
			not grep -q '"confirmed":false' "$O"
	else
		check "[$v] full pty, JSON: every record marked unconfirmed" \
			[ "$(grep -c '"confirmed":false}$' "$O")" -eq "$(grep -c . "$O")" ] && \
			[ -s "$O" ]
	fi
done
unset TRACEKIT_NO_BPF_LOOP

O="$D/out"
SHOW="$O"

# -a shows every writer's bytes escaped, a line of the write per line
# after two spaces: no writer can steer this terminal (ESC, BEL) or forge
# a label line. --raw passes them through.
pty a 'a:\n==> pts/0 1 bash <==\nforged\e]0;title\a\e[2J\e[31mred\n' 'a:tail \\ \e[H'
pa=$P_PID
start_tool "$O" "$O.err" "$TS" -a -p "$pa"
if wait_for "$O.err" 'Ctrl-C to end' 10; then
	ok "-a says it is tracing without -v"
else
	not_ok "-a says it is tracing without -v" "$O.err"
fi
go a
sleep 0.3
stop_tool INT
{
	printf '==> pts/%s %s tk_pty <==\n' "$P_N" "$pa"
	printf '  \\n\n'
	printf '  ==> pts/0 1 bash <==\\n\n'
	printf '  forged\\x1b]0;title\\x07\\x1b[2J\\x1b[31mred\\n\n'
	printf '==> pts/%s %s tk_pty <==\n' "$P_N" "$pa"
	printf '  tail \\\\ \\x1b[H\n'
} >"$D/want"
same "-a: each write escaped, line by line, after its label" "$O" "$D/want"
check "-a: no ESC or BEL byte in the output" not grep -q "$(printf '[\033\007]')" "$O"
check "-a: the forged label is not a line of its own" not grep -q '^==> pts/0 1 bash' "$O"
check "-a: the real labels only (2)" [ "$(grep -c '^==>' "$O")" -eq 2 ]
pty a 'a:\n==> pts/0 1 bash <==\nforged\e[2J\n'
pa=$P_PID
tool_start "$O" "$TS" -a --raw -p "$pa" || exit 1
go a
sleep 0.3
stop_tool INT
printf '==> pts/%s %s tk_pty <==\n\n==> pts/0 1 bash <==\nforged\033[2J\n' "$P_N" "$pa" >"$D/want"
same "-a --raw: the bytes as written" "$O" "$D/want"

# The screen is cleared first when standard output is a terminal (and
# not with -C): a second ttysnoop watches the pty the first one prints to.
for c in clear noclear all; do
	# (It stays a while: closing the pty would fail the first one's output.)
	pty a 'a:mirrored\n' sleep:1000
	args="$P_N"
	[ $c = noclear ] && args="-C $P_N"
	[ $c = all ] && args="-a -p $P_PID"
	tool_start "$O" "$TS" -j "$P_N2" || break
	watcher=$TOOL_PID
	: >"$D/first.err"	# now: the job would truncate it too late for wait_for
	"$TS" $args -v >"/dev/pts/$P_N2" 2>"$D/first.err" &
	first=$!
	T_PIDS="$T_PIDS $first"
	wait_for "$D/first.err" 'Ctrl-C to end' 10
	go a
	sleep 0.3
	kill -INT "$first"
	wait "$first"
	rc=$?
	SHOW="$D/first.err" check "the first one ends with status 0 ($c)" [ $rc -eq 0 ]
	TOOL_PID=$watcher
	stop_tool INT
	if [ $c = clear ]; then
		check "on a terminal the screen is cleared first" \
			has_text "$O" '"comm":"ttysnoop","length":7,"data":"\u001b[H\u001b[2J","truncated":false'
		check "the mirrored bytes reach the terminal ($c)" \
			has_text "$O" '"comm":"ttysnoop","length":9,"data":"mirrored\n","truncated":false'
	elif [ $c = noclear ]; then
		check "-C: on a terminal the screen is not cleared" not has_text "$O" '\u001b[H\u001b[2J'
		check "the mirrored bytes reach the terminal ($c)" \
			has_text "$O" '"comm":"ttysnoop","length":9,"data":"mirrored\n","truncated":false'
	else
		check "-a: on a terminal the screen is not cleared" not has_text "$O" '\u001b[H\u001b[2J'
		check "-a: the label reaches the terminal" \
			has_text "$O" "\"comm\":\"ttysnoop\",\"length\":$((21 + ${#P_N} + ${#P_PID})),\"data\":\"==> pts/$P_N $P_PID tk_pty <==\\n\""
		check "-a: the escaped write reaches the terminal" \
			has_text "$O" '"comm":"ttysnoop","length":13,"data":"  mirrored\\n\n"'
	fi
done

# Ends: -d, SIGTERM, SIGPIPE; writes seen before the end are printed.
pty a 'a:before the end\n'
start_tool "$O" "$O.err" "$TS" -d 1.5 -v "$P_N"
wait_for "$O.err" 'Ctrl-C to end' 10
go a
wait "$TOOL_PID"
check "-d ends with status 0" [ $? -eq 0 ]
check "-d end flushes the writes seen" has_text "$O" "before the end"

pty a 'a:before the end\n'
tool_start "$O" "$TS" -j "$P_N" || exit 1
go a
sleep 0.3
stop_tool TERM
check "SIGTERM ends with status 0" [ "$TOOL_RC" -eq 0 ]
check "SIGTERM end flushes the writes seen" has_text "$O" "before the end"

pty a 'a:first\n' sleep:500 'a:second\n' sleep:500 'a:third\n'
: >"$D/pipe.err"
( "$TS" -v "$P_N" 2>"$D/pipe.err"; echo $? >"$D/pipe.rc" ) | head -c 3 >"$D/pipe.out" &
T_PIDS="$T_PIDS $!"
wait_for "$D/pipe.err" 'Ctrl-C to end' 10
go a
wait_for "$D/pipe.rc" . 10
check "SIGPIPE (ttysnoop | head -c 3) ends with status 0" [ "$(cat "$D/pipe.rc" 2>/dev/null)" = 0 ]
SHOW="$D/pipe.err"
check "SIGPIPE end is quiet" only_v_lines "$D/pipe.err"
check "SIGPIPE: the reader got the first bytes" [ "$(cat "$D/pipe.out")" = fir ]

# In a pid namespace (unshare -p, with and without its own /proc) the tool
# still knows its own writes: -a, printing to a terminal (B, whose master
# tk_pty copies to a file), must not trace its own output (each write of
# it would be a bigger one: it grew to megabytes in seconds). The
# workload's one 20-byte write is there, labelled once. (Other terminals'
# writes on a shared machine are there too: hence a generous bound.)
for m in --mount-proc ""; do
	rm -f "$D/b.copy"
	# (The workload, B's reader, outlives the tool's 3 seconds.)
	pty a -B "$D/b.copy" sleep:300 'a:twenty bytes write\n' sleep:4000
	: >"$D/ns.err"
	# (Bounded by a KILL too: a ttysnoop that traces itself never gets
	# out of reading its own records. timeout is the namespace's init:
	# when it goes, everything in the namespace goes.)
	unshare -p -f $m timeout -s KILL 8 "$TS" -a -d 3 \
		>"/dev/pts/$P_N2" 2>"$D/ns.err" &
	T_PIDS="$T_PIDS $!"
	ns=$!
	wait_for "$D/ns.err" 'Ctrl-C to end' 10
	go a
	wait "$ns"
	rc=$?
	sleep 0.3
	SHOW="$D/ns.err" check "pid namespace ($m): ttysnoop -a ends with status 0" [ $rc -eq 0 ]
	SHOW="$D/b.copy"
	check "pid namespace ($m): the workload's write is there, once" \
		[ "$(grep -c "^  twenty bytes write\\\\n" "$D/b.copy")" -eq 1 ]
	# (Its own writes go to B: other ttysnoops on the machine write to
	# terminals of their own.)
	check "pid namespace ($m): none of ttysnoop's own writes (to pts/$P_N2) is shown" \
		not grep -q "^==> pts/$P_N2 [0-9]* ttysnoop <==" "$D/b.copy"
	check "pid namespace ($m): the output stays small ($(wc -c <"$D/b.copy") bytes)" \
		[ "$(wc -c <"$D/b.copy")" -lt 1048576 ]
done
SHOW="$O"

# Not root: one line, status 1, nothing loaded.
not_root_check "$TS" -a

# One writer moving between CPUs, the reader stopped (SIGSTOP) meanwhile:
# its records wait in two CPUs' buffers. A perf buffer hands a read's
# records over CPU by CPU, so the transcript came out of order ("one three
# two four") until the tool ordered each read by the writes' stamps; a ring
# buffer keeps them in order. (TRACEKIT_PERF_BUFFER=1 runs this on the perf
# buffer.)
if [ "$(nproc)" -ge 2 ]; then
	O="$D/out.cpus"
	SHOW="$O $O.err $D/work.a"
	pty a cpu:1 'a:one\n' cpu:0 'a:two\n' cpu:1 'a:three\n' cpu:0 'a:four\n' \
		cpu:1 'a:five\n'
	if tool_start "$O" "$TS" "$P_N"; then
		kill -STOP "$TOOL_PID"
		go a
		wait_for "$D/work.a" '^end$' 5
		kill -CONT "$TOOL_PID"
		sleep 0.3
		stop_tool INT
		same "writes on CPU 1, 0, 1, 0, 1, the reader stopped: the transcript in the writes' order" \
			"$O" "$D/exp.a"
	fi
fi

leak_check "no BPF program or link left behind"
finish
