#!/bin/sh
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
# Guest only (tests/vm): on a distro kernel every attach variant of every tool
# is available. Forced, each one attaches (a test file that finds a forced
# variant unavailable may call that a clean failure and pass: not here); and
# auto picks the tool's first preference, which is fentry where a tool has it.
. "$(dirname "$0")/lib.sh"
need_root
D=$T_DIR

for t in "$TK_BIN"/*; do
	[ -f "$t" ] && [ -x "$t" ] || continue
	n=$(basename "$t")
	vs=$(variants "$t")
	# shellcheck disable=SC2046
	set -- $(tool_args "$t")
	O="$D/out.$n"
	SHOW="$O.err"
	if [ -z "$vs" ]; then
		# No --attach (uprobes only, say): it still starts here.
		if tool_start "$O" "$t" "$@"; then
			stop_tool INT
			check "$n (no attach variants) starts and exits 0 on SIGINT" [ "$TOOL_RC" -eq 0 ]
		fi
		continue
	fi
	want=
	for v in $vs; do
		[ -z "$want" ] && want=$v
		[ "$v" = fentry ] && want=fentry
	done
	for v in auto $vs; do
		if ! tool_start "$O" "$t" "$@" --attach="$v"; then
			kill -KILL "$TOOL_PID" 2>/dev/null
			continue
		fi
		stop_tool INT
		got=$(sed -n 's/.*attach: using \([^ ]*\).*/\1/p' "$O.err")
		if [ "$v" = auto ]; then
			check "$n: auto picks $want here (got ${got:-nothing}; offered: $vs)" \
				[ "$got" = "$want" ]
		else
			check "$n: --attach=$v attaches here" [ "$got" = "$v" ]
		fi
		check "$n --attach=$v: exit 0 on SIGINT" [ "$TOOL_RC" -eq 0 ]
	done
done

leak_check "no BPF program or link left behind"
finish
