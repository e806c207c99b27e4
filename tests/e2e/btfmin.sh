#!/bin/sh
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
# The minimised kernel BTF every tool relocates against (common/btfmin.c):
# that libbpf makes the same instructions from it as from the whole kernel
# BTF, for every tool's object on this kernel; and its cache, through a real
# tool that must still see its event: made once, used after, made again
# when damaged, other kernels' copies removed, a directory others may write
# not used, and TRACEKIT_BTF_CACHE=0 turning it off; and the attach probes'
# kernel BTF ids it remembers per kernel.
. "$(dirname "$0")/lib.sh"
need_root
OS="$TK_BIN/opensnoop"
D=$T_DIR
CHK="$TK_HELPERS/tk_btfmin"
echo hello >"$D/exists"

# --- the same instructions, every object ---
if [ -x "$CHK" ]; then
	"$CHK" >"$D/same" 2>&1
	rc=$?
	SHOW=$D/same check "every object relocates the same against the minimised BTF (exit 0)" [ $rc -eq 0 ]
	n=$(grep -c ': same$' "$D/same")
	SHOW=$D/same check "one 'same' line per object ($n)" \
		all '[ "$n" -ge 20 ]' '[ "$n" -eq "$(wc -l <"$D/same")" ]'
	# The comparison can fail: against an empty BTF every object differs.
	"$CHK" --empty >"$D/empty" 2>&1
	rc=$?
	SHOW=$D/empty check "negative control: against an empty BTF, exit 1" [ $rc -eq 1 ]
	SHOW=$D/empty check "negative control: every object differs" \
		[ "$(grep -c ': DIFFERENT$' "$D/empty")" -eq "$n" ]
else
	skip_or_fail "$CHK not built (make helpers; it needs LIBBPF_SRC=debian)"
fi

# sees NAME VAR=VALUE [ARGS...]: opensnoop -v ARGS, run with VAR=VALUE in
# its environment, sees the workload's open of $D/exists. Its stderr is in
# $D/NAME.err.
sees() {
	_s=$1
	_e=$2
	shift 2
	work "$_s" openat "$D/exists"
	_p=$W_PID
	start_tool "$D/$_s" "$D/$_s.err" env "$_e" "$OS" -v -p "$_p" "$@"
	if ! wait_for "$D/$_s.err" 'Ctrl-C to end' 30; then
		not_ok "[$_s] opensnoop did not start" "$D/$_s.err"
		return 1
	fi
	bpf_track "$TOOL_PID"
	go "$_s"
	sleep 0.3
	stop_tool INT
	SHOW="$D/$_s $D/$_s.err" check "[$_s] exit 0, the open seen" \
		all '[ "$TOOL_RC" -eq 0 ]' 'has "$D/$_s" "^$_p +tk_work +[0-9]+ +0 $D/exists\$"'
}

C=$D/cache
mkdir -m 755 "$C"
sees miss TRACEKIT_BTF_CACHE="$C"
SHOW=$D/miss.err check "[miss] made now, said with -v" \
	has "$D/miss.err" "^opensnoop: BTF: $C/opensnoop_bpf\.[0-9a-f]{16}\.[0-9a-f]{16}\.btf \(the kernel's own, minimised for opensnoop_bpf now\)$"
set -- "$C"/opensnoop_bpf.*.btf
F=$1
SHOW=$D/miss.err check "[miss] one file, named for the object and the kernel ($*)" \
	all "[ $# -eq 1 ]" '[ -s "$F" ]'
# Named opensnoop_bpf.OBJECT.KERNEL.btf (hashes): the same object's for
# another kernel, and another build's object's for this one.
other_kernel=${F%.*.btf}.0000000000000000.btf
other_build=$C/opensnoop_bpf.0000000000000000.${F#$C/opensnoop_bpf.*.}
check "[miss] a few kilobytes, not the kernel's $(stat -c %s /sys/kernel/btf/vmlinux) bytes" \
	[ "$(stat -c %s "$F")" -lt 16384 ]
check "[miss] nothing else written in the cache" [ "$(ls -A "$C" | wc -l)" -eq 1 ]
SHOW=$D/miss.err check "[miss] only -v's lines on stderr" only_v_lines "$D/miss.err"

cp "$F" "$D/kept"
sees hit TRACEKIT_BTF_CACHE="$C"
SHOW=$D/hit.err check "[hit] used as it was" \
	has "$D/hit.err" "^opensnoop: BTF: $F \(the kernel's own, minimised for opensnoop_bpf\)$"
check "[hit] the file unchanged" cmp -s "$F" "$D/kept"

echo "not BTF" >"$F"
: >"$other_kernel"
: >"$other_build"
sees damaged TRACEKIT_BTF_CACHE="$C"
SHOW=$D/damaged.err check "[damaged] said, and made again" \
	all 'has "$D/damaged.err" "BTF: $F is damaged; making it again"' \
	    'has "$D/damaged.err" "minimised for opensnoop_bpf now\)\$"'
check "[damaged] the file as it should be" cmp -s "$F" "$D/kept"
check "[damaged] the other kernel's removed (a cache holds one kernel's)" [ ! -e "$other_kernel" ]
check "[damaged] another build's kept" [ -e "$other_build" ]
rm -f "$other_build"

# Others may write what decides what the programs read: not used; the run
# keeps its minimised BTF in memory.
mkdir -m 777 "$D/open"
sees shared TRACEKIT_BTF_CACHE="$D/open"
SHOW=$D/shared.err check "[shared] a directory others may write is not used" \
	all 'has "$D/shared.err" "BTF: cache $D/open is not a directory only this user may write; not used"' \
	    'has "$D/shared.err" "minimised for opensnoop_bpf in memory\$"'
check "[shared] nothing written there" [ -z "$(ls -A "$D/open")" ]

# =memory: minimised for the run alone, nothing written anywhere.
sees memory TRACEKIT_BTF_CACHE=memory
SHOW=$D/memory.err check "[memory] minimised in memory, said with -v" \
	has "$D/memory.err" "^opensnoop: BTF: the kernel's own, minimised for opensnoop_bpf in memory$"
SHOW=$D/memory.err check "[memory] only -v's lines on stderr" only_v_lines "$D/memory.err"

sees off TRACEKIT_BTF_CACHE=0
SHOW=$D/off.err check "[off] TRACEKIT_BTF_CACHE=0: the whole kernel BTF" \
	not has "$D/off.err" "minimised"
SHOW=$D/off.err check "[off] only -v's lines on stderr" only_v_lines "$D/off.err"

# --btf FILE is taken as it is, cache or not.
sees given TRACEKIT_BTF_CACHE="$C" --btf /sys/kernel/btf/vmlinux
SHOW=$D/given.err check "[given] --btf: no minimised copy" not has "$D/given.err" "minimised"
check "[given] nothing written in the cache" [ "$(ls -A "$C" | wc -l)" -eq 1 ]

# --- the attach probes' kernel BTF ids, remembered per kernel ---
# syscount's auto probes tp_btf on sys_enter and sys_exit: the ids are the
# kernel's own (bpftool's), and the run that finds them remembered chooses
# as the one that looked them up.
SC="$TK_BIN/syscount"
I=$D/ids
mkdir -m 755 "$I"
env TRACEKIT_BTF_CACHE="$I" "$SC" -v -d 0.2 >"$D/ids1" 2>"$D/ids1.err"
env TRACEKIT_BTF_CACHE="$I" "$SC" -v -d 0.2 >"$D/ids2" 2>"$D/ids2.err"
env TRACEKIT_BTF_CACHE=0 "$SC" -v -d 0.2 >"$D/ids0" 2>"$D/ids0.err"
set -- "$I"/kernel.*.ids
IDS=$1
SHOW="$D/ids1.err" check "syscount's probes remembered their ids ($(cat "$IDS" 2>/dev/null | tr '\n' ';'))" \
	has "$IDS" "^8 [0-9]+ btf_trace_sys_exit$"
if command -v bpftool >/dev/null 2>&1; then
	want=$(bpftool btf dump file /sys/kernel/btf/vmlinux |
		sed -n "s/^\[\([0-9]*\)\] TYPEDEF 'btf_trace_sys_exit'.*/\1/p")
	SHOW=$IDS check "the kernel's own id of btf_trace_sys_exit ($want, bpftool's)" \
		has "$IDS" "^8 $want btf_trace_sys_exit$"
fi
SHOW=$IDS check "one line per id: the second run looked up none" \
	[ "$(grep -c btf_trace_sys_exit "$IDS")" -eq 1 ]
a0=$(grep 'attach: using' "$D/ids0.err")
SHOW="$D/ids0.err $D/ids2.err" check "remembered ids, the same choice ($a0)" \
	all '[ -n "$a0" ]' '[ "$(grep "attach: using" "$D/ids1.err")" = "$a0" ]' \
	    '[ "$(grep "attach: using" "$D/ids2.err")" = "$a0" ]'

# With its ids and its minimised BTF cached, syscount attaches tp_btf
# without opening the kernel's BTF at all (libbpf would parse all of it to
# find the attach point); with the cache off it does open it.
if command -v strace >/dev/null 2>&1; then
	for st_c in "$I" 0; do
		env TRACEKIT_BTF_CACHE="$st_c" strace -f -e trace=openat -o "$D/st" \
			"$SC" -v -d 0.2 >/dev/null 2>"$D/st.err"
		st_n=$(grep -c '"/sys/kernel/btf/vmlinux"' "$D/st")
		st_a=$(grep -o 'using [a-z_]*' "$D/st.err")
		if [ "$st_c" = 0 ]; then
			SHOW="$D/st $D/st.err" check "cache off: syscount ($st_a) opens the kernel's BTF ($st_n opens)" \
				[ "$st_n" -gt 0 ]
		else
			SHOW="$D/st $D/st.err" check "cached: syscount ($st_a) opens no kernel BTF ($st_n opens)" \
				all '[ "$st_n" -eq 0 ]' '[ "$st_a" = "using tp_btf" ]'
		fi
	done
elif ! in_guest; then
	skip_or_fail "strace is not installed"
fi

leak_check "no program, link or map of the runs left behind"
finish
