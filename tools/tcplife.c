// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* tcplife: trace TCP sessions, each as it closes: owner, addresses, ports,
 * bytes moved and lifespan. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "args.h"
#include "log.h"
#include "loop.h"
#include "netaddr.h"
#include "output.h"
#include "session.h"
#include "tcplife.h"
#include "tcplife.skel.h"

_Static_assert(sizeof(struct tcplife_event) == 96, "tcplife_event layout changed");

static struct env {
	struct tk_opts opts;
	bool time;			/* -T */
	bool timestamp;			/* -t */
	bool wide;			/* -w */
	bool ip4, ip6;
	int ip;				/* -4 or -6: 4 or 6; 0: both */
	uint16_t sports[TCPLIFE_MAX_PORTS], dports[TCPLIFE_MAX_PORTS];
	int nsports, ndports;
	uint64_t start_ns;		/* -t: the first close's time */
} env;

static const char help[] =
"  -L, --localport PORTS  only sessions with these local ports\n"
"                         (comma-separated, at most 64)\n"
"  -D, --remoteport PORTS only sessions with these remote ports\n"
"                         (comma-separated, at most 64)\n"
"  -4, --ipv4             only IPv4 sessions\n"
"  -6, --ipv6             only IPv6 sessions\n"
"  -T, --time             print a TIME column (HH:MM:SS)\n"
"  -t, --timestamp        print a TIME(s) column (seconds since the first close)\n"
"  -w, --wide             wide columns (full IPv6 addresses, an IP column)\n";

static const char examples[] =
"Examples:\n"
"  tcplife                   # trace all TCP sessions as they close\n"
"  tcplife -T                # with a time column (HH:MM:SS)\n"
"  tcplife -t -w             # seconds since the first close, wide columns\n"
"  tcplife -p 181            # only sessions owned by PID 181\n"
"  tcplife -L 80             # only sessions with local port 80 (a server's)\n"
"  tcplife -D 80,443         # only sessions to remote port 80 or 443\n"
"  tcplife -6                # only IPv6 sessions\n"
"  tcplife -j -d 60          # JSON lines (exact byte counts) for a minute\n";

static const struct option longopts[] = {
	{ "localport", required_argument, NULL, 'L' },
	{ "remoteport", required_argument, NULL, 'D' },
	{ "ipv4", no_argument, NULL, '4' },
	{ "ipv6", no_argument, NULL, '6' },
	{ "time", no_argument, NULL, 'T' },
	{ "timestamp", no_argument, NULL, 't' },
	{ "wide", no_argument, NULL, 'w' },
	{}
};

static void option(int key, const char *arg)
{
	switch (key) {
	case 'L': env.nsports = tk_arg_ports(arg, env.sports, TCPLIFE_MAX_PORTS); break;
	case 'D': env.ndports = tk_arg_ports(arg, env.dports, TCPLIFE_MAX_PORTS); break;
	case '4': env.ip4 = true; env.ip = 4; break;
	case '6': env.ip6 = true; env.ip = 6; break;
	case 'T': env.time = true; break;
	case 't': env.timestamp = true; break;
	case 'w': env.wide = true; break;
	}
}

static const struct tk_cli cli = {
	.usage = "Usage: tcplife [OPTION]...\n"
		 "Trace TCP sessions as they close: the owning process, addresses, ports,\n"
		 "bytes sent and received, and how long each session lived.",
	.shared = TK_OPT_FILTERS | TK_OPT_DURATION,
	.letter = { .tid = '-' },	/* bcc's -t is the timestamp */
	.optstring = "L:D:46Ttw",
	.longopts = longopts,
	.help = help,
	.examples = examples,
	.option = option,
};

static void parse_args(int argc, char **argv)
{
	tk_arg_no_positional(argc, argv, tk_parse_args(&cli, argc, argv, &env.opts));
	if (env.ip4 && env.ip6)
		tk_usage_error("-4 and -6 cannot be used together");
}

static const char *owner_name(unsigned owner)
{
	switch (owner) {
	case TCPLIFE_OWNER_CONNECT: return "connect";
	case TCPLIFE_OWNER_CLOSE: return "close";
	default: return "none";
	}
}

static void print_header(void)
{
	if (env.opts.json)
		return;
	if (env.time)
		printf("%-8s ", "TIME");
	if (env.timestamp)
		printf("%-9s ", "TIME(s)");
	if (env.wide)
		printf("%-7s %-16s %-2s %-39s %-5s %-39s %-5s %6s %6s %s\n", "PID", "COMM", "IP",
		       "LADDR", "LPORT", "RADDR", "RPORT", "TX_KB", "RX_KB", "MS");
	else
		printf("%-7s %-12s %-15s %-5s %-15s %-5s %5s %5s %s\n", "PID", "COMM",
		       "LADDR", "LPORT", "RADDR", "RPORT", "TX_KB", "RX_KB", "MS");
}

static int print_event(void *ctx, const void *data, size_t size)
{
	const struct tcplife_event *e = data;
	char laddr[TK_INET_STRLEN], raddr[TK_INET_STRLEN], clock[16];
	int comm_w = env.wide ? 16 : 12, addr_w = env.wide ? 39 : 15, kb_w = env.wide ? 6 : 5;
	struct jw w;

	(void)ctx;
	if (size < sizeof(*e))
		return 0;
	if (!env.start_ns)
		env.start_ns = e->ts_ns;
	tk_inet_str(e->ip, e->saddr, laddr, sizeof(laddr));
	tk_inet_str(e->ip, e->daddr, raddr, sizeof(raddr));
	if (env.opts.json) {
		jw_event_begin(&w, stdout, "session", e->ts_ns);
		if (e->owner != TCPLIFE_OWNER_NONE) {
			jw_uint(&w, "pid", e->pid);
			jw_uint(&w, "uid", e->uid);
			jw_str(&w, "comm", e->comm, sizeof(e->comm));
		} else {
			jw_null(&w, "pid");
			jw_null(&w, "uid");
			jw_null(&w, "comm");
		}
		jw_str(&w, "owner", owner_name(e->owner), 8);
		jw_str(&w, "dir", e->active ? "out" : "in", 4);
		jw_uint(&w, "ip", e->ip);
		jw_str(&w, "laddr", laddr, sizeof(laddr));
		jw_uint(&w, "lport", e->sport);
		jw_str(&w, "raddr", raddr, sizeof(raddr));
		jw_uint(&w, "rport", e->dport);
		jw_uint(&w, "tx_bytes", e->tx_bytes);
		jw_uint(&w, "rx_bytes", e->rx_bytes);
		jw_uint(&w, "span_ns", e->span_ns);
		jw_end(&w);
		return 0;
	}
	if (env.time) {
		tk_format_event_clock(e->ts_ns, false, clock, sizeof(clock));
		printf("%-8s ", clock);
	}
	if (env.timestamp)
		printf("%-9.6f ", (double)(e->ts_ns - env.start_ns) / 1e9);
	if (e->owner != TCPLIFE_OWNER_NONE) {
		printf("%-7u ", e->pid);
		tk_print_escaped(stdout, e->comm, sizeof(e->comm));
		printf("%*s ", (int)(comm_w - strnlen(e->comm, comm_w)), "");
	} else {
		printf("%-7s %-*s ", "-", comm_w, "-");
	}
	if (env.wide)
		printf("%-2u ", e->ip);
	printf("%-*s %-5u %-*s %-5u %*llu %*llu %.2f\n", addr_w, laddr, e->sport, addr_w, raddr,
	       e->dport, kb_w, (unsigned long long)(e->tx_bytes / 1024), kb_w,
	       (unsigned long long)(e->rx_bytes / 1024), (double)e->span_ns / 1e6);
	return 0;
}

int main(int argc, char **argv)
{
	struct tk_session session = {
		.opts = &env.opts,
		.ring_bytes = 1 << 20,
	};
	struct tk_stream stream = { .on_record = print_event };
	struct tcplife_bpf *skel = NULL;
	int err = 1;

	tk_prog = "tcplife";
	parse_args(argc, argv);
	tk_session_init(&env.opts);
	tk_format_event_clock(0, false, NULL, 0);	/* the clocks' offset, now */

	skel = TK_OPEN(tcplife_bpf, &env.opts);
	if (!skel) {
		tk_open_failed(&env.opts);
		goto cleanup;
	}
	session.bpf = TK_BPF_STREAM(skel);
	TK_SOCK_FILTERS_SET(skel->rodata, env.ip, env.sports, env.nsports, env.dports, env.ndports);
	if (tk_session_prepare(&session) || tk_session_load_attach(&session))
		goto cleanup;

	print_header();
	tk_ready("TCP sessions", env.opts.duration_ms);
	err = tk_stream_run(&session, &stream);

cleanup:
	tk_session_detach(&session);
	tcplife_bpf__destroy(skel);
	return err;
}
