#!/bin/sh
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
# Man pages: every tool in $TK_BIN has man/man8/TOOL.8; the options its
# OPTIONS section documents are exactly those `TOOL --help` lists; and
# `mandoc -Tlint -W warning` has nothing to say about any page.
# Needs no root. POSIX sh, busybox-level commands only.
#
# An option counts as documented when it appears in a tag of the OPTIONS
# section: the line after .TP or .TQ, an .IP line, or an mdoc .It line.
# Mentions in running text ("needs -L", "-vv") do not count either way.
# TK_MAN_DIR points the test at other pages (default: $ROOT/man/man8).
. "$(dirname "$0")/lib.sh"

: "${TK_MAN_DIR:=$ROOT/man/man8}"

# skip WHAT: under CI=true nothing is skipped silently, so it is a failure.
skip() {
	if [ "${CI:-}" = true ]; then
		not_ok "$1 (CI=true: not skipping)"
	else
		echo "# SKIP $T_NAME: $1"
	fi
}

# Option tokens (-x, --long-option) on stdin, one per line, sorted, unique.
# Splits at blanks and at , = [ ] | ( ) " so that "-p," "--attach=VARIANT"
# and "[--color[=WHEN]]" give -p, --attach and --color.
option_tokens() {
	sed 's/[],=|()"[]/ /g' |
		tr '\t' ' ' |
		tr -s ' ' '\n' |
		grep -E '^(-[A-Za-z0-9?]|--[A-Za-z0-9][A-Za-z0-9_-]*)$' |
		sort -u
}

# help_options TOOL: the options of the option lines of TOOL --help. An
# option line starts with a little indentation and a dash; the description
# after the first run of two blanks is left out, and so is everything from
# the Examples on.
help_options() {
	"$1" --help 2>/dev/null |
		sed '/^Examples/,$d' |
		sed -n 's/^ \{1,10\}\(-.*\)$/\1/p' |
		sed 's/  .*//' |
		option_tokens
}

# man_options PAGE: the options in the tags of PAGE's OPTIONS section, with
# the roff escapes that can appear in them undone: fonts (\fB \f(CW \f[B]),
# \- and the minus/hyphen characters, \& \% \: \c, unbreakable spaces, and
# mdoc's "Fl x" for -x.
man_options() {
	sed -n '/^\.S[Hh][ 	]\{1,\}"\{0,1\}OPTIONS"\{0,1\}[ 	]*$/,/^\.S[Hh][ 	]/p' "$1" |
		sed '1d;/^\.S[Hh][ 	]/d' |
		sed -n '
/^\.T[PQ]/{
n
p
}
/^\.IP[ 	]/p
/^\.It[ 	]/p
' |
		sed -e 's/\\f\[[^]]*\]//g' -e 's/\\f(..//g' -e 's/\\f.//g' \
			-e 's/\\(mi/-/g' -e 's/\\(hy/-/g' -e 's/\\-/-/g' \
			-e 's/\\[&%:c]//g' -e 's/\\[ ~0]/ /g' |
		sed -E 's/(^|[[:space:]])Fl[[:space:]]+/\1-/g' |
		option_tokens
}

# in_first_only A B: lines of file A that are not in file B, on one line.
in_first_only() {
	grep -vxF -f "$2" "$1" | tr '\n' ' ' | sed 's/ $//'
}

# (c) Every page is clean for mandoc at warning level.
if command -v mandoc >/dev/null 2>&1; then
	for page in "$TK_MAN_DIR"/*.8; do
		[ -f "$page" ] || continue
		mandoc -Tlint -W warning "$page" >"$T_DIR/lint" 2>&1
		rc=$?
		if [ "$rc" -eq 0 ] && ! [ -s "$T_DIR/lint" ]; then
			ok "$(basename "$page"): mandoc -Tlint -W warning is clean"
		else
			not_ok "$(basename "$page"): mandoc -Tlint -W warning is clean (exit $rc)" \
				"$T_DIR/lint"
		fi
	done
else
	skip "mandoc is not installed: man pages not linted (apt-get install mandoc)"
fi

# (a) and (b), for every tool binary.
ntools=0
for bin in "$TK_BIN"/*; do
	[ -f "$bin" ] && [ -x "$bin" ] || continue
	ntools=$((ntools + 1))
	tool=$(basename "$bin")
	page=$TK_MAN_DIR/$tool.8
	if ! [ -f "$page" ]; then
		not_ok "$tool: man page $page exists"
		continue
	fi
	ok "$tool: man page $tool.8 exists"

	help_options "$bin" >"$T_DIR/help.$tool"
	man_options "$page" >"$T_DIR/man.$tool"
	if ! [ -s "$T_DIR/help.$tool" ]; then
		not_ok "$tool: --help lists options"
		continue
	fi
	if ! [ -s "$T_DIR/man.$tool" ]; then
		not_ok "$tool.8: has an OPTIONS section with option tags"
		continue
	fi
	missing=$(in_first_only "$T_DIR/help.$tool" "$T_DIR/man.$tool")
	extra=$(in_first_only "$T_DIR/man.$tool" "$T_DIR/help.$tool")
	n=$(grep -c . "$T_DIR/help.$tool")
	if [ -z "$missing" ] && [ -z "$extra" ]; then
		ok "$tool.8: OPTIONS documents the $n options of $tool --help"
	else
		not_ok "$tool.8: OPTIONS documents the $n options of $tool --help (missing from $tool.8: ${missing:-none}; in $tool.8 but not in --help: ${extra:-none})"
	fi
done
[ "$ntools" -gt 0 ] || not_ok "no tools in $TK_BIN (run make)"

# tracekit.8, the kit's multi-call binary (make multi), is checked the same way.
MULTI=${TK_MULTI:-$ROOT/bin/multi/tracekit}
[ -x "$MULTI" ] || make -s -C "$ROOT" multi >"$T_DIR/multi.log" 2>&1
if [ -x "$MULTI" ]; then
	help_options "$MULTI" >"$T_DIR/help.tracekit"
	man_options "$TK_MAN_DIR/tracekit.8" >"$T_DIR/man.tracekit"
	SHOW="$T_DIR/help.tracekit $T_DIR/man.tracekit"
	check "tracekit: --help lists options" [ -s "$T_DIR/help.tracekit" ]
	check "tracekit.8: OPTIONS documents the options of tracekit --help" \
		cmp -s "$T_DIR/help.tracekit" "$T_DIR/man.tracekit"
else
	not_ok "make multi: cannot check tracekit.8" "$T_DIR/multi.log"
fi

# Pages without a tool: stale, or the tool is not built.
for page in "$TK_MAN_DIR"/*.8; do
	[ -f "$page" ] || continue
	tool=$(basename "$page" .8)
	[ "$tool" = tracekit ] && continue
	[ -x "$TK_BIN/$tool" ] || skip "$tool.8: no $TK_BIN/$tool to check its options against"
done

finish
