#!/bin/sh
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
# Guest only (tests/vm): --btf FILE on a kernel whose /sys/kernel/btf is gone.
# The guest kernel's BTF is copied to a file, then an empty tmpfs is mounted
# over /sys/kernel/btf. CO-RE relocation works from the file, so variants on
# tracepoints, raw tracepoints and kprobes must still run and see events;
# fentry/fexit/tp_btf need the kernel's own BTF to name their attach point
# (common/attach.c kernel_btf()), so forced they must fail cleanly (one line,
# status 1), and auto must pick a variant that works. Without --btf a tool
# must say, in one line, that it needs it.
. "$(dirname "$0")/lib.sh"
need_root
D=$T_DIR
F=$D/vmlinux.btf

cat /sys/kernel/btf/vmlinux >"$F"
check "the kernel's BTF copied to a file" [ -s "$F" ]
trap 'umount /sys/kernel/btf 2>/dev/null; t_cleanup' EXIT
mount -t tmpfs -o mode=0755 tkvm-nobtf /sys/kernel/btf
check "/sys/kernel/btf hidden" [ ! -e /sys/kernel/btf/vmlinux ]

# needs_kernel_btf VARIANT: does the variant attach by a BTF id?
needs_kernel_btf() {
	case "$1" in *fentry* | *fexit* | *tp_btf*) return 0 ;; esac
	return 1
}

# clean_fail DESCRIPTION COMMAND...: one line on stderr, status 1, no output.
clean_fail() {
	_d=$1
	shift
	timeout -s KILL 30 "$@" >"$D/cf.out" 2>"$D/cf.err"
	_rc=$?
	if [ $_rc -eq 1 ] && [ "$(grep -c . "$D/cf.err")" -eq 1 ] && [ ! -s "$D/cf.out" ]; then
		ok "$_d: $(cat "$D/cf.err")"
	else
		not_ok "$_d (got status $_rc)" "$D/cf.err" "$D/cf.out"
	fi
}

for t in "$TK_BIN"/*; do
	[ -f "$t" ] && [ -x "$t" ] || continue
	n=$(basename "$t")
	vs=$(variants "$t")
	# shellcheck disable=SC2046
	set -- $(tool_args "$t")

	clean_fail "$n without --btf fails cleanly" "$t" "$@"

	# Auto last: it must pick the first variant that ran forced.
	want=
	O="$D/out.$n"
	SHOW="$O $O.err"
	list=none	# no --attach at all
	[ -n "$vs" ] && list="$vs auto"
	for v in $list; do
		A="--attach=$v"
		[ "$v" = none ] && A=
		if [ -n "$A" ] && [ "$v" != auto ] && needs_kernel_btf "$v"; then
			clean_fail "$n --btf $A needs the kernel's BTF: fails cleanly" \
				"$t" "$@" --btf "$F" $A
			continue
		fi
		# A helper this kernel lacks (5.10: bpf_task_pt_regs), confirmed
		# by bpftool's probe, is the only other reason to refuse.
		if [ -n "$A" ] && [ "$v" != auto ] && variant_refused "$t" "$v" "$@" --btf "$F"; then
			has_text "$T_DIR/refused.err" "lacks BPF helper" ||
				not_ok "$n --btf $A: refused for a reason other than a missing helper" \
					"$T_DIR/refused.err"
			continue
		fi
		[ -z "$want" ] && [ -n "$A" ] && [ "$v" != auto ] && want=$v
		case "$n" in
		opensnoop)
			echo x >"$D/btf.$v"
			work a openat "$D/btf.$v"
			pa=$W_PID
			tool_start "$O" "$t" --btf "$F" $A || continue
			go a
			sleep 0.3
			stop_tool INT
			check "$n --btf $A sees an open" \
				has "$O" "^$pa +tk_work +[0-9]+ +0 $D/btf.$v\$"
			;;
		syscount)
			work a -n 200 getppid
			pa=$W_PID
			tool_start "$O" "$t" --btf "$F" $A -p "$pa" || continue
			go a
			stop_tool INT
			check "$n --btf $A counts 200 getppid calls" \
				[ "$(awk '$1 == "getppid" { print $2 }' "$O")" = 200 ]
			;;
		*)
			tool_start "$O" "$t" "$@" --btf "$F" $A || continue
			stop_tool INT
			;;
		esac
		got=$(sed -n 's/.*attach: using \([^ ]*\).*/\1/p' "$O.err")
		if [ "$v" = auto ]; then
			check "$n --btf: auto picks $want (got ${got:-nothing})" [ "$got" = "$want" ]
		elif [ -n "$A" ]; then
			check "$n --btf $A attaches" [ "$got" = "$v" ]
		fi
		check "$n --btf ${A:-(no variants)}: exit 0 on SIGINT" [ "$TOOL_RC" -eq 0 ]
	done
done

leak_check "no BPF program or link left behind"
umount /sys/kernel/btf
check "/sys/kernel/btf back" [ -e /sys/kernel/btf/vmlinux ]
finish
