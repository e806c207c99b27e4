// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* tcpretrans: trace TCP retransmits (and tail-loss probes), or count them
 * per flow (-c). */
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
#include "tcpretrans.h"
#include "tcpretrans.skel.h"

_Static_assert(sizeof(struct tcpretrans_event) == 64, "tcpretrans_event layout changed");
_Static_assert(sizeof(struct tcpretrans_key) == 40, "tcpretrans_key layout changed");

static struct env {
	struct tk_opts opts;
	uint64_t interval_ms;
	long long reports;
	bool lossprobe;			/* -l */
	bool count;			/* -c */
	bool millis;			/* -T */
	bool relative;			/* -t */
	bool ip4, ip6;
	int ip;				/* -4 or -6: 4 or 6; 0: both */
	uint16_t sports[TCPRETRANS_MAX_PORTS], dports[TCPRETRANS_MAX_PORTS];
	int nsports, ndports;
	bool tlps_seen;			/* -l and a variant that sees them */
	uint64_t start_ns;
} env;

/* Retransmits come from the tracepoint in every variant; the variants are
 * the ways to see tail-loss probes, which have no tracepoint. */
static const struct tk_variant variants[] = {
	{ .name = "fentry", .progs = { "tcp_retransmit_skb_tp", "tcp_send_loss_probe_fentry" } },
	{ .name = "kprobe", .progs = { "tcp_retransmit_skb_tp", "tcp_send_loss_probe_kprobe" } },
	{ .name = "tracepoint", .progs = { "tcp_retransmit_skb_tp" } },
};
#define NVARIANTS (int)(sizeof(variants) / sizeof(variants[0]))

static const char help[] =
"  -l, --lossprobe        also tail-loss probes (L>; needs fentry or kprobes:\n"
"                         where the kernel has neither, says so and traces\n"
"                         retransmits only)\n"
"  -c, --count            count retransmits (and segments, TLPs) per flow\n"
"  -L, --localport PORTS  only flows with these local ports\n"
"                         (comma-separated, at most 64)\n"
"  -D, --remoteport PORTS only flows with these remote ports\n"
"                         (comma-separated, at most 64)\n"
"  -4, --ipv4             only IPv4 flows\n"
"  -6, --ipv6             only IPv6 flows\n"
"  -T, --millis           TIME with milliseconds (HH:MM:SS.mmm)\n"
"  -t, --timestamp        TIME(s): seconds since the first event, not the clock\n";

static const char examples[] =
"Metrics (-c with --prometheus, --textfile), counted from the start:\n"
"  tracekit_tcp_retransmits_total{saddr=\"10.0.0.1\",sport=\"5000\",daddr=\"10.0.0.2\",\n"
"    dport=\"80\"}          retransmitted segments (as TcpRetransSegs counts)\n"
"  tracekit_tcp_loss_probes_total{saddr,sport,daddr,dport}  -l: tail-loss probes\n"
"\n"
"Examples:\n"
"  tcpretrans                # trace TCP retransmits\n"
"  tcpretrans -l             # also tail-loss probes\n"
"  tcpretrans -c             # count retransmits per flow until Ctrl-C\n"
"  tcpretrans -c 10 6        # counts every 10 seconds, 6 times\n"
"  tcpretrans -D 443 -T      # only flows to port 443, times in ms\n"
"  tcpretrans -4 -L 80,8080  # only IPv4, local port 80 or 8080\n"
"  tcpretrans -j -d 10       # JSON lines for 10 seconds\n"
"  tcpretrans -c --prometheus 127.0.0.1:9901   # serve the counts to Prometheus\n";

static const struct option longopts[] = {
	{ "lossprobe", no_argument, NULL, 'l' },
	{ "count", no_argument, NULL, 'c' },
	{ "localport", required_argument, NULL, 'L' },
	{ "remoteport", required_argument, NULL, 'D' },
	{ "ipv4", no_argument, NULL, '4' },
	{ "ipv6", no_argument, NULL, '6' },
	{ "millis", no_argument, NULL, 'T' },
	{ "timestamp", no_argument, NULL, 't' },
	{}
};

/* Options that cannot go together, and why. */
static const struct tk_conflict conflicts[] = {
	{ &env.ip4, &env.ip6, "-4 and -6 cannot be used together" },
	{ &env.millis, &env.relative, "-T and -t cannot be used together" },
	{ &env.count, &env.millis, "-T cannot be used with -c (counts have no time column)" },
	{ &env.count, &env.relative, "-t cannot be used with -c (counts have no time column)" },
};

static void option(int key, const char *arg)
{
	switch (key) {
	case 'l': env.lossprobe = true; break;
	case 'c': env.count = true; break;
	case 'L': env.nsports = tk_arg_ports(arg, env.sports, TCPRETRANS_MAX_PORTS); break;
	case 'D': env.ndports = tk_arg_ports(arg, env.dports, TCPRETRANS_MAX_PORTS); break;
	case '4': env.ip4 = true; env.ip = 4; break;
	case '6': env.ip6 = true; env.ip = 6; break;
	case 'T': env.millis = true; break;
	case 't': env.relative = true; break;
	}
}

static const struct tk_cli cli = {
	.usage = "Usage: tcpretrans [OPTION]... [INTERVAL [COUNT]]\n"
		 "Trace TCP retransmits: the flow, its state, and in T> R> (a retransmit)\n"
		 "or L> (a tail-loss probe, -l). PID is the task on the CPU: mostly 0, as\n"
		 "retransmit timers run in softirq. With -c, count them per flow\n"
		 "instead, printing the counts at the end or every INTERVAL seconds\n"
		 "(COUNT times).",
	.shared = TK_OPT_DURATION | TK_OPT_PROM,
	.optstring = "lcL:D:46Tt",
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
		tk_usage_error("INTERVAL needs -c (without it, retransmits are printed as they happen)");
	if ((env.opts.prometheus || env.opts.textfile) && !env.count)
		tk_usage_error("--prometheus and --textfile need -c (the metrics are its counts)");
	tk_arg_interval_count(argc, argv, first, &env.interval_ms, &env.reports);
}

static struct tcpretrans_bpf *skel;

/* LADDR:LPORT, [v6]:port as usual for IPv6. */
static const char *endpoint(int ip, const __u8 *addr, unsigned port, char *buf, size_t size)
{
	char a[TK_INET_STRLEN];

	tk_inet_str(ip, addr, a, sizeof(a));
	snprintf(buf, size, ip == 6 ? "[%s]:%u" : "%s:%u", a, port);
	return buf;
}

#define ENDPOINT_STRLEN (TK_INET_STRLEN + 8)

/* --- streaming ------------------------------------------------------------ */

static void print_header(void)
{
	if (env.opts.json)
		return;
	if (env.relative)
		printf("%-11s ", "TIME(s)");
	else
		printf("%-*s ", env.millis ? 12 : 8, "TIME");
	printf("%-7s %-2s %-21s %-2s %-21s %s\n", "PID", "IP", "LADDR:LPORT", "T>",
	       "RADDR:RPORT", "STATE");
}

static int print_event(void *ctx, const void *data, size_t size)
{
	const struct tcpretrans_event *e = data;
	char l[ENDPOINT_STRLEN], r[ENDPOINT_STRLEN], time[32], sb[16];
	char laddr[TK_INET_STRLEN], raddr[TK_INET_STRLEN], skaddr[20];
	const char *state;
	struct jw w;

	(void)ctx;
	if (size < sizeof(*e))
		return 0;
	if (!env.start_ns)
		env.start_ns = e->ts_ns;
	state = tk_tcp_state_name(e->state, sb, sizeof(sb));
	tk_format_event_clock(e->ts_ns, env.millis, time, sizeof(time));
	if (env.opts.json) {
		snprintf(skaddr, sizeof(skaddr), "%llx", (unsigned long long)e->skaddr);
		jw_event_begin(&w, stdout, e->type == TCPRETRANS_TLP ? "tlp" : "retransmit", e->ts_ns);
		/* A string: a kernel address does not fit a double. */
		jw_str(&w, "skaddr", skaddr, sizeof(skaddr));
		jw_uint(&w, "pid", e->pid);
		jw_uint(&w, "ip", e->ip);
		jw_str(&w, "laddr", tk_inet_str(e->ip, e->saddr, laddr, sizeof(laddr)), sizeof(laddr));
		jw_uint(&w, "lport", e->sport);
		jw_str(&w, "raddr", tk_inet_str(e->ip, e->daddr, raddr, sizeof(raddr)), sizeof(raddr));
		jw_uint(&w, "rport", e->dport);
		jw_str(&w, "state", state, 16);
		jw_uint(&w, "segs", e->segs);
		jw_end(&w);
		return 0;
	}
	if (env.relative)
		printf("%-11.6f ", (double)(e->ts_ns - env.start_ns) / 1e9);
	else
		printf("%-*s ", env.millis ? 12 : 8, time);
	printf("%-7u %-2u %-21s %-2s %-21s %s\n", e->pid, e->ip,
	       endpoint(e->ip, e->saddr, e->sport, l, sizeof(l)),
	       e->type == TCPRETRANS_TLP ? "L>" : "R>",
	       endpoint(e->ip, e->daddr, e->dport, r, sizeof(r)), state);
	return 0;
}

/* --- counting ------------------------------------------------------------- */

struct row {
	struct tcpretrans_key key;
	struct tcpretrans_count count;
};

static struct row *rows;
static int nrows, cap_rows;

static int by_count(const void *a, const void *b)
{
	const struct row *x = a, *y = b;

	if (x->count.retransmits != y->count.retransmits)
		return x->count.retransmits < y->count.retransmits ? 1 : -1;
	if (x->count.tlps != y->count.tlps)
		return x->count.tlps < y->count.tlps ? 1 : -1;
	return memcmp(&x->key, &y->key, sizeof(x->key));
}

static void print_counts_json(void)
{
	char laddr[TK_INET_STRLEN], raddr[TK_INET_STRLEN];
	struct jw w;
	int i;

	jw_summary_begin(&w, stdout, "summary");
	jw_array_begin(&w, "rows");
	for (i = 0; i < nrows; i++) {
		const struct tcpretrans_key *k = &rows[i].key;

		jw_object_begin(&w, NULL);
		jw_uint(&w, "ip", k->ip);
		jw_str(&w, "laddr", tk_inet_str(k->ip, k->saddr, laddr, sizeof(laddr)), sizeof(laddr));
		jw_uint(&w, "lport", k->sport);
		jw_str(&w, "raddr", tk_inet_str(k->ip, k->daddr, raddr, sizeof(raddr)), sizeof(raddr));
		jw_uint(&w, "rport", k->dport);
		jw_uint(&w, "retransmits", rows[i].count.retransmits);
		jw_uint(&w, "segs", rows[i].count.segs);
		if (env.lossprobe)
			jw_uint(&w, "tlps", rows[i].count.tlps);
		jw_object_end(&w);
	}
	jw_array_end(&w);
	jw_end(&w);
}

static void print_counts_text(void)
{
	char tbuf[16], l[ENDPOINT_STRLEN], r[ENDPOINT_STRLEN];
	int i;

	if (env.interval_ms) {
		tk_format_clock(tbuf, sizeof(tbuf));
		printf("[%s]\n", tbuf);
	}
	printf("%-25s %-25s %-11s %s\n", "LADDR:LPORT", "RADDR:RPORT", "RETRANSMITS",
	       env.lossprobe ? "SEGS     TLPS" : "SEGS");
	for (i = 0; i < nrows; i++) {
		const struct tcpretrans_key *k = &rows[i].key;

		printf("%-25s %-25s %-11llu %-*llu",
		       endpoint(k->ip, k->saddr, k->sport, l, sizeof(l)),
		       endpoint(k->ip, k->daddr, k->dport, r, sizeof(r)),
		       (unsigned long long)rows[i].count.retransmits, env.lossprobe ? 8 : 0,
		       (unsigned long long)rows[i].count.segs);
		if (env.lossprobe)
			printf(" %llu", (unsigned long long)rows[i].count.tlps);
		putchar('\n');
	}
	putchar('\n');
}

static int report_counts(void *ctx, bool final)
{
	(void)ctx;
	(void)final;
	nrows = tk_map_drain(bpf_map__fd(skel->maps.counts), sizeof(struct tcpretrans_key),
			     offsetof(struct row, count), sizeof(struct row),
			     (void **)&rows, &cap_rows);
	if (nrows < 0) {
		tk_warn("reading counts failed: %s", strerror(-nrows));
		return nrows;
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
	/* As tcpconnect's: each part its own label, so that sum by (daddr)
	 * works; s is the local, retransmitting side. */
	struct tk_prom_label l[4] = { { "saddr", NULL }, { "sport", NULL }, { "daddr", NULL },
				      { "dport", NULL } };
	char saddr[TK_INET_STRLEN], daddr[TK_INET_STRLEN], sport[8], dport[8];
	const char *names[4] = { saddr, sport, daddr, dport };
	struct tk_prom_row *pr;
	int n, i, j, err = 0;

	(void)ctx;
	nrows = tk_map_drain(bpf_map__fd(skel->maps.counts), sizeof(struct tcpretrans_key),
			     offsetof(struct row, count), sizeof(struct row),
			     (void **)&rows, &cap_rows);
	if (nrows < 0)
		return nrows;
	for (i = 0; !err && i < nrows; i++) {
		const struct tcpretrans_key *k = &rows[i].key;
		/* Ranked by segments, the counter's own value. */
		uint64_t v[2] = { rows[i].count.segs, rows[i].count.tlps };

		tk_inet_str(k->ip, k->saddr, saddr, sizeof(saddr));
		tk_inet_str(k->ip, k->daddr, daddr, sizeof(daddr));
		snprintf(sport, sizeof(sport), "%u", k->sport);
		snprintf(dport, sizeof(dport), "%u", k->dport);
		err = tk_prom_totals_add(&totals, names, 4, v, 2);
	}
	if (err || (n = tk_prom_totals_top(&totals, env.opts.prom_top, 2, &pr)) < 0)
		return err ? err : -ENOMEM;
	tk_prom_family(b, "tracekit_tcp_retransmits_total", "counter",
		       "TCP segments retransmitted, traced by tcpretrans.");
	for (i = 0; i < n; i++) {
		for (j = 0; j < 4; j++)
			l[j].value = pr[i].label[j];
		tk_prom_sample(b, "tracekit_tcp_retransmits_total", l, 4, pr[i].v[0]);
	}
	if (env.tlps_seen) {
		tk_prom_family(b, "tracekit_tcp_loss_probes_total", "counter",
			       "TCP tail-loss probes, traced by tcpretrans.");
		for (i = 0; i < n; i++) {
			for (j = 0; j < 4; j++)
				l[j].value = pr[i].label[j];
			tk_prom_sample(b, "tracekit_tcp_loss_probes_total", l, 4, pr[i].v[1]);
		}
	}
	free(pr);
	return 0;
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
	const char *what;
	int err = 1;

	tk_prog = "tcpretrans";
	parse_args(argc, argv);
	prom = tk_prom_open(&env.opts, render_metrics, NULL);
	tk_session_init(&env.opts);
	tk_format_event_clock(0, false, NULL, 0);	/* the clocks' offset, now */

	skel = TK_OPEN(tcpretrans_bpf, &env.opts);
	if (!skel) {
		tk_open_failed(&env.opts);
		goto cleanup;
	}
	session.bpf = TK_BPF_STREAM(skel);
	skel->rodata->count_mode = env.count;
	TK_SOCK_FILTERS_SET(skel->rodata, env.ip, env.sports, env.nsports, env.dports, env.ndports);
	/* Counts go to a map: the event buffer only needs to exist. */
	if (env.count)
		session.ring_bytes = getpagesize();
	else
		bpf_map__set_max_entries(skel->maps.counts, 1);
	if (tk_session_prepare(&session))
		goto cleanup;
	env.tlps_seen = env.lossprobe && strcmp(variants[session.variant].name, "tracepoint");
	/* Without -l the probe on tcp_send_loss_probe is not needed; the
	 * variant still says how -l would see them. */
	if (!env.lossprobe) {
		bpf_program__set_autoload(skel->progs.tcp_send_loss_probe_fentry, false);
		bpf_program__set_autoload(skel->progs.tcp_send_loss_probe_kprobe, false);
	} else if (!env.tlps_seen) {
		/* Going on: the retransmits are still worth seeing, and a TLP
		 * that resends data is one of them (T> R). */
		tk_warn("tail-loss probes cannot be seen on this kernel (tcp_send_loss_probe "
			"needs fentry or kprobes, or --attach=tracepoint was given): "
			"tracing retransmits only");
	}
	if (tk_session_load_attach(&session))
		goto cleanup;

	what = env.tlps_seen ? "TCP retransmits and tail-loss probes" : "TCP retransmits";
	if (env.count) {
		tk_ready(prom ? "TCP retransmits, serving metrics" :
			 env.interval_ms ? "TCP retransmits, printing counts each interval" :
			 "TCP retransmits, counting", env.opts.duration_ms);
		summary.interval_ms = env.interval_ms;
		summary.count = env.reports;
		tk_prom_summary(prom, &summary);
		err = tk_summary_run(&session, &summary);
		goto cleanup;
	}
	print_header();
	tk_ready(what, env.opts.duration_ms);
	err = tk_stream_run(&session, &stream);

cleanup:
	tk_session_detach(&session);
	tcpretrans_bpf__destroy(skel);
	tk_prom_close(prom);
	tk_prom_totals_free(&totals);
	free(rows);
	return err;
}
