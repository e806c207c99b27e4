#!/bin/sh
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
# syscount and opensnoop against strace, on the same run of one workload.
# tk_sys prints its pid and then spins in user space, making no syscall, until
# the test writes its go file: strace -f -p and the tools (-p of that pid) all
# attach meanwhile, so each of them sees the whole run and none sees half a
# syscall. strace's counts are the tracee's own syscalls (ptrace stops are
# not syscalls of the tracee), so they are the truth the tools must match.
. "$(dirname "$0")/lib.sh"
need_root
if ! command -v strace >/dev/null 2>&1; then
	if [ "${CI:-}" = true ]; then
		not_ok "strace is not installed (CI=true: not skipping)"
	else
		echo "# SKIP $T_NAME: strace is not installed (apt-get install strace)"
	fi
	finish
	exit $?
fi
SC="$TK_BIN/syscount"
OS="$TK_BIN/opensnoop"
SC_VARIANTS=${TK_VARIANTS_syscount:-"auto tp_btf raw_tp"}
OS_VARIANTS=${TK_VARIANTS_opensnoop:-"auto tracepoint tracepoint-enter"}
D=$T_DIR
T_PROGS='(sys_(enter|exit)_(btf|raw)|open(at2?)?_(enter|exit)_.*)'

# sys_start TK_SYS_ARGS...: start tk_sys, waiting on $D/go; sets S_PID.
sys_start() {
	printf 0 >"$D/go"
	: >"$D/sys.out"
	"$TK_HELPERS/tk_sys" -g "$D/go" "$@" >"$D/sys.out" 2>&1 &
	S_BG=$!
	T_PIDS="$T_PIDS $S_BG"
	wait_for "$D/sys.out" '^pid ' 5 || not_ok "tk_sys did not start" "$D/sys.out"
	S_PID=$(sed -n 's/^pid //p' "$D/sys.out")
}

# strace_start OUT ARGS...: strace -f -p $S_PID, once it has attached.
strace_start() {
	_so=$1
	shift
	strace -f -o "$_so" "$@" -p "$S_PID" 2>"$_so.err" &
	ST_PID=$!
	T_PIDS="$T_PIDS $ST_PID"
	i=0
	while [ $i -lt 200 ]; do
		tp=$(sed -n 's/^TracerPid:[[:space:]]*//p' "/proc/$S_PID/status")
		[ "${tp:-0}" != 0 ] && return 0
		sleep 0.05
		i=$((i + 1))
	done
	not_ok "strace did not attach to $S_PID" "$_so.err"
	return 1
}

# sys_go: let tk_sys run (the file is rewritten in place: it is mapped) and
# wait for it and strace to end.
sys_go() {
	printf 1 1<>"$D/go"
	wait "$S_BG"
	S_RC=$?
	wait "$ST_PID"
}

# by_name SYSCOUNT_OUT: "name count" lines, sorted (the table's rows).
by_name() {
	awk 'NR > 1 && NF == 2 { print $1, $2 }' "$1" | sort
}

# strace_counts STRACE_C_OUT: "name count" from strace -c's table, sorted.
# exit and exit_group never return, so syscount never counts them.
strace_counts() {
	awk '$1 ~ /^[0-9.]+$/ && $NF != "total" && $NF != "exit" &&
	     $NF != "exit_group" { print $NF, $4 }' "$1" | sort
}

# count FILE NAME: NAME's count in a "name count" file.
count() {
	awk -v n="$2" '$1 == n { print $2; f = 1 } END { if (!f) print 0 }' "$1"
}

sum() {
	awk '{ s += $2 } END { print s + 0 }' "$1"
}

# The workload: K getppid (K+T with the threads'), S handled signals, T
# threads, F forks, C clones, V vforks, U calls of an unknown number.
K=200 S=9 T=4 F=2 C=3 V=2 U=5
for v in $SC_VARIANTS; do
	A="--attach=$v"
	O="$D/sc.$v"
	SHOW="$O.plain $O.lat $O.proc $O.proclat $D/strace.$v"
	sys_start -n $K -s $S -t $T -f $F -c $C -v $V -u $U
	tool_start "$O.plain" "$SC" "$A" -p "$S_PID" -T 0 || continue
	p1=$TOOL_PID
	tool_start "$O.lat" "$SC" "$A" -p "$S_PID" -T 0 -L || continue
	p2=$TOOL_PID
	tool_start "$O.proc" "$SC" "$A" -p "$S_PID" -T 0 -P || continue
	p3=$TOOL_PID
	tool_start "$O.proclat" "$SC" "$A" -p "$S_PID" -T 0 -P -L || continue
	p4=$TOOL_PID
	strace_start "$D/strace.$v" -c || continue
	sys_go
	kill -INT $p1 $p2 $p3 $p4
	wait $p1 $p2 $p3 $p4
	check "[$v] tk_sys handled its $S signals" [ "$S_RC" -eq 0 ]

	by_name "$O.plain" >"$O.n"
	awk 'NR > 1 && NF == 3 { print $1, $2 }' "$O.lat" | sort >"$O.ln"
	strace_counts "$D/strace.$v" >"$D/st.$v"
	if [ -s "$D/st.$v" ] && cmp -s "$O.n" "$D/st.$v"; then
		ok "[$v] per-syscall counts equal strace -f -c's ($(sum "$O.n") calls)"
	else
		not_ok "[$v] per-syscall counts equal strace -f -c's" "$O.n" "$D/st.$v"
		diff "$O.n" "$D/st.$v" | sed 's/^/#   /'
	fi
	for want in "rt_sigreturn $S" "tgkill $S" "clone3 $T" "fork $F" \
		    "clone $C" "vfork $V" "getppid $((K + T))"; do
		n=${want% *}
		check "[$v] $n counted ${want#* } times, as the workload made it (got $(count "$O.n" "$n"))" \
			[ "$(count "$O.n" "$n")" = "${want#* }" ]
	done
	check "[$v] -L counts each syscall as plain does" cmp -s "$O.n" "$O.ln"
	total=$(sum "$O.n")
	p=$(awk -v p="$S_PID" '$1 == p { print $3 }' "$O.proc")
	pl=$(awk -v p="$S_PID" '$1 == p { print $3 }' "$O.proclat")
	check "[$v] -P total ($p) equals the by-syscall total ($total)" [ "${p:-x}" = "$total" ]
	check "[$v] -P -L total ($pl) equals the by-syscall total ($total)" [ "${pl:-x}" = "$total" ]
done

# Calls that seccomp refuses never reach sys_enter: counted all the same,
# at sys_exit, as strace counts them (its stop comes before seccomp's).
for v in $SC_VARIANTS; do
	O="$D/seccomp.$v"
	SHOW="$O $O.x $D/strace.s$v"
	sys_start -S -n $K -t $T
	tool_start "$O" "$SC" --attach="$v" -p "$S_PID" -T 0 || continue
	p1=$TOOL_PID
	tool_start "$O.x" "$SC" --attach="$v" -p "$S_PID" -T 0 -x || continue
	p2=$TOOL_PID
	strace_start "$D/strace.s$v" -c || continue
	sys_go
	kill -INT $p1 $p2
	wait $p1 $p2
	by_name "$O" >"$O.n"
	strace_counts "$D/strace.s$v" >"$D/st.s$v"
	check "[$v] with seccomp refusing getppid: counts equal strace -f -c's" \
		cmp -s "$O.n" "$D/st.s$v"
	by_name "$O.x" >"$O.xn"
	check "[$v] -x counts the $((K + T)) getppid calls seccomp refused (got $(count "$O.xn" getppid))" \
		[ "$(count "$O.xn" getppid)" = $((K + T)) ]
done

# opensnoop against strace -e trace=open,openat,openat2: the same opens, as
# "tid fd-or-errno path" lines (a multiset: sorted, not made unique).
mkdir "$D/dir"
echo hi >"$D/dir/exists"
PATHS="$D/dir/exists $D/dir/missing $D/dir/exists/notdir"
# The errors these paths can produce, by name as strace prints them.
errno_of() {
	case "$1" in
	ENOENT) echo 2 ;; ENOTDIR) echo 20 ;; EACCES) echo 13 ;; *) echo "?$1" ;;
	esac
}
for v in $OS_VARIANTS; do
	O="$D/os.$v"
	SHOW="$O.set $D/ostrace.set"
	set --
	for p in $PATHS; do set -- "$@" -o "$p"; done
	sys_start "$@"
	tool_start "$O" "$OS" --attach="$v" -p "$S_PID" -j || continue
	strace_start "$D/ostrace.$v" -e trace=open,openat,openat2 || continue
	sys_go
	sleep 0.3
	stop_tool INT
	sed -n 's/.*"tid":\([0-9]*\),.*"fd":\(-\{0,1\}[0-9]*\),"err":\([0-9]*\),.*"path":"\([^"]*\)".*/\1 \2 \3 \4/p' "$O" |
		awk '{ print $1, ($2 < 0 ? "err" $3 : "fd" $2), $4 }' | sort >"$O.set"
	: >"$D/ostrace.set"
	while read -r tid rest; do
		case "$rest" in open*) ;; *) continue ;; esac
		path=$(printf '%s\n' "$rest" | sed -n 's/^[a-z0-9]*([^"]*"\([^"]*\)".*/\1/p')
		ret=$(printf '%s\n' "$rest" | sed -n 's/.*) = \(-\{0,1\}[0-9]*\).*/\1/p')
		if [ "$ret" = -1 ]; then
			e=$(printf '%s\n' "$rest" | sed -n 's/.*) = -1 \([A-Z0-9]*\) .*/\1/p')
			echo "$tid err$(errno_of "$e") $path"
		else
			echo "$tid fd$ret $path"
		fi
	done <"$D/ostrace.$v" | sort >"$D/ostrace.set"
	n=$(grep -c . "$D/ostrace.set")
	# Three paths, each by open, openat and openat2, in two threads.
	check "[$v] strace saw the workload's 18 opens (got $n)" [ "$n" -eq 18 ]
	check "[$v] opensnoop shows the same opens as strace: tid, fd or error, path" \
		cmp -s "$O.set" "$D/ostrace.set"
	check "[$v] the opens ran in two threads" \
		[ "$(awk '{ print $1 }' "$O.set" | sort -u | grep -c .)" -eq 2 ]
done

leak_check "no BPF program or link left behind" "$D/bpf.before"
finish
