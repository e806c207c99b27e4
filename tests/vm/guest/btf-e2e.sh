#!/bin/sh
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
# Guest only (tests/vm), after btf.sh: with /sys/kernel/btf hidden and no
# --btf, the tools whose workloads need disks or cgroups (btf.sh runs the
# others against workloads of its own) run their own e2e file,
# auto variant, on the kit's minimised BTF: real events, checked field by
# field against what the workloads did.
. "$(dirname "$0")/lib.sh"
need_root
D=$T_DIR
REL=$(uname -r)
MIN=$(dirname "$(readlink -f "$TK_BIN/opensnoop")")/btf/$REL.btf
TOOLS="biolatency biosnoop oomkill"

if ! [ -s "$MIN" ]; then
	not_ok "the kit holds a BTF for $REL ($MIN, made by the lane)"
	finish
	exit 1
fi
trap 'umount /sys/kernel/btf 2>/dev/null; t_cleanup' EXIT
mount -t tmpfs -o mode=0755 tkvm-nobtf /sys/kernel/btf
check "/sys/kernel/btf hidden" [ ! -e /sys/kernel/btf/vmlinux ]

for n in $TOOLS; do
	e=$ROOT/tests/e2e/$n.sh
	# The tool finds the kit's BTF by itself (-v says so).
	a="--duration 0.2"
	[ "$n" = biolatency ] && a="0.2 1"
	"$TK_BIN/$n" -v $a >"$D/v.$n" 2>&1
	SHOW=$D/v.$n check "$n, no --btf: -v names the kit's BTF" \
		has_text "$D/v.$n" "$n: BTF: $MIN (the kernel has none of its own)"
	t0=$(cut -d. -f1 /proc/uptime)
	env "TK_VARIANTS_$n=auto" sh "$e" >"$D/e2e.$n" 2>&1
	rc=$?
	tot=$(grep -E "^$n: [0-9]+ passed, [0-9]+ failed" "$D/e2e.$n" | tail -n 1)
	grep '^not ok' "$D/e2e.$n" >"$D/e2e.$n.fail"
	[ -s "$D/e2e.$n.fail" ] || tail -n 20 "$D/e2e.$n" >"$D/e2e.$n.fail"
	SHOW="$D/e2e.$n.fail" check "$n.sh (auto) on the kit's minimised BTF, no --btf: ${tot#*: } ($(($(cut -d. -f1 /proc/uptime) - t0)) s)" \
		eval '[ $rc -eq 0 ] && [ -n "$tot" ] && ! grep -q "^not ok" "$D/e2e.$n" && ! has "$D/e2e.$n" "^$n: 0 passed"'
done

umount /sys/kernel/btf
check "/sys/kernel/btf back" [ -e /sys/kernel/btf/vmlinux ]
finish
