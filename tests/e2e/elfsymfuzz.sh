#!/bin/sh
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
# The ELF symbol readers (tools/sslsniff/elfsym.c, which reads any file a
# process maps under a TLS library's name, and common/syms.c, which reads the
# files behind the addresses of a stack, and kallsyms, maps and perf maps
# text) under AddressSanitizer and UBSan: the fuzz targets
# tests/fuzz/elfsym_fuzz.c and syms_fuzz.c replayed over the seed corpus (a
# small versioned library, and copies with hostile sizes: program and
# section header counts, symbol and string tables past the end), every
# prefix of each seed, and seeded mutations of them; then, where clang has
# libFuzzer, a short real fuzzing run from the corpus.
# Everything is built here, into the test's temporary directory: the
# Makefile does not know these targets. Needs no root (but installs the
# sanitizer runtime as root if it is missing).
. "$(dirname "$0")/lib.sh"
D=$T_DIR
F=$ROOT/tests/fuzz
: "${CLANG:=clang}"
: "${TK_FUZZ_SECONDS:=10}"

# skip WHAT: under CI=true nothing is skipped silently, so it is a failure.
skip() {
	if [ "${CI:-}" = true ]; then
		not_ok "$1 (CI=true: not skipping)"
	else
		echo "# SKIP $T_NAME: $1"
	fi
}

SAN="-g -O1 -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer"

# build OUT EXTRA_FLAGS FILES...: quietly, with the log kept for failures.
build() {
	_out=$1
	_flags=$2
	shift 2
	# shellcheck disable=SC2086
	"$CLANG" $SAN $_flags -std=gnu11 -Wall -Wextra -Werror -I"$ROOT/common" -I"$ROOT/tools/sslsniff" "$@" \
		-o "$_out" >"$_out.log" 2>&1
}

if ! command -v "$CLANG" >/dev/null 2>&1; then
	skip "no $CLANG"
	finish
	exit $?
fi
# The sanitizer runtimes are a package of their own on Debian
# (libclang-rt-N-dev), which a --no-install-recommends clang lacks.
if ! build "$D/probe" "" "$F/replay.c" "$F/elfsym_fuzz.c" "$ROOT/tools/sslsniff/elfsym.c" -lelf &&
   [ "$(id -u)" = 0 ]; then
	ver=$("$CLANG" -dumpversion | cut -d. -f1)
	export DEBIAN_FRONTEND=noninteractive
	apt-get install -y -qq --no-install-recommends "libclang-rt-$ver-dev" >"$D/apt.log" 2>&1 ||
		{ apt-get update -qq >>"$D/apt.log" 2>&1 &&
		  apt-get install -y -qq --no-install-recommends "libclang-rt-$ver-dev" >>"$D/apt.log" 2>&1; }
fi

# fuzz NAME SOURCE: replay the corpus through NAME's target, then libFuzzer.
fuzz() {
	_n=$1
	_src=$2
	if build "$D/${_n}_replay" "" "$F/replay.c" "$F/${_n}_fuzz.c" "$_src" -lelf; then
		ok "$_n: replay built with ASan and UBSan"
		"$D/${_n}_replay" -m 50 "$F"/elfsym_corpus/* >"$D/$_n.replay.out" 2>&1
		rc=$?
		SHOW="$D/$_n.replay.out"
		check "$_n: every seed, its prefixes and 50 mutations each: no crash, no sanitizer report" \
			[ $rc -eq 0 ]
		check "$_n: the replay ran them all" has "$D/$_n.replay.out" '^replayed [0-9]+ inputs$'
	else
		not_ok "$_n: replay built with ASan and UBSan" "$D/${_n}_replay.log"
	fi
	# A short run of libFuzzer itself, on a copy of the corpus (it adds files).
	if build "$D/${_n}_fuzz" "-fsanitize=fuzzer" "$F/${_n}_fuzz.c" "$_src" -lelf; then
		rm -rf "$D/corpus"
		mkdir "$D/corpus"
		cp "$F"/elfsym_corpus/* "$D/corpus/"
		"$D/${_n}_fuzz" -max_total_time="$TK_FUZZ_SECONDS" -max_len=8192 -timeout=10 \
			-rss_limit_mb=1024 -artifact_prefix="$D/$_n-" "$D/corpus" >"$D/$_n.fuzz.out" 2>&1
		rc=$?
		SHOW="$D/$_n.fuzz.out"
		check "$_n: libFuzzer for ${TK_FUZZ_SECONDS}s from the corpus: nothing found" [ $rc -eq 0 ]
		for crash in "$D/$_n"-crash-* "$D/$_n"-leak-* "$D/$_n"-timeout-*; do
			[ -f "$crash" ] || continue
			echo "# reproducer: $(od -An -tx1 "$crash" | tr -d '\n' | head -c 400)"
		done
	else
		skip "clang cannot build libFuzzer targets here (see $D/${_n}_fuzz.log)"
	fi
}

n=$(ls "$F/elfsym_corpus" | wc -l)
check "the corpus has seeds ($n)" [ "$n" -ge 10 ]
# sslsniff's name search and the stack tools' symbol tables read the same
# untrusted files.
fuzz elfsym "$ROOT/tools/sslsniff/elfsym.c"
fuzz syms "$ROOT/common/syms.c"
finish
