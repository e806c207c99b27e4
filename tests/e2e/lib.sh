# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
# Shared by the end-to-end tests. POSIX sh, busybox-level commands only.
# A test file sources this, defines checks with ok/not_ok, and ends with
# `finish`, which prints "NAME: N passed, M failed".

: "${ROOT:=$(cd "$(dirname "$0")/../.." && pwd)}"
: "${TK_BIN:=$ROOT/bin}" "${TK_HELPERS:=$ROOT/build/tests}"
T_NAME=$(basename "$0" .sh)
# The same file again with the tools forced onto the perf buffer (the path of
# kernels before 5.8; tests/run.sh perfbuf): its results say so.
case "${TRACEKIT_PERF_BUFFER:-0}" in 0 | "") ;; *) T_NAME=$T_NAME-perfbuf ;; esac
T_PASS=0
T_FAIL=0
T_DIR=$(mktemp -d /tmp/tk-e2e.XXXXXX)
trap 't_cleanup' EXIT
trap 'exit 130' INT TERM

t_cleanup() {
	# Background tools and workloads of this file go with it.
	for p in $T_PIDS; do kill "$p" 2>/dev/null; done
	for n in $T_NETNS; do "$IP" netns del "$n" 2>/dev/null; done
	for l in $T_LOOPS; do losetup -d "$l" 2>/dev/null; done
	rm -rf "$T_DIR"
}

ok() {
	T_PASS=$((T_PASS + 1))
	echo "ok - $T_NAME: $1"
}

# not_ok DESCRIPTION [FILE...]: the files are shown to explain the failure.
not_ok() {
	T_FAIL=$((T_FAIL + 1))
	echo "not ok - $T_NAME: $1"
	shift
	for f in "$@"; do
		[ -f "$f" ] || continue
		echo "#   --- $f"
		head -n 40 "$f" | sed 's/^/#   /'
	done
}

# check DESCRIPTION COMMAND...: ok if the command succeeds. On failure the
# files named in $SHOW (the output under test) are shown.
check() {
	d=$1
	shift
	if "$@"; then ok "$d"; else not_ok "$d" $SHOW; fi
}

# only_v_lines FILE: FILE (a tool's stderr under -v) holds nothing but -v's
# own lines: which BTF, which attach variant, which event buffer, the ready
# line (and ttysnoop's one note that its fentry/kprobe variants cannot
# confirm writes).
only_v_lines() {
	! grep -qv -e '^[a-z]*: BTF: ' -e 'attach: ' -e 'using a perf buffer' -e 'Ctrl-C to end' \
		-e '^[a-z]*: maps: ' \
		-e 'sees writes as asked, not as done' -e 'shown as unknown' "$1"
}

# What differs by architecture in what tests make and expect. arm64 has the
# asm-generic syscall table: no open(2) (tests that make one make openat(2)
# there), and its own numbers.
case $(uname -m) in
aarch64) TK_OPEN=openat NR_getppid=173 NR_openat=56 NR_write=64 ;;
*) TK_OPEN=open NR_getppid=110 NR_openat=257 NR_write=1 ;;
esac

# in_guest: running in the qemu lane's busybox guest (TCG: ten times slower,
# so a few timing-bound checks are the host suite's alone).
in_guest() {
	[ -e /etc/tkvm.conf ]
}

finish() {
	echo "$T_NAME: $T_PASS passed, $T_FAIL failed"
	[ "$T_FAIL" -eq 0 ]
}

# Tests that load BPF need root. Outside CI they skip (said loudly); under
# CI=true they fail, so nothing is silently skipped there.
need_root() {
	[ "$(id -u)" = 0 ] && return 0
	if [ "${CI:-}" = true ]; then
		not_ok "needs root to load BPF (CI=true: not skipping)"
	else
		echo "# SKIP $T_NAME: needs root"
	fi
	finish
	exit $?
}

# skip_or_fail REASON: under CI=true a missing piece fails; elsewhere it skips.
skip_or_fail() {
	if [ "${CI:-}" = true ]; then
		not_ok "$1 (CI=true: not skipping; make test-deps)"
	else
		echo "# SKIP $T_NAME: $1 (make test-deps)"
	fi
	finish
	exit $?
}

# wait_for FILE PATTERN [SECONDS]: until FILE has a line matching PATTERN
# (a basic regex, as grep's default; `has` takes extended ones).
wait_for() {
	i=0
	limit=$(( ${3:-10} * 20 ))
	while [ $i -lt $limit ]; do
		grep -q -- "$2" "$1" 2>/dev/null && return 0
		sleep 0.05
		i=$((i + 1))
	done
	return 1
}

# start_tool OUT ERR TOOL ARGS...: run a tool in the background; sets TOOL_PID.
start_tool() {
	out=$1
	err=$2
	shift 2
	# Empty them now: the background job would do it too late for wait_for.
	: >"$out"
	: >"$err"
	"$@" >"$out" 2>"$err" &
	TOOL_PID=$!
	T_PIDS="$T_PIDS $TOOL_PID"
}

# stop_tool [SIGNAL]: signal the tool and wait; sets TOOL_RC.
stop_tool() {
	bpf_track "$TOOL_PID"
	kill -"${1:-INT}" "$TOOL_PID" 2>/dev/null
	wait "$TOOL_PID"
	TOOL_RC=$?
}

# The tool's own BPF objects, learnt from its process while it runs: the
# prog_id, link_id and map_id lines of its /proc/PID/fdinfo/* (a link's
# prog_id is its program's). leak_check then checks that each one is gone,
# so what other tracers load meanwhile (other instances of the same tool
# too) does not count. start_tool's runs are learnt by tool_start once the
# tool is ready and by stop_tool before it signals; others call bpf_track.
T_BPF_IDS=$T_DIR/bpf.ids
: >"$T_BPF_IDS"

# bpf_track PID: add what process PID holds now to the tool's objects.
bpf_track() {
	[ -n "$1" ] || return 0
	grep -h -E '^(prog|link|map)_id:' /proc/"$1"/fdinfo/* 2>/dev/null |
		tr -d ' \t' >>"$T_BPF_IDS"
}

# bpf_track_run COMMAND...: run a short command (in the foreground, status
# kept), learning what it holds while it runs.
bpf_track_run() {
	"$@" &
	_tp=$!
	while [ -d "/proc/$_tp/fd" ] && ! grep -q '^State:[[:space:]]*Z' "/proc/$_tp/status" 2>/dev/null; do
		bpf_track "$_tp"
		sleep 0.01
	done
	wait "$_tp"
}

# helper_missing HELPER PROG_TYPE: bpftool's own probe (not the tool's) says
# the kernel lacks BPF helper HELPER for programs of PROG_TYPE (libbpf's
# names: tracepoint, raw_tracepoint, ...). Probed once per file.
helper_missing() {
	[ -s "$T_DIR/bpftool.probe" ] ||
		bpftool feature probe kernel >"$T_DIR/bpftool.probe" 2>/dev/null
	grep -q "program type $2:\$" "$T_DIR/bpftool.probe" || return 1
	! awk -v t="program type $2:" '
		index($0, t) { on = 1; next }
		on && /^eBPF|^$|^Scanning/ { on = 0 }
		on { print $2 }' "$T_DIR/bpftool.probe" | grep -qx "$1"
}

# release_at_least MAJOR MINOR: the running kernel's release (uname) is
# MAJOR.MINOR or later.
release_at_least() {
	uname -r | awk -F. -v a="$1" -v b="$2" '{ exit !($1 > a || ($1 == a && $2 >= b)) }'
}

# variant_refused TOOL VARIANT [ARGS...]: run TOOL forced onto VARIANT for
# a moment. If the kernel cannot run that variant, the refusal must be
# clean: one line naming the cause, status 1, no output, nothing left
# loaded; a missing BPF helper it names must be missing by bpftool's probe
# too (auto must always attach). Returns 0 when VARIANT was refused (the
# checks are recorded), 1 when it attached (the caller goes on to test it).
variant_refused() {
	_vt=$1
	_vv=$2
	shift 2
	bpf_track_run "$_vt" --attach="$_vv" --duration 0.1 "$@" >"$T_DIR/refused.out" \
		2>"$T_DIR/refused.err"
	_vrc=$?
	if [ $_vrc -eq 0 ] || [ "$_vv" = auto ]; then
		check "[$_vv] attaches" [ $_vrc -eq 0 ]
		return 1
	fi
	_vn=$(basename "$_vt")
	if [ $_vrc -eq 1 ] && [ "$(grep -c . "$T_DIR/refused.err")" -eq 1 ] &&
	   has "$T_DIR/refused.err" "^$_vn: cannot attach with --attach=$_vv: ." &&
	   [ ! -s "$T_DIR/refused.out" ]; then
		ok "[$_vv] unavailable here, and forcing it fails cleanly: $(cat "$T_DIR/refused.err")"
	else
		not_ok "[$_vv] forced variant: one clear line, status 1 (got $_vrc)" "$T_DIR/refused.err"
	fi
	_vh=$(sed -n 's/.*lacks BPF helper \(bpf_[a-z0-9_]*\) for \([a-z_]*\) programs.*/\1 \2/p' \
		"$T_DIR/refused.err")
	if [ -n "$_vh" ]; then
		# shellcheck disable=SC2086
		if helper_missing $_vh; then
			ok "[$_vv] bpftool's probe agrees: no ${_vh% *} for ${_vh#* } programs"
		else
			not_ok "[$_vv] bpftool's probe finds ${_vh% *} for ${_vh#* } programs, which $_vn says is missing" \
				"$T_DIR/refused.err"
		fi
	fi
	leak_check "[$_vv] nothing left loaded after the failed attach" --maybe-none
	return 0
}

# sched_set DEV NAME: DEV (a name under /sys/block) now queues through the
# I/O scheduler NAME, read back: a kernel that allows DEV no scheduler at all
# (Linux 5.10's loop devices) accepts the write and changes nothing.
# Status 2 for that case (the kernel offers DEV no scheduler), 1 for a
# refusal.
sched_set() {
	echo "$2" >"/sys/block/$1/queue/scheduler" 2>/dev/null
	grep -q "\[$2\]" "/sys/block/$1/queue/scheduler" && return 0
	grep -q "$2" "/sys/block/$1/queue/scheduler" && return 1
	return 2
}

# leak_check DESCRIPTION [--maybe-none]: none of the tool's programs, links
# and maps is left: not held by an fd, a pin, a cgroup or another object. It
# fails if nothing was learnt (the check would prove nothing), unless
# --maybe-none. The kernel frees objects shortly after their last user goes.
leak_check() {
	sort -u "$T_BPF_IDS" >"$T_DIR/bpf.ours"
	if [ "${2:-}" != --maybe-none ] && ! grep -q '^prog_id:' "$T_DIR/bpf.ours"; then
		not_ok "$1 (no program of the tool's was learnt: nothing to check)"
		return 1
	fi
	i=0
	while [ $i -lt 60 ]; do
		"$TK_HELPERS/tk_bpfls" alive <"$T_DIR/bpf.ours" >"$T_DIR/bpf.left"
		if [ $? -eq 0 ] && ! [ -s "$T_DIR/bpf.left" ]; then
			ok "$1 ($(grep -c . "$T_DIR/bpf.ours") objects learnt, all gone)"
			return 0
		fi
		sleep 0.05
		i=$((i + 1))
	done
	not_ok "$1" "$T_DIR/bpf.left"
	return 1
}

# cgroup_clean DESCRIPTION CGROUP: no program of the tool's is attached to
# CGROUP (attached without a link, one would outlive the tool).
cgroup_clean() {
	if ! "$TK_HELPERS/tk_bpfls" cgroup "$2" >"$T_DIR/cg.now" 2>&1; then
		not_ok "$1 (cannot query $2)" "$T_DIR/cg.now"
		return 1
	fi
	grep '^prog_id:' "$T_BPF_IDS" >"$T_DIR/cg.ours"
	grep -Fx -f "$T_DIR/cg.ours" "$T_DIR/cg.now" >"$T_DIR/cg.left"
	if [ -s "$T_DIR/cg.left" ]; then
		not_ok "$1" "$T_DIR/cg.left"
		return 1
	fi
	ok "$1"
}

# work NAME TK_WORK_ARGS...: start the workload in the background, waiting for
# `go NAME`; sets W_PID (process) and W_TID (the thread that will act).
work() {
	_n=$1
	shift
	rm -f "$T_DIR/go.$_n"
	mkfifo "$T_DIR/go.$_n"
	: >"$T_DIR/work.$_n"	# now, not in the background job: wait_for reads it next
	"$TK_HELPERS/tk_work" -g "$T_DIR/go.$_n" "$@" >"$T_DIR/work.$_n" 2>&1 &
	T_PIDS="$T_PIDS $!"
	eval "W_BG_$_n=$!"
	wait_for "$T_DIR/work.$_n" '^tid2 ' 30 || not_ok "workload $_n did not start" "$T_DIR/work.$_n"
	W_PID=$(sed -n 's/^pid \([0-9]*\).*/\1/p' "$T_DIR/work.$_n")
	W_TID=$(sed -n 's/^tid2 \([0-9]*\)/\1/p' "$T_DIR/work.$_n")
}

# go NAME...: let the workloads act at once, and wait for them all to finish.
# (Opening the FIFO blocks until the workload opens it too; in the background,
# so a workload that died cannot hang the test.)
go() {
	for _g; do
		( : >"$T_DIR/go.$_g" ) &
		T_PIDS="$T_PIDS $!"
	done
	# Here, in the shell that started them: a subshell's wait on a job not
	# its own returns at once.
	for _g; do
		eval "wait \$W_BG_$_g"
	done
}

# tool_start OUT TOOL ARGS...: start a tool (with -v) and wait until it says it
# is tracing; its stderr goes to OUT.err.
tool_start() {
	_o=$1
	shift
	start_tool "$_o" "$_o.err" "$@" -v
	if ! wait_for "$_o.err" 'Ctrl-C to end' 30; then
		not_ok "$(basename "$1") did not start tracing" "$_o.err"
		return 1
	fi
	bpf_track "$TOOL_PID"
}

# prom_start OUT TOOL ARGS...: start TOOL --prometheus 127.0.0.1:0 and set
# PORT from its -v line (fleet mode: prom.sh, promserver.sh).
prom_start() {
	_po=$1
	shift
	tool_start "$_po" "$@" --prometheus 127.0.0.1:0 || return 1
	PORT=$(sed -n 's|.*serving metrics on http://127\.0\.0\.1:\([0-9]*\)/metrics$|\1|p' "$_po.err")
	[ -n "$PORT" ] || { not_ok "no 'serving metrics on' line" "$_po.err"; return 1; }
}

# metric FILE SERIES: the value of the sample SERIES (name{labels}) in FILE.
metric() {
	awk -v s="$2" '$1 == s { print $2; found = 1; exit } END { if (!found) print "none" }' "$1"
}

# lint WHAT FILE: promtool check metrics finds nothing to say about FILE.
# The format does not depend on the kernel: the qemu lane's guest (no
# promtool there, 48 MB) leaves it to the host's run.
lint() {
	in_guest && return 0
	if command -v promtool >/dev/null; then
		promtool check metrics <"$2" >"$2.lint" 2>&1
		check "promtool check metrics passes on $1" [ $? -eq 0 ]
	else
		not_ok "promtool is not installed (apt-get install prometheus)"
	fi
}

# has FILE PATTERN: FILE has a line matching the extended regex PATTERN.
has() {
	grep -Eq -- "$2" "$1"
}

# json_num FILE KEY: the value of numeric field KEY, one per line (records
# with the key once, such as {"v":1,"type":"lost",...,"count":N}).
json_num() {
	sed -n "s/.*\"$2\":\\(-\\{0,1\\}[0-9][0-9]*\\).*/\\1/p" "$1"
}

# The envelope every -j record starts with (doc/tracekit.schema.json), as an
# extended regex without the comma after it: {"v":1,"type":...,"tool":...
# je TYPE: the same for records of type TYPE only.
JE='\{"v":1,"type":"[a-z_]+","time":"[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}\.[0-9]{9}Z","ts_ns":[0-9]+,"host":"[^"]+","tool":"[a-z]+"'
je() {
	printf '%s' "$JE" | sed "s/\"type\":\"\\[a-z_\\]+\"/\"type\":\"$1\"/"
}

# json_valid DESCRIPTION FILE TOOL [jsoncheck.py OPTIONS]: every line of
# FILE (TOOL's -j output) is a record of doc/tracekit.schema.json whose
# envelope tells the truth: this host, TOOL, "time" the wall-clock
# reading of "ts_ns"; with OPTIONS, that the workload's records are there,
# stamped within its run (see tests/e2e/jsoncheck.py). Needs python3's
# jsonschema (make test-deps; TK_PYTHON names another python); the qemu
# lane's guests have no python: there the envelope of each line is checked
# with the regex above, and --type and --match's records are looked for.
json_valid() {
	_jd=$1
	_jf=$2
	_jt=$3
	shift 3
	_jo="$*"
	for _py in ${TK_PYTHON:-/usr/bin/python3 python3} ""; do
		[ -n "$_py" ] && "$_py" -c 'import jsonschema' 2>/dev/null && break
	done
	if [ -n "$_py" ]; then
		"$_py" "$ROOT/tests/e2e/jsoncheck.py" "$@" "$_jf" "$_jt" >"$T_DIR/jsoncheck.out" 2>&1
		_jrc=$?
		[ $_jrc -eq 0 ] && ok "$_jd" || not_ok "$_jd" "$T_DIR/jsoncheck.out"
		return $_jrc
	fi
	if ! in_guest; then
		if [ "${CI:-}" = true ]; then
			not_ok "$_jd: no python3 jsonschema (make test-deps)"
		else
			echo "# SKIP $T_NAME: $_jd: no python3 jsonschema (make test-deps)"
		fi
		return 0
	fi
	grep -Ev "^$JE,\"|^$JE}\$" "$_jf" >"$T_DIR/jsoncheck.out"
	grep -v "\"host\":\"$(uname -n)\",\"tool\":\"$_jt\"[,}]" "$_jf" >>"$T_DIR/jsoncheck.out"
	# The workload's records are there: --type and each --match (every
	# option of jsoncheck.py takes one value).
	cp "$_jf" "$T_DIR/jsoncheck.sel"
	while [ $# -ge 2 ]; do
		case $1 in
		--type) grep -E "\"type\":\"($(printf '%s' "$2" | tr , '|'))\"," ;;
		--match) grep -F -e "\"${2%%=*}\":${2#*=}," -e "\"${2%%=*}\":${2#*=}}" -e "\"${2%%=*}\":\"${2#*=}\"" ;;
		*) cat ;;
		esac <"$T_DIR/jsoncheck.sel" >"$T_DIR/jsoncheck.sel2"
		mv "$T_DIR/jsoncheck.sel2" "$T_DIR/jsoncheck.sel"
		shift 2
	done
	[ -s "$T_DIR/jsoncheck.sel" ] || echo "no record of the workload's ($_jo)" >>"$T_DIR/jsoncheck.out"
	if [ ! -s "$T_DIR/jsoncheck.out" ]; then
		ok "$_jd (the envelope and the workload's records: no python3 jsonschema in the guest)"
	else
		not_ok "$_jd" "$T_DIR/jsoncheck.out" "$_jf"
	fi
}

# not COMMAND...: succeeds when the command fails.
not() {
	! "$@"
}

# has_text FILE STRING: FILE contains STRING literally.
has_text() {
	grep -Fq -- "$2" "$1"
}

# bad_input TOOL 'EXPECTED FIRST LINE' ARGS...: TOOL ARGS fails as bad
# input must: that line, then "Try 'TOOL --help'.", on stderr, nothing on
# stdout, status 2 (nothing loaded: no root needed).
bad_input() {
	_bt=$1
	_bw=$2
	shift 2
	"$TK_BIN/$_bt" "$@" >"$T_DIR/bad.out" 2>"$T_DIR/bad.err" </dev/null
	_brc=$?
	printf '%s\nTry '\''%s --help'\''.\n' "$_bw" "$_bt" >"$T_DIR/bad.want"
	if [ $_brc -eq 2 ] && cmp -s "$T_DIR/bad.err" "$T_DIR/bad.want" && [ ! -s "$T_DIR/bad.out" ]; then
		ok "$_bt $*"
	else
		echo "# got status $_brc"
		not_ok "$_bt $*: want '$_bw', status 2" "$T_DIR/bad.err"
	fi
}

# not_root_check TOOL ARGS...: run as nobody: one clear line, status 1.
not_root_check() {
	"$TK_HELPERS/tk_work" -u 65534 exec "$@" >"$T_DIR/nr.out" 2>"$T_DIR/nr.err"
	_rc=$?
	if [ $_rc -eq 1 ] && [ "$(grep -c . "$T_DIR/nr.err")" -eq 1 ] &&
	   has "$T_DIR/nr.err" 'need root'; then
		ok "not root: one clear line, status 1"
	else
		not_ok "not root: one clear line, status 1 (got $_rc)" "$T_DIR/nr.err"
	fi
}

# --- listeners and connects of our own (tcpconnect, tcpaccept): tk_tcp ---

# loop_attach FILE: a loop device of our own on FILE (detached at exit);
# sets LOOPDEV. (busybox's losetup has no --show: then the device holding
# the file.)
loop_attach() {
	LOOPDEV=$(losetup -f --show "$1" 2>"$T_DIR/losetup.err")
	if [ -z "$LOOPDEV" ] && losetup -f "$1" 2>>"$T_DIR/losetup.err"; then
		LOOPDEV=$(losetup -a | sed -n "s|^\(/dev/loop[0-9]*\):.* $1\$|\1|p" | head -n 1)
	fi
	[ -n "$LOOPDEV" ] || { not_ok "losetup: cannot make a loop device" "$T_DIR/losetup.err"; return 1; }
	T_LOOPS="$T_LOOPS $LOOPDEV"
}

# listener NAME ADDR [TK_TCP_LISTEN_OPTIONS...]: listen on a free port of
# ADDR in the background; sets L_PORT and L_PID (also L_BG_NAME). Its
# output (with -P, every accept) goes to $T_DIR/listen.NAME.
listener() {
	_n=$1
	_a=$2
	shift 2
	# Emptied here: the background job would do it too late for wait_for,
	# which could then read the last run's port.
	: >"$T_DIR/listen.$_n"
	"$TK_HELPERS/tk_tcp" listen "$@" "$_a" 0 >"$T_DIR/listen.$_n" 2>&1 &
	L_PID=$!
	T_PIDS="$T_PIDS $L_PID"
	eval "L_BG_$_n=$L_PID"
	wait_for "$T_DIR/listen.$_n" '^port ' 5 || not_ok "listener $_n did not start" "$T_DIR/listen.$_n"
	L_PORT=$(sed -n 's/^port \([0-9]*\)$/\1/p' "$T_DIR/listen.$_n")
}

# tcp NAME TK_TCP_CONNECT_ARGS...: a connecting workload in the background,
# waiting for `go NAME`; sets W_PID. It prints each connect's local port.
tcp() {
	_n=$1
	shift
	rm -f "$T_DIR/go.$_n"
	mkfifo "$T_DIR/go.$_n"
	: >"$T_DIR/work.$_n"	# as in listener: no stale pid for wait_for
	"$TK_HELPERS/tk_tcp" connect -g "$T_DIR/go.$_n" "$@" >"$T_DIR/work.$_n" 2>&1 &
	T_PIDS="$T_PIDS $!"
	eval "W_BG_$_n=$!"
	wait_for "$T_DIR/work.$_n" '^pid ' 5 || not_ok "workload $_n did not start" "$T_DIR/work.$_n"
	W_PID=$(sed -n 's/^pid \([0-9]*\)$/\1/p' "$T_DIR/work.$_n")
}

# --- TCP sessions of our own (tcpstates, tcplife): tk_tcp serve and talk ---

# server NAME ADDR [TK_TCP_SERVE_OPTIONS...]: a tk_tcp serve in the
# background; sets S_PORT and S_PID.
server() {
	_n=$1
	_a=$2
	shift 2
	: >"$T_DIR/serve.$_n"
	"$TK_HELPERS/tk_tcp" serve "$@" "$_a" 0 >"$T_DIR/serve.$_n" 2>&1 &
	T_PIDS="$T_PIDS $!"
	wait_for "$T_DIR/serve.$_n" '^pid ' 5 || not_ok "server $_n did not start" "$T_DIR/serve.$_n"
	S_PORT=$(sed -n 's/^port \([0-9]*\)$/\1/p' "$T_DIR/serve.$_n")
	S_PID=$(sed -n 's/^pid \([0-9]*\)$/\1/p' "$T_DIR/serve.$_n")
}

# talk NAME TK_TCP_TALK_ARGS...: sessions waiting for `go NAME`; sets W_PID.
talk() {
	_n=$1
	shift
	helper_go "$_n" "$TK_HELPERS/tk_tcp" talk -g "$T_DIR/go.$_n" "$@"
}

# helper_go NAME COMMAND...: start a helper that prints "pid PID" and waits
# for the FIFO $T_DIR/go.NAME (its -g; `go NAME` opens it); sets W_PID.
# Its lines go to $T_DIR/work.NAME.
helper_go() {
	_n=$1
	shift
	rm -f "$T_DIR/go.$_n"
	mkfifo "$T_DIR/go.$_n"
	: >"$T_DIR/work.$_n"
	"$@" >"$T_DIR/work.$_n" 2>&1 &
	T_PIDS="$T_PIDS $!"
	eval "W_BG_$_n=$!"
	wait_for "$T_DIR/work.$_n" '^pid ' 5 || not_ok "workload $_n did not start" "$T_DIR/work.$_n"
	W_PID=$(sed -n 's/^pid \([0-9]*\)$/\1/p' "$T_DIR/work.$_n")
}

# lport NAME [K]: the local port of workload NAME's K-th session (1).
lport() {
	sed -n 's/^session lport \([0-9]*\) .*/\1/p' "$T_DIR/work.$1" | sed -n "${2:-1}p"
}

# in_range N LO HI: N is a number, LO <= N < HI.
in_range() {
	[ -n "$1" ] && [ "$1" -ge "$2" ] && [ "$1" -lt "$3" ]
}

# within_3sd SAMPLES WANT: a sample count near what a workload's CPU time is
# worth (WANT = T * HZ), for profile: sharing the CPUs, a workload runs in
# slices shorter than the period, each hit or not depending on the timer's
# phase, so the count is binomial around T*HZ, standard deviation below
# sqrt(T*HZ). Three of them plus 3 (tick rounding, the run's two ends).
# (Integers only: busybox's awk may have no sqrt. |s - w| - 3 <= 3 sqrt(w).)
within_3sd() {
	_d=$(($1 - $2))
	[ $_d -lt 0 ] && _d=$((-_d))
	[ "$2" -gt 20 ] && { [ $_d -le 3 ] || [ $(((_d - 3) * (_d - 3))) -le $((9 * $2)) ]; }
}

# all 'CMD1' 'CMD2'...: every shell command succeeds (check runs one command).
all() {
	for _c; do eval "$_c" || return 1; done
}

# one_of WORD CHOICES...
one_of() {
	_w=$1
	shift
	for _c; do [ "$_w" = "$_c" ] && return 0; done
	return 1
}

# --- a lossy link between two network namespaces (tcpretrans) ------------

# lossy_link PERCENT: network namespaces NA (sender, address AA) and NB
# (receiver, AB) of this file's own, joined by a veth pair, on which PERCENT
# of what NA sends is lost; removed at exit. Sets IP and TC (iproute2's, not
# busybox's applets, which the guest's shell prefers to PATH: they have no
# netns), and LOSSY_HOW. Returns 1 with LOSSY_WHY when it cannot be made.
lossy_link() {
	IP=
	for _c in $(command -v ip) /bin/ip /sbin/ip /usr/sbin/ip /usr/bin/ip; do
		[ -x "$_c" ] && "$_c" netns list >/dev/null 2>&1 && { IP=$_c; break; }
	done
	TC=
	for _c in $(command -v tc) /bin/tc /sbin/tc /usr/sbin/tc /usr/bin/tc; do
		[ -x "$_c" ] && "$_c" -V 2>&1 | grep -q iproute2 && { TC=$_c; break; }
	done
	LOSSY_WHY="no ip with netns, or no tc (package iproute2)"
	[ -n "$IP" ] && [ -n "$TC" ] || return 1
	NA=tk$$a
	NB=tk$$b
	AA=10.250.$(($$ % 250)).1
	AB=10.250.$(($$ % 250)).2
	T_NETNS="$NA $NB"
	# ip makes /run/netns (older ones /var/run/netns), not its parents:
	# the guest has neither.
	mkdir -p /run/netns /var/run/netns 2>/dev/null
	if ! { "$IP" netns add "$NA" && "$IP" netns add "$NB" &&
		"$IP" link add "$NA" netns "$NA" type veth peer name "$NB" netns "$NB" &&
		"$IP" -n "$NA" addr add "$AA/24" dev "$NA" &&
		"$IP" -n "$NB" addr add "$AB/24" dev "$NB" &&
		"$IP" -n "$NA" link set "$NA" up && "$IP" -n "$NB" link set "$NB" up; } \
		2>"$T_DIR/ip.err"; then
		LOSSY_WHY="cannot make network namespaces and a veth pair: $(tr '\n' ' ' <"$T_DIR/ip.err")"
		return 1
	fi
	if "$TC" -n "$NA" qdisc add dev "$NA" root netem loss "$1%" 2>"$T_DIR/tc.err"; then
		LOSSY_HOW="netem loss $1% on the sender's veth"
		return 0
	fi
	# No netem (CONFIG_NET_SCH_NETEM off, as on the development kernel,
	# or no module). Classic BPF in direct-action mode: a random number
	# (SKF_AD_RANDOM) at or above (1 - PERCENT/100) * 2^32 returns
	# TC_ACT_SHOT. At the receiver's ingress, not the sender's egress: a
	# packet dropped on the sender's own qdisc is a failed transmit there
	# (counted by TcpRetransSegs, not sent).
	_k=$(awk -v p="$1" 'BEGIN { printf "%.0f", (1 - p / 100) * 4294967296 }')
	if "$TC" -n "$NB" qdisc add dev "$NB" clsact 2>>"$T_DIR/tc.err" &&
	   "$TC" -n "$NB" filter add dev "$NB" ingress bpf da bytecode \
		"4,32 0 0 4294963256,53 0 1 $_k,6 0 0 2,6 0 0 0," 2>>"$T_DIR/tc.err"; then
		LOSSY_HOW="no netem here ($(head -n 1 "$T_DIR/tc.err")); a BPF filter drops $1% at the receiver"
		return 0
	fi
	LOSSY_WHY="no way to lose packets here: no netem, no cls_bpf ($(tr '\n' ' ' <"$T_DIR/tc.err"))"
	return 1
}

# flame_check SVG FOLDED [--cold] NAME...: SVG is a well-formed flame graph of
# the folded stacks in FOLDED: a rect and a title per frame, the root's count
# their total, the script (zoom, search) and the search box, a frame named
# each NAME; --cold: every frame in off-CPU blues (blue the strongest of its
# fill). With python3 (its XML parser); without it (busybox guests) only the
# names and the script are looked for. Why it failed goes to stdout as "# ".
flame_check() {
	_svg=$1
	_fold=$2
	shift 2
	if ! command -v python3 >/dev/null; then
		[ "${1:-}" = --cold ] && shift
		for _n in "$@"; do
			has "$_svg" "data-n=\"$_n\"" || { echo "# no frame $_n"; return 1; }
		done
		has "$_svg" "function zoom"
		return
	fi
	python3 - "$_svg" "$_fold" "$@" >"$T_DIR/svg.check" 2>&1 <<'PY'
import re, sys, xml.dom.minidom
doc = xml.dom.minidom.parse(sys.argv[1])
args = sys.argv[3:]
cold = args[:1] == ["--cold"]
names_wanted = args[1:] if cold else args
gs = [g for g in doc.getElementsByTagName("g") if g.getAttribute("class") == "f"]
names = [g.getAttribute("data-n") for g in gs]
assert all(len(g.getElementsByTagName("rect")) == 1 for g in gs), "a rect per frame"
assert all(g.getElementsByTagName("title") for g in gs), "a title per frame"
assert names[0] == "all", names[:3]
for want in names_wanted:
    assert want in names, want
# The root's count is the folded output's total.
total = sum(int(l.rsplit(" ", 1)[1]) for l in open(sys.argv[2]) if l.strip())
assert int(gs[0].getAttribute("data-c")) == total, (gs[0].getAttribute("data-c"), total)
if cold:
    for g in gs:
        r, gr, b = map(int, re.match(r"rgb\((\d+),(\d+),(\d+)\)",
                                     g.getElementsByTagName("rect")[0].getAttribute("fill")).groups())
        assert b > r and b > gr, ("not blue", g.getAttribute("data-n"), r, gr, b)
scripts = doc.getElementsByTagName("script")
assert scripts and "function zoom" in scripts[0].firstChild.data, "script"
assert "function search" in scripts[0].firstChild.data
assert doc.getElementsByTagName("input"), "search box"
print("ok", len(gs), "frames")
PY
	has "$T_DIR/svg.check" '^ok' && return 0
	sed 's/^/# /' "$T_DIR/svg.check"
	return 1
}
