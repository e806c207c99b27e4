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
# own lines: which attach variant, which event buffer, the ready line.
only_v_lines() {
	! grep -qv -e 'attach: ' -e 'using a perf buffer' -e 'Ctrl-C to end' "$1"
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
	kill -"${1:-INT}" "$TOOL_PID" 2>/dev/null
	wait "$TOOL_PID"
	TOOL_RC=$?
}

# The tool's own BPF programs and links (by program name, matched against
# the extended regex $T_PROGS), so other tools running meanwhile don't count.
bpf_snapshot() {
	{ "$TK_HELPERS/tk_bpfls" progs; "$TK_HELPERS/tk_bpfls" links; } |
		grep -E -- " (${T_PROGS:-.*})\$" >"$1"
}

# leak_check DESCRIPTION BEFORE_FILE: no program or link of the tool more than
# before. The kernel frees programs shortly after their last fd closes.
leak_check() {
	i=0
	while [ $i -lt 40 ]; do
		bpf_snapshot "$T_DIR/bpf.after"
		if [ "$(grep -c . "$T_DIR/bpf.after")" -le "$(grep -c . "$2")" ]; then
			ok "$1"
			return 0
		fi
		sleep 0.05
		i=$((i + 1))
	done
	not_ok "$1" "$T_DIR/bpf.after"
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
	wait_for "$T_DIR/work.$_n" '^tid2 ' 5 || not_ok "workload $_n did not start" "$T_DIR/work.$_n"
	W_PID=$(sed -n 's/^pid \([0-9]*\).*/\1/p' "$T_DIR/work.$_n")
	W_TID=$(sed -n 's/^tid2 \([0-9]*\)/\1/p' "$T_DIR/work.$_n")
}

# go NAME: let the workload act, and wait for it to finish. (Opening the FIFO
# blocks until the workload opens it too; in the background, so a workload
# that died cannot hang the test.)
go() {
	( : >"$T_DIR/go.$1" ) &
	T_PIDS="$T_PIDS $!"
	eval "wait \$W_BG_$1"
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
}

# has FILE PATTERN: FILE has a line matching the extended regex PATTERN.
has() {
	grep -Eq -- "$2" "$1"
}

# json_num FILE KEY: the value of numeric field KEY, one per line (records
# with the key once, such as {"type":"lost","count":N}).
json_num() {
	sed -n "s/.*\"$2\":\\(-\\{0,1\\}[0-9][0-9]*\\).*/\\1/p" "$1"
}

# not COMMAND...: succeeds when the command fails.
not() {
	! "$@"
}

# has_text FILE STRING: FILE contains STRING literally.
has_text() {
	grep -Fq -- "$2" "$1"
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
