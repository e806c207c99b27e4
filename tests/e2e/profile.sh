#!/bin/sh
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
# profile end to end: a workload of our own (tk_spin) spins in spin_here(),
# called from main through spin_loop(), or writes to /dev/null in a loop,
# and prints its own CPU time (utime + stime from /proc/self/stat). The
# profile of its pid must show that chain, spin_here on top of most
# samples, the write path in the kernel, and about HZ samples per second of
# the workload's CPU time. Bad input first: it needs no root.
. "$(dirname "$0")/lib.sh"
PR="$TK_BIN/profile"
D=$T_DIR
HZ=99
HZC=499	# for the sample count (see below)

if ! [ -x "$PR" ]; then
	not_ok "$PR is not built (make bin/profile)"
	finish
	exit 1
fi

# --- bad input: one line, "Try ...", status 2, nothing on stdout ------------

# bad 'EXPECTED FIRST LINE' ARGS...
bad() {
	want=$1
	shift
	"$PR" "$@" >"$D/out" 2>"$D/err" </dev/null
	rc=$?
	printf '%s\nTry '\''profile --help'\''.\n' "$want" >"$D/want"
	if [ $rc -eq 2 ] && cmp -s "$D/err" "$D/want" && [ ! -s "$D/out" ]; then
		ok "bad input: profile $*"
	else
		echo "# got status $rc"
		not_ok "bad input: profile $*: want '$want', status 2" "$D/err"
	fi
}

NCPU=$(grep -c '^processor' /proc/cpuinfo)
bad "profile: frequency '0' is out of range (1 to 100000)" -F 0
bad "profile: invalid frequency 'abc'" -F abc
bad "profile: CPU '999' is out of range (0 to $((NCPU - 1)))" -C 999
bad "profile: invalid CPU 'x'" -C x
bad "profile: invalid PID '12abc'" -p 12abc
bad "profile: PID '0' is out of range (1 to 2147483647)" -p 0
bad "profile: invalid TID 'x'" -L x
bad "profile: -U and -K exclude each other" -U -K
bad "profile: -a needs -f" -a
bad "profile: -f and -j exclude each other" -f -j
bad "profile: cannot write '$D/none/x.svg': No such file or directory" --svg "$D/none/x.svg"
bad "profile: invalid duration 'soon'" soon
bad "profile: unexpected argument '2'" 1 2
bad "profile: invalid option '-t'" -t 1
bad "profile: invalid event 'foo' (choose from: auto, cycles, cpu-clock)" --event foo

"$PR" --help >"$D/out" 2>"$D/err"
check "--help: usage on stdout, status 0" [ $? -eq 0 ]
check "--help shows the usage line" has "$D/out" '^Usage: profile \[OPTION\]\.\.\. \[DURATION\]$'
"$PR" --version >"$D/out"
check "--version" has "$D/out" '^profile \(tracekit\) [0-9]+\.[0-9]+\.[0-9]+$'

need_root

# spin NAME MODE SECS [-k]: start tk_spin (waiting for `go NAME`); sets W_PID.
spin() {
	_n=$1
	rm -f "$D/go.$_n"
	mkfifo "$D/go.$_n"
	: >"$D/work.$_n"
	"$TK_HELPERS/tk_spin" -g "$D/go.$_n" $4 "$2" "$3" >"$D/work.$_n" 2>&1 &
	T_PIDS="$T_PIDS $!"
	eval "W_BG_$_n=$!"
	wait_for "$D/work.$_n" '^pid ' 10 || not_ok "workload $_n did not start" "$D/work.$_n"
	W_PID=$(sed -n 's/^pid \([0-9]*\)$/\1/p' "$D/work.$_n")
}
# let NAME: start it, and wait until it has done its work (it stays, -k).
let_run() {
	( : >"$D/go.$1" ) &
	T_PIDS="$T_PIDS $!"
	wait_for "$D/work.$1" '^cpu_ns ' 60 || not_ok "workload $1 did not finish" "$D/work.$1"
}
# done NAME: end a -k workload.
end_work() {
	eval "kill \$W_BG_$1; wait \$W_BG_$1" 2>/dev/null
}
# The samples the workload's CPU time is worth: utime+stime ticks * HZC / CLK_TCK.
truth() {
	sed -n 's/^cpu_ticks \([0-9]*\) clk_tck \([0-9]*\)$/\1 \2/p' "$D/work.$1" |
		awk -v hz=$HZC '{ printf "%d\n", $1 * hz / $2 + 0.5 }'
}

# text_records FILE PID: one line per stack of PID: "COUNT TOP_USER_FRAME|frames".
text_records() {
	# Records are separated by blank lines.
	awk -v pid="$2" -v RS= -F '\n' '
		{
			top = ""; user = 0; c = ""; mine = 0; all = ""
			for (i = 1; i <= NF; i++) {
				l = $i
				if (l == "    --") { user = 1; continue }
				if (l ~ /^    -  /) { mine = (l ~ ("\\(" pid "\\)$")); continue }
				if (l ~ /^        [0-9]+$/) { c = l; sub(/^ +/, "", c); continue }
				f = substr(l, 5); all = all "|" f
				if (user && top == "") top = f
			}
			# Without "--" the frames are all one side: tk_spin
			# always has a user stack, so it is that one.
			if (!user) { top = all; sub(/^\|/, "", top); sub(/\|.*/, "", top) }
			if (mine) print c, (top == "" ? "-" : top) all
		}' "$1"
}

# --- text: the chain, spin_here on top, samples against the CPU time --------
O="$D/out.text"
SHOW="$O $O.err"
spin a spin 3 -k
pa=$W_PID
tool_start "$O" "$PR" -F $HZC -p "$pa"
let_run a
stop_tool INT
end_work a
text_records "$O" "$pa" >"$D/rec"
total=$(awk '{ s += $1 } END { print s + 0 }' "$D/rec")
grep '^    -  ' "$O" >"$D/labels"
top=$(awk '$2 ~ /^spin_here\|/ { s += $1 } END { print s + 0 }' "$D/rec")
want=$(truth a)
echo "# tk_spin: $total samples, $top with spin_here on top; CPU time worth $want at $HZC Hz"
check "exit 0 on SIGINT" [ "$TOOL_RC" -eq 0 ]
# auto samples on the cycle counter only where it is an NMI, x86, and the
# machine has one (its PMU is a perf event source); else on the cpu-clock.
PMU=$(ls /sys/bus/event_source/devices 2>/dev/null | grep -E '^(cpu|cpu_core|armv8_.*|armv7_.*)$' | head -n 1)
case "$(uname -m)" in
x86_64 | i?86) AUTO_EVENT=${PMU:+cycles} ;;
*) AUTO_EVENT= ;;
esac
: "${AUTO_EVENT:=cpu-clock}"
echo "# hardware counter: ${PMU:-none}; auto should sample on $AUTO_EVENT"
check "-v says which perf event samples: $AUTO_EVENT on $(uname -m)" has "$O.err" "^profile: attach: perf event $AUTO_EVENT at 499 Hz on every CPU\$"
check "text: spin_here <- spin_loop <- main in one stack, labelled tk_spin ($pa)" \
	grep -q '|spin_here|spin_loop|main' "$D/rec"
check "text: tk_spin's stacks are labelled with its comm and pid" \
	has "$O" "^    -                tk_spin \\($pa\\)\$"
check "-p: no other process's stacks" not grep -v " ($pa)\$" "$D/labels"
check "text: spin_here on top of >= 80% of the user stacks ($top of $total)" \
	eval '[ "$total" -gt 0 ] && [ $((top * 100)) -ge $((total * 80)) ]'
# The truth is the kernel's own CPU accounting of the workload. Each CPU's
# timer fires every 1/HZ s and the sample goes to whoever runs then. Alone
# on a CPU a workload that ran T s is hit T*HZ times (+-1). Sharing the CPUs
# (the machine here runs at a load of 5-10 on two CPUs) it runs in slices
# shorter than the period, each hit or not depending on the timer's phase:
# the count is then binomial around T*HZ, standard deviation below
# sqrt(T*HZ) (measured: -14% to +17% at 99 Hz over 0.7 s). So this run
# samples at $HZC Hz (about 350 samples for 0.7 s of CPU) and allows three
# standard deviations plus 3 (tick rounding, the run's two ends): about 15%.
# A tool that misses samples, or counts another process's, is far outside
# (within_3sd, lib.sh).
# In the qemu lane's TCG guest the timers fire late and several periods of
# one collapse into one sample (measured there: 1081 samples for 1492
# periods): the host's check.
if in_guest; then
	echo "# SKIP in the TCG guest: samples near HZ x CPU time ($total vs $want)"
else
	check "text: samples near HZ x CPU time ($total vs $want, within 3 sd + 3)" within_3sd "$total" "$want"
fi
check "text: most frequent stack last" \
	[ "$(awk '{ print $1 }' "$D/rec" | sort -n | tail -n 1)" = "$(awk '{ print $1 }' "$D/rec" | tail -n 1)" ]

# --- folded, with -a: parseable, sums to the samples, bcc's order ------------
O="$D/out.fold"
SHOW="$O $O.err"
spin a spin 2 -k
pa=$W_PID
tool_start "$O" "$PR" -F $HZ -p "$pa" -f -a
let_run a
stop_tool TERM
end_work a
samples=$(sed -n 's/^profile: \([0-9]*\) samples in [0-9]* stacks.*/\1/p' "$O.err")
fsum=$(awk '{ s += $NF } END { print s + 0 }' "$O")
check "exit 0 on SIGTERM" [ "$TOOL_RC" -eq 0 ]
check "folded: every line is FRAMES COUNT" not grep -Evq '^[^ ;][^;]*(;[^;]+)* [0-9]+$' "$O"
check "folded: the counts sum to the samples taken ($fsum of $samples)" \
	eval '[ -n "$samples" ] && [ "$fsum" -eq "$samples" ]'
check "folded: comm first, user frames outermost first" has "$O" '^tk_spin;(.*;)?main;spin_loop;spin_here( |;)'
check "folded: -a marks kernel frames _[k], after the user ones" \
	not grep -Eq '_\[k\];[^;]*[^]];|_\[k\];[^ ;]*[^]] [0-9]+$' "$O"

# --- kernel stacks of a syscall loop: the write path, the kernel's share ------
O="$D/out.kern"
SHOW="$O $O.err $D/work.a"
spin a write 2 -k
pa=$W_PID
tool_start "$O" "$PR" -F $HZC -p "$pa" -j
let_run a
stop_tool INT
end_work a
check "kernel: a stack of the write loop shows the kernel's write path" \
	has "$O" "\"pid\":$pa,.*\"kernel_frames\":\\[.*\"name\":\"(ksys_write|vfs_write|__x64_sys_write|__arm64_sys_write|write_null)\""
# The truth is the kernel's own accounting of the loop's CPU time: its
# system time's share of utime + stime (/proc/self/stat) is the share of
# samples that must have hit it in the kernel (a sample taken in user mode
# has no kernel stack). A sampler whose interrupt comes at kernel entry or
# exit instead of inside puts the kernel's time on the user side: the
# cycle counter qemu emulates did (126 of 163 samples of this loop in the
# arm64 guest in user mode, the sample after the svc). Both counts are
# samples of a few hundred: 15 points apart is over 4 standard deviations.
k=$(grep "\"pid\":$pa," "$O" | grep -v '"kernel_frames":\[\]' | sed 's/.*"count":\([0-9]*\).*/\1/' |
	awk '{ s += $1 } END { print s + 0 }')
n=$(grep "\"pid\":$pa," "$O" | sed 's/.*"count":\([0-9]*\).*/\1/' | awk '{ s += $1 } END { print s + 0 }')
ut=$(sed -n 's/^utime_ticks \([0-9]*\) stime_ticks [0-9]*$/\1/p' "$D/work.a")
st=$(sed -n 's/^utime_ticks [0-9]* stime_ticks \([0-9]*\)$/\1/p' "$D/work.a")
check "kernel: the share of samples in the kernel ($k of $n) is the loop's system time's (${st:-?} of $((${ut:-0} + ${st:-0})) ticks), within 15 points" \
	eval '[ "$n" -gt 50 ] && [ $((ut + st)) -gt 50 ] &&
		_sd=$((k * 100 / n - st * 100 / (ut + st))) && [ ${_sd#-} -le 15 ]'
# Where in the kernel: a sampler that sees the kernel only at its entry and
# exit also fails here. With the cycle counter qemu emulates, the kernel's own
# accounting moved too (stime 28 of 201 ticks, and 157 of 579 samples in the
# kernel: the share above held), but only 9 of those 157 were in the write
# path, against 168 of 371 on the cpu-clock there and 82 of 405 on this
# machine's: at least a tenth (2 standard deviations above the 9, 5 below the 82).
# Not in the arm64 TCG guest: there a timer interrupt that comes due while
# the syscall's entry has interrupts masked is taken where el0_svc_common
# unmasks them, so where the samples land is qemu's timing, not the tool's:
# measured there on the cpu-clock, 6 of 96 (CI), 10 of 72 and 25 of 167 in
# the write path, 51 of those 72 with el0_svc_common as their leaf, as
# against 120 of 347 and 277 of 634 in other runs. auto's event there is
# checked above (-v), so the cycle counter cannot come back unseen.
w=$(grep "\"pid\":$pa," "$O" | grep -E '"name":"(ksys_write|vfs_write|__x64_sys_write|__arm64_sys_write|write_null)"' |
	sed 's/.*"count":\([0-9]*\).*/\1/' | awk '{ s += $1 } END { print s + 0 }')
if in_guest && [ "$(uname -m)" = aarch64 ]; then
	echo "# SKIP in the arm64 TCG guest: a tenth of the kernel's samples in the write path ($w of $k)"
else
	check "kernel: a tenth or more of the kernel's samples are in the write path ($w of $k)" \
		eval '[ "$k" -gt 50 ] && [ $((w * 10)) -ge "$k" ]'
fi
check "kernel: kernel frames come with their module" \
	has "$O" '"kernel_frames":\[\{"name":"[^"]+","offset":[0-9]+,"module":"kernel"'

# --- JSON ---------------------------------------------------------------------
O="$D/out.json"
SHOW="$O $O.err"
spin a spin 1 -k
pa=$W_PID
tool_start "$O" "$PR" -F $HZ -p "$pa" -j
let_run a
stop_tool INT
end_work a
check "JSON: only objects" not grep -qv '^{.*}$' "$O"
check "JSON: a stack of tk_spin with spin_here in tk_spin, and its count" has "$O" \
	"^$(je stack),\"pid\":$pa,\"comm\":\"tk_spin\",\"count\":[0-9]+,.*\"user_frames\":\\[\\{\"name\":\"spin_here\",\"offset\":[0-9]+,\"module\":\"tk_spin\"\\}"
n=$(json_num "$O" samples)
sum=$(grep '"type":"stack"' "$O" | sed 's/.*"count":\([0-9]*\).*/\1/' | awk '{ s += $1 } END { print s + 0 }')
check "JSON: the profile record's samples ($n) are the stacks' counts ($sum)" \
	eval '[ -n "$n" ] && [ "$n" -gt 0 ] && [ "$n" -eq "$sum" ]'
check "JSON: the record names the event and counts missing stacks" has "$O" \
	'^'"$(je profile)"',"event":"(cycles|cpu-clock)","hz":99,"samples":[0-9]+,"stacks":[0-9]+,"user_stack_missing":[0-9]+,"kernel_stack_missing":[0-9]+,"stack_collisions":0,"stack_errors":0,"counts_full":0\}$'

# --- --event: the perf event asked for ----------------------------------------
O="$D/out.ev"
SHOW="$O $O.err"
"$PR" -F $HZ --event cpu-clock -j -d 0.5 -v >"$O" 2>"$O.err"
TOOL_RC=$?
check "--event cpu-clock: samples on the cpu-clock, -v and JSON say so" \
	eval '[ "$TOOL_RC" -eq 0 ] && has "$O.err" "attach: perf event cpu-clock at $HZ Hz" && has "$O" "\"type\":\"profile\",.*\"event\":\"cpu-clock\","'
"$PR" -F $HZ --event cycles -j -d 0.5 -v >"$O" 2>"$O.err"
TOOL_RC=$?
if [ -n "$PMU" ]; then
	check "--event cycles: samples on the cycle counter ($PMU here), -v and JSON say so" \
		eval '[ "$TOOL_RC" -eq 0 ] && has "$O.err" "attach: perf event cycles at $HZ Hz" && has "$O" "\"type\":\"profile\",.*\"event\":\"cycles\","'
else
	check "--event cycles without a hardware counter: one line saying so (a warning record in JSON), status 1" \
		eval '[ "$TOOL_RC" -eq 1 ] && not grep -qv "^{\"v\":1,\"type\":\"warning\"," "$O" && has "$O.err" "^profile: cannot sample on the cycle counter: .*--event cpu-clock"'
fi

# --- a full table of counts: the samples that found it full are counted ------
O="$D/out.full"
SHOW="$O $O.err"
tool_start "$O" "$PR" -F $HZ -I --max-stacks 2 -j -d 1
wait "$TOOL_PID"
n=$(json_num "$O" samples)
full=$(json_num "$O" counts_full)
sum=$(grep '"type":"stack"' "$O" | sed 's/.*"count":\([0-9]*\).*/\1/' | awk '{ s += $1 } END { print s + 0 }')
check "--max-stacks 2: two stacks kept, the rest counted ($sum + $full of $n samples)" \
	eval '[ "$(grep -c "\"type\":\"stack\"" "$O")" -eq 2 ] && [ "$full" -gt 0 ] && [ $((sum + full)) -eq "$n" ]'
tool_start "$O" "$PR" -F $HZ -I --max-stacks 2 -d 1
wait "$TOOL_PID"
check "--max-stacks 2: in text, the loss said on stderr" has "$O.err" '^profile: [0-9]+ samples lost: the table of counts was full'

# --- a shared library: libc's functions in a dynamically linked program -----
O="$D/out.lib"
SHOW="$O $O.err"
YES=$(command -v yes)
if [ -n "$YES" ] && ! [ -L "$YES" ] && grep -q 'libc\.so' "$YES" 2>/dev/null; then
	"$YES" >/dev/null &
	py=$!
	T_PIDS="$T_PIDS $py"
	tool_start "$O" "$PR" -F $HZ -p "$py" -j -d 1.5
	wait "$TOOL_PID"
	TOOL_RC=$?
	check "-d ends the run: exit 0, summary printed" eval '[ "$TOOL_RC" -eq 0 ] && has "$O" "\"type\":\"profile\""'
	check "shared library: a user frame of yes resolves in libc.so.6" \
		has "$O" "\"pid\":$py,.*\"user_frames\":\\[.*\\{\"name\":\"[^[\"][^\"]*\",\"offset\":[0-9]+,\"module\":\"libc\\.so\\.6\"\\}"
	kill "$py"
	wait "$py" 2>/dev/null
else
	echo "# SKIP shared library: no dynamically linked yes(1) here"
fi

# --- -U / -K ------------------------------------------------------------------
O="$D/out.u"
SHOW="$O $O.err"
spin a write 1 -k
pa=$W_PID
tool_start "$O" "$PR" -F $HZ -p "$pa" -U
let_run a
stop_tool INT
end_work a
check "-U: user frames only (no kernel path, no --)" \
	eval 'has "$O" "tk_spin \\($pa\\)" && not has "$O" "^    (--|ksys_write|vfs_write|entry_SYSCALL_64.*)\$"'
O="$D/out.k"
SHOW="$O $O.err"
spin a spin 1 -k
pa=$W_PID
tool_start "$O" "$PR" -F $HZ -p "$pa" -K
let_run a
stop_tool INT
end_work a
check "-K: kernel frames only (no spin_here)" \
	eval 'has "$O" "tk_spin \\($pa\\)" && not has "$O" "spin_here|spin_loop|^    --\$"'

# --- -L and --cgroup -----------------------------------------------------------
O="$D/out.tid"
SHOW="$O $O.err"
spin a spin 1 -k
pa=$W_PID
tool_start "$O" "$PR" -F $HZ -L "$pa" -j
let_run a
stop_tool INT
end_work a
check "-L: the thread's stacks, with its tid" has "$O" "^$(je stack),\"pid\":$pa,\"tid\":$pa,\"comm\":\"tk_spin\""
grep '"type":"stack"' "$O" | grep -v "\"tid\":$pa," >"$D/others"
check "-L: no other thread's" not test -s "$D/others"

CG=/sys/fs/cgroup/unified/tk-e2e-profile-$$
O="$D/out.cg"
SHOW="$O $O.err"
if mkdir "$CG" 2>/dev/null; then
	spin a spin 1 -k
	pa=$W_PID
	echo "$pa" >"$CG/cgroup.procs"
	spin b spin 1 -k
	pb=$W_PID
	tool_start "$O" "$PR" -F $HZ --cgroup "$CG"
	let_run a
	let_run b
	stop_tool INT
	end_work a
	end_work b
	check "--cgroup includes the process in the cgroup" has "$O" "tk_spin \\($pa\\)\$"
	check "--cgroup excludes the rest" not has "$O" "tk_spin \\($pb\\)\$"
	rmdir "$CG"
else
	not_ok "cannot create cgroup $CG"
fi

# --- -C: one CPU's samples -----------------------------------------------------
if command -v taskset >/dev/null && [ "$NCPU" -ge 2 ]; then
	O="$D/out.cpu"
	SHOW="$O $O.err"
	spin a spin 1 -k
	pa=$W_PID
	taskset -p 2 "$pa" >/dev/null	# CPU 1 only
	spin b spin 1 -k
	pb=$W_PID
	taskset -p 1 "$pb" >/dev/null	# CPU 0 only
	tool_start "$O" "$PR" -F $HZ -C 1 -U
	let_run a
	let_run b
	stop_tool INT
	end_work a
	end_work b
	check "-C 1: the process on CPU 1 is sampled" has "$O" "tk_spin \\($pa\\)\$"
	check "-C 1: the process on CPU 0 is not" not has "$O" "tk_spin \\($pb\\)\$"
	check "-C 1: -v says which CPU" has "$O.err" 'attach: perf event .* on CPU 1$'
else
	echo "# SKIP -C: no taskset, or one CPU"
fi

# --- a process gone before the end: [unknown] frames, with its comm ----------
O="$D/out.gone"
SHOW="$O $O.err"
spin a spin 1
pa=$W_PID
tool_start "$O" "$PR" -F $HZ -p "$pa" -U
go a
stop_tool INT
check "exited process: its stacks show [unknown] under its comm" \
	eval 'has "$O" "tk_spin \\($pa\\)" && has "$O" "^    \\[unknown\\]" && not has "$O" spin_here'

# --- SVG: well-formed, a frame per stack frame, the script --------------------
O="$D/out.svg"
SHOW="$O $O.err"
spin a spin 1 -k
pa=$W_PID
tool_start "$O" "$PR" -F $HZ -p "$pa" -f --svg "$D/fg.svg"
let_run a
stop_tool INT
end_work a
check "SVG: well-formed, a rect per frame, the chain, the root's total, script and search box" \
	flame_check "$D/fg.svg" "$O" tk_spin main spin_loop spin_here

# In a browser (Debian's chromium, headless, when installed): the script runs,
# and opened as FILE#s=TEXT it has searched: the frames matched, the share.
if command -v chromium >/dev/null && ! in_guest; then
	timeout 60 chromium --headless --no-sandbox --disable-gpu --dump-dom \
		"file://$D/fg.svg#s=spin_h" >"$D/dom" 2>"$D/dom.err"
	check "SVG in chromium: search highlights spin_here and says what share it covers" \
		eval 'grep -q "class=\"f hit\"[^>]*data-n=\"spin_here\"" "$D/dom" && grep -Eq ">Matched: [0-9.]+%<" "$D/dom"'
else
	echo "# SKIP SVG in a browser: no chromium here"
fi

# --- perf event fds and leftovers ---------------------------------------------
O="$D/out.fds"
SHOW="$O $O.err"
tool_start "$O" "$PR" -F $HZ
online=0
for c in $(seq 0 $((NCPU - 1))); do
	[ "$(cat /sys/devices/system/cpu/cpu$c/online 2>/dev/null || echo 1)" = 1 ] && online=$((online + 1))
done
nfd=$(ls -l /proc/"$TOOL_PID"/fd 2>/dev/null | grep -c 'perf_event')
check "one perf event per online CPU while running ($nfd of $online)" [ "$nfd" -eq "$online" ]
stop_tool INT
leak_check "no program, link or map left"

finish
