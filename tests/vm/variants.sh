#!/bin/sh
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
# The attach variant each tool picks by itself (auto), per kernel: README's
# table between its "variants" markers is made from what the kernels said, not
# kept by hand.
#
#   variants.sh collect SERIES LOG   the picks a guest's attach.sh reported
#                                    (its serial log) -> build/vm/variants/SERIES;
#                                    status 1 if attach.sh did not run there
#   variants.sh host                 the picks on this machine's kernel (root;
#                                    runs each tool for a moment)
#   variants.sh table                the markdown table of what was collected
#   variants.sh readme               write it into README.md
#   variants.sh check SERIES...      ok/not ok: README's column of each SERIES
#                                    says what build/vm/variants/SERIES says
set -u
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
DIR=$ROOT/build/vm/variants
README=$ROOT/README.md
BEGIN='<!-- variants: made by tests/vm/variants.sh; make variants-table -->'
END='<!-- end of variants -->'

# tool_args and variants, as the guest's checks run a tool (without the rest
# of their library, which sets up a test run).
eval "$(sed -n '/^\(tool_args\|variants\)() {/,/^}/p' "$ROOT/tests/vm/guest/lib.sh")"

# The tools, in the Makefile's order.
tools() {
	sed -n 's/^TOOLS *:= *//p' "$ROOT/Makefile" | head -n 1
}

# column SERIES: "tool pick" lines of SERIES, from the collected file.
column() {
	cat "$DIR/$1" 2>/dev/null
}

# The collected series, oldest kernel first (the machine's own last).
series() {
	ls "$DIR" 2>/dev/null | grep -v '^host' | sort -V
	[ -f "$DIR/host" ] && echo host
}

# heading SERIES
heading() {
	if [ "$1" = host ]; then
		echo "$(cat "$DIR/host.release" 2>/dev/null) (development)"
	else
		echo "$1"
	fi
}

table() {
	_s=$(series)
	[ -n "$_s" ] || { echo "variants.sh: nothing collected in $DIR" >&2; return 1; }
	printf '| tool |'
	for s in $_s; do printf ' %s |' "$(heading "$s")"; done
	printf '\n|---|'
	for s in $_s; do printf -- '---|'; done
	printf '\n'
	for t in $(tools); do
		printf '| `%s` |' "$t"
		for s in $_s; do
			_p=$(column "$s" | awk -v t="$t" '$1 == t { sub(/^[^ ]* /, ""); print }')
			printf ' %s |' "${_p:--}"
		done
		printf '\n'
	done
}

case "${1:-}" in
collect)
	[ $# -eq 3 ] || { echo "usage: variants.sh collect SERIES LOG" >&2; exit 2; }
	mkdir -p "$DIR"
	# "ok - attach: opensnoop: auto picks X here (got Y; offered: ...)", and
	# a tool without variants: "(no attach variants) starts".
	_tmp=$DIR/.$2.tmp
	sed -n -e 's/^\(not \)\{0,1\}ok - attach: \([a-z0-9]*\): auto picks [^ ]* here (got \([^;]*\);.*/\2 \3/p' \
		-e 's/^ok - attach: \([a-z0-9]*\) (no attach variants) starts.*/\1 (one way)/p' \
		"$3" | sed 's/ nothing$/ (fails)/' >"$_tmp"
	if [ -s "$_tmp" ]; then
		mv "$_tmp" "$DIR/$2"
	else
		rm -f "$_tmp"	# attach.sh did not run there: keep what was known
		exit 1
	fi
	;;
host)
	mkdir -p "$DIR"
	uname -r | cut -d. -f1,2 >"$DIR/host.release"
	: >"$DIR/host.tmp"
	for t in $(tools); do
		_b=$ROOT/bin/$t
		[ -x "$_b" ] || { echo "variants.sh: no $_b (make first)" >&2; exit 1; }
		if [ -n "$(variants "$_b")" ]; then
			# shellcheck disable=SC2046
			_p=$(timeout -k 20 -s INT 2 "$_b" -v $(tool_args "$_b") 2>&1 >/dev/null |
				sed -n 's/.*attach: using \([^ ]*\).*/\1/p' | head -n 1)
		else
			_p='(one way)'
		fi
		echo "$t ${_p:-(fails)}" >>"$DIR/host.tmp"
	done
	mv "$DIR/host.tmp" "$DIR/host"
	;;
table)
	table
	;;
readme)
	_t=$(table) || exit 1
	grep -qF "$BEGIN" "$README" || { echo "variants.sh: no marker in $README" >&2; exit 1; }
	awk -v b="$BEGIN" -v e="$END" -v t="$_t" '
		$0 == b { print; print t; skip = 1; next }
		$0 == e { skip = 0 }
		!skip { print }' "$README" >"$README.tmp" && mv "$README.tmp" "$README"
	;;
check)
	shift
	# README's table: the heading row names the columns.
	_rows=$(sed -n "\\|^$BEGIN\$|,\\|^$END\$|p" "$README" | grep '^|')
	_head=$(echo "$_rows" | head -n 1)
	for s in "$@"; do
		[ -f "$DIR/$s" ] || continue
		_col=$(echo "$_head" | awk -F' *\\| *' -v s="$s" '{ for (i = 2; i < NF; i++) if ($i == s) print i }')
		# A kernel new to the lane: its column is made after its first run.
		if [ -z "$_col" ]; then
			echo "# [$s] README's variant table has no column $s yet: make variants-table"
			continue
		fi
		_readme=$(echo "$_rows" | tail -n +3 | awk -F' *\\| *' -v c="$_col" '{ gsub(/`/, "", $2); print $2, $c }')
		_seen=$(for t in $(tools); do
			_p=$(column "$s" | awk -v t="$t" '$1 == t { sub(/^[^ ]* /, ""); print }')
			echo "$t ${_p:--}"
		done)
		if [ "$_readme" = "$_seen" ]; then
			echo "ok - [$s] README's variant table says what auto picked here"
		else
			echo "not ok - [$s] README's variant table is not what auto picked here (make variants-table)"
			printf '%s\n' "$_readme" >"$DIR/.readme"
			printf '%s\n' "$_seen" >"$DIR/.seen"
			diff "$DIR/.readme" "$DIR/.seen" | sed -n 's/^[<>]/#  &/p'
		fi
	done
	;;
*)
	echo "usage: variants.sh collect SERIES LOG | host | table | readme | check SERIES..." >&2
	exit 2
	;;
esac
