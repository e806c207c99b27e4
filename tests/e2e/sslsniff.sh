#!/bin/sh
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
# sslsniff end to end: real tool, real kernel, TLS on 127.0.0.1 only
# (openssl s_server and s_client, curl, gnutls-cli, NSS's tstclnt, and
# tk_tls, which calls SSL_read/SSL_write directly); every assertion is about
# a call the tool must have seen: its pid, its length and the unique
# plaintext it carried.
. "$(dirname "$0")/lib.sh"
SS="$TK_BIN/sslsniff"
D=$T_DIR
CC=${CC:-cc}
# TK_TLS_BUILT=DIR: tk_tls (linked with OpenSSL), tk_tls_static and
# tk_tls_stripped, built elsewhere: the qemu guest has no compiler.
TLS_BUILT=${TK_TLS_BUILT:-}

# --- bad input: one line, status 2, nothing loaded (no root needed) --------

# bad 'EXPECTED FIRST LINE' ARGS...
bad() {
	want=$1
	shift
	"$SS" "$@" >"$D/out" 2>"$D/err" </dev/null
	rc=$?
	printf '%s\nTry '\''sslsniff --help'\''.\n' "$want" >"$D/want"
	if [ $rc -eq 2 ] && cmp -s "$D/err" "$D/want" && [ ! -s "$D/out" ]; then
		ok "bad input: sslsniff $*"
	else
		echo "# got status $rc"
		not_ok "bad input: sslsniff $*: want '$want', status 2" "$D/err"
	fi
}

echo "not an ELF file" >"$D/notelf"
bad "sslsniff: invalid PID 'x'" -p x
bad "sslsniff: invalid PID '12abc'" -p 12abc
bad "sslsniff: PID '0' is out of range (1 to 2147483647)" -p 0
bad "sslsniff: invalid TID 'x'" -t x
bad "sslsniff: invalid UID 'bob'" -u bob
bad "sslsniff: COMM 'averyveryverylongname' is longer than 15 characters (the kernel keeps 15)" -c averyveryverylongname
bad "sslsniff: invalid library type 'foo' in 'foo:/lib/libssl.so.3' (choose from: openssl, gnutls, nss)" --extra-lib foo:/lib/libssl.so.3
bad "sslsniff: invalid library type 'OpenSSL' in 'OpenSSL:/x' (choose from: openssl, gnutls, nss)" --extra-lib OpenSSL:/x
bad "sslsniff: invalid --extra-lib 'openssl' (want TYPE:PATH)" --extra-lib openssl
bad "sslsniff: invalid --extra-lib 'openssl:' (want TYPE:PATH)" --extra-lib openssl:
bad "sslsniff: cannot read library '/nonexistent/libssl.so.3': No such file or directory" --extra-lib openssl:/nonexistent/libssl.so.3
bad "sslsniff: library '$D/notelf' is not an ELF file for this machine" --extra-lib gnutls:"$D/notelf"
bad "sslsniff: cannot read binary '/nonexistent/app': No such file or directory" --binary /nonexistent/app
bad "sslsniff: binary '$D/notelf' is not an ELF file for this machine" --binary "$D/notelf"
bad "sslsniff: option '--binary' needs an argument" --binary
bad "sslsniff: binary '/' is a directory" --binary /
bad "sslsniff: library '/' is a directory" --extra-lib nss:/
# A FIFO must be refused before open(), which would wait for a writer (the
# old code hung there): bounded, so a hang is a failure and not a stuck run.
mkfifo "$D/fifo"
timeout 5 "$SS" --binary "$D/fifo" >"$D/out" 2>"$D/err" </dev/null
rc=$?
printf '%s\nTry '\''sslsniff --help'\''.\n' "sslsniff: binary '$D/fifo' is not a regular file" >"$D/want"
check "--binary FIFO: refused at once, one line, status 2 (got $rc)" \
	eval '[ $rc -eq 2 ] && cmp -s "$D/err" "$D/want"'
timeout 5 "$SS" --extra-lib "openssl:$D/fifo" >"$D/out" 2>"$D/err" </dev/null
check "--extra-lib openssl:FIFO: refused at once, status 2" [ $? -eq 2 ]
bad "sslsniff: invalid buffer size 'big'" --max-buffer-size big
bad "sslsniff: invalid buffer size '8k'" --max-buffer-size 8k
bad "sslsniff: buffer size '16385' is out of range (0 to 16384)" --max-buffer-size 16385
bad "sslsniff: buffer size '-1' is out of range (0 to 16384)" --max-buffer-size -1
bad "sslsniff: option '--max-buffer-size' needs an argument" --max-buffer-size
bad "sslsniff: -o, -g and -n together leave nothing to trace" -o -g -n
bad "sslsniff: invalid duration 'soon'" -d soon
bad "sslsniff: invalid cgroup '/tmp': not a cgroup2 directory" --cgroup /tmp
bad "sslsniff: invalid option '-Z'" -Z
bad "sslsniff: invalid option '--no-such-option'" --no-such-option
bad "sslsniff: unexpected argument 'extra'" extra
"$SS" --help >"$D/out" 2>"$D/err"
check "--help: usage on stdout, status 0" [ $? -eq 0 ] && has "$D/out" '^Usage: sslsniff'
"$SS" --version >"$D/out"
check "--version" has "$D/out" '^sslsniff \(tracekit\) [0-9]+\.[0-9]+\.[0-9]+$'

need_root

# --- what the workloads need: Debian packages, installed if missing --------

# need_files: sets $missing to the packages of the commands and files the
# tests use that are not there.
need_files() {
	missing=
	command -v openssl >/dev/null 2>&1 || missing="$missing openssl"
	if [ -z "$TLS_BUILT" ]; then
		command -v "$CC" >/dev/null 2>&1 || missing="$missing gcc"
		[ -f /usr/include/openssl/ssl.h ] && [ -n "$(find /usr/lib -name libssl.a 2>/dev/null | head -n 1)" ] ||
			missing="$missing libssl-dev"
		command -v strip >/dev/null 2>&1 || missing="$missing binutils"
	fi
	command -v gnutls-cli >/dev/null 2>&1 || missing="$missing gnutls-bin"
	command -v curl >/dev/null 2>&1 || missing="$missing curl"
	command -v tstclnt >/dev/null 2>&1 && command -v certutil >/dev/null 2>&1 ||
		missing="$missing libnss3-tools"
}
need_files
if [ -n "$missing" ] && command -v apt-get >/dev/null 2>&1; then
	echo "# installing:$missing"
	# shellcheck disable=SC2086
	DEBIAN_FRONTEND=noninteractive apt-get install -y -q $missing >"$D/apt.log" 2>&1 ||
		{ DEBIAN_FRONTEND=noninteractive apt-get update -q >>"$D/apt.log" 2>&1 &&
		  DEBIAN_FRONTEND=noninteractive apt-get install -y -q $missing >>"$D/apt.log" 2>&1; }
	need_files
fi
if [ -n "$missing" ]; then
	if [ "${CI:-}" = true ]; then
		not_ok "needs$missing (CI=true: not skipping)" "$D/apt.log"
	else
		echo "# SKIP $T_NAME: needs$missing"
	fi
	finish
	exit $?
fi

# --- the workloads ------------------------------------------------------------

TLS="$ROOT/tests/helpers/tk_tls.c"
if [ -n "$TLS_BUILT" ]; then
	cp "$TLS_BUILT/tk_tls" "$TLS_BUILT/tk_tls_static" "$TLS_BUILT/tk_tls_stripped" "$D/"
elif ! $CC -O2 -DTK_WITH_OPENSSL "$TLS" -lssl -lcrypto -o "$D/tk_tls" 2>"$D/cc.log"; then
	not_ok "building tk_tls with -lssl -lcrypto" "$D/cc.log"
	finish
	exit 1
fi
# OpenSSL linked in statically, as --binary is for.
[ -n "$TLS_BUILT" ] || $CC -O2 -static -DTK_WITH_OPENSSL "$TLS" -l:libssl.a -l:libcrypto.a -lpthread -ldl \
	-o "$D/tk_tls_static" 2>"$D/cc.static.log"
check "building a static tk_tls with libssl.a" [ -x "$D/tk_tls_static" ]
openssl req -x509 -newkey rsa:2048 -nodes -keyout "$D/k.pem" -out "$D/c.pem" -days 1 \
	-subj /CN=t >"$D/req.log" 2>&1 || not_ok "making a certificate" "$D/req.log"
chmod 0644 "$D/k.pem"
# Workloads running as nobody reach their files.
chmod 0755 "$D"
PRE=
BIN=
SOPT=

# tls_server NAME [TK_TLS_OPTIONS]: a tk_tls server that reads until the
# client closes; sets S_PID and S_PORT. (tk_tls bounds its own life, so a
# client that never comes cannot hang the test.)
tls_server() {
	_n=$1
	shift
	# Emptied now: the background job would do it too late for wait_for.
	: >"$D/srv.$_n"
	"$D/tk_tls" "$@" server "$D/c.pem" "$D/k.pem" >"$D/srv.$_n" 2>&1 &
	T_PIDS="$T_PIDS $!"
	eval "S_BG_$_n=$!"
	wait_for "$D/srv.$_n" '^pid [0-9]* port [0-9]*$' 10 ||
		not_ok "tk_tls server $_n did not start" "$D/srv.$_n"
	S_PID=$(sed -n 's/^pid \([0-9]*\) port.*/\1/p' "$D/srv.$_n")
	S_PORT=$(sed -n 's/^pid [0-9]* port \([0-9]*\)$/\1/p' "$D/srv.$_n")
}

# server_done NAME: wait until server NAME has read everything and exited.
server_done() {
	eval "wait \$S_BG_$1"
}

# tls_client NAME PORT MESSAGE [TK_TLS_OPTIONS]: a client that connects and
# writes MESSAGE once `go NAME` lets it; sets W_PID. $PRE runs it through
# another command (tk_work -u UID exec), $BIN replaces tk_tls; both are
# reset after each use (assignments in front of a function call may or may
# not last beyond it in POSIX sh).
tls_client() {
	_n=$1
	_port=$2
	_msg=$3
	shift 3
	rm -f "$D/go.$_n"
	mkfifo "$D/go.$_n"
	chmod 0644 "$D/go.$_n"
	: >"$D/work.$_n"
	$PRE "${BIN:-$D/tk_tls}" -g "$D/go.$_n" "$@" client "$_port" "$_msg" >"$D/work.$_n" 2>&1 &
	T_PIDS="$T_PIDS $!"
	PRE=
	BIN=
	eval "W_BG_$_n=$!"
	wait_for "$D/work.$_n" '^pid [0-9]*$' 10 || not_ok "tk_tls client $_n did not start" "$D/work.$_n"
	W_PID=$(sed -n 's/^pid \([0-9]*\)$/\1/p' "$D/work.$_n")
}

# pair NAME MESSAGE [CLIENT_OPTIONS]: a server and a client waiting for
# `go NAME`; sets S_PID and W_PID (the client).
pair() {
	_pn=$1
	_pm=$2
	shift 2
	tls_server "$_pn" ${SOPT:-}
	SOPT=
	tls_client "$_pn" "$S_PORT" "$_pm" "$@"
}

# run_pair NAME: let pair NAME talk, and wait until both are done.
run_pair() {
	go "$1"
	server_done "$1"
}

# record FILE STRING: the header lines of the text records whose data holds
# STRING (each the line before its "----- DATA -----").
record() {
	awk -v s="$2" '
		/^(READ\/RECV|WRITE\/SEND|HANDSHAKE) / { head = $0; printed = 0; next }
		/^----- DATA -----$/ { indata = 1; next }
		/^----- END DATA/ { indata = 0; next }
		indata && !printed && index($0, s) { print head; printed = 1 }
	' "$1"
}

# rec_is FILE STRING ERE: a record whose data holds STRING has a header
# line matching ERE.
rec_is() {
	record "$1" "$2" | grep -Eq -- "$3"
}

# fails_with STATUS ERRFILE PATTERN: status 1 and one line on stderr, which
# matches PATTERN.
fails_with() {
	[ "$1" -eq 1 ] && [ "$(grep -c . "$2")" -eq 1 ] && grep -q -- "$3" "$2"
}

# json_line FILE PATTERN...: the first line matching every fixed string.
json_line() {
	_f=$1
	shift
	cp "$_f" "$D/jl.0"
	for _p in "$@"; do
		grep -F -- "$_p" "$D/jl.0" >"$D/jl.1"
		mv "$D/jl.1" "$D/jl.0"
	done
	head -n 1 "$D/jl.0"
}

# openssl s_server -www on an ephemeral port, for the other clients.
openssl s_server -www -accept 127.0.0.1:0 -cert "$D/c.pem" -key "$D/k.pem" \
	>"$D/s_server.out" 2>&1 </dev/null &
T_PIDS="$T_PIDS $!"
wait_for "$D/s_server.out" '^ACCEPT ' 10 || not_ok "openssl s_server did not start" "$D/s_server.out"
WWW_PORT=$(sed -n 's/^ACCEPT .*:\([0-9]*\)$/\1/p' "$D/s_server.out")

# bounded PIDFILE CMD...: run a TLS client in the foreground, bounded,
# recording its pid (exec keeps it).
bounded() {
	_pidfile=$1
	shift
	timeout 20 sh -c 'echo $$ >"$0"; exec "$@"' "$_pidfile" "$@"
}

U=tk-$$-$(date +%s)
printf 'GET /%s-sclient HTTP/1.0\r\n\r\n' "$U" >"$D/req.sclient"
printf 'GET /%s-gnutls HTTP/1.0\r\n\r\n' "$U" >"$D/req.gnutls"
printf 'GET /%s-nss HTTP/1.0\r\n\r\n' "$U" >"$D/req.nss"
O="$D/out"
SHOW="$O"

# --- OpenSSL clients: openssl s_client, curl; READ on the server side -------
pair a "$U-server-read"
tool_start "$O" "$SS" || { finish; exit 1; }
bounded "$D/pid.sclient" openssl s_client -quiet -connect "127.0.0.1:$WWW_PORT" \
	<"$D/req.sclient" >"$D/sclient.out" 2>&1
bounded "$D/pid.curl" curl -sk "https://127.0.0.1:$WWW_PORT/$U-curl" >"$D/curl.out" 2>&1
run_pair a
stop_tool INT
check "exit 0 on SIGINT" [ "$TOOL_RC" -eq 0 ]
check "header line" has "$O" '^FUNC +TIME\(s\) +COMM +PID +LEN *$'
len=$(wc -c <"$D/req.sclient" | tr -d ' ')
p=$(cat "$D/pid.sclient")
check "s_client's SSL_write of its request: WRITE/SEND, pid $p, length $len" \
	rec_is "$O" "GET /$U-sclient HTTP/1.0" "^WRITE/SEND +[0-9]+\.[0-9]{9} +openssl +$p +$len *\$"
p=$(cat "$D/pid.curl")
check "curl's SSL_write of its request: WRITE/SEND by pid $p" \
	rec_is "$O" "GET /$U-curl HTTP/1.1" "^WRITE/SEND +[0-9.]+ +curl +$p +[0-9]+ *\$"
check "curl's SSL_read of the response: READ/RECV by pid $p" \
	rec_is "$O" "HTTP/1.0 200 ok" "^READ/RECV +[0-9.]+ +curl +$p +[0-9]+ *\$"
len=$(printf '%s' "$U-server-read" | wc -c | tr -d ' ')
check "server's SSL_read: READ/RECV by pid $S_PID, length $len" \
	rec_is "$O" "$U-server-read" "^READ/RECV +[0-9.]+ +tk_tls +$S_PID +$len *\$"
check "client's SSL_write: WRITE/SEND by pid $W_PID, length $len" \
	rec_is "$O" "$U-server-read" "^WRITE/SEND +[0-9.]+ +tk_tls +$W_PID +$len *\$"
check "(the server did read those $len bytes)" has "$D/srv.a" "^read $len $U-server-read\$"
check "data block delimited as bcc" has "$O" '^----- END DATA -----$'
check "-v names the libraries attached" has "$O.err" 'attached to .*libssl\.so.*: SSL_write SSL_read SSL_write_ex SSL_read_ex$'

# --- JSON, and the _ex variants (length from the size_t out-parameter) ------
SOPT=-x
pair a "$U-json-ex" -x
js=$(date +%s%N)
tool_start "$O" "$SS" -j || { finish; exit 1; }
j0=$(date +%s%N)
run_pair a
j1=$(date +%s%N)
stop_tool INT
json_valid "JSON: records of the schema, the client's stamped within its run" "$O" sslsniff \
	--since "$js" --type tls --match pid="$W_PID" --work "$j0:$j1"
len=$(printf '%s' "$U-json-ex" | wc -c | tr -d ' ')
line=$(json_line "$O" "\"data\":\"$U-json-ex\"" "\"pid\":$W_PID,")
case "$line" in
'{"v":1,"type":"tls","time":"'*'","tool":"sslsniff","func":"SSL_write_ex","op":"write","lib":"openssl","pid":'$W_PID',"tid":'$W_PID',"uid":0,"comm":"tk_tls","len":'$len',"captured":'$len',"truncated":false,"unreadable":false,"data":"'$U-json-ex'"}')
	ok "JSON: SSL_write_ex record with all its fields" ;;
*) not_ok "JSON: SSL_write_ex record with all its fields" "$O" ;;
esac
line=$(json_line "$O" "\"data\":\"$U-json-ex\"" "\"pid\":$S_PID,")
case "$line" in
*'"func":"SSL_read_ex","op":"read",'*'"len":'$len',"captured":'$len',"truncated":false,'*)
	ok "JSON: SSL_read_ex record, length $len from *readbytes" ;;
*) not_ok "JSON: SSL_read_ex record, length $len from *readbytes" "$O" ;;
esac
if grep -v '^{.*}$' "$O" | grep -q .; then
	not_ok "JSON mode prints only objects" "$O"
else
	ok "JSON mode prints only objects"
fi
check "without -l, JSON data records have no lat_ns" not has "$O" '"data":.*"lat_ns"|"lat_ns":.*"data"' 

# --- GnuTLS: gnutls-cli's gnutls_record_send, and -o -n leaving only GnuTLS -
pair a "$U-not-openssl"
tool_start "$O" "$SS" -o -n --handshake || { finish; exit 1; }
bounded "$D/pid.gnutls" gnutls-cli --insecure -p "$WWW_PORT" 127.0.0.1 \
	<"$D/req.gnutls" >"$D/gnutls.out" 2>&1
run_pair a
stop_tool INT
len=$(wc -c <"$D/req.gnutls" | tr -d ' ')
p=$(cat "$D/pid.gnutls")
check "gnutls-cli's gnutls_record_send: WRITE/SEND, pid $p, length $len" \
	rec_is "$O" "GET /$U-gnutls HTTP/1.0" "^WRITE/SEND +[0-9.]+ +gnutls-cli +$p +$len +[0-9]+\.[0-9]{3} *\$"
check "gnutls-cli's gnutls_record_recv of the response: READ/RECV" \
	rec_is "$O" "HTTP/1.0 200 ok" "^READ/RECV +[0-9.]+ +gnutls-cli +$p "
check "--handshake: gnutls_handshake of gnutls-cli with its latency" \
	has "$O" "^HANDSHAKE +[0-9.]+ +gnutls-cli +$p +0 +[0-9]+\.[0-9]{3} *\$"
check "-o: OpenSSL's calls not traced" not has_text "$O" "$U-not-openssl"
check "-o -n: -v names only GnuTLS" not has "$O.err" 'attached to .*(libssl|libnspr4)'

# --- NSS: tstclnt's PR_Write into its TLS socket, and -o -g leaving only NSS -
mkdir "$D/nssdb"
certutil -N -d "sql:$D/nssdb" --empty-password >"$D/certutil.log" 2>&1 ||
	not_ok "making an NSS database" "$D/certutil.log"
pair a "$U-not-openssl-2"
tool_start "$O" "$SS" -o -g || { finish; exit 1; }
bounded "$D/pid.nss" tstclnt -d "sql:$D/nssdb" -h 127.0.0.1 -p "$WWW_PORT" -o \
	<"$D/req.nss" >"$D/nss.out" 2>&1
run_pair a
stop_tool INT
len=$(wc -c <"$D/req.nss" | tr -d ' ')
p=$(cat "$D/pid.nss")
check "tstclnt's PR_Write: WRITE/SEND, pid $p, length $len" \
	rec_is "$O" "GET /$U-nss HTTP/1.0" "^WRITE/SEND +[0-9.]+ +tstclnt +$p +$len *\$"
check "tstclnt's PR_Read of the response: READ/RECV" \
	rec_is "$O" "HTTP/1.0 200 ok" "^READ/RECV +[0-9.]+ +tstclnt +$p "
check "-o -g: OpenSSL's calls not traced" not has_text "$O" "$U-not-openssl-2"

# --- --handshake and -l: latency of each call ------------------------------
pair a "$U-latency"
tool_start "$O" "$SS" -l --handshake || { finish; exit 1; }
run_pair a
stop_tool INT
check "-l: LAT(ms) column in the header" has "$O" '^FUNC +TIME\(s\) +COMM +PID +LEN +LAT\(ms\) *$'
check "-l: the write's latency in ms" \
	rec_is "$O" "$U-latency" "^WRITE/SEND +[0-9.]+ +tk_tls +$W_PID +[0-9]+ +[0-9]+\.[0-9]{3} *\$"
check "--handshake: the client's SSL_do_handshake (via SSL_connect), with latency" \
	has "$O" "^HANDSHAKE +[0-9.]+ +tk_tls +$W_PID +0 +[0-9]+\.[0-9]{3} *\$"
check "--handshake: the server's (via SSL_accept)" \
	has "$O" "^HANDSHAKE +[0-9.]+ +tk_tls +$S_PID +0 +[0-9]+\.[0-9]{3} *\$"
pair a "$U-hs-json"
tool_start "$O" "$SS" --handshake -j || { finish; exit 1; }
run_pair a
stop_tool INT
line=$(json_line "$O" '"op":"handshake"' "\"pid\":$W_PID,")
case "$line" in
*'"func":"SSL_do_handshake","op":"handshake","lib":"openssl",'*'"ret":1,"lat_ns":'[1-9]*)
	ok "JSON: handshake record with ret 1 and lat_ns" ;;
*) not_ok "JSON: handshake record with ret 1 and lat_ns" "$O" ;;
esac
line=$(json_line "$O" "\"data\":\"$U-hs-json\"" "\"pid\":$W_PID,")
case "$line" in
*'"lat_ns":'[1-9]*) ok "--handshake implies -l: JSON data records have lat_ns" ;;
*) not_ok "--handshake implies -l: JSON data records have lat_ns" "$O" ;;
esac

# --- sizes: each record size class, and truncation --------------------------
# Three captures, one per record size (256, 2048, 16384 bytes of data).
for size in 200 1500 9000; do
	pair a "$U-size$size-" -s $size
	tool_start "$O" "$SS" -j || { finish; exit 1; }
	run_pair a
	stop_tool INT
	cap=$size
	trunc=false
	if [ $size -gt 8192 ]; then
		cap=8192
		trunc=true
	fi
	line=$(json_line "$O" "\"pid\":$W_PID," '"func":"SSL_write"')
	case "$line" in
	*'"len":'$size',"captured":'$cap',"truncated":'$trunc',"unreadable":false,"data":"'$U-size$size-$U-size$size*)
		ok "a $size-byte write: $cap bytes captured (truncated: $trunc)" ;;
	*) not_ok "a $size-byte write: $cap bytes captured (truncated: $trunc)" "$O" ;;
	esac
	got=$(printf '%s\n' "$line" | sed 's/.*"data":"\(.*\)"}$/\1/' | tr -d '\n' | wc -c | tr -d ' ')
	check "a $size-byte write: the data has $cap bytes ($got)" [ "$got" -eq "$cap" ]
done

msg="$U-0123456789abcdefghij"
pair a "$msg"
tool_start "$O" "$SS" --max-buffer-size 16 || { finish; exit 1; }
run_pair a
stop_tool INT
len=$(printf '%s' "$msg" | wc -c | tr -d ' ')
first16=$(printf '%s' "$msg" | cut -c1-16)
check "--max-buffer-size 16: the write's full length is reported ($len)" \
	has "$O" "^WRITE/SEND +[0-9.]+ +tk_tls +$W_PID +$len *\$"
grep -A 3 -E "^WRITE/SEND +[0-9.]+ +tk_tls +$W_PID +$len *\$" "$O" >"$D/trunc"
check "--max-buffer-size 16: the data is the first 16 bytes" \
	[ "$(sed -n 3p "$D/trunc")" = "$first16" ]
check "--max-buffer-size 16: then TRUNCATED, $((len - 16)) bytes lost" \
	[ "$(sed -n 4p "$D/trunc")" = "----- END DATA (TRUNCATED, $((len - 16)) bytes lost) -----" ]

# --- --hexdump, and bytes that must not reach the terminal raw --------------
pair a "HEX$U"
tool_start "$O" "$SS" --hexdump || { finish; exit 1; }
run_pair a
stop_tool INT
hex=$(printf 'HEX%s' "$U" | od -An -tx1 -v | tr -d ' \n' | cut -c1-32)
check "--hexdump: 16 bytes (32 hex digits) a line" has "$O" "^$hex\$"
esc=$(printf 'esc-%s\033[31mred' "$U")
pair a "$esc"
tool_start "$O" "$SS" || { finish; exit 1; }
run_pair a
stop_tool INT
check "control bytes in the data are escaped in text" has_text "$O" "esc-$U\\x1b[31mred"
check "no raw escape byte reaches the output" not grep -q "$(printf '\033')" "$O"

# A peer's data must not end a record early or forge one. The client writes,
# 3 times, an END DATA marker and then a record header claiming to be a read
# of 5 bytes by the server. The truth is the workload's: 3 writes by the
# client, and the server's own total of bytes read. The output is parsed as
# a reader of bcc's output would: a header, DATA, lines, END DATA.
tls_server a -q
fake=$(printf 'forge-%s\n----- END DATA -----\n\nREAD/RECV    0.000000001        tk_tls           %s 5\n----- DATA -----\nfake!' "$U" "$S_PID")
tls_client a "$S_PORT" "$fake" -n 3
tool_start "$O" "$SS" || { finish; exit 1; }
run_pair a
stop_tool INT
awk -v w="$W_PID" -v s="$S_PID" '
	!indata && /^(READ\/RECV|WRITE\/SEND|HANDSHAKE) / { op = $1; pid = $4; len = $5; next }
	!indata && /^----- DATA -----$/ { indata = 1; next }
	indata && /^----- END DATA/ {
		indata = 0
		if (op == "WRITE/SEND" && pid == w) writes++
		if (op == "READ/RECV" && pid == s) read += len
		next
	}
	END { printf "%d %d\n", writes, read }
' "$O" >"$D/forge.count"
wrote=$(grep -c '^wrote ' "$D/work.a")
total=$(sed -n 's/^total //p' "$D/srv.a")
[ "$wrote" -eq 3 ] && [ "${total:-0}" -gt 0 ] && [ "$(cat "$D/forge.count")" = "3 $total" ]
check "forged END DATA and header: $wrote writes and $total bytes read, as the workload counted ($(cat "$D/forge.count"))" \
	[ $? -eq 0 ]
check "forged lines are shown with their first byte escaped" \
	has_text "$O" '\x2d---- END DATA -----'

# --- filters: each includes what it should and excludes the rest ------------
tls_server a
tls_client a "$S_PORT" "$U-pid-in"
pa=$W_PID
tls_server b
tls_client b "$S_PORT" "$U-pid-out"
tool_start "$O" "$SS" -p "$pa" || { finish; exit 1; }
run_pair a
run_pair b
stop_tool INT
check "-p includes that process" rec_is "$O" "$U-pid-in" "^WRITE/SEND +[0-9.]+ +tk_tls +$pa "
check "-p excludes other processes" not has_text "$O" "$U-pid-out"
check "-p excludes the servers too (one data block: the client's)" \
	[ "$(grep -c '^----- DATA' "$O")" -eq 1 ]
check "-p attaches through /proc/PID/root to what the process mapped" \
	has "$O.err" "attached to /proc/$pa/root/.*libssl\\.so"

tls_server a
tls_client a "$S_PORT" "$U-tid-in"
ta=$W_PID
tls_server b
tls_client b "$S_PORT" "$U-tid-out"
tool_start "$O" "$SS" -t "$ta" -x || { finish; exit 1; }
run_pair a
run_pair b
stop_tool INT
check "-t includes that thread (-x shows UID and TID)" \
	rec_is "$O" "$U-tid-in" "^WRITE/SEND +[0-9.]+ +tk_tls +$ta +[0-9]+ +0 +$ta *\$"
check "-t excludes other threads" not has_text "$O" "$U-tid-out"

tls_server a
PRE="$TK_HELPERS/tk_work -u 65534 exec"
tls_client a "$S_PORT" "$U-uid-in"
ua=$W_PID
tls_server b
tls_client b "$S_PORT" "$U-uid-out"
tool_start "$O" "$SS" -u 65534 -x || { finish; exit 1; }
run_pair a
run_pair b
stop_tool INT
check "-u includes that uid (-x shows it)" \
	rec_is "$O" "$U-uid-in" "^WRITE/SEND +[0-9.]+ +tk_tls +$ua +[0-9]+ +65534 +$ua *\$"
check "-u excludes other uids" not has_text "$O" "$U-uid-out"

cp "$D/tk_tls" "$D/tlsother"
tls_server a
tls_client a "$S_PORT" "$U-comm-in"
tls_server b
BIN="$D/tlsother"
tls_client b "$S_PORT" "$U-comm-out"
tool_start "$O" "$SS" -c tk_t || { finish; exit 1; }
run_pair a
run_pair b
stop_tool INT
check "-c includes process names containing COMM" \
	rec_is "$O" "$U-comm-in" "^WRITE/SEND +[0-9.]+ +tk_tls "
check "-c excludes other names" not rec_is "$O" "$U-comm-out" "^WRITE/SEND"
check "(the other name's server, named tk_tls, is seen)" \
	rec_is "$O" "$U-comm-out" "^READ/RECV +[0-9.]+ +tk_tls "

CG=/sys/fs/cgroup/unified/tk-e2e-ssl-$$
if mkdir "$CG" 2>/dev/null; then
	tls_server a
	tls_client a "$S_PORT" "$U-cg-in"
	ca=$W_PID
	echo "$ca" >"$CG/cgroup.procs"
	tls_server b
	tls_client b "$S_PORT" "$U-cg-out"
	tool_start "$O" "$SS" --cgroup "$CG" || { finish; exit 1; }
	run_pair a
	run_pair b
	stop_tool INT
	check "--cgroup includes processes in the cgroup" \
		rec_is "$O" "$U-cg-in" "^WRITE/SEND +[0-9.]+ +tk_tls +$ca "
	check "--cgroup excludes the rest (the other client and the servers)" \
		not has_text "$O" "$U-cg-out"
	rmdir "$CG"
else
	not_ok "cannot create cgroup $CG"
fi

# -p on a process without any TLS library: nothing to attach, one line, 1.
work z sleep 1
"$SS" -p "$W_PID" >"$D/nolib.out" 2>"$D/nolib.err"
rc=$?
go z
check "-p on a process without TLS: status 1, one line naming the process" \
	fails_with "$rc" "$D/nolib.err" "process $W_PID uses no TLS library"
"$SS" -p 2147483647 >"$D/nolib.out" 2>"$D/nolib.err"
check "-p on no process: status 1, one line" \
	fails_with "$?" "$D/nolib.err" "no process 2147483647"

# --- libraries elsewhere: --extra-lib, -p finding them, a replaced one ------
# (ldd is glibc's script around the dynamic loader's --list.)
# The guest has no ldd: the loader of this architecture (x86-64, arm64).
if command -v ldd >/dev/null 2>&1; then
	ldd "$D/tk_tls"
else
	for ld in /lib64/ld-linux-x86-64.so.2 /lib/ld-linux-aarch64.so.1; do
		[ -x "$ld" ] && "$ld" --list "$D/tk_tls" && break
	done
fi >"$D/ldd.out" 2>&1
libssl=$(sed -n 's/^[[:space:]]*libssl\.so[^ ]* => \([^ ]*\) .*/\1/p' "$D/ldd.out")
mkdir -p "$D/lib" "$D/lib2"
cp "$libssl" "$D/lib/"
cp "$libssl" "$D/lib2/"
lib=$D/lib/$(basename "$libssl")
tls_server a
sa=$S_PID
PRE="env LD_LIBRARY_PATH=$D/lib"
tls_client a "$S_PORT" "$U-copy-unseen"
pa=$W_PID
tls_server b
PRE="env LD_LIBRARY_PATH=$D/lib"
tls_client b "$S_PORT" "$U-copy-extra"
pb=$W_PID
tool_start "$O" "$SS" || { finish; exit 1; }
run_pair a
stop_tool INT
check "a private copy of libssl is not traced by default" \
	not rec_is "$O" "$U-copy-unseen" "^WRITE/SEND +[0-9.]+ +tk_tls +$pa "
check "(its server, on the system libssl, is)" \
	rec_is "$O" "$U-copy-unseen" "^READ/RECV +[0-9.]+ +tk_tls +$sa "
tool_start "$O" "$SS" --extra-lib "openssl:$lib" || { finish; exit 1; }
run_pair b
stop_tool INT
check "--extra-lib openssl:PATH traces that copy" \
	rec_is "$O" "$U-copy-extra" "^WRITE/SEND +[0-9.]+ +tk_tls +$pb "
check "-v names the extra library" has_text "$O.err" "attached to $lib: SSL_write"

tls_server a
PRE="env LD_LIBRARY_PATH=$D/lib"
tls_client a "$S_PORT" "$U-copy-p"
tool_start "$O" "$SS" -p "$W_PID" || { finish; exit 1; }
run_pair a
stop_tool INT
check "-p finds the copy the process mapped" \
	rec_is "$O" "$U-copy-p" "^WRITE/SEND +[0-9.]+ +tk_tls +$W_PID "

tls_server a
PRE="env LD_LIBRARY_PATH=$D/lib2"
tls_client a "$S_PORT" "$U-deleted"
rm -f "$D/lib2/$(basename "$libssl")"
tool_start "$O" "$SS" -p "$W_PID" || { finish; exit 1; }
run_pair a
stop_tool INT
check "-p traces a library deleted since it was mapped (through map_files)" \
	rec_is "$O" "$U-deleted" "^WRITE/SEND +[0-9.]+ +tk_tls +$W_PID "
check "(-v names /proc/PID/map_files)" has "$O.err" "attached to /proc/$W_PID/map_files/"

# A process mapping 33 files named libssl.so.N that are no libraries (more
# than the 32 files sslsniff attaches to; it once gave up with "Argument list
# too long"): -p ignores them and still traces the real libssl.
mkdir "$D/junk"
for i in $(seq 1 33); do echo "junk $i" >"$D/junk/libssl.so.$i"; done
tls_server a
tls_client a "$S_PORT" "$U-junk-libs" -m "$D/junk"
n=$(grep -c "$D/junk/libssl.so" "/proc/$W_PID/maps")
tool_start "$O" "$SS" -p "$W_PID" || { finish; exit 1; }
run_pair a
stop_tool INT
check "-p on a process mapping $n junk libssl.so.N files: its write still traced" \
	rec_is "$O" "$U-junk-libs" "^WRITE/SEND +[0-9.]+ +tk_tls +$W_PID "
check "(-v says the 33 were ignored)" has "$O.err" "ignored 33 files named like a TLS library"

# --- --binary: OpenSSL linked into the program ------------------------------
tls_server a
sa=$S_PID
BIN="$D/tk_tls_static"
tls_client a "$S_PORT" "$U-static-unseen"
tls_server b
BIN="$D/tk_tls_static"
tls_client b "$S_PORT" "$U-static-binary"
pb=$W_PID
tool_start "$O" "$SS" || { finish; exit 1; }
run_pair a
stop_tool INT
check "a static program's own SSL_write is not seen without --binary" \
	not has "$O" "^WRITE/SEND .* tk_tls_static "
check "(its server's SSL_read is)" rec_is "$O" "$U-static-unseen" "^READ/RECV +[0-9.]+ +tk_tls +$sa "
tool_start "$O" "$SS" --binary "$D/tk_tls_static" || { finish; exit 1; }
run_pair b
stop_tool INT
len=$(printf '%s' "$U-static-binary" | wc -c | tr -d ' ')
check "--binary: the static program's SSL_write, pid $pb, length $len" \
	rec_is "$O" "$U-static-binary" "^WRITE/SEND +[0-9.]+ +tk_tls_static +$pb +$len *\$"
check "-v names the binary" has_text "$O.err" "attached to $D/tk_tls_static: SSL_write"

tls_server a
BIN="$D/tk_tls_static"
tls_client a "$S_PORT" "$U-static-p"
tool_start "$O" "$SS" -p "$W_PID" || { finish; exit 1; }
run_pair a
stop_tool INT
check "-p on a static program finds the functions in its executable" \
	rec_is "$O" "$U-static-p" "^WRITE/SEND +[0-9.]+ +tk_tls_static +$W_PID "

[ -n "$TLS_BUILT" ] || strip -o "$D/tk_tls_stripped" "$D/tk_tls_static"
"$SS" --binary "$D/tk_tls_stripped" >"$D/bin.out" 2>"$D/bin.err"
check "--binary on a stripped program: status 1, one line saying it is stripped" \
	fails_with "$?" "$D/bin.err" "tk_tls_stripped is stripped (no symbol table)"
"$SS" --binary "$D/tk_tls" >"$D/bin.out" 2>"$D/bin.err"
check "--binary on a program using the shared libssl: status 1, one line" \
	fails_with "$?" "$D/bin.err" "defines none of the TLS functions"
"$SS" --extra-lib "gnutls:$lib" >"$D/bin.out" 2>"$D/bin.err"
check "--extra-lib with the wrong TYPE: status 1, one line" \
	fails_with "$?" "$D/bin.err" "defines none of gnutls_record_send"

# --- ends: -d, SIGTERM, SIGPIPE; what was received is printed ---------------
pair a "$U-end-d"
start_tool "$O" "$O.err" "$SS" -d 3 -v
wait_for "$O.err" 'Ctrl-C to end' 10
run_pair a
wait "$TOOL_PID"
check "-d ends with status 0" [ $? -eq 0 ]
check "-d end flushes the events received" has_text "$O" "$U-end-d"

pair a "$U-end-term"
tool_start "$O" "$SS" -j || { finish; exit 1; }
run_pair a
stop_tool TERM
check "SIGTERM ends with status 0" [ "$TOOL_RC" -eq 0 ]
check "SIGTERM end flushes the events received" has_text "$O" "$U-end-term"

rm -f "$D/pipe.rc"
( "$SS"; echo $? >"$D/pipe.rc" ) 2>"$D/pipe.err" | head -n 1 >"$D/pipe.out" &
T_PIDS="$T_PIDS $!"
i=0
# Clients until the tool has seen one and found its reader gone.
while [ ! -s "$D/pipe.rc" ] && [ $i -lt 40 ]; do
	pair p "$U-pipe" -n 20
	run_pair p
	sleep 0.1
	i=$((i + 1))
done
check "SIGPIPE (sslsniff | head -1) ends with status 0" [ "$(cat "$D/pipe.rc" 2>/dev/null)" = 0 ]
SHOW="$D/pipe.err"
check "SIGPIPE end is quiet" only_v_lines "$D/pipe.err"
SHOW="$O"

# --- Ctrl-C ends it within a second, with its final output -----------------
# Every library found attached (the default: OpenSSL, GnuTLS and NSS, about
# 22 uprobes); perf-event uprobes were removed one at a time, ~60 ms each.
pair a "$U-quick-exit"
tool_start "$O" "$SS" || { finish; exit 1; }
run_pair a
# (busybox's date has no %N: the guest's clock is /proc/uptime, to 10 ms.)
uptime_ms() { awk '{ printf "%d\n", $1 * 1000 }' /proc/uptime; }
t0=$(uptime_ms)
stop_tool INT
ms=$(( $(uptime_ms) - t0 ))
echo "# Ctrl-C to exit: $ms ms ($(grep -c '^sslsniff: attached' "$O.err") files)"
check "Ctrl-C: status 0 and the final output has the call" \
	eval '[ "$TOOL_RC" -eq 0 ] && has_text "$O" "$U-quick-exit"'
# uprobe_multi links came in Linux 6.6 (told by the kernel, not the tool).
if release_at_least 6 6; then
	check "Ctrl-C: exit within a second ($ms ms)" [ "$ms" -lt 1000 ]
	check "(-v: uprobe_multi links)" has "$O.err" 'uprobes: uprobe_multi links'
else
	echo "# kernel $(uname -r) predates uprobe_multi: the exit time is not checked"
fi
# The older way, forced: what kernels before 6.6 do, still seeing the call.
pair a "$U-perf-uprobes"
TRACEKIT_NO_UPROBE_MULTI=1 tool_start "$O" "$SS" || { finish; exit 1; }
unset TRACEKIT_NO_UPROBE_MULTI
run_pair a
stop_tool INT
check "TRACEKIT_NO_UPROBE_MULTI=1: perf-event uprobes, the write seen" \
	eval 'has "$O.err" "uprobes: perf-event uprobes" &&
	rec_is "$O" "$U-perf-uprobes" "^WRITE/SEND +[0-9.]+ +tk_tls +$W_PID "'

# --- threads killed inside SSL_read leave no entry behind -------------------
# The tool's own map of calls in flight, found through its fds (other
# tracers may run meanwhile), dumped by bpftool; a key is TID << 8 | func,
# SSL_read being func 1. The truth: the helper's own list of its threads,
# each blocked in SSL_read when it prints "readers N".
# calls_map PID: the id of the "calls" map that process holds.
calls_map() {
	for _f in /proc/"$1"/fdinfo/*; do
		_id=$(sed -n 's/^map_id:[[:space:]]*//p' "$_f" 2>/dev/null)
		[ -n "$_id" ] || continue
		bpftool map show id "$_id" 2>/dev/null | grep -q ' name calls ' &&
			{ echo "$_id"; return 0; }
	done
	return 1
}
# inflight MAPID FILE: how many threads listed in FILE ("reader TID") have an
# SSL_read entry in the map.
inflight() {
	bpftool map dump id "$1" >"$D/calls.dump" 2>&1
	_n=0
	for _t in $(sed -n 's/^reader //p' "$2"); do
		grep -q "\"key\": $((_t * 256 + 1))," "$D/calls.dump" && _n=$((_n + 1))
	done
	echo $_n
}
if command -v bpftool >/dev/null 2>&1; then
	tool_start "$O" "$SS" || { finish; exit 1; }
	map=$(calls_map "$TOOL_PID")
	: >"$D/readers"
	"$D/tk_tls" -n 8 readers "$D/c.pem" "$D/k.pem" >"$D/readers" 2>&1 &
	T_PIDS="$T_PIDS $!"
	rbg=$!
	wait_for "$D/readers" '^readers 8$' 20 || not_ok "tk_tls readers did not start" "$D/readers"
	before=$(inflight "$map" "$D/readers")
	check "8 threads blocked in SSL_read: 8 calls in flight in the tool's map ($before)" \
		[ "$before" -eq 8 ]
	kill -9 "$rbg"
	wait "$rbg" 2>/dev/null
	after=$(inflight "$map" "$D/readers")
	check "killed inside SSL_read: none of their 8 entries left ($after)" [ "$after" -eq 0 ]
	stop_tool INT
	check "(nothing lost meanwhile)" not has "$O.err" 'lost'
else
	not_ok "bpftool is needed to inspect the tool's map"
fi

not_root_check "$SS"

leak_check "no BPF program or link left behind"
finish
