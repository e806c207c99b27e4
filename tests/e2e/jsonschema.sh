#!/bin/sh
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
# The JSON contract (issue 20): every tool's -j lines are records of
# doc/tracekit.schema.json (each record type's members, no others), and the
# envelope each starts with tells the truth: "host" is uname -n, "tool" the
# tool, "time" - "ts_ns" the wall clock's offset from CLOCK_MONOTONIC, every
# record written between the tool's start and now, and the workload's own
# events (found by its pid, port or device) stamped within its run as this
# file timed it (date +%s%N). Each tool must show at least one record of the
# workload, so a tool that saw nothing fails (lib.sh's json_valid,
# tests/e2e/jsoncheck.py).
#
# Here: the tools whose workloads are cheap. The tools that need a set-up of
# their own check their -j output the same way in their own files, where it
# is already made: ttysnoop (a pty), sslsniff (a TLS server, and the warning
# record), dnssnoop (dnsmasq), oomkill (an OOM kill), tcpretrans (a lossy
# link), bursts.sh (lost records).
. "$(dirname "$0")/lib.sh"
need_root
D=$T_DIR
B=$TK_BIN
H=$TK_HELPERS

now() { date +%s%N; }

# start NAME TOOL ARGS...: the tool, -j, its output in $D/NAME; SINCE_NAME.
start() {
	_s=$1
	shift
	eval "SINCE_$_s=$(now)"
	tool_start "$D/$_s" "$@" -j || return 1
	eval "PID_$_s=$TOOL_PID"
}

# stop NAME: SIGINT to the tool started as NAME, wait for it.
stop() {
	eval "TOOL_PID=\$PID_$1"
	stop_tool INT
	[ "$TOOL_RC" -eq 0 ] || not_ok "$1: exit status $TOOL_RC" "$D/$1.err"
}

# valid NAME TOOL JSONCHECK_ARGS...: $D/NAME holds TOOL's valid records.
valid() {
	_v=$1
	_t=$2
	shift 2
	eval "_since=\$SINCE_$_v"
	json_valid "$_v: every line a $_t record of the schema, the envelope true" \
		"$D/$_v" "$_t" --since "$_since" "$@"
}

# timed NAME: go NAME, with W0 and W1 around it (the workload's run).
timed() {
	W0=$(now)
	go "$@"
	W1=$(now)
}

# release NAME: let a workload that stays (-k) act; go would wait for it.
release() {
	: >"$D/go.$1"
}

# --- the check itself: a record the schema lacks fails -----------------------
printf '%s\n' '{"v":1,"type":"open","time":"2026-12-06T15:42:46.123456789Z","ts_ns":1,"host":"h","tool":"opensnoop","pid":1,"tid":1,"uid":0,"comm":"c","fd":3,"err":0,"flags":0,"extra":1,"path":"/"}' >"$D/bad"
for PY in /usr/bin/python3 python3 ""; do
	[ -n "$PY" ] && "$PY" -c 'import jsonschema' 2>/dev/null && break
done
if [ -n "$PY" ]; then
	"$PY" "$ROOT/tests/e2e/jsoncheck.py" "$D/bad" opensnoop >"$D/bad.out" 2>&1
	rc=$?
	SHOW="$D/bad.out"
	check "the checker refuses an undocumented member and a missing one" \
		all '[ $rc -eq 1 ]' 'has "$D/bad.out" ".extra. was unexpected"' \
		'has_text "$D/bad.out" "is a required property"' 'has_text "$D/bad.out" "no record of type"'
	SHOW=
fi

# --- opensnoop, syscount: a tk_work of our own --------------------------------
work o -n 3 "$TK_OPEN" "$D/tk-json-open"
po=$W_PID
start opensnoop "$B/opensnoop" -p "$po" || exit 1
work s -n 20 getppid
ps=$W_PID
start syscount "$B/syscount" -p "$ps" || exit 1
timed o
W0o=$W0 W1o=$W1
go s
stop opensnoop
stop syscount
valid opensnoop opensnoop --type open --match pid="$po" --match path="$D/tk-json-open" --work "$W0o:$W1o"
valid syscount syscount --type summary

# --- execsnoop, exitsnoop, killsnoop: tk_proc's children ----------------------
start execsnoop "$B/execsnoop" || exit 1
start exitsnoop "$B/exitsnoop" || exit 1
start killsnoop "$B/killsnoop" || exit 1
helper_go x "$H/tk_proc" -g "$D/go.x" exec /bin/true true tk-json
px=$W_PID
helper_go e "$H/tk_proc" -g "$D/go.e" exit 3
pe=$W_PID
helper_go k "$H/tk_proc" -g "$D/go.k" send kill 15
pk=$W_PID
timed x e k
sleep 0.2
stop execsnoop
stop exitsnoop
stop killsnoop
valid execsnoop execsnoop --type exec --match ppid="$px" --match filename=/bin/true --work "$W0:$W1"
valid exitsnoop exitsnoop --type exit --match ppid="$pe" --match code=3 --work "$W0:$W1"
valid killsnoop killsnoop --type kill --match pid="$pk" --match sig=15 --work "$W0:$W1"

# --- mountsnoop, bindsnoop ----------------------------------------------------
mkdir "$D/mnt"
start mountsnoop "$B/mountsnoop" || exit 1
start bindsnoop "$B/bindsnoop" || exit 1
helper_go m "$H/tk_mount" -g "$D/go.m" "$D/mnt"
pm=$W_PID
helper_go b "$H/tk_bind" -g "$D/go.b"
pb=$W_PID
timed m b
stop mountsnoop
stop bindsnoop
valid mountsnoop mountsnoop --type mount --match pid="$pm" --match source="tk-src-$pm" --work "$W0:$W1"
valid bindsnoop bindsnoop --type bind --match pid="$pb" --work "$W0:$W1"

# --- the TCP tools on one session of our own ----------------------------------
server j 127.0.0.1 -w 100
start tcpconnect "$B/tcpconnect" || exit 1
start tcpconnect_c "$B/tcpconnect" -c || exit 1
start tcpaccept "$B/tcpaccept" || exit 1
start tcplife "$B/tcplife" || exit 1
start tcpstates "$B/tcpstates" || exit 1
talk t -w 100 127.0.0.1 "$S_PORT" 1
pt=$W_PID
timed t
sleep 0.2
W1=$(now)
for s in tcpconnect tcpconnect_c tcpaccept tcplife tcpstates; do stop $s; done
valid tcpconnect tcpconnect --type connect --match pid="$pt" --match dport="$S_PORT" --work "$W0:$W1"
valid tcpconnect_c tcpconnect --type summary
valid tcpaccept tcpaccept --type accept --match pid="$S_PID" --match lport="$S_PORT" --work "$W0:$W1"
# The sessions close after the talk ends: the server's end may close later.
valid tcplife tcplife --type session --match pid="$pt" --match rport="$S_PORT" --work "$W0:$W1"
valid tcpstates tcpstates --type state --match rport="$S_PORT" --work "$W0:$W1"

# --- biosnoop, biolatency: 4 KiB direct reads of a loop device of ours ---------
truncate -s 8M "$D/disk"
if loop_attach "$D/disk"; then
	start biosnoop "$B/biosnoop" || exit 1
	start biolatency "$B/biolatency" || exit 1
	helper_go d "$H/tk_dio" -g "$D/go.d" "$LOOPDEV" read 4 4096
	pd=$W_PID
	timed d
	sleep 0.2
	stop biosnoop
	stop biolatency
	valid biosnoop biosnoop --type io --match pid="$pd" --match disk="${LOOPDEV#/dev/}" --work "$W0:$W1"
	valid biolatency biolatency --type histograms
fi

# --- the stack tools and runqlat: summaries at the end ------------------------
helper_go p "$H/tk_spin" -g "$D/go.p" -k spin 0.5
pp=$W_PID
start profile "$B/profile" -p "$pp" || exit 1
helper_go f "$H/tk_sleep" -g "$D/go.f" -k 3 50
pf=$W_PID
start offcputime "$B/offcputime" -p "$pf" || exit 1
start runqlat "$B/runqlat" || exit 1
release p
release f
wait_for "$D/work.p" '^cpu_ns ' 10
wait_for "$D/work.f" "^vfork " 10
stop profile
stop offcputime
stop runqlat
valid profile profile --type stack --match pid="$pp"
valid profile profile --type profile
valid offcputime offcputime --type stack --match pid="$pf"
valid offcputime offcputime --type offcputime
valid runqlat runqlat --type histograms

# --- the rest check their own -j output -----------------------------------------
for f in ttysnoop sslsniff dnssnoop oomkill tcpretrans bursts; do
	check "$f.sh validates its -j output (json_valid)" grep -q '^[[:space:]]*json_valid ' "$ROOT/tests/e2e/$f.sh"
done

finish
