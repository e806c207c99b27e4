// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* tcpconnect: trace active TCP connections, or count them (-c). */
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include "args.h"
#include "log.h"
#include "loop.h"
#include "netaddr.h"
#include "output.h"
#include "prom.h"
#include "session.h"
#include "tcpconnect.h"
#include "tcpconnect.skel.h"

_Static_assert(sizeof(struct tcpconnect_event) == 80, "tcpconnect_event layout changed");
_Static_assert(sizeof(struct tcpconnect_key) == 36, "tcpconnect_key layout changed");

static struct env {
	struct tk_opts opts;
	uint64_t interval_ms;
	long long reports;
	bool timestamp;
	bool print_uid;
	bool lport;
	bool count;
	int ip;				/* -4 or -6: 4 or 6; 0: both */
	bool ip4, ip6;
	uint16_t ports[TCPCONNECT_MAX_PORTS];
	int nports;
	uint64_t start_ns;
} env;

static const struct tk_variant variants[] = {
	{ .name = "fentry", .progs = { "tcp_v4_connect_fexit", "tcp_v6_connect_fexit" } },
	{ .name = "kprobe",
	  .progs = { "tcp_v4_connect_kprobe", "tcp_v4_connect_kretprobe",
		     "tcp_v6_connect_kprobe", "tcp_v6_connect_kretprobe" } },
	{ .name = "tracepoint", .progs = { "inet_sock_set_state_tp", "tcp_retransmit_skb_tp" } },
};
#define NVARIANTS (int)(sizeof(variants) / sizeof(variants[0]))

static const char help[] =
"  -P, --port PORTS       only these destination ports (comma-separated,\n"
"                         at most 64)\n"
"  -4, --ipv4             only IPv4 connections\n"
"  -6, --ipv6             only IPv6 connections\n"
"  -c, --count            count connects per source, destination and port\n"
"  -t, --timestamp        print a time column (seconds since the first connect)\n"
"  -U, --print-uid        print a UID column\n"
"  -L, --lport            print the local port (LPORT column)\n";

static const char examples[] =
"Metrics (-c with --prometheus, --textfile), counted from the start:\n"
"  tracekit_tcp_connects_total{saddr=\"10.0.0.1\",daddr=\"10.0.0.2\",dport=\"80\"}\n"
"                          connects (SYN sent), as -c counts them\n"
"\n"
"Examples:\n"
"  tcpconnect                # trace all TCP connects\n"
"  tcpconnect -t -U          # with time and uid columns\n"
"  tcpconnect -p 181         # only PID 181\n"
"  tcpconnect -P 80,443      # only connects to port 80 or 443\n"
"  tcpconnect -6 -L          # only IPv6, with the local port\n"
"  tcpconnect -u 1000        # only UID 1000\n"
"  tcpconnect -c             # count connects until Ctrl-C\n"
"  tcpconnect -c 10 6        # counts every 10 seconds, 6 times\n"
"  tcpconnect -j -d 10       # JSON lines for 10 seconds\n"
"  tcpconnect -c --prometheus 127.0.0.1:9903   # serve the counts to Prometheus\n";

static const struct option longopts[] = {
	{ "port", required_argument, NULL, 'P' },
	{ "ipv4", no_argument, NULL, '4' },
	{ "ipv6", no_argument, NULL, '6' },
	{ "count", no_argument, NULL, 'c' },
	{ "timestamp", no_argument, NULL, 't' },
	{ "print-uid", no_argument, NULL, 'U' },
	{ "lport", no_argument, NULL, 'L' },
	{}
};

/* Options that cannot go together, and why. */
static const struct tk_conflict conflicts[] = {
	{ &env.ip4, &env.ip6, "-4 and -6 cannot be used together" },
	{ &env.count, &env.lport, "-L cannot be used with -c (counts have no local port)" },
	{ &env.count, &env.timestamp, "-t cannot be used with -c (counts have no time column)" },
	{ &env.count, &env.print_uid, "-U cannot be used with -c (counts have no UID column)" },
};

static void option(int key, const char *arg)
{
	switch (key) {
	case 'P': env.nports = tk_arg_ports(arg, env.ports, TCPCONNECT_MAX_PORTS); break;
	case '4': env.ip4 = true; env.ip = 4; break;
	case '6': env.ip6 = true; env.ip = 6; break;
	case 'c': env.count = true; break;
	case 't': env.timestamp = true; break;
	case 'U': env.print_uid = true; break;
	case 'L': env.lport = true; break;
	}
}

static const struct tk_cli cli = {
	.usage = "Usage: tcpconnect [OPTION]... [INTERVAL [COUNT]]\n"
		 "Trace active TCP connections (connect()s whose SYN was sent).\n"
		 "With -c, count them instead, printing the counts at the end or every\n"
		 "INTERVAL seconds (COUNT times).",
	.shared = TK_OPT_FILTERS | TK_OPT_DURATION | TK_OPT_PROM,
	.letter = { .tid = '-' },	/* bcc's -t is the timestamp */
	.optstring = "P:46ctUL",
	.longopts = longopts,
	.help = help,
	.examples = examples,
	.variants = variants,
	.nvariants = NVARIANTS,
	.option = option,
};

static void parse_args(int argc, char **argv)
{
	int first = tk_parse_args(&cli, argc, argv, &env.opts);

	TK_ARG_CONFLICTS(conflicts);
	if (first < argc && !env.count)
		tk_usage_error("INTERVAL needs -c (without it, connects are printed as they happen)");
	if ((env.opts.prometheus || env.opts.textfile) && !env.count)
		tk_usage_error("--prometheus and --textfile need -c (the metrics are its counts)");
	tk_arg_interval_count(argc, argv, first, &env.interval_ms, &env.reports);
}

static struct tcpconnect_bpf *skel;

/* --- streaming ------------------------------------------------------------ */

static void print_header(void)
{
	if (env.opts.json)
		return;
	if (env.timestamp)
		printf("%-9s ", "TIME(s)");
	if (env.print_uid)
		printf("%-6s ", "UID");
	printf("%-6s %-12s %-2s %-16s ", "PID", "COMM", "IP", "SADDR");
	if (env.lport)
		printf("%-6s ", "LPORT");
	printf("%-16s %s\n", "DADDR", "DPORT");
}

static int print_event(void *ctx, const void *data, size_t size)
{
	const struct tcpconnect_event *e = data;
	char saddr[TK_INET_STRLEN], daddr[TK_INET_STRLEN];
	struct jw w;

	(void)ctx;
	if (size < sizeof(*e))
		return 0;
	if (!env.start_ns)
		env.start_ns = e->ts_ns;
	tk_inet_str(e->ip, e->saddr, saddr, sizeof(saddr));
	tk_inet_str(e->ip, e->daddr, daddr, sizeof(daddr));
	if (env.opts.json) {
		jw_event_begin(&w, stdout, "connect", e->ts_ns);
		jw_uint(&w, "pid", e->pid);
		jw_uint(&w, "tid", e->tid);
		jw_uint(&w, "uid", e->uid);
		jw_str(&w, "comm", e->comm, sizeof(e->comm));
		jw_uint(&w, "ip", e->ip);
		jw_str(&w, "saddr", saddr, sizeof(saddr));
		if (env.lport)
			jw_uint(&w, "lport", e->lport);
		jw_str(&w, "daddr", daddr, sizeof(daddr));
		jw_uint(&w, "dport", e->dport);
		jw_end(&w);
		return 0;
	}
	/* Signed: with -L a record can wait for its port and come after a
	 * later connect. */
	if (env.timestamp)
		printf("%-9.3f ", (double)(int64_t)(e->ts_ns - env.start_ns) / 1e9);
	if (env.print_uid)
		printf("%-6u ", e->uid);
	printf("%-6u ", e->pid);
	tk_print_escaped(stdout, e->comm, sizeof(e->comm));
	printf("%*s %-2u %-16s ", (int)(12 - strnlen(e->comm, 12)), "", e->ip, saddr);
	if (env.lport)
		printf("%-6u ", e->lport);
	printf("%-16s %u\n", daddr, e->dport);
	return 0;
}

/* "tracepoint" with -L: connects still waiting for their local port when
 * tracing ends (SYN sent less than a second ago and not yet answered) are
 * printed too, with the port as 0, rather than lost. */
static int print_pending(void)
{
	int fd = bpf_map__fd(skel->maps.pending);
	struct tcpconnect_event e;
	__u64 key, next, *prev = NULL;

	/* The stream loop already ended the run over this (the reader gone,
	 * or a failed write it reported). */
	if (ferror(stdout))
		return 0;
	while (!bpf_map_get_next_key(fd, prev, &next)) {
		key = next;
		prev = &key;
		if (!bpf_map_lookup_elem(fd, &key, &e))
			print_event(NULL, &e, sizeof(e));
	}
	if (tk_output_flush() || errno == EPIPE)
		return 0;
	tk_warn("writing output failed: %s", strerror(errno));
	return 1;
}

/* --- counting ------------------------------------------------------------- */

struct row {
	struct tcpconnect_key key;
	__u64 count;
};

static struct row *rows;
static int nrows, cap_rows;

/* Move the kernel's counts into rows[]. */
static int drain_counts(void)
{
	int n = tk_map_drain(bpf_map__fd(skel->maps.counts), sizeof(struct tcpconnect_key),
			     offsetof(struct row, count), sizeof(struct row),
			     (void **)&rows, &cap_rows);

	if (n < 0)
		return n;
	nrows = n;
	return 0;
}

static int by_count(const void *a, const void *b)
{
	const struct row *x = a, *y = b;

	if (x->count != y->count)
		return x->count < y->count ? 1 : -1;
	return memcmp(&x->key, &y->key, sizeof(x->key));
}

static void print_counts_json(void)
{
	char saddr[TK_INET_STRLEN], daddr[TK_INET_STRLEN];
	struct jw w;
	int i;

	jw_summary_begin(&w, stdout, "summary");
	jw_array_begin(&w, "rows");
	for (i = 0; i < nrows; i++) {
		const struct tcpconnect_key *k = &rows[i].key;

		jw_object_begin(&w, NULL);
		jw_uint(&w, "ip", k->ip);
		jw_str(&w, "saddr", tk_inet_str(k->ip, k->saddr, saddr, sizeof(saddr)), sizeof(saddr));
		jw_str(&w, "daddr", tk_inet_str(k->ip, k->daddr, daddr, sizeof(daddr)), sizeof(daddr));
		jw_uint(&w, "dport", k->dport);
		jw_uint(&w, "count", rows[i].count);
		jw_object_end(&w);
	}
	jw_array_end(&w);
	jw_end(&w);
}

static void print_counts_text(void)
{
	char tbuf[16], saddr[TK_INET_STRLEN], daddr[TK_INET_STRLEN];
	int i;

	if (env.interval_ms) {
		tk_format_clock(tbuf, sizeof(tbuf));
		printf("[%s]\n", tbuf);
	}
	printf("%-25s %-25s %-20s %s\n", "LADDR", "RADDR", "RPORT", "CONNECTS");
	for (i = 0; i < nrows; i++) {
		const struct tcpconnect_key *k = &rows[i].key;

		printf("%-25s %-25s %-20u %llu\n",
		       tk_inet_str(k->ip, k->saddr, saddr, sizeof(saddr)),
		       tk_inet_str(k->ip, k->daddr, daddr, sizeof(daddr)),
		       k->dport, (unsigned long long)rows[i].count);
	}
	putchar('\n');
}

static int report_counts(void *ctx, bool final)
{
	int err;

	(void)ctx;
	(void)final;
	err = drain_counts();
	if (err) {
		tk_warn("reading counts failed: %s", strerror(-err));
		return err;
	}
	qsort(rows, nrows, sizeof(*rows), by_count);
	if (env.opts.json)
		print_counts_json();
	else
		print_counts_text();
	return 0;
}

/* ---- metrics (--prometheus, --textfile) ----------------------------------- */

/* The counts since the start: the kernel's are drained at each reading. */
static struct tk_prom_totals totals;

static int render_metrics(void *ctx, struct tk_prom_buf *b)
{
	struct tk_prom_label l[3] = { { "saddr", NULL }, { "daddr", NULL }, { "dport", NULL } };
	char saddr[TK_INET_STRLEN], daddr[TK_INET_STRLEN], dport[8];
	const char *names[3] = { saddr, daddr, dport };
	struct tk_prom_row *pr;
	int n, i, j, err;

	(void)ctx;
	err = drain_counts();
	for (i = 0; !err && i < nrows; i++) {
		const struct tcpconnect_key *k = &rows[i].key;
		uint64_t v = rows[i].count;

		tk_inet_str(k->ip, k->saddr, saddr, sizeof(saddr));
		tk_inet_str(k->ip, k->daddr, daddr, sizeof(daddr));
		snprintf(dport, sizeof(dport), "%u", k->dport);
		err = tk_prom_totals_add(&totals, names, 3, &v, 1);
	}
	if (err || (n = tk_prom_totals_top(&totals, env.opts.prom_top, 1, &pr)) < 0)
		return err ? err : -ENOMEM;
	tk_prom_family(b, "tracekit_tcp_connects_total", "counter",
		       "Active TCP connections (SYN sent), traced by tcpconnect.");
	for (i = 0; i < n; i++) {
		for (j = 0; j < 3; j++)
			l[j].value = pr[i].label[j];
		tk_prom_sample(b, "tracekit_tcp_connects_total", l, 3, pr[i].v[0]);
	}
	free(pr);
	return 0;
}

/* After the last record, with the programs detached: the connects whose
 * local port was still unknown. */
static int end_stream(void *ctx)
{
	(void)ctx;
	return print_pending() ? -EIO : 0;
}

int main(int argc, char **argv)
{
	struct tk_session session = {
		.opts = &env.opts,
		.variants = variants,
		.nvariants = NVARIANTS,
		.ring_bytes = 1 << 20,
	};
	struct tk_stream stream = { .on_record = print_event };
	struct tk_summary summary = { .report = report_counts };
	struct tk_prom *prom = NULL;
	bool defer;
	int err = 1;

	tk_prog = "tcpconnect";
	parse_args(argc, argv);
	prom = tk_prom_open(&env.opts, render_metrics, NULL);
	tk_session_init(&env.opts);

	skel = TK_OPEN(tcpconnect_bpf, &env.opts);
	if (!skel) {
		tk_open_failed(&env.opts);
		goto cleanup;
	}
	session.bpf = TK_BPF_STREAM(skel);
	skel->rodata->count_mode = env.count;
	skel->rodata->targ_ip = env.ip;
	skel->rodata->filter_ports = env.nports > 0;
	tk_ports_bitmap(env.ports, env.nports, skel->rodata->targ_ports);
	/* Counts go to a map: the event buffer only needs to exist. */
	if (env.count)
		session.ring_bytes = getpagesize();
	if (tk_session_prepare(&session))
		goto cleanup;
	/* Only the tracepoint variant learns the local port late, and only
	 * printing it (-L) makes waiting for it worth a map and a hook. */
	defer = !strcmp(variants[session.variant].name, "tracepoint") && env.lport;
	skel->rodata->want_lport = defer;
	if (!defer) {
		bpf_program__set_autoload(skel->progs.tcp_retransmit_skb_tp, false);
		bpf_map__set_max_entries(skel->maps.pending, 1);
	}
	if (strcmp(variants[session.variant].name, "kprobe"))
		bpf_map__set_max_entries(skel->maps.sockets, 1);
	if (!env.count)
		bpf_map__set_max_entries(skel->maps.counts, 1);
	if (tk_session_load_attach(&session))
		goto cleanup;

	if (env.count) {
		tk_ready(prom ? "TCP connects, serving metrics" :
			 env.interval_ms ? "TCP connects, printing counts each interval" :
			 "TCP connects, counting", env.opts.duration_ms);
		summary.interval_ms = env.interval_ms;
		summary.count = env.reports;
		tk_prom_summary(prom, &summary);
		err = tk_summary_run(&session, &summary);
		goto cleanup;
	}
	print_header();
	tk_ready("TCP connects", env.opts.duration_ms);
	if (defer)
		stream.on_end = end_stream;
	err = tk_stream_run(&session, &stream);

cleanup:
	tk_session_detach(&session);
	tcpconnect_bpf__destroy(skel);
	tk_prom_close(prom);
	tk_prom_totals_free(&totals);
	free(rows);
	return err;
}
