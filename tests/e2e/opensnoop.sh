#!/bin/sh
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
# opensnoop end to end: real tool, real kernel, a workload that opens known
# paths; every assertion is about an event the tool must have seen.
. "$(dirname "$0")/lib.sh"
need_root
OS="$TK_BIN/opensnoop"
VARIANTS=${TK_VARIANTS_opensnoop:-"auto tracepoint tracepoint-enter"}
D=$T_DIR
echo hello >"$D/exists"

# One traced run: tool_start, the workload `go`, then SIGINT.
# run_case NAME OPENSNOOP_ARGS -- TK_WORK_ARGS
for v in $VARIANTS; do
	O="$D/out.$v"
	# A variant this kernel cannot run must fail cleanly when forced.
	variant_refused "$OS" "$v" && continue
	SHOW="$O $O.err"
	A="--attach=$v"

	# --- text: success and ENOENT from a known pid, with the right fd ---
	work a openat "$D/exists"
	pa=$W_PID
	work b openat "$D/missing.$v"
	pb=$W_PID
	tool_start "$O" "$OS" "$A" || continue
	go a
	go b
	sleep 0.3
	stop_tool INT
	check "[$v] exit 0 on SIGINT" [ "$TOOL_RC" -eq 0 ]
	fd=$(sed -n 's/^openat ret \([0-9]*\)/\1/p' "$D/work.a")
	if has "$O" "^$pa +tk_work +$fd +0 $D/exists\$"; then
		ok "[$v] open of $D/exists by $pa with fd $fd"
	else
		not_ok "[$v] open of $D/exists by $pa with fd $fd" "$O" "$D/work.a"
	fi
	if has "$O" "^$pb +tk_work +-1 +2 $D/missing.$v\$"; then
		ok "[$v] ENOENT open shows fd -1 err 2"
	else
		not_ok "[$v] ENOENT open shows fd -1 err 2" "$O"
	fi
	check "[$v] header line" has "$O" '^PID +COMM +FD +ERR +PATH$'

	# --- JSON: the same fields ---
	work a -T openat "$D/exists"
	pa=$W_PID
	ta=$W_TID
	tool_start "$O" "$OS" "$A" -j || continue
	go a
	sleep 0.3
	stop_tool INT
	line=$(grep "\"path\":\"$D/exists\"" "$O" | grep "\"pid\":$pa,")
	fd=$(sed -n 's/^openat ret \([0-9]*\)/\1/p' "$D/work.a")
	case "$line" in
	*"\"tid\":$ta,"*"\"comm\":\"tk_work\""*"\"fd\":$fd,\"err\":0,"*)
		ok "[$v] JSON record with pid, tid, comm, fd, err, path" ;;
	*) not_ok "[$v] JSON record with pid $pa, tid $ta, comm, fd $fd, err, path (got: $line)" "$D/work.a" ;;
	esac
	if grep -v '^{.*}$' "$O" | grep -q .; then
		not_ok "[$v] JSON mode prints only objects" "$O"
	else
		ok "[$v] JSON mode prints only objects"
	fi

	# --- open, openat2 and the flags/mode columns ---
	work a $TK_OPEN "$D/new.open.$v" 0101
	work b openat2 "$D/new.openat2.$v" 0102
	tool_start "$O" "$OS" "$A" -e || continue
	go a
	go b
	sleep 0.3
	stop_tool INT
	check "[$v] $TK_OPEN(2) traced with FLAGS 00000101 MODE 0644" \
		has "$O" " 00000101 0644 $D/new.open.$v\$"
	check "[$v] openat2(2) traced with FLAGS 00000102 MODE 0644" \
		has "$O" " 00000102 0644 $D/new.openat2.$v\$"

	# --- -F: relative paths resolved against cwd and against a dirfd ---
	mkdir -p "$D/cwd.$v/sub"
	work a -c "$D/cwd.$v" openat "sub/rel"
	work b openatdir "$D/cwd.$v/sub" "viadirfd"
	tool_start "$O" "$OS" "$A" -F || continue
	go a
	go b
	sleep 0.3
	stop_tool INT
	check "[$v] -F joins the opener's cwd" has "$O" " $D/cwd.$v/sub/rel\$"
	check "[$v] -F joins the dirfd's directory" has "$O" " $D/cwd.$v/sub/viadirfd\$"
done

# The filters, each including what it should and excluding the rest.
O="$D/out.filter"
SHOW="$O $O.err"
work a openat "$D/exists.a"
pa=$W_PID
work b openat "$D/exists.b"
tool_start "$O" "$OS" -p "$pa"
go a
go b
sleep 0.3
stop_tool INT
check "-p includes that pid" has "$O" "^$pa .* $D/exists.a\$"
check "-p excludes other pids" not has_text "$O" "$D/exists.b"

work a -T openat "$D/t.thread"
ta=$W_TID
tool_start "$O" "$OS" -t "$ta"
go a
sleep 0.3
stop_tool INT
check "-t includes that thread" has "$O" " $D/t.thread\$"
work a -T openat "$D/t.thread2"
tool_start "$O" "$OS" -t "$(sed -n 's/^pid \([0-9]*\).*/\1/p' "$D/work.a")"
go a
sleep 0.3
stop_tool INT
check "-t excludes other threads of the process" not has_text "$O" "$D/t.thread2"

chmod 0777 "$D"
work a -u 65534 openat "$D/by.nobody"
work b openat "$D/by.root"
tool_start "$O" "$OS" -u 65534 -U
go a
go b
sleep 0.3
stop_tool INT
check "-u includes that uid (and -U shows it)" has "$O" "^65534 .* $D/by.nobody\$"
check "-u excludes other uids" not has_text "$O" "$D/by.root"

work a openat "$D/n.1"
work b openat "$D/n.2"
tool_start "$O" "$OS" -n _wor
go a
cat /etc/hostname >/dev/null
go b
sleep 0.3
stop_tool INT
check "-n matches a substring of comm" has "$O" " $D/n.1\$"
check "-n keeps tracing after a non-matching event" has "$O" " $D/n.2\$"
check "-n excludes other comms" not has "$O" "^[0-9]+ +cat "

echo ok >"$D/x.ok"
work a openat "$D/x.ok"
work b openat "$D/x.missing"
tool_start "$O" "$OS" -x
go a
go b
sleep 0.3
stop_tool INT
check "-x includes failed opens" has "$O" " $D/x.missing\$"
check "-x excludes successful opens" not has_text "$O" "$D/x.ok"

work a openat "$D/f.w" 0101
work b openat "$D/exists"
work c openat "$D/f.rw" 0102
tool_start "$O" "$OS" -f O_WRONLY -f O_RDWR
go a
go b
go c
sleep 0.3
stop_tool INT
check "-f O_WRONLY includes write opens" has "$O" " $D/f.w\$"
check "-f O_RDWR (repeated -f) includes read-write opens" has "$O" " $D/f.rw\$"
check "-f excludes read-only opens" not has "$O" " $D/exists\$"

CG=/sys/fs/cgroup/unified/tk-e2e-$$
if mkdir "$CG" 2>/dev/null; then
	work a -C "$CG" openat "$D/cg.in"
	work b openat "$D/cg.out"
	tool_start "$O" "$OS" --cgroup "$CG"
	go a
	go b
	sleep 0.3
	stop_tool INT
	check "--cgroup includes processes in the cgroup" has "$O" " $D/cg.in\$"
	check "--cgroup excludes the rest" not has_text "$O" "$D/cg.out"
	rmdir "$CG"
else
	not_ok "cannot create cgroup $CG"
fi

# Untrusted names cannot put control sequences on the terminal.
esc=$(printf '%s/esc\033[31mred' "$D")
work a openat "$esc"
tool_start "$O" "$OS"
go a
sleep 0.3
stop_tool INT
check "control bytes in paths are escaped in text" has "$O" 'esc\\x1b\[31mred$'
check "no raw escape byte reaches the output" not grep -q "$(printf '\033')" "$O"
work a openat "$esc"
tool_start "$O" "$OS" -j
go a
sleep 0.3
stop_tool INT
check "control bytes in paths are escaped in JSON" has "$O" 'esc\\u001b\[31mred"'

# Ends: -d, SIGTERM, SIGPIPE; events received before the end are printed.
work a openat "$D/end.d"
start_tool "$O" "$O.err" "$OS" -d 1.5 -v
wait_for "$O.err" 'Ctrl-C to end' 10
go a
wait "$TOOL_PID"
check "-d ends with status 0" [ $? -eq 0 ]
check "-d end flushes the events received" has "$O" " $D/end.d\$"

work a openat "$D/end.term"
tool_start "$O" "$OS" -j
go a
sleep 0.3
stop_tool TERM
check "SIGTERM ends with status 0" [ "$TOOL_RC" -eq 0 ]
check "SIGTERM end flushes the events received" has "$O" "end.term"

work a -n 100000 openat "$D/exists"
( "$OS"; echo $? >"$D/pipe.rc" ) 2>"$D/pipe.err" | head -n 1 >"$D/pipe.out" &
sleep 0.5
go a
i=0
while [ ! -s "$D/pipe.rc" ] && [ $i -lt 100 ]; do sleep 0.05; i=$((i + 1)); done
check "SIGPIPE (opensnoop | head -1) ends with status 0" [ "$(cat "$D/pipe.rc" 2>/dev/null)" = 0 ]
SHOW="$D/pipe.err"
check "SIGPIPE end is quiet" only_v_lines "$D/pipe.err"
SHOW="$O $O.err"

# tracefs may be unmounted on a fresh machine: the tool mounts it. In a
# mount namespace of its own, so nothing else running sees tracefs go.
if command -v unshare >/dev/null 2>&1; then
	work a openat "$D/after.umount"
	: >"$O"
	: >"$O.err"
	unshare -m sh -c 'mount --make-rprivate / 2>/dev/null
		umount /sys/kernel/debug/tracing 2>/dev/null
		umount /sys/kernel/debug 2>/dev/null	# its tracing/ automounts
		umount /sys/kernel/tracing || exit 99
		"$1" -v 2>"$2.err" >"$2" &
		p=$!
		# (INT is ignored by a background shell, and cannot be trapped.)
		trap "kill -TERM $p" TERM
		wait $p
		wait $p
		# What the tool mounted, it unmounts.
		if grep -q " /sys/kernel/tracing tracefs " /proc/self/mounts; then
			echo mounted >"$2.mnt"
		else
			echo unmounted >"$2.mnt"
		fi' sh "$OS" "$O" &
	TOOL_PID=$!
	T_PIDS="$T_PIDS $TOOL_PID"
	if wait_for "$O.err" 'Ctrl-C to end' 30; then
		go a
		sleep 0.3
	fi
	stop_tool TERM
	check "tracefs unmounted: says it mounted it" has "$O.err" 'mounted tracefs at /sys/kernel/tracing'
	check "tracefs unmounted: still sees the open" has "$O" " $D/after.umount\$"
	check "tracefs unmounted: unmounted again at exit" has "$O.mnt" '^unmounted$'
else
	not_ok "no unshare(1) to test a missing tracefs in a mount namespace"
fi

# Loss is always counted: with the reader stalled, a burst overflows the
# buffer; what arrives plus what is reported lost is exactly what was opened.
# A second, small burst after the reader is back makes the kernel deliver its
# own lost-record notices on the perf buffer (which were once counted on top
# of the tool's own count): on the same CPU, whose buffer had the losses.
# Both workloads run as "tkburst", the -n filter.
N=60000
M=500
ln -sf "$TK_HELPERS/tk_work" "$D/tkburst"
: >"$O.err"
rm -f "$D/burst.done" "$D/burst.rc" "$D/go.a" "$D/go.b"
mkfifo "$D/go.a" "$D/go.b"
taskset -c 0 "$D/tkburst" -g "$D/go.a" -n $N openat "$D/burst" >"$D/work.a" 2>&1 &
W1=$!
taskset -c 0 "$D/tkburst" -g "$D/go.b" -n $M openat "$D/burst" >"$D/work.b" 2>&1 &
W2=$!
T_PIDS="$T_PIDS $W1 $W2"
(
	"$OS" -j -v -n tkburst 2>"$O.err" &
	echo $! >"$D/burst.pid"
	wait $!
	echo $? >"$D/burst.rc"
) | { while [ ! -e "$D/burst.done" ]; do sleep 0.1; done; cat; } >"$O" &
T_PIDS="$T_PIDS $!"
wait_for "$O.err" 'Ctrl-C to end' 10
( : >"$D/go.a" ) &
wait $W1
touch "$D/burst.done"
sleep 0.5
( : >"$D/go.b" ) &
wait $W2
sleep 0.5
kill -INT "$(cat "$D/burst.pid")"
wait_for "$D/burst.rc" . 30
got=$(grep -c "\"path\":\"$D/burst\"" "$O")
lost=$(json_num "$O" count | awk '{ s += $1 } END { print s + 0 }')
check "stalled reader: status 0" [ "$(cat "$D/burst.rc")" = 0 ]
check "stalled reader: events were lost and reported ($lost)" [ "$lost" -gt 0 ]
check "stalled reader: delivered $got + lost $lost = opened $((N + M))" [ $((got + lost)) -eq $((N + M)) ]

# In a pid namespace (unshare -p, with and without its own /proc), -p
# takes the pid there, as the workload's getpid() says: opensnoop must see
# that process open a path of its own, and not another one's.
for m in --mount-proc ""; do
	rm -f "$D/go.ns" "$D/go.ns.2" "$D/work.ns" "$D/work.ns.2" "$D/ns.pid"
	mkfifo "$D/go.ns" "$D/go.ns.2"
	: >"$O.err"
	# The workload's pid in the namespace, from its own first line; a
	# second workload opens another path unwatched.
	unshare -p -f $m sh -c '
		"$1" -g "$2" openat "$3.watched" >"$4" 2>&1 &
		"$1" -g "$2.2" openat "$3.other" >"$4.2" 2>&1 &
		i=0
		while ! grep -q "^pid " "$4" && [ $i -lt 100 ]; do sleep 0.05; i=$((i + 1)); done
		wp=$(sed -n "s/^pid \([0-9]*\).*/\1/p" "$4")
		echo "$wp" >"$6"
		exec "$5" -v -d 3 -p "$wp"
	' sh "$TK_HELPERS/tk_work" "$D/go.ns" "$D/ns" "$D/work.ns" "$OS" "$D/ns.pid" \
		>"$O" 2>"$O.err" &
	T_PIDS="$T_PIDS $!"
	ns=$!
	if wait_for "$O.err" 'Ctrl-C to end' 10; then
		( : >"$D/go.ns" ) &
		( : >"$D/go.ns.2" ) &
	fi
	wait "$ns"
	rc=$?
	SHOW="$O $O.err $D/work.ns"
	check "pid namespace ($m): opensnoop -p $(cat "$D/ns.pid" 2>/dev/null) ends with status 0" \
		[ $rc -eq 0 ]
	check "pid namespace ($m): -p with the namespace's pid sees its open" \
		has "$O" "tk_work .* $D/ns.watched\$"
	check "pid namespace ($m): and not another process's" not has_text "$O" "$D/ns.other"
done
SHOW="$O"

# Not root: one line, status 1, nothing loaded.
not_root_check "$OS"

leak_check "no BPF program or link left behind"
finish
