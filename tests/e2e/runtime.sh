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

# blocked_on_pipe PID: PID's main thread sleeps in a write to stdout, a full
# pipe: its wchan (pipe_write; anon_pipe_write since 6.16), or, where wchan
# says nothing (5.10), its system call and state.
blocked_on_pipe() {
	case "$(cat "/proc/$1/wchan" 2>/dev/null)" in *pipe_write) return 0 ;; esac
	case "$(cat "/proc/$1/syscall" 2>/dev/null)" in "$NR_write 0x1 "*) ;; *) return 1 ;; esac
	[ "$(sed -n 's/^State:[[:space:]]*\([A-Z]\).*/\1/p' "/proc/$1/status" 2>/dev/null)" = S ]
}

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
	# Until the pipe is full and the tool is blocked writing to it (on the
	# host well within a second; a TCG guest sharing the CPUs may need more).
	_i=0
	until blocked_on_pipe "$(cat "$D/stall.pid")" || [ $_i -ge 200 ]; do
		sleep 0.1
		_i=$((_i + 1))
	done
	check "stopped reader: SIG$sig: the tool is blocked writing to the full pipe" \
		blocked_on_pipe "$(cat "$D/stall.pid")"
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

# --- No kernel BTF. In a mount namespace, /sys/kernel/btf is an empty tmpfs
# and /usr/lib/tracekit/btf holds what the test puts in $D/sys. The tool is a
# copy of the binary in a directory of the test's own, its "kit" (btf/ beside
# it). A tool looks at --btf FILE (given: only that), else the kernel's own,
# then btf/RELEASE.btf beside the binary, then /usr/lib/tracekit/btf; and
# finding none, says in one line where it looked, before anything is loaded
# (libbpf's words were "No such process"). The BTF is a real one, minimised
# for the tools by `make btf` from this kernel's own (the guest has no make:
# there, the one the lane made on the host is in the kit). ---
REL=$(uname -r)
SYSBTF=/usr/lib/tracekit/btf
mkdir -p "$D/sys" "$D/ov"
# The namespace's setup, then the command. /usr/lib/tracekit is a tmpfs, or,
# where there is none to mount on, /usr/lib an overlay whose changes stay in
# a tmpfs; in the guest, whose root is a throwaway initramfs, it is made.
printf '%s\n' \
	'mount --make-rprivate / 2>/dev/null' \
	'mount -t tmpfs none /sys/kernel/btf || exit 99' \
	'if [ -d /usr/lib/tracekit ]; then' \
	'	mount -t tmpfs none /usr/lib/tracekit || exit 99' \
	"elif ! { mount -t tmpfs none '$D/ov' && mkdir '$D/ov/u' '$D/ov/w' &&" \
	"	mount -t overlay overlay -o 'lowerdir=/usr/lib,upperdir=$D/ov/u,workdir=$D/ov/w' /usr/lib; } 2>/dev/null; then" \
	'	[ -e /etc/tkvm.conf ] || exit 99' \
	'fi' \
	"mkdir -p $SYSBTF && cp -R '$D/sys/.' $SYSBTF/ || exit 99" \
	'exec "$@"' >"$D/ns.sh"
# in_ns TOOL ARGS...: TOOL, as the namespace above shows the machine (in
# the background, run unshare itself: TOOL is then $!, as it execs).
in_ns() { unshare -m sh "$D/ns.sh" "$@"; }
# kit_copy NAME: $D/kit/NAME, a copy of the binary behind $TK_BIN/NAME (the
# multi-call binary, named NAME, is that tool).
kit_copy() {
	mkdir -p "$D/kit"
	cp "$(readlink -f "$TK_BIN/$1")" "$D/kit/$1"
}

MIN=
if ! command -v unshare >/dev/null 2>&1; then
	not_ok "no unshare(1) to hide the kernel BTF in a mount namespace"
elif in_guest; then
	MIN=$(dirname "$(readlink -f "$TK_BIN/opensnoop")")/btf/$REL.btf
	check "the kit holds a BTF for $REL (the lane's)" [ -s "$MIN" ]
else
	MIN=$D/btf/$REL.btf
	make -s -C "$ROOT" btf BTF_OUT="$D/btf" >"$D/make-btf.out" 2>&1
	SHOW=$D/make-btf.out check "make btf: a minimised BTF of this kernel's for the tools" \
		[ -s "$MIN" ]
fi
if [ -s "$MIN" ]; then
	for t in $(sed -n 's/^TOOLS := //p' "$ROOT/Makefile" 2>/dev/null); do
		a=
		[ "$t" = ttysnoop ] && a=-a
		kit_copy "$t"
		in_ns "$D/kit/$t" $a -v >"$D/nobtf.out" 2>"$D/nobtf.err"
		rc=$?
		if [ $rc -eq 1 ] && [ "$(grep -c . "$D/nobtf.err")" -eq 1 ] &&
		   has_text "$D/nobtf.err" "$t: no kernel BTF for $REL: looked at /sys/kernel/btf/vmlinux, $D/kit/btf/$REL.btf, $SYSBTF/$REL.btf; pass --btf FILE"; then
			ok "$t without any BTF: one line naming every place looked at, status 1"
		else
			not_ok "$t without any BTF: one line naming every place looked at, status 1 (got $rc)" "$D/nobtf.err"
		fi
	done

	# btf_run WHAT WANT ARGS...: opensnoop from the kit, in the namespace,
	# with ARGS, sees the failed open of a path of its own, and -v names
	# WANT as the BTF used.
	n=0
	btf_run() {
		_w=$1 _want=$2
		shift 2
		n=$((n + 1))
		_p=$D/nobtf-probe-$n
		O=$D/nobtf.$n
		SHOW="$O $O.err"
		tool_start "$O" unshare -m sh "$D/ns.sh" "$D/kit/opensnoop" -x -j "$@" &&
			{
				cat "$_p" 2>/dev/null
				wait_for "$O" "\"path\":\"$_p\"" 10
			}
		stop_tool INT
		check "$_w: -v names $_want" has_text "$O.err" "opensnoop: BTF: $_want"
		check "$_w: sees the failed open of $_p" has "$O" "\"err\":2,.*\"path\":\"$_p\""
		check "$_w: status 0 on SIGINT" [ "$TOOL_RC" -eq 0 ]
	}
	cp "$MIN" "$D/sys/$REL.btf"
	btf_run "a BTF in $SYSBTF only" "$SYSBTF/$REL.btf (the kernel has none of its own)"
	# Where the lookup must not go, a file that is not BTF: a run on it
	# would fail.
	echo "not BTF" >"$D/sys/$REL.btf"
	mkdir -p "$D/kit/btf"
	cp "$MIN" "$D/kit/btf/$REL.btf"
	btf_run "the kit's BTF before $SYSBTF's" \
		"$D/kit/btf/$REL.btf (the kernel has none of its own)"
	cp "$MIN" "$D/given.btf"
	echo "not BTF" >"$D/kit/btf/$REL.btf"
	btf_run "--btf FILE before the kit's" "$D/given.btf (--btf)" --btf "$D/given.btf"
	# --btf is all there is when given: a missing FILE is an error, not a
	# reason to look elsewhere.
	cp "$MIN" "$D/kit/btf/$REL.btf"
	in_ns "$D/kit/opensnoop" --btf "$D/nonexistent.btf" >"$D/nobtf.out" 2>"$D/nobtf.err"
	rc=$?
	SHOW=$D/nobtf.err check "--btf MISSING, with a BTF in the kit: a usage error, status 2" \
		eval '[ $rc -eq 2 ] && has_text "$D/nobtf.err" "cannot read BTF file '"'"'$D/nonexistent.btf'"'"'"'
	rm -rf "$D/kit"
	# Made in the guest's own root, where no overlay was to be had.
	in_guest && rm -rf /usr/lib/tracekit
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
# evidence: the same words as on stderr, as a {"v":1,"type":"warning",...,"message":...} record.
sleep 30 &
NOTLS=$!
T_PIDS="$T_PIDS $NOTLS"
"$TK_BIN/sslsniff" -j -p "$NOTLS" >"$D/warn.out" 2>"$D/warn.err"
rc=$?
kill "$NOTLS" 2>/dev/null
msg=$(sed -n 's/^sslsniff: //p' "$D/warn.err")
SHOW="$D/warn.out $D/warn.err"
check "-j: a failed start is status 1" [ $rc -eq 1 ]
json_valid "-j: the warning is a record of the schema" "$D/warn.out" sslsniff --type warning
check "-j: the warning is on stderr" has_text "$D/warn.err" "process $NOTLS uses no TLS library"
check "-j: and the same words as the one JSON record on stdout" \
	all 'has "$D/warn.out" "^$(je warning),\"message\":\""' \
	'has_text "$D/warn.out" ",\"message\":\"$msg\"}"' '[ "$(grep -c . "$D/warn.out")" -eq 1 ]'

# --- Hash maps filled as entries come where the kernel's BPF memory
# allocator (a 6.1 or later release) makes that safe: the kernel's own view
# of the tool's map (its fdinfo). tcplife's one hash map, 32768 sessions.
# Its events on this path are tcplife.sh's.
# hash_flags PID: map_flags of PID's hash maps (map_type 1) of 32768 entries.
hash_flags() {
	for _f in /proc/"$1"/fdinfo/*; do
		awk '$1 == "map_type:" { t = $2 } $1 == "max_entries:" { n = $2 }
			$1 == "map_flags:" { f = $2 }
			END { if (t == 1 && n == 32768) print f }' "$_f" 2>/dev/null
	done
}
if release_at_least 6 1; then
	want=0x1 says=has
else
	want=0x0 says=not
fi
for pre in 0 1; do
	O="$D/ondemand.$pre"
	SHOW="$O.err"
	[ $pre = 1 ] && want=0x0 says=not
	export TRACEKIT_PREALLOC=$pre
	tool_start "$O" "$TK_BIN/tcplife" || continue
	flags=$(hash_flags "$TOOL_PID")
	stop_tool INT
	unset TRACEKIT_PREALLOC
	check "TRACEKIT_PREALLOC=$pre: the sessions map's flags are $want (the kernel's fdinfo: '$flags')" \
		[ "$flags" = "$want" ]
	check "TRACEKIT_PREALLOC=$pre: -v $( [ $says = has ] && echo says || echo 'does not say') the maps fill as entries come" \
		$( [ $says = has ] || echo not ) has "$O.err" '^tcplife: maps: 1 hash map filled as entries come, not preallocated$'
	check "TRACEKIT_PREALLOC=$pre: exit 0" [ "$TOOL_RC" -eq 0 ]
done

finish
