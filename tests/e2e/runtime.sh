#!/bin/sh
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
# The shared runtime, through real tools: how a run ends under a flood and
# with a reader that stopped reading, and what a machine without kernel BTF
# is told. (Each tool's own file tests its events; this one, what they all
# share, so it runs on the ring and the perf buffer alike.)
. "$(dirname "$0")/lib.sh"
need_root
OS="$TK_BIN/opensnoop"
D=$T_DIR

# gone_within PID TENTHS: PID has exited within TENTHS tenths of a second.
gone_within() {
	_i=0
	while kill -0 "$1" 2>/dev/null; do
		[ $_i -ge "$2" ] && return 1
		sleep 0.1
		_i=$((_i + 1))
	done
	return 0
}

# where_stuck PID: each of its threads' state, system call and kernel stack.
where_stuck() {
	for _t in /proc/"$1"/task/*; do
		echo "thread ${_t##*/}: $(cat "$_t/stat" 2>/dev/null | cut -d' ' -f3) wchan $(cat "$_t/wchan" 2>/dev/null)"
		echo "  syscall: $(cat "$_t/syscall" 2>/dev/null)"
		sed 's/^/  /' "$_t/stack" 2>/dev/null
	done
}

# How soon a signal must end a run: 2 s here; in a qemu guest under TCG, with
# another guest on the same two host CPUs, detaching alone can take a second,
# so 10 s there (the fault this guards against drained for over 15 s).
if in_guest; then END_S=10; else END_S=2; fi

# flood NAME: a workload opening $D/flood.NAME for as long as it is let.
flood() {
	work "$1" -n 1000000000 openat "$D/flood.$1"
	( : >"$T_DIR/go.$1" ) &
	T_PIDS="$T_PIDS $!"
	FLOOD_PID=$W_PID
}

# --- Ctrl-C under a sustained flood into a slow but live reader: the tool
# stops producing, prints what it can within a second, counts the rest, and
# ends (it kept draining new records for over 15 s before). ---
for sig in INT TERM; do
	flood "slow$sig"
	rm -f "$D/slow.rc"
	(
		"$OS" -v -p "$FLOOD_PID" 2>"$D/slow.err" &
		echo $! >"$D/slow.pid"
		wait $!
		echo $? >"$D/slow.rc"
	) | { while IFS= read -r line; do sleep 0.001; done; } &
	T_PIDS="$T_PIDS $!"
	wait_for "$D/slow.err" 'Ctrl-C to end' 30
	sleep 1
	kill -"$sig" "$(cat "$D/slow.pid")"
	if gone_within "$(cat "$D/slow.pid")" $((END_S * 10)); then
		ok "flood, slow reader: SIG$sig ends the tool within $END_S s"
	else
		where_stuck "$(cat "$D/slow.pid")" >>"$D/slow.err"
		not_ok "flood, slow reader: SIG$sig ends the tool within $END_S s" "$D/slow.err"
		kill -KILL "$(cat "$D/slow.pid")" 2>/dev/null
	fi
	kill "$FLOOD_PID" 2>/dev/null
	wait_for "$D/slow.rc" . 30
	check "flood, slow reader: SIG$sig: status 0" [ "$(cat "$D/slow.rc" 2>/dev/null)" = 0 ]
	SHOW="$D/slow.err"
	# (Under TCG the flood may not outrun the reader: then nothing is lost.)
	in_guest || check "flood, slow reader: SIG$sig: the loss is reported" has "$D/slow.err" ' events? lost$'
done

# --- A reader that stopped reading (full pipe): the write blocks. The first
# signal still ends the tool, with the loss report on stderr; it used to take
# a second signal, which killed it with no report at all. ---
for sig in INT TERM; do
	flood "stall$sig"
	rm -f "$D/fifo" "$D/stall.rc"
	mkfifo "$D/fifo"
	sleep 1000 <"$D/fifo" &
	READER=$!
	T_PIDS="$T_PIDS $READER"
	(
		"$OS" -v -p "$FLOOD_PID" >"$D/fifo" 2>"$D/stall.err" &
		echo $! >"$D/stall.pid"
		wait $!
		echo $? >"$D/stall.rc"
	) &
	T_PIDS="$T_PIDS $!"
	wait_for "$D/stall.err" 'Ctrl-C to end' 30
	sleep 1.5	# a 64 KiB pipe is full long before this
	kill -"$sig" "$(cat "$D/stall.pid")"
	if gone_within "$(cat "$D/stall.pid")" $((END_S * 10)); then
		ok "stopped reader: one SIG$sig ends the tool within $END_S s"
	else
		not_ok "stopped reader: one SIG$sig ends the tool within $END_S s" "$D/stall.err"
		kill -KILL "$(cat "$D/stall.pid")" 2>/dev/null
	fi
	kill "$FLOOD_PID" "$READER" 2>/dev/null
	wait_for "$D/stall.rc" . 30
	SHOW="$D/stall.err"
	check "stopped reader: SIG$sig: status 0" [ "$(cat "$D/stall.rc" 2>/dev/null)" = 0 ]
	check "stopped reader: SIG$sig: the loss is reported" has "$D/stall.err" ' events? lost$'
	check "stopped reader: SIG$sig: says the output was abandoned" \
		has "$D/stall.err" 'output abandoned: the reader of stdout stopped reading'
done

# --- No kernel BTF: one line naming the file and the remedy, before any
# variant is announced or anything loaded (libbpf said "No such process"). ---
if command -v unshare >/dev/null 2>&1; then
	for t in opensnoop syscount biolatency tcpconnect "ttysnoop -a" sslsniff dnssnoop; do
		# shellcheck disable=SC2086
		unshare -m sh -c 'mount --make-rprivate / 2>/dev/null
			mount -t tmpfs none /sys/kernel/btf || exit 99
			exec "$@"' sh $TK_BIN/$t -v >"$D/nobtf.out" 2>"$D/nobtf.err"
		rc=$?
		n=${t%% *}
		if [ $rc -eq 1 ] && [ "$(grep -c . "$D/nobtf.err")" -eq 1 ] &&
		   has_text "$D/nobtf.err" "$n: no kernel BTF at /sys/kernel/btf/vmlinux; pass --btf FILE"; then
			ok "$n without kernel BTF: one line naming it, status 1"
		else
			not_ok "$n without kernel BTF: one line naming it, status 1 (got $rc)" "$D/nobtf.err"
		fi
	done
else
	not_ok "no unshare(1) to hide the kernel BTF in a mount namespace"
fi

# --- Invisible and reordering characters in a process name and a path (a
# right-to-left override, a zero-width space) are shown escaped on a
# terminal and as their code points in JSON, never raw: they could make one
# name pass for another. The workload's comm and path are the truth. ---
RLO=$(printf '\342\200\256')
ZWSP=$(printf '\342\200\213')
ln -sf "$TK_HELPERS/tk_work" "$D/tk${ZWSP}w"
for mode in text json; do
	rm -f "$D/go.bidi" "$D/work.bidi"	# not the last mode's pid
	mkfifo "$D/go.bidi"
	"$D/tk${ZWSP}w" -g "$D/go.bidi" openat "$D/evil${RLO}txt.exe" >"$D/work.bidi" 2>&1 &
	T_PIDS="$T_PIDS $!"
	BG=$!
	wait_for "$D/work.bidi" '^tid2 ' 30
	pb=$(sed -n 's/^pid \([0-9]*\).*/\1/p' "$D/work.bidi")
	case $mode in json) j=-j ;; *) j= ;; esac
	# shellcheck disable=SC2086
	tool_start "$D/bidi.$mode" "$OS" -p "$pb" $j
	( : >"$D/go.bidi" ) &
	wait $BG
	sleep 0.3
	stop_tool INT
	SHOW="$D/bidi.$mode"
	check "$mode: the raw override and zero-width space never reach the output" \
		not grep -q -e "$RLO" -e "$ZWSP" "$D/bidi.$mode"
	if [ $mode = text ]; then
		check "text: the process name with its zero-width space escaped" \
			has_text "$D/bidi.text" 'tk\xe2\x80\x8bw'
		check "text: the path with its override escaped" \
			has_text "$D/bidi.text" "$D/evil\\xe2\\x80\\xaetxt.exe"
	else
		check "json: the process name as its code points" \
			has_text "$D/bidi.json" '"comm":"tk\u200bw"'
		check "json: the path as its code points" \
			has_text "$D/bidi.json" "\"path\":\"$D/evil\\u202etxt.exe\""
	fi
done

# --- Under -j a warning is a record too, so a log of the run is complete
# evidence: the same words as on stderr, as {"type":"warning","message":...}.
sleep 30 &
NOTLS=$!
T_PIDS="$T_PIDS $NOTLS"
"$TK_BIN/sslsniff" -j -p "$NOTLS" >"$D/warn.out" 2>"$D/warn.err"
rc=$?
kill "$NOTLS" 2>/dev/null
msg=$(sed -n 's/^sslsniff: //p' "$D/warn.err")
SHOW="$D/warn.out $D/warn.err"
check "-j: a failed start is status 1" [ $rc -eq 1 ]
check "-j: the warning is on stderr" has_text "$D/warn.err" "process $NOTLS uses no TLS library"
check "-j: and the same words as the one JSON record on stdout" \
	[ "$(cat "$D/warn.out")" = "{\"type\":\"warning\",\"message\":\"$msg\"}" ]

finish
