#!/bin/sh
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
# Guest only (tests/vm): on a distro kernel every attach variant of every tool
# is available, but for a helper an older kernel lacks. Forced, each one
# attaches (a test file that finds a forced variant unavailable may call that
# a clean failure and pass: not here, unless bpftool confirms the missing
# helper, or for fentry/fexit a kernel whose config has no ftrace direct
# calls, as arm64 before 6.4); and auto picks the tool's first preference
# that attaches, which is fentry where a tool has it and the kernel can.
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
	# Forced, each one attaches, or (a kernel older than the variant's
	# helpers: 5.10 has no bpf_task_pt_regs) is refused in one line naming
	# a helper that bpftool's own probe finds missing. Auto then picks the
	# first in preference order that attached.
	want=
	for v in $vs; do
		if variant_refused "$t" "$v" "$@"; then
			if has_text "$T_DIR/refused.err" "no BPF trampoline for kernel functions"; then
				# fentry/fexit where ftrace has no direct calls (arm64
				# before 6.4): the kernel's config must agree.
				dc=$(kernel_config CONFIG_DYNAMIC_FTRACE_WITH_DIRECT_CALLS)
				rc=$?
				if [ $rc -eq 0 ] && [ -z "$dc" ]; then
					ok "$n --attach=$v: refused, and the kernel's config agrees: no CONFIG_DYNAMIC_FTRACE_WITH_DIRECT_CALLS"
				else
					not_ok "$n --attach=$v: refused for want of BPF trampolines, but the kernel's config has ${dc:-no config to read}" \
						"$T_DIR/refused.err"
				fi
			elif ! has_text "$T_DIR/refused.err" "lacks BPF helper"; then
				not_ok "$n --attach=$v: refused on a distro kernel for a reason other than a missing helper" \
					"$T_DIR/refused.err"
			fi
			continue
		fi
		[ -z "$want" ] && want=$v
		if ! tool_start "$O" "$t" "$@" --attach="$v"; then
			kill -KILL "$TOOL_PID" 2>/dev/null
			continue
		fi
		stop_tool INT
		got=$(sed -n 's/.*attach: using \([^ ]*\).*/\1/p' "$O.err")
		check "$n: --attach=$v attaches here" [ "$got" = "$v" ]
		check "$n --attach=$v: exit 0 on SIGINT" [ "$TOOL_RC" -eq 0 ]
	done
	if tool_start "$O" "$t" "$@" --attach=auto; then
		stop_tool INT
		got=$(sed -n 's/.*attach: using \([^ ]*\).*/\1/p' "$O.err")
		check "$n: auto picks $want here (got ${got:-nothing}; offered: $vs)" \
			[ "${want:-none}" = "$got" ]
		check "$n --attach=auto: exit 0 on SIGINT" [ "$TOOL_RC" -eq 0 ]
	else
		kill -KILL "$TOOL_PID" 2>/dev/null
	fi
done

leak_check "no BPF program or link left behind"
finish
