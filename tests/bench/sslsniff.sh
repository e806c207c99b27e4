#!/bin/sh
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
# sslsniff overhead: microseconds added to one 1 KiB SSL_write on loopback.
# tk_tls writes N records of SIZE bytes to a tk_tls server on 127.0.0.1 and
# times the writes; each round runs it with no tracer, with sslsniff tracing
# it (output to /dev/null), and with sslsniff filtering it out (-p of
# another process: the uprobe and uretprobe still fire, the BPF program
# returns at its filter), and reports the medians and the differences.
# Run as root from anywhere: sh tests/bench/sslsniff.sh
# Knobs (environment): ROUNDS (5), N (20000), SIZE (1024), CC (cc).
set -u

ROOT=$(cd "$(dirname "$0")/../.." && pwd)
cd "$ROOT" || exit 1
ROUNDS=${ROUNDS:-5}
N=${N:-20000}
SIZE=${SIZE:-1024}
CC=${CC:-cc}
SS=$ROOT/bin/sslsniff

log() { printf 'bench: %s\n' "$*" >&2; }
die() { log "$*"; exit 1; }

[ "$(id -u)" = 0 ] || die "needs root (BPF)"
[ -x "$SS" ] || make -s bin/sslsniff >&2 || die "building sslsniff failed"
T=$(mktemp -d /tmp/tkbench-ssl.XXXXXX) || die "mktemp failed"
PIDS=
cleanup() {
	for p in $PIDS; do kill "$p" 2>/dev/null; done
	rm -rf "$T"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

$CC -O2 -DTK_WITH_OPENSSL tests/helpers/tk_tls.c -lssl -lcrypto -o "$T/tk_tls" ||
	die "building tk_tls failed (needs libssl-dev)"
openssl req -x509 -newkey rsa:2048 -nodes -keyout "$T/k.pem" -out "$T/c.pem" -days 1 \
	-subj /CN=t >/dev/null 2>&1 || die "making a certificate failed"
LIBSSL=$(ldd "$T/tk_tls" | sed -n 's/^[[:space:]]*libssl\.so[^ ]* => \([^ ]*\) .*/\1/p')
[ -n "$LIBSSL" ] || die "cannot find the libssl tk_tls uses"
# Something to point -p at that is not the writer.
sleep 1000 &
OTHER=$!
PIDS="$PIDS $OTHER"

# one_run: ns per write of one client run, against a fresh server.
one_run() {
	: >"$T/srv"
	"$T/tk_tls" -q server "$T/c.pem" "$T/k.pem" >"$T/srv" 2>&1 &
	_s=$!
	_i=0
	while ! grep -q '^pid .* port ' "$T/srv" && [ $_i -lt 200 ]; do sleep 0.05; _i=$((_i + 1)); done
	_port=$(sed -n 's/^pid [0-9]* port \([0-9]*\)$/\1/p' "$T/srv")
	"$T/tk_tls" -q -n "$N" -s "$SIZE" client "$_port" x >"$T/cli" 2>&1
	wait "$_s"
	grep -q "^total $((N * SIZE))\$" "$T/srv" || die "the server did not read everything"
	sed -n 's/^elapsed_ns //p' "$T/cli" | awk -v n="$N" '{ printf "%.3f\n", $1 / n / 1000 }'
}

# tracer_start ARGS...: sslsniff in the background until it is attached.
tracer_start() {
	: >"$T/ss.err"
	"$SS" -v "$@" >/dev/null 2>"$T/ss.err" &
	TPID=$!
	PIDS="$PIDS $TPID"
	_i=0
	while ! grep -q 'Ctrl-C to end' "$T/ss.err" && [ $_i -lt 400 ]; do sleep 0.05; _i=$((_i + 1)); done
	grep -q 'Ctrl-C to end' "$T/ss.err" || die "sslsniff did not start: $(cat "$T/ss.err")"
}

tracer_stop() {
	kill -INT "$TPID"
	wait "$TPID"
	grep 'lost' "$T/ss.err" >&2
}

median() { sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }

log "$ROUNDS rounds of $N writes of $SIZE bytes; each round: none, traced, filtered"
r=0
while [ $r -lt "$ROUNDS" ]; do
	r=$((r + 1))
	one_run >>"$T/none"
	tracer_start
	one_run >>"$T/traced"
	tracer_stop
	# -p finds no library in the other process; --extra-lib names the
	# writer's, so its probes fire and the pid filter turns them away.
	tracer_start -p "$OTHER" --extra-lib "openssl:$LIBSSL"
	one_run >>"$T/filtered"
	tracer_stop
	log "round $r: none $(tail -n 1 "$T/none") us, traced $(tail -n 1 "$T/traced") us," \
		"filtered $(tail -n 1 "$T/filtered") us per write"
done
none=$(median <"$T/none")
traced=$(median <"$T/traced")
filtered=$(median <"$T/filtered")
echo "sslsniff: $SIZE-byte SSL_write on 127.0.0.1, $N writes, median of $ROUNDS rounds"
awk -v a="$none" -v b="$traced" -v c="$filtered" 'BEGIN {
	printf "  no tracer                   %8.3f us/write\n", a
	printf "  sslsniff, tracing it        %8.3f us/write  (+%.3f us, x%.2f)\n", b, b - a, b / a
	printf "  sslsniff, filtered out (-p) %8.3f us/write  (+%.3f us, x%.2f)\n", c, c - a, c / a
}'
