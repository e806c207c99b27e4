#!/bin/sh
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
# Guest only (tests/vm), run last: everything before it left the kernel in
# good health -- no warning, oops or BUG in its log (the guest keeps those
# off the console, where they would cut into result lines).
. "$(dirname "$0")/lib.sh"
# oomkill.sh makes a real OOM kill on purpose: the kernel's report of it
# (a stack dump, "Call Trace" included) is expected, and left out here.
dmesg | awk '/invoked oom-killer/ { oom = 1 }
	!oom { print }
	oom && /Killed process|oom_reaper/ { oom = 0 }' >"$T_DIR/dmesg"
grep -E 'WARNING:|BUG:|Oops|Call Trace|general protection|RCU stall|soft lockup|hung_task' \
	"$T_DIR/dmesg" >"$T_DIR/bad"
if [ -s "$T_DIR/bad" ]; then
	# Show the first report with its context, not just the matching lines.
	first=$(grep -nE 'WARNING:|BUG:|Oops|Call Trace|general protection|RCU stall|soft lockup|hung_task' \
		"$T_DIR/dmesg" | head -n 1 | cut -d: -f1)
	sed -n "$(( ${first:-1} > 5 ? ${first:-1} - 5 : 1 )),\$p" "$T_DIR/dmesg" >"$T_DIR/report"
	not_ok "kernel log has no warning, oops or BUG" "$T_DIR/report"
else
	ok "kernel log has no warning, oops or BUG"
fi
finish
