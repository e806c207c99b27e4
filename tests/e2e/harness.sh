#!/bin/sh
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
# The suite's own reporting: tests/run.sh ends with the failed tests' lines
# and then exactly "N passed, N failed"; the qemu lane (tests/vm/run.sh)
# reports a line per test file and kernel from a guest's serial log as it
# grows. Fake test files and a fake serial log: no root, no kernel, no qemu.
. "$(dirname "$0")/lib.sh"
D=$T_DIR

# --- tests/run.sh: the failures again at the end ------------------------------
cat >"$D/fk.sh" <<'EOT'
echo "ok - fk: first"
echo "not ok - fk: second broke"
echo "#   some detail"
echo "ok - fk: third"
echo "not ok - fk: fourth broke"
echo "fk: 2 passed, 2 failed"
exit 1
EOT
echo 'echo "just talk"' >"$D/crash.sh"
printf 'echo "ok - good: one"\necho "good: 1 passed, 0 failed"\n' >"$D/good.sh"
sh "$ROOT/tests/run.sh" "$D/fk.sh" "$D/crash.sh" "$D/good.sh" >"$D/run.out" 2>&1
rc=$?
SHOW="$D/run.out"
check "run.sh: status 1 when tests failed" [ $rc -eq 1 ]
check "run.sh: the last line is exactly the total" \
	[ "$(tail -n 1 "$D/run.out")" = "3 passed, 3 failed" ]
# What failed, as the files themselves said it, after the last test's output.
grep '^echo "not ok' "$D/fk.sh" | sed 's/^echo "\(.*\)"$/#   \1/' >"$D/want"
echo "#   not ok - crash.sh printed no result line (crashed?)" >>"$D/want"
sed -n '/^good: 1 passed/,$p' "$D/run.out" | grep '^#   not ok' >"$D/got"
check "run.sh: the failed tests' lines again at the end, in order" cmp -s "$D/got" "$D/want"
check "run.sh: ... not the passing ones" not has "$D/got" 'first|third|good'
sh "$ROOT/tests/run.sh" "$D/good.sh" >"$D/run2.out" 2>&1
SHOW="$D/run2.out"
check "run.sh: nothing failed, the total last" \
	[ "$(tail -n 1 "$D/run2.out")" = "1 passed, 0 failed" ]
check "run.sh: nothing failed, no list" not has "$D/run2.out" '^# *(not ok|Failed)'

# --- tests/vm/run.sh: progress from a serial log -------------------------------
# Its progress functions alone (the script itself downloads and boots).
sed -n '/^progress() {/,/^}/p;/^watch_guests() {/,/^}/p' "$ROOT/tests/vm/run.sh" >"$D/vmfns.sh"
VM=$D/vm
mkdir -p "$VM/kernels"
LOG=$VM/kernels/6.1.0-x.serial.log
printf 'TKVM-BEGIN 6.1.0-x\r\nok - opensnoop: a\r\nopensnoop: 1 passed, 0 failed\r\n\r\n1 passed, 0 failed\r\n# TKVM: opensnoop.sh took 12s\r\n' >"$LOG"
(
	# The guest goes on meanwhile: a file that times out, then power-off.
	sleep 2
	printf 'not ok - ttysnoop.sh: timed out after 400s\r\n# TKVM: ttysnoop.sh took 400s\r\n' >>"$LOG"
	printf 'not ok - x: y\r\nsyscount: 3 passed, 1 failed\r\n\r\n3 passed, 1 failed\r\n# TKVM: syscount.sh took 7s\r\n' >>"$LOG"
	echo 0 >"$VM/kernels/6.1.0-x.rc"
) &
T_PIDS="$T_PIDS $!"
if [ -s "$D/vmfns.sh" ] && . "$D/vmfns.sh"; then
	( watch_guests " 6.1:6.1.0-x:kernel:initrd" ) >"$D/vm.out" 2>"$D/vm.err"
	printf '%s\n' "# tkvm: [6.1] opensnoop.sh: 1 passed, 0 failed (12s)" \
		"# tkvm: [6.1] ttysnoop.sh: timed out (400s)" \
		"# tkvm: [6.1] syscount.sh: 3 passed, 1 failed (7s)" >"$D/vm.want"
	SHOW="$D/vm.err"
	check "vm lane: a progress line per test file, once each, on stderr" cmp -s "$D/vm.err" "$D/vm.want"
	check "vm lane: nothing of it on stdout" [ ! -s "$D/vm.out" ]
else
	not_ok "vm lane: tests/vm/run.sh has no progress()/watch_guests()"
fi
finish
