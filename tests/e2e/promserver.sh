#!/bin/sh
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
# Fleet mode against the real consumers (issue 20's "done means"):
# Debian's Prometheus scrapes syscount --prometheus and biolatency
# --prometheus, and its HTTP API must answer with what the workloads did
# (their own getppid count; their own O_DIRECT reads, as the loop device's
# /sys/block/*/stat counts them), histogram_quantile included; then
# Debian's node exporter serves syscount's --textfile, series and count
# intact. Host only: the qemu lane's guests have neither program.
. "$(dirname "$0")/lib.sh"
SC="$TK_BIN/syscount"
BL="$TK_BIN/biolatency"
D=$T_DIR

need_root
if in_guest; then
	echo "# SKIP $T_NAME: no prometheus in the guest (the host suite runs this file)"
	finish
	exit $?
fi
for c in prometheus prometheus-node-exporter curl python3; do
	command -v "$c" >/dev/null ||
		skip_or_fail "no $c (packages prometheus, prometheus-node-exporter, curl, python3)"
done

# free_port: a loopback port free now (for the servers that cannot be told
# port 0 and say which one they took).
free_port() {
	python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# serve_on_free_port LOG READY SECS START: `START PORT` starts a server in
# the background on 127.0.0.1:PORT, its output in LOG. A port free a moment
# ago may be taken before the server binds it: up to three tries, each
# waiting SECS for READY in LOG. Sets SRV_PORT and SRV_PID; not ok and
# status 1 if none started.
serve_on_free_port() {
	_try=0
	while [ $_try -lt 3 ]; do
		SRV_PORT=$(free_port)
		: >"$1"
		"$4" "$SRV_PORT"
		_spid=$!
		T_PIDS="$T_PIDS $_spid"
		SRV_PID=$_spid
		wait_for "$1" "$2" "$3" && return 0
		kill "$_spid" 2>/dev/null
		wait "$_spid" 2>/dev/null
		_try=$((_try + 1))
	done
	not_ok "$4: the server did not start" "$1"
	return 1
}

# query EXPR: Prometheus's instant query EXPR, one line per series:
# "SERIES VALUE" (SERIES as {label="v",...}, sorted), or "none".
query() {
	python3 - "http://127.0.0.1:$PP/api/v1/query" "$1" <<'PY'
import json, sys, urllib.parse, urllib.request
url = sys.argv[1] + "?" + urllib.parse.urlencode({"query": sys.argv[2]})
try:
    r = json.load(urllib.request.urlopen(url, timeout=5))
except Exception as e:
    print("none", e)
    sys.exit(0)
res = r.get("data", {}).get("result", []) if r.get("status") == "success" else []
if not res:
    print("none")
for s in res:
    m = ",".join('%s="%s"' % kv for kv in sorted(s["metric"].items()) if kv[0] != "__name__")
    print("{%s} %s" % (m, s["value"][1]))
PY
}

# scraped_after JOB T: Prometheus has a scrape of JOB that started half a
# second after T (epoch seconds; the last completion's moment to land in
# the tool's map), and it succeeded; waits up to 20 s for it.
scraped_after() {
	i=0
	while [ $i -lt 100 ]; do
		v=$(query "timestamp(up{job=\"$1\"} == 1)" | awk '{ print $2 }')
		[ "$v" != none ] && [ -n "$v" ] && awk -v v="$v" -v t="$2" 'BEGIN { exit !(v > t + 0.5) }' && return 0
		sleep 0.2
		i=$((i + 1))
	done
	return 1
}

# --- Prometheus scraping syscount and biolatency -------------------------

work a -n 1000 getppid
pa=$W_PID
O="$D/sc"
prom_start "$O" "$SC" -p "$pa" || { finish; exit 1; }
sc_pid=$TOOL_PID
P1=$PORT

truncate -s 64M "$D/disk"
loop_attach "$D/disk" || { finish; exit 1; }
LOOP=${LOOPDEV#/dev/}
prom_start "$D/bl" "$BL" -D -d "$LOOP" || { finish; exit 1; }
bl_pid=$TOOL_PID
P2=$PORT

cat >"$D/prometheus.yml" <<EOF
global:
  scrape_interval: 1s
  scrape_timeout: 1s
scrape_configs:
  - job_name: syscount
    static_configs:
      - targets: ['127.0.0.1:$P1']
  - job_name: biolatency
    static_configs:
      - targets: ['127.0.0.1:$P2']
EOF
promtool check config "$D/prometheus.yml" >"$D/config.check" 2>&1
SHOW="$D/config.check"
check "promtool check config passes on the generated config" [ $? -eq 0 ]

# Prometheus on a port of its own (see serve_on_free_port).
run_prom() {
	rm -rf "$D/tsdb"
	prometheus --config.file="$D/prometheus.yml" --storage.tsdb.path="$D/tsdb" \
		--web.listen-address="127.0.0.1:$1" --log.level=info >"$D/prometheus.log" 2>&1 &
}
serve_on_free_port "$D/prometheus.log" 'Server is ready to receive web requests' 30 run_prom ||
	{ finish; exit 1; }
PP=$SRV_PORT prom_pid=$SRV_PID
ok "prometheus started on 127.0.0.1:$PP"

# The workloads: 1000 getppid calls, 20 direct reads of 4 KiB.
s0=$(awk '{ print $1 }' "/sys/block/$LOOP/stat")
go a
"$TK_HELPERS/tk_dio" "$LOOPDEV" read 20 4096 >"$D/dio" 2>&1
s1=$(awk '{ print $1 }' "/sys/block/$LOOP/stat")
t_end=$(date +%s.%N)
calls=$(grep -c '^getppid ret ' "$D/work.a")
reads=$((s1 - s0))
SHOW="$D/work.a $D/dio"
check "the workload made its 1000 getppid calls ($calls)" [ "$calls" = 1000 ]
check "the loop device completed the 20 reads (stat: $reads)" \
	[ "$reads" = 20 ] && has "$D/dio" '^done reads 20 writes 0'

SHOW="$D/prometheus.log $O.err $D/bl.err"
check "Prometheus scraped syscount after the workload ended" scraped_after syscount "$t_end"
check "Prometheus scraped biolatency after the workload ended" scraped_after biolatency "$t_end"

q=$(query 'tracekit_syscalls_total{job="syscount",syscall="getppid"}')
check "Prometheus: syscount's getppid counter = the workload's $calls calls (got $q)" \
	[ "${q##* }" = "$calls" ]
q=$(query "tracekit_block_io_latency_seconds_count{job=\"biolatency\",disk=\"$LOOP\"}")
check "Prometheus: biolatency's _count for $LOOP = the stat's $reads reads (got $q)" \
	[ "${q##* }" = "$reads" ]
q=$(query "count(tracekit_block_io_latency_seconds_bucket{job=\"biolatency\",disk=\"$LOOP\"})")
nb=${q##* }

# The bucket the median read fell in, from the tool's own answer: the
# first le whose cumulative count reaches half the reads, and the le before.
curl -s --max-time 5 -o "$D/b1" "http://127.0.0.1:$P2/metrics"
awk -v d="$LOOP" -v n="$reads" '
	index($0, "tracekit_block_io_latency_seconds_bucket{disk=\"" d "\",le=") == 1 {
		le = $1; sub(/.*le="/, "", le); sub(/".*/, "", le)
		if ($2 >= n / 2) { print lo, le; exit }
		lo = le
	}' "$D/b1" >"$D/median.bucket"
read -r lo hi <"$D/median.bucket"
q=$(query "histogram_quantile(0.5, tracekit_block_io_latency_seconds_bucket{job=\"biolatency\",disk=\"$LOOP\"})")
med=${q##* }
SHOW="$D/b1 $D/median.bucket"
check "Prometheus has the biolatency histogram's buckets ($nb series)" [ "${nb:-0}" -gt 1 ] 2>/dev/null
check "histogram_quantile(0.5) over the buckets = $med s, finite, in the median read's bucket (${lo:-0}, $hi]" \
	awk -v m="$med" -v lo="${lo:-0}" -v hi="$hi" 'BEGIN {
		exit !(hi != "" && m ~ /^[0-9.e+-]+$/ && m + 0 > lo + 0 && m + 0 <= hi + 0) }'

kill "$prom_pid"
wait "$prom_pid" 2>/dev/null
TOOL_PID=$sc_pid
stop_tool TERM
check "syscount --prometheus: exit 0 on SIGTERM" [ "$TOOL_RC" -eq 0 ]
TOOL_PID=$bl_pid
stop_tool TERM
check "biolatency --prometheus: exit 0 on SIGTERM" [ "$TOOL_RC" -eq 0 ]

# --- node exporter serving syscount's --textfile ---------------------------

mkdir "$D/textfiles"
work b -n 700 getppid
pb=$W_PID
O="$D/tf"
tool_start "$O" "$SC" -p "$pb" -i 0.2 --textfile "$D/textfiles/tracekit.prom" || { finish; exit 1; }
run_prom_ne() {
	prometheus-node-exporter --collector.disable-defaults --collector.textfile \
		--collector.textfile.directory="$D/textfiles" \
		--web.listen-address="127.0.0.1:$1" >"$D/ne.log" 2>&1 &
}
serve_on_free_port "$D/ne.log" 'Listening on' 10 run_prom_ne || { finish; exit 1; }
NP=$SRV_PORT ne_pid=$SRV_PID
go b
calls=$(grep -c '^getppid ret ' "$D/work.b")
s='tracekit_syscalls_total{syscall="getppid"}'
i=0
while [ $i -lt 50 ]; do
	curl -s --max-time 5 -o "$D/ne.metrics" "http://127.0.0.1:$NP/metrics"
	[ "$(awk -v s="$s" '$1 == s { print $2 }' "$D/ne.metrics")" = "$calls" ] && break
	sleep 0.1
	i=$((i + 1))
done
got=$(awk -v s="$s" '$1 == s { print $2 }' "$D/ne.metrics")
SHOW="$D/ne.metrics $D/ne.log $O.err $D/work.b"
check "the workload made its 700 getppid calls ($calls)" [ "$calls" = 700 ]
check "node exporter: tracekit's getppid series = the workload's $calls calls (got ${got:-none})" \
	[ "$got" = "$calls" ]
check "node exporter: node_textfile_scrape_error 0" has "$D/ne.metrics" '^node_textfile_scrape_error 0$'
check "node exporter: it read tracekit.prom" \
	has "$D/ne.metrics" '^node_textfile_mtime_seconds\{file="[^"]*tracekit\.prom"\} [0-9]'
kill "$ne_pid"
wait "$ne_pid" 2>/dev/null
stop_tool TERM
check "syscount --textfile: exit 0 on SIGTERM" [ "$TOOL_RC" -eq 0 ]
check "syscount --textfile: no temp file left" [ -z "$(ls "$D/textfiles" | grep -v '^tracekit\.prom$')" ]

leak_check "nothing left loaded"
finish
