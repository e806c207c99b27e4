#!/bin/sh
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
# The leak check itself (lib.sh's leak_check): it judges only the objects the
# tool under test held, so another instance of the same tool, with programs
# of the same names, running meanwhile does not count; and an object of the
# tool's that outlives it (pinned here) is caught. The stand-in tool is
# tk_bpfls fake: one socket-filter program named tk_fake.
. "$(dirname "$0")/lib.sh"
need_root
D=$T_DIR
FAKE="$TK_HELPERS/tk_bpfls"
CG=$(awk '$3 == "cgroup2" { print $2; exit }' /proc/self/mounts)/tk-leakcheck-$$
# What a failed run could leave: our bpffs mount, our cgroup.
trap 'umount "$D/bpffs" 2>/dev/null; rmdir "$CG" 2>/dev/null; t_cleanup' EXIT

# verdict FILE: run leak_check in a subshell (its ok/not ok go to FILE, not
# to this file's count).
verdict() {
	( leak_check "inner" ) >"$1" 2>&1
}

# caught FILE: the inner check failed, naming the program left (its lines,
# shown under the "not ok", are "#   prog_id:N NAME").
caught() {
	has "$1" '^not ok - ' && has "$1" '^#   prog_id:[0-9]+( tk_fake)?$'
}

# Nothing learnt yet: the check must not pass on nothing.
verdict "$D/v.none"
check "nothing learnt: the leak check fails rather than pass on nothing" \
	has "$D/v.none" '^not ok - .*nothing to check'

# Another instance with the same program name, alive throughout.
"$FAKE" fake 2>"$D/other.err" &
OTHER=$!
T_PIDS="$T_PIDS $OTHER"
wait_for "$D/other.err" 'Ctrl-C to end' 10
"$FAKE" progs >"$D/progs"
check "the other instance's tk_fake is loaded" has "$D/progs" ' tk_fake$'

tool_start "$D/a" "$FAKE" fake
stop_tool INT
check "the tool's program was learnt from its fdinfo" has "$T_BPF_IDS" '^prog_id:[0-9]+$'
verdict "$D/v.other"
SHOW="$D/v.other"
check "another instance of the same tool running: no leak reported" \
	has "$D/v.other" '^ok - .*all gone'
check "... while that instance still holds its tk_fake" kill -0 "$OTHER"

# A tool whose program outlives it: pinned in a bpffs of our own.
mkdir "$D/bpffs"
if mount -t bpf bpf "$D/bpffs"; then
	tool_start "$D/b" "$FAKE" fake -p "$D/bpffs/leak"
	stop_tool TERM
	verdict "$D/v.pinned"
	SHOW="$D/v.pinned"
	check "a pinned program of the tool's is caught, and named" \
		has "$D/v.pinned" '^#   prog_id:[0-9]+ tk_fake$'
	check "... as a failure" has "$D/v.pinned" '^not ok - '
	rm -f "$D/bpffs/leak"
	verdict "$D/v.unpinned"
	SHOW="$D/v.unpinned"
	check "unpinned, it is gone and the check passes" has "$D/v.unpinned" '^ok - '
	umount "$D/bpffs"
else
	not_ok "cannot mount a bpffs at $D/bpffs"
fi

# A tool whose program stays attached to a cgroup after it exits (attached
# without a link): caught, and cgroup_clean names it; the cgroup's removal
# detaches and frees it.
if mkdir "$CG"; then
	tool_start "$D/c" "$FAKE" fake -c "$CG"
	stop_tool TERM
	verdict "$D/v.cg"
	SHOW="$D/v.cg"
	check "a program of the tool's left attached to a cgroup is caught" caught "$D/v.cg"
	( cgroup_clean inner "$CG" ) >"$D/v.cgclean" 2>&1
	SHOW="$D/v.cgclean"
	check "... and cgroup_clean finds it attached to $CG" caught "$D/v.cgclean"
	rmdir "$CG"
	verdict "$D/v.cgone"
	SHOW="$D/v.cgone"
	check "the cgroup removed, the program is gone and the check passes" \
		has "$D/v.cgone" '^ok - '
else
	not_ok "cannot create cgroup $CG"
fi

kill "$OTHER"
wait "$OTHER" 2>/dev/null
leak_check "no BPF program or link left behind"
finish
