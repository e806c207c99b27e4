#!/bin/sh
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
# Guest only (tests/vm): a kernel whose /sys/kernel/btf is gone. The guest
# kernel's BTF is copied to a file, then an empty tmpfs is mounted over
# /sys/kernel/btf.
# - With no BTF anywhere, a tool says in one line every place it looked.
# - --btf FILE (the full BTF): CO-RE relocation works from the file, so
#   variants on tracepoints, raw tracepoints and kprobes must still run and
#   see events; fentry/fexit/tp_btf need the kernel's own BTF to name their
#   attach point (common/attach.c kernel_btf()), so forced they must fail
#   cleanly (one line, status 1), and auto must pick a variant that works.
# - No --btf at all: the kit holds btf/RELEASE.btf, minimised for the tools
#   by `make btf` on the host from this kernel's vmlinuz (tests/vm/run.sh).
#   Every tool finds it (-v names it), auto picks a variant that works, and
#   sees a real event of a workload of the test's own (btf-e2e.sh: the
#   tools whose workloads need servers, disks or cgroups run their own e2e
#   file on it).
. "$(dirname "$0")/lib.sh"
need_root
D=$T_DIR
F=$D/vmlinux.btf
REL=$(uname -r)
KB=$(dirname "$(readlink -f "$TK_BIN/opensnoop")")/btf
MIN=$KB/$REL.btf

cat /sys/kernel/btf/vmlinux >"$F"
check "the kernel's BTF copied to a file" [ -s "$F" ]
if [ -s "$MIN" ]; then
	size=$(wc -c <"$MIN" | tr -d ' ')
	echo "# minimised BTF for $REL, all tools: $size bytes (the kernel's: $(wc -c <"$F" | tr -d ' '))"
	check "the kit's BTF for $REL: $size bytes, under 1 MiB for all tools" [ "$size" -lt 1048576 ]
else
	not_ok "the kit holds a BTF for $REL ($MIN, made by the lane)"
fi
trap 'umount /sys/kernel/btf 2>/dev/null; [ -d "$KB.off" ] && mv "$KB.off" "$KB"; t_cleanup' EXIT
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

# --- No BTF anywhere: the kit's set aside. ---
rm -rf /usr/lib/tracekit
[ -d "$KB" ] && mv "$KB" "$KB.off"
for t in "$TK_BIN"/*; do
	[ -f "$t" ] && [ -x "$t" ] || continue
	n=$(basename "$t")
	# shellcheck disable=SC2046
	set -- $(tool_args "$t")
	clean_fail "$n without any BTF fails cleanly" "$t" "$@"
	SHOW=$D/cf.err check "$n without any BTF: names every place looked at" has_text "$D/cf.err" \
		"no kernel BTF for $REL: looked at /sys/kernel/btf/vmlinux, $KB/$REL.btf, /usr/lib/tracekit/btf/$REL.btf; pass --btf FILE"
done
[ -d "$KB.off" ] && mv "$KB.off" "$KB"

# --- --btf FILE: the kernel's full BTF, every variant. ---
for t in "$TK_BIN"/*; do
	[ -f "$t" ] && [ -x "$t" ] || continue
	n=$(basename "$t")
	vs=$(variants "$t")
	# shellcheck disable=SC2046
	set -- $(tool_args "$t")

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
	# What auto must pick on the kit's BTF below: the same (no kernel BTF).
	eval "btf_want_$n=\$want"
done

# --- No --btf: the kit's minimised BTF, found by the tools themselves. ---
# see_event TOOL OUT: the tool (auto variant, from the kit, on the kit's
# BTF) runs while a workload of the test's own does one thing it must see,
# checked against what the workload did. The tools whose workloads need
# servers, disks or cgroups run their own e2e file on it (btf-e2e.sh).
M=btfmark$$
see_event() {
	_t=$(basename "$1")
	_o=$2
	case "$_t" in
	opensnoop)
		echo x >"$D/kit.open"
		work a openat "$D/kit.open"
		_pa=$W_PID
		tool_start "$_o" "$1" || return
		go a
		sleep 0.3
		stop_tool INT
		check "$_t on the kit's BTF sees an open by $_pa" \
			has "$_o" "^$_pa +tk_work +[0-9]+ +0 $D/kit.open\$"
		;;
	syscount)
		work a -n 200 getppid
		_pa=$W_PID
		tool_start "$_o" "$1" -p "$_pa" || return
		go a
		stop_tool INT
		check "$_t on the kit's BTF counts 200 getppid calls" \
			[ "$(awk '$1 == "getppid" { print $2 }' "$_o")" = 200 ]
		;;
	execsnoop)
		tool_start "$_o" "$1" || return
		/bin/true "$M" &
		_c=$!
		wait $_c
		wait_for "$_o" "$M" 10
		stop_tool INT
		check "$_t on the kit's BTF sees the exec of /bin/true $M by $_c" \
			has "$_o" "^true +$_c +$$ +0 +/bin/true $M\$"
		;;
	exitsnoop)
		tool_start "$_o" "$1" || return
		sh -c 'exit 7' &
		_c=$!
		wait $_c
		wait_for "$_o" " code 7\$" 10
		stop_tool INT
		check "$_t on the kit's BTF sees $_c exit with code 7" \
			has "$_o" "^sh +$_c +$$ +$_c +[0-9.]+ +code 7\$"
		;;
	killsnoop)
		sleep 30 &
		_c=$!
		T_PIDS="$T_PIDS $_c"
		tool_start "$_o" "$1" || return
		kill -TERM $_c
		wait $_c
		wait_for "$_o" " $_c " 10
		stop_tool INT
		check "$_t on the kit's BTF sees SIGTERM from $$ to $_c" \
			has "$_o" " $$ +[^ ]+ +15 +$_c +0\$"
		;;
	mountsnoop)
		mkdir -p "$D/mnt"
		tool_start "$_o" "$1" || return
		mount -t tmpfs "$M" "$D/mnt" && umount "$D/mnt"
		wait_for "$_o" "$M" 10
		stop_tool INT
		check "$_t on the kit's BTF sees the mount of $M on $D/mnt" \
			has "$_o" "mount\\(\"$M\", \"$D/mnt\", \"tmpfs\""
		;;
	tcpconnect)
		"$TK_HELPERS/tk_tcp" listen 127.0.0.1 0 >"$D/listen" 2>&1 &
		T_PIDS="$T_PIDS $!"
		wait_for "$D/listen" '^port ' 30
		_p=$(sed -n 's/^port //p' "$D/listen")
		tool_start "$_o" "$1" || return
		"$TK_HELPERS/tk_tcp" connect 127.0.0.1 "$_p" 1 >"$D/conn" 2>&1
		_c=$(sed -n 's/^pid //p' "$D/conn")
		wait_for "$_o" " $_p\$" 10
		stop_tool INT
		check "$_t on the kit's BTF sees $_c connect to 127.0.0.1 port $_p" \
			has "$_o" "^$_c +tk_tcp +4 +127\\.0\\.0\\.1 +127\\.0\\.0\\.1 +$_p\$"
		;;
	bindsnoop)
		tool_start "$_o" "$1" || return
		"$TK_HELPERS/tk_bind" >"$D/binds" 2>&1
		_c=$(sed -n 's/^pid //p' "$D/binds")
		wait_for "$_o" "^$_c .* EACCES " 10
		stop_tool INT
		sed -n 's/^bind //p' "$D/binds" >"$D/binds.want"
		awk -v p="$_c" '$1 == p { $1 = ""; $2 = ""; sub(/^  /, ""); print }' "$_o" >"$D/binds.got"
		check "$_t on the kit's BTF sees $_c's $(grep -c . "$D/binds.want") binds as it did them" \
			eval '[ -s "$D/binds.want" ] && cmp -s "$D/binds.want" "$D/binds.got"'
		;;
	ttysnoop)
		tool_start "$_o" "$1" -a || return
		"$TK_HELPERS/tk_pty" "a:$M\\n" >"$D/pty" 2>&1
		wait_for "$_o" "$M" 10
		stop_tool INT
		check "$_t on the kit's BTF sees $M written to a terminal" has "$_o" "$M"
		;;
	dnssnoop)
		# dnsmasq on a port of the test's own answers ok.test.
		_p=$((20000 + $$ % 20000))
		dnsmasq -k --port="$_p" --listen-address=127.0.0.1 --bind-interfaces --no-resolv \
			--no-hosts --pid-file= --user=root --address=/ok.test/10.1.2.3 \
			>"$D/dnsmasq.log" 2>&1 &
		_s=$!
		T_PIDS="$T_PIDS $_s"
		_i=0
		until "$TK_HELPERS/tk_dns" "$_p" ok.test 2>/dev/null | grep -q '^rcode 0 ancount 1$'; do
			_i=$((_i + 1))
			[ $_i -lt 50 ] || break
			sleep 0.1
		done
		tool_start "$_o" "$1" -P "$_p" || { kill $_s; return; }
		"$TK_HELPERS/tk_dns" "$_p" "$M.ok.test" >"$D/dns" 2>&1
		_c=$(sed -n 's/^pid //p' "$D/dns")
		wait_for "$_o" "$M" 10
		stop_tool INT
		kill $_s 2>/dev/null
		SHOW="$_o $D/dns"
		check "$_t on the kit's BTF sees $_c ask for $M.ok.test, and the answer" \
			eval 'has "$_o" "^[0-9:.]* *$_c +tk_dns .*$M\\.ok\\.test" &&
				[ "$(grep -c "$M" "$_o")" -ge 2 ]'
		;;
	sslsniff)
		# tk_tls writes a message of its own through OpenSSL's SSL_write.
		openssl req -x509 -newkey rsa:2048 -nodes -keyout "$D/k.pem" -out "$D/c.pem" \
			-days 1 -subj /CN=t >/dev/null 2>&1
		_b=${TK_TLS_BUILT:-$ROOT/build/tls}/tk_tls
		"$_b" server "$D/c.pem" "$D/k.pem" >"$D/srv" 2>&1 &
		T_PIDS="$T_PIDS $!"
		wait_for "$D/srv" '^pid [0-9]* port [0-9]*$' 10
		_p=$(sed -n 's/^pid [0-9]* port \([0-9]*\)$/\1/p' "$D/srv")
		tool_start "$_o" "$1" || return
		"$_b" client "$_p" "$M" >"$D/cli" 2>&1
		_c=$(sed -n 's/^pid //p' "$D/cli")
		wait_for "$_o" "$M" 10
		stop_tool INT
		SHOW="$_o $D/cli $D/srv"
		check "$_t on the kit's BTF sees $_c write $M through SSL_write" \
			has "$_o" "$M"
		check "$_t on the kit's BTF: the write is tk_tls's ($_c)" has "$_o" "[ ]$_c[ ]"
		;;
	*)
		tool_start "$_o" "$1" || return
		stop_tool INT
		;;
	esac
}

for t in "$TK_BIN"/*; do
	[ -f "$t" ] && [ -x "$t" ] || continue
	[ -s "$MIN" ] || break
	n=$(basename "$t")
	vs=$(variants "$t")
	eval "want=\${btf_want_$n:-}"
	O="$D/kit.$n"
	SHOW="$O $O.err"
	TOOL_RC=
	see_event "$t" "$O"
	check "$n, no --btf: -v names the kit's BTF" \
		has_text "$O.err" "$n: BTF: $MIN (the kernel has none of its own)"
	if [ -n "$vs" ]; then
		got=$(sed -n 's/.*attach: using \([^ ]*\).*/\1/p' "$O.err")
		check "$n, no --btf: auto picks $want (got ${got:-nothing})" [ "$got" = "$want" ]
	fi
	check "$n, no --btf: exit 0 on SIGINT" [ "$TOOL_RC" = 0 ]
done

# A BTF in /usr/lib/tracekit/btf, when the kit has none (the guest's root is
# a throwaway initramfs).
if [ -s "$MIN" ]; then
	mkdir -p /usr/lib/tracekit/btf
	cp "$MIN" /usr/lib/tracekit/btf/
	mv "$KB" "$KB.off"
	t=$TK_BIN/opensnoop
	O=$D/sys.opensnoop
	SHOW="$O $O.err"
	echo x >"$D/btf.sys"
	work a openat "$D/btf.sys"
	pa=$W_PID
	tool_start "$O" "$t" && {
		go a
		sleep 0.3
		stop_tool INT
	}
	check "opensnoop, no --btf: -v names /usr/lib/tracekit/btf's" \
		has_text "$O.err" "opensnoop: BTF: /usr/lib/tracekit/btf/$REL.btf (the kernel has none of its own)"
	check "opensnoop on /usr/lib/tracekit/btf's BTF sees an open" \
		has "$O" "^$pa +tk_work +[0-9]+ +0 $D/btf.sys\$"
	mv "$KB.off" "$KB"
	rm -rf /usr/lib/tracekit
fi

leak_check "no BPF program or link left behind"
umount /sys/kernel/btf
check "/sys/kernel/btf back" [ -e /sys/kernel/btf/vmlinux ]
finish
