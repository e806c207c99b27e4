#!/bin/sh
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
# mountsnoop end to end: a workload in a private mount namespace of its own
# mounts and unmounts a tmpfs on a directory of ours through mount(2) and the
# new mount API, and prints each call's result; the tool must show exactly
# those calls, in order, with their arguments, results and the workload's
# mount namespace. Bad input first: it needs no root.
. "$(dirname "$0")/lib.sh"
MS="$TK_BIN/mountsnoop"
VARIANTS=${TK_VARIANTS_mountsnoop:-"auto tracepoint tracepoint-enter tracepoint-legacy"}
D=$T_DIR

if ! [ -x "$MS" ]; then
	not_ok "$MS is not built (make bin/mountsnoop)"
	finish
	exit 1
fi

# --- bad input: one line, "Try ...", status 2, nothing on stdout ------------

bad() {
	want=$1
	shift
	"$MS" "$@" >"$D/out" 2>"$D/err" </dev/null
	rc=$?
	printf '%s\nTry '\''mountsnoop --help'\''.\n' "$want" >"$D/want"
	if [ $rc -eq 2 ] && cmp -s "$D/err" "$D/want" && [ ! -s "$D/out" ]; then
		ok "bad input: mountsnoop $*"
	else
		echo "# got status $rc"
		not_ok "bad input: mountsnoop $*: want '$want', status 2" "$D/err"
	fi
}

bad "mountsnoop: unexpected argument '1'" -t 1
bad "mountsnoop: invalid PID '12abc'" -p 12abc
bad "mountsnoop: invalid TID 'x'" --tid x
bad "mountsnoop: invalid option '-d'" -d 1
bad "mountsnoop: invalid duration 'soon'" --duration soon
bad "mountsnoop: invalid attach variant 'nope' (choose from: auto, tracepoint, tracepoint-enter, tracepoint-legacy)" --attach=nope

"$MS" --help >"$D/out" 2>"$D/err"
check "--help: usage on stdout, status 0" [ $? -eq 0 ]
check "--help shows the usage line" has "$D/out" '^Usage: mountsnoop \[OPTION\]\.\.\.$'
"$MS" --version >"$D/out"
check "--version" has "$D/out" '^mountsnoop \(tracekit\) [0-9]+\.[0-9]+\.[0-9]+$'

need_root

T_PROGS='(mount|umount|fsopen|fsconfig|fsmount|move_mount|fspick|open_tree|mount_setattr)_(ent|exi)[a-z_]*'
mkdir "$D/mnt"

# mnt NAME [TK_MOUNT_ARGS...]: start the workload on $D/mnt, waiting for
# `go NAME`; sets W_PID and W_NS (its mount namespace).
mnt() {
	_n=$1
	shift
	rm -f "$D/go.$_n"
	mkfifo "$D/go.$_n"
	: >"$D/work.$_n"
	"$TK_HELPERS/tk_mount" -g "$D/go.$_n" "$@" "$D/mnt" >"$D/work.$_n" 2>&1 &
	T_PIDS="$T_PIDS $!"
	eval "W_BG_$_n=$!"
	wait_for "$D/work.$_n" '^mntns ' 5 || not_ok "workload $_n did not start" "$D/work.$_n"
	W_PID=$(sed -n 's/^pid \([0-9]*\)$/\1/p' "$D/work.$_n")
	W_NS=$(sed -n 's/^mntns \([0-9]*\)$/\1/p' "$D/work.$_n")
}

# want_calls WORKFILE [legacy]: "CALL RET" for each call the workload made
# (umount2's system call is "umount"; a failure is -errno; a kernel without
# mount_setattr, ENOSYS, has no tracepoint for it either).
want_calls() {
	sed -n 's/^\([a-z_0-9]*\) ret \(-1 errno \)\{0,1\}\([0-9]*\)$/\1 \2\3/p' "$1" |
		sed -e 's/^umount2 /umount /' -e 's/ -1 errno / -/' |
		grep -v '^mount_setattr -38$' |
		if [ "${2:-}" = legacy ]; then grep -E '^(mount|umount) '; else cat; fi
}

# got_calls JSONFILE PID: "CALL RET" of the tool's records of PID.
got_calls() {
	grep -E "^$(je mount),\"pid\":$2," "$1" |
		sed -n 's/.*"call":"\([a-z_]*\)".*"ret":\(-\{0,1\}[0-9]*\),.*/\1 \2/p'
}

# --- every attach variant, JSON: exactly the workload's calls ----------------

for v in $VARIANTS; do
	O="$D/out.$v"
	# A variant this kernel cannot run must fail cleanly when forced.
	variant_refused "$MS" "$v" && continue
	SHOW="$O $O.err $D/work.a"
	mnt a
	tool_start "$O" "$MS" -j --attach="$v" || continue
	go a
	stop_tool INT
	check "[$v] exit 0 on SIGINT" [ "$TOOL_RC" -eq 0 ]
	check "[$v] the workload made its 12 calls" has "$D/work.a" '^done$'
	# What auto chose here (the first variant this kernel runs: tracepoint-
	# enter where bpf_task_pt_regs is missing, as on 5.10).
	used=$(sed -n 's/.*attach: using \([^ ]*\).*/\1/p' "$O.err")
	legacy=
	[ "$used" = tracepoint-legacy ] && legacy=legacy
	# Only the variants with an entry program time the calls.
	LAT='[1-9][0-9]*'
	case $used in tracepoint) LAT=null ;; esac
	want_calls "$D/work.a" $legacy >"$D/want.$v"
	got_calls "$O" "$W_PID" >"$D/got.$v"
	SHOW="$D/want.$v $D/got.$v $O"
	check "[$v] one record per call, in order, with its result" cmp -s "$D/want.$v" "$D/got.$v"
	check "[$v] every record in the workload's mount namespace $W_NS" \
		[ "$(grep -c "\"pid\":$W_PID,.*\"mnt_ns\":$W_NS," "$O")" -eq "$(grep -c . "$D/want.$v")" ]
	check "[$v] mount: source, target, type, flags, data" has "$O" \
		"\"pid\":$W_PID,\"tid\":$W_PID,\"uid\":0,\"comm\":\"tk_mount\",\"mnt_ns\":$W_NS,\"call\":\"mount\",\"source\":\"tk-src-$W_PID\",\"target\":\"$D/mnt\",\"fstype\":\"tmpfs\",\"flags\":6,\"flag_names\":\"MS_NOSUID\\|MS_NODEV\",\"data\":\"size=1m,mode=700\",\"ret\":0,\"error\":null,\"latency_ns\":$LAT\\}\$"
	check "[$v] the failed mount: ENOENT" has "$O" \
		"\"call\":\"mount\",\"source\":\"tk-src-$W_PID\",\"target\":\"$D/mnt/nonexistent\",.*\"ret\":-2,\"error\":\"ENOENT\","
	check "[$v] umount2 with MNT_DETACH" has "$O" \
		"\"call\":\"umount\",\"target\":\"$D/mnt\",\"flags\":2,\"flag_names\":\"MNT_DETACH\",\"ret\":0,"
	if [ -z "$legacy" ]; then
		fs=$(sed -n 's/^fsopen ret //p' "$D/work.a")
		mf=$(sed -n 's/^fsmount ret //p' "$D/work.a")
		check "[$v] fsopen(\"tmpfs\", FSOPEN_CLOEXEC) = $fs" has "$O" \
			"\"call\":\"fsopen\",\"fstype\":\"tmpfs\",\"flags\":1,\"flag_names\":\"FSOPEN_CLOEXEC\",\"ret\":$fs,"
		check "[$v] fsconfig: key and value" has "$O" \
			"\"call\":\"fsconfig\",\"fd\":$fs,\"cmd\":\"FSCONFIG_SET_STRING\",\"key\":\"size\",\"value\":\"2m\",\"aux\":0,\"ret\":0,"
		check "[$v] fsmount: flags and attributes" has "$O" \
			"\"call\":\"fsmount\",\"fd\":$fs,\"flags\":1,\"flag_names\":\"FSMOUNT_CLOEXEC\",\"attr\":4,\"attr_names\":\"MOUNT_ATTR_NODEV\",\"ret\":$mf,"
		check "[$v] move_mount: from the fd to $D/mnt" has "$O" \
			"\"call\":\"move_mount\",\"from_fd\":$mf,\"from_path\":\"\",\"to_fd\":-100,\"to_path\":\"$D/mnt\",\"flags\":4,\"flag_names\":\"MOVE_MOUNT_F_EMPTY_PATH\",\"ret\":0,"
		fp=$(sed -n 's/^fspick ret //p' "$D/work.a")
		ot=$(sed -n 's/^open_tree ret //p' "$D/work.a")
		check "[$v] fspick(AT_FDCWD, $D/mnt, FSPICK_CLOEXEC) = $fp" has "$O" \
			"\"call\":\"fspick\",\"dfd\":-100,\"path\":\"$D/mnt\",\"flags\":1,\"flag_names\":\"FSPICK_CLOEXEC\",\"ret\":$fp,"
		check "[$v] open_tree(AT_FDCWD, $D/mnt, OPEN_TREE_CLONE|OPEN_TREE_CLOEXEC) = $ot" has "$O" \
			"\"call\":\"open_tree\",\"dfd\":-100,\"path\":\"$D/mnt\",\"flags\":524289,\"flag_names\":\"OPEN_TREE_CLONE\|OPEN_TREE_CLOEXEC\",\"ret\":$ot,"
		if has "$D/work.a" '^mount_setattr ret 0$'; then
			check "[$v] mount_setattr: the struct mount_attr it was given" has "$O" \
				"\"call\":\"mount_setattr\",\"dfd\":-100,\"path\":\"$D/mnt\",\"flags\":0,\"flag_names\":\"0\",\"attr_set\":1,\"attr_set_names\":\"MOUNT_ATTR_RDONLY\",\"attr_clr\":4,\"attr_clr_names\":\"MOUNT_ATTR_NODEV\",\"propagation\":262144,\"propagation_names\":\"MS_PRIVATE\",\"ret\":0,"
		else
			check "[$v] no mount_setattr here (ENOSYS): -v says it is left out" \
				has "$O.err" 'attach: mount_setattr left out: '
		fi
	fi
	check "[$v] nothing lost" not has "$O" '"type":"lost"'
	[ "$v" = auto ] || check "[$v] -v says $v is used" has "$O.err" "attach: using $v\$"
done

# --- text: bcc's columns, the calls as the program made them -----------------

O="$D/out"
SHOW="$O $O.err $D/work.a"
mnt a
tool_start "$O" "$MS" -t -p "$W_PID" || exit 1
go a
stop_tool INT
P=$W_PID
pre="^[0-9][0-9]:[0-9][0-9]:[0-9][0-9] tk_mount +$P +$P +$W_NS +"
check "text: header with TIME" has "$O" '^TIME +COMM +PID +TID +MNT_NS +CALL$'
check "text: mount(...) = 0" has "$O" "${pre}mount\\(\"tk-src-$P\", \"$D/mnt\", \"tmpfs\", MS_NOSUID\\|MS_NODEV, \"size=1m,mode=700\"\\) = 0\$"
check "text: the failed mount = -ENOENT" has "$O" "${pre}mount\\(\"tk-src-$P\", \"$D/mnt/nonexistent\", \"tmpfs\", 0, \"\"\\) = -ENOENT\$"
check "text: umount(..., 0) = 0" has "$O" "${pre}umount\\(\"$D/mnt\", 0\\) = 0\$"
check "text: fsconfig(...)" has "$O" "${pre}fsconfig\\([0-9]+, FSCONFIG_SET_STRING, \"size\", \"2m\", 0\\) = 0\$"
check "text: fsmount(...)" has "$O" "${pre}fsmount\\([0-9]+, FSMOUNT_CLOEXEC, MOUNT_ATTR_NODEV\\) = [0-9]+\$"
check "text: move_mount(..., AT_FDCWD, ...)" has "$O" "${pre}move_mount\\([0-9]+, \"\", AT_FDCWD, \"$D/mnt\", MOVE_MOUNT_F_EMPTY_PATH\\) = 0\$"
check "text: fspick(AT_FDCWD, ...)" has "$O" "${pre}fspick\\(AT_FDCWD, \"$D/mnt\", FSPICK_CLOEXEC\\) = [0-9]+\$"
check "text: open_tree(AT_FDCWD, ...)" has "$O" "${pre}open_tree\\(AT_FDCWD, \"$D/mnt\", OPEN_TREE_CLONE\\|OPEN_TREE_CLOEXEC\\) = [0-9]+\$"
N=$(want_calls "$D/work.a" | grep -c .)
if has "$D/work.a" '^mount_setattr ret 0$'; then
	check "text: mount_setattr(AT_FDCWD, ..., {set, clear, propagation})" has "$O" "${pre}mount_setattr\\(AT_FDCWD, \"$D/mnt\", 0, \\{set MOUNT_ATTR_RDONLY, clear MOUNT_ATTR_NODEV, propagation MS_PRIVATE\\}\\) = 0\$"
fi
check "text: umount(..., MNT_DETACH) = 0" has "$O" "${pre}umount\\(\"$D/mnt\", MNT_DETACH\\) = 0\$"
check "text: -p: $N lines of the workload, nothing else" [ "$(grep -c "^[0-9:]* " "$O")" = "$N" ]

# --- untrusted strings: escaped on a terminal, exact in JSON ------------------

SRC=$(printf 'tk\033[31m\377\\x')
mnt a -s "$SRC"
tool_start "$O" "$MS" -p "$W_PID" || exit 1
TPID=$TOOL_PID
tool_start "$O.j" "$MS" -j -p "$W_PID" || exit 1
go a
stop_tool INT
TOOL_PID=$TPID
stop_tool INT
SHOW="$O $O.j"
check "text: control bytes, invalid UTF-8 and backslash escaped" \
	has_text "$O" 'mount("tk\x1b[31m\xff\\x", '
check "text: no raw escape byte on the screen" not grep -q "$(printf '\033')" "$O"
check "JSON: the same bytes, as JSON escapes" has_text "$O.j" '"source":"tk\u001b[31m\udcff\\x",'

# --- ends: SIGTERM, --duration ----------------------------------------------

mnt a
tool_start "$O" "$MS" -p "$W_PID" || exit 1
go a
stop_tool TERM
check "SIGTERM exits 0" [ "$TOOL_RC" -eq 0 ]
check "SIGTERM: the $N calls were printed" [ "$(grep -c "^tk_mount " "$O")" = "$N" ]

start_tool "$O" "$O.err" "$MS" --duration 0.5
wait "$TOOL_PID"
check "--duration 0.5 exits 0 by itself" [ $? -eq 0 ]

not_root_check "$MS"

leak_check "no BPF program or link left behind" "$D/bpf.before"
finish
