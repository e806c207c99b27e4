#!/bin/sh
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
# oomkill end to end: a memory hog in a memory cgroup of its own, limited to
# 48 MiB, is killed by the OOM killer (only tasks of that cgroup can be
# chosen, so the machine's own processes are never at risk); the tool must
# report exactly the kills the kernel counted for that cgroup, with the hog
# as victim and trigger. Bad input first: it needs no root.
. "$(dirname "$0")/lib.sh"
OK="$TK_BIN/oomkill"
D=$T_DIR

if ! [ -x "$OK" ]; then
	not_ok "$OK is not built (make bin/oomkill)"
	finish
	exit 1
fi

bad() {
	want=$1
	shift
	"$OK" "$@" >"$D/out" 2>"$D/err" </dev/null
	rc=$?
	printf '%s\nTry '\''oomkill --help'\''.\n' "$want" >"$D/want"
	if [ $rc -eq 2 ] && cmp -s "$D/err" "$D/want" && [ ! -s "$D/out" ]; then
		ok "bad input: oomkill $*"
	else
		echo "# got status $rc"
		not_ok "bad input: oomkill $*: want '$want', status 2" "$D/err"
	fi
}

bad "oomkill: invalid option '-p'" -p 1
bad "oomkill: unexpected argument 'x'" x
bad "oomkill: duration '0' is out of range (0.001 to 31536000 seconds)" -d 0
bad "oomkill: invalid duration 'soon'" -d soon
bad "oomkill: invalid attach variant 'x' (choose from: auto, fentry, kprobe, tracepoint)" --attach=x

"$OK" --help >"$D/out" 2>"$D/err"
check "--help: usage on stdout, status 0" [ $? -eq 0 ]
check "--help shows the usage line" has "$D/out" '^Usage: oomkill \[OPTION\]\.\.\.$'
"$OK" --version >"$D/out"
check "--version" has "$D/out" '^oomkill \(tracekit\) [0-9]+\.[0-9]+\.[0-9]+$'

need_root

T_PROGS='mark_victim_tp|oom_kill_proces[a-z_]*'
VARIANTS=${TK_VARIANTS_oomkill:-"auto tracepoint"}

# --- a memory cgroup of our own: v2 where the controller is on, else v1 ------

CG=
KILLS=
V2=$(awk '$3 == "cgroup2" { print $2; exit }' /proc/mounts)
V1=$(awk '$3 == "cgroup" && $4 ~ /(^|,)memory(,|$)/ { print $2; exit }' /proc/mounts)
NAME=tk-e2e-oom-$$
ENABLED=
# A v2 hierarchy with the memory controller available but not on for its
# children (a fresh guest) gets it for the test, and loses it again after.
if [ -n "$V2" ] && grep -qw memory "$V2/cgroup.controllers" 2>/dev/null &&
   ! grep -qw memory "$V2/cgroup.subtree_control" 2>/dev/null &&
   echo +memory >"$V2/cgroup.subtree_control" 2>/dev/null; then
	ENABLED=$V2
fi
if [ -n "$V2" ] && grep -qw memory "$V2/cgroup.subtree_control" 2>/dev/null &&
   mkdir "$V2/$NAME" 2>/dev/null; then
	CG=$V2/$NAME
	echo 48M >"$CG/memory.max"
	[ -f "$CG/memory.swap.max" ] && echo 0 >"$CG/memory.swap.max"
	KILLS="$CG/memory.events"
elif [ -n "$V1" ] && mkdir "$V1/$NAME" 2>/dev/null; then
	CG=$V1/$NAME
	echo 48M >"$CG/memory.limit_in_bytes"
	[ -f "$CG/memory.memsw.limit_in_bytes" ] && echo 48M >"$CG/memory.memsw.limit_in_bytes"
	echo 0 >"$CG/memory.swappiness" 2>/dev/null
	KILLS="$CG/memory.oom_control"
fi
ok_cleanup() {
	for p in $T_PIDS; do kill "$p" 2>/dev/null; done
	sleep 0.2
	[ -n "$CG" ] && rmdir "$CG" 2>/dev/null
	[ -n "$ENABLED" ] && echo -memory >"$ENABLED/cgroup.subtree_control" 2>/dev/null
	t_cleanup
}
trap 'ok_cleanup' EXIT
if [ -z "$CG" ]; then
	if [ "${CI:-}" = true ]; then
		not_ok "no memory cgroup controller to make an OOM kill in (CI=true: not skipping)"
	else
		echo "# SKIP $T_NAME: no memory cgroup controller (v2 memory in subtree_control, or v1)"
	fi
	leak_check "no BPF program or link left behind" "$D/bpf.before"
	finish
	exit $?
fi
oom_kills() {
	awk '$1 == "oom_kill" { print $2 }' "$KILLS"
}

# --- a real OOM kill, text and JSON at once, per attach variant --------------
# The kernel's own report of the kill is the truth for what only
# oom_kill_process() knows (fentry, kprobe): "oom-kill:constraint=CONSTRAINT_X,
# ...,pid=HOG," in its log; the limit is memory.max in pages (no swap).

LIMIT_PAGES=$((48 * 1024 * 1024 / $(getconf PAGESIZE 2>/dev/null || echo 4096)))
# kernel_constraint PID: what the kernel logged as the constraint of PID's kill.
kernel_constraint() {
	dmesg 2>/dev/null | sed -n "s/.*oom-kill:constraint=CONSTRAINT_\([A-Z_]*\),.*,pid=$1,.*/\1/p" | tail -n 1
}

for v in $VARIANTS; do
	# Refused in one clean line where the kernel cannot (fentry on arm64
	# before 6.4): nothing to test then.
	variant_refused "$OK" "$v" && continue
	O="$D/out.$v"
	rm -f "$D/go.h"
	mkfifo "$D/go.h"
	: >"$D/work.h"
	"$TK_HELPERS/tk_work" -C "$CG" exec "$TK_HELPERS/tk_hog" -g "$D/go.h" 256 >"$D/work.h" 2>&1 &
	T_PIDS="$T_PIDS $!"
	W_BG_h=$!
	wait_for "$D/work.h" '^pid [0-9]*$' 30 || not_ok "[$v] the hog did not start" "$D/work.h"
	HOG=$(sed -n 's/^pid \([0-9]*\)$/\1/p' "$D/work.h")
	tool_start "$O" "$OK" --attach="$v" || { go h; continue; }
	TEXT=$TOOL_PID
	js=$(date +%s%N)
	tool_start "$O.j" "$OK" -j --attach="$v" || { go h; TOOL_PID=$TEXT; stop_tool INT; continue; }
	before=$(oom_kills)
	j0=$(date +%s%N)
	go h
	rc=$?
	j1=$(date +%s%N)
	after=$(oom_kills)
	stop_tool INT
	jrc=$TOOL_RC
	TOOL_PID=$TEXT
	stop_tool INT
	SHOW="$O $O.err $O.j $D/work.h $KILLS"
	got=$(sed -n 's/.*attach: using \([^ ]*\).*/\1/p' "$O.err")
	check "[$v] both tools exit 0 on SIGINT" [ "$TOOL_RC" -eq 0 -a "$jrc" -eq 0 ]
	check "[$v] the hog was killed by SIGKILL (status $rc)" [ "$rc" -eq 137 ]
	check "[$v] the kernel counted one OOM kill in $NAME (${before:-?} -> ${after:-?})" \
		[ -n "$before" ] && [ "$((after - before))" -eq 1 ]
	json_valid "[$v] JSON: records of the schema, the hog's kill stamped within its run" "$O.j" oomkill \
		--since "$js" --type oom_kill --match victim_pid="$HOG" --work "$j0:$j1"
	check "[$v] JSON: as many records for $NAME as the kernel's kills" \
		[ "$(grep -c "\"memcg\":\"$NAME\"" "$O.j")" -eq "$((after - before))" ]
	check "[$v] JSON: the hog, $HOG, killed and the trigger" has "$O.j" \
		"^$(je oom_kill),\"trigger_pid\":$HOG,\"trigger_tid\":$HOG,\"trigger_comm\":\"tk_hog\",\"victim_pid\":$HOG,\"victim_comm\":(\"tk_hog\"|null),"
	check "[$v] JSON: the victim's memory, if the kernel tells it, is near the 48 MiB limit" \
		has "$O.j" "\"victim_pid\":$HOG,.*(\"anon_rss_kb\":(2[4-9]|[34][0-9])[0-9][0-9][0-9],|\"anon_rss_kb\":null,)"
	check "[$v] JSON: the memory cgroup $NAME" has "$O.j" "\"victim_pid\":$HOG,.*\"memcg\":\"$NAME\",\"memcg_id\":[1-9][0-9]*,"
	if [ "$got" = tracepoint ]; then
		check "[$v] tracepoint: one line says the constraint and limit are unknown" \
			[ "$(grep -c 'the constraint and limit are shown as unknown' "$O.err")" -eq 1 ]
		check "[$v] tracepoint: JSON: constraint, limit and OOM memcg null" has "$O.j" \
			"\"victim_pid\":$HOG,.*\"constraint\":null,\"limit_pages\":null,\"oom_memcg\":null,\"oom_memcg_id\":null,\"loadavg\":\"[0-9]"
		want='\?'
		limit='\?'
	else
		kc=$(kernel_constraint "$HOG")
		check "[$v] $got: the constraint, ${kc:-?}, as the kernel logged it (and a memory cgroup's: MEMCG)" \
			[ "$kc" = MEMCG ] && has "$O.j" "\"victim_pid\":$HOG,.*\"constraint\":\"$kc\","
		check "[$v] $got: the limit, $LIMIT_PAGES pages (memory.max), and the OOM memcg $NAME" has "$O.j" \
			"\"victim_pid\":$HOG,.*\"limit_pages\":$LIMIT_PAGES,\"oom_memcg\":\"$NAME\",\"oom_memcg_id\":[1-9][0-9]*,\"loadavg\":\"[0-9]"
		check "[$v] $got: no note of unknown fields" not grep -q 'shown as unknown' "$O.err"
		want=$kc
		limit=$LIMIT_PAGES
	fi
	check "[$v] text: bcc's line, with the constraint and limit" has "$O" \
		"^[0-9][0-9]:[0-9][0-9]:[0-9][0-9] Triggered by PID $HOG \\(\"tk_hog\"\\), OOM kill of PID $HOG \\(\"(tk_hog|\\?)\"\\), ([0-9]+|\\?) pages, memcg $NAME, constraint ${want:-none}, limit $limit pages, loadavg: [0-9.]+ [0-9.]+ [0-9.]+ [0-9]+/[0-9]+ [0-9]+\$"
	check "[$v] the hog did not survive" not has "$D/work.h" survived
done

# --- ends: SIGTERM, -d ---------------------------------------------------------

tool_start "$O" "$OK" || exit 1
stop_tool TERM
check "SIGTERM exits 0" [ "$TOOL_RC" -eq 0 ]
start_tool "$O" "$O.err" "$OK" -d 0.3
wait "$TOOL_PID"
check "-d 0.3 exits 0 by itself" [ $? -eq 0 ]

not_root_check "$OK"

leak_check "no BPF program or link left behind" "$D/bpf.before"
finish
