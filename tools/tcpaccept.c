// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* tcpaccept: trace passive TCP connections as they are accepted. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "args.h"
#include "log.h"
#include "loop.h"
#include "netaddr.h"
#include "output.h"
#include "session.h"
#include "tcpaccept.h"
#include "tcpaccept.skel.h"

_Static_assert(sizeof(struct tcpaccept_event) == 80, "tcpaccept_event layout changed");

static struct env {
	struct tk_opts opts;
	bool time;			/* -T */
	bool timestamp;			/* -t */
	bool ip4, ip6;
	int ip;				/* -4 or -6: 4 or 6; 0: both */
	uint16_t ports[TCPACCEPT_MAX_PORTS];
	int nports;
	uint64_t start_ns;		/* -t: the first accept's time */
} env;

static const struct tk_variant variants[] = {
	{ .name = "fentry", .progs = { "security_sock_graft_fentry" } },
	{ .name = "kprobe", .progs = { "security_sock_graft_kprobe" } },
	{ .name = "tracepoint", .progs = { "accept4_exit_tp", "accept_exit_tp" } },
};
#define NVARIANTS (int)(sizeof(variants) / sizeof(variants[0]))

static const char help[] =
"  -P, --port PORTS       only connections to these local ports\n"
"                         (comma-separated, at most 64)\n"
"  -4, --ipv4             only IPv4 connections\n"
"  -6, --ipv6             only IPv6 connections\n"
"  -T, --time             print a TIME column (HH:MM:SS)\n"
"  -t, --timestamp        print a TIME(s) column (seconds since the first accept)\n";

static const char examples[] =
"Examples:\n"
"  tcpaccept                 # trace all TCP accepts\n"
"  tcpaccept -T              # with a time column (HH:MM:SS)\n"
"  tcpaccept -t              # seconds since the first accept\n"
"  tcpaccept -p 181          # only accepts by PID 181\n"
"  tcpaccept -P 80,443       # only connections to local port 80 or 443\n"
"  tcpaccept -6              # only IPv6 connections\n"
"  tcpaccept --cgroup /sys/fs/cgroup/web  # only processes in this cgroup\n"
"  tcpaccept -j -d 60        # JSON lines for a minute\n";

static const struct option longopts[] = {
	{ "port", required_argument, NULL, 'P' },
	{ "ipv4", no_argument, NULL, '4' },
	{ "ipv6", no_argument, NULL, '6' },
	{ "time", no_argument, NULL, 'T' },
	{ "timestamp", no_argument, NULL, 't' },
	{}
};

static void option(int key, const char *arg)
{
	switch (key) {
	case 'P': env.nports = tk_arg_ports(arg, env.ports, TCPACCEPT_MAX_PORTS); break;
	case '4': env.ip4 = true; env.ip = 4; break;
	case '6': env.ip6 = true; env.ip = 6; break;
	case 'T': env.time = true; break;
	case 't': env.timestamp = true; break;
	}
}

static const struct tk_cli cli = {
	.usage = "Usage: tcpaccept [OPTION]...\n"
		 "Trace passive TCP connections as a process accepts them: the acceptor,\n"
		 "the remote and local addresses and ports.",
	.shared = TK_OPT_FILTERS | TK_OPT_DURATION,
	.letter = { .tid = '-' },	/* bcc's -t is the timestamp */
	.optstring = "P:46Tt",
	.longopts = longopts,
	.help = help,
	.examples = examples,
	.variants = variants,
	.nvariants = NVARIANTS,
	.option = option,
};

static void parse_args(int argc, char **argv)
{
	tk_arg_no_positional(argc, argv, tk_parse_args(&cli, argc, argv, &env.opts));
	if (env.ip4 && env.ip6)
		tk_usage_error("-4 and -6 cannot be used together");
}

static void print_header(void)
{
	if (env.opts.json)
		return;
	if (env.time)
		printf("%-8s ", "TIME");
	if (env.timestamp)
		printf("%-9s ", "TIME(s)");
	printf("%-7s %-12s %-2s %-16s %-5s %-16s %s\n", "PID", "COMM", "IP", "RADDR", "RPORT",
	       "LADDR", "LPORT");
}

static int print_event(void *ctx, const void *data, size_t size)
{
	const struct tcpaccept_event *e = data;
	char laddr[TK_INET_STRLEN], raddr[TK_INET_STRLEN], clock[16];
	struct jw w;

	(void)ctx;
	if (size < sizeof(*e))
		return 0;
	if (!env.start_ns)
		env.start_ns = e->ts_ns;
	tk_inet_str(e->ip, e->laddr, laddr, sizeof(laddr));
	tk_inet_str(e->ip, e->raddr, raddr, sizeof(raddr));
	if (env.opts.json) {
		jw_event_begin(&w, stdout, "accept", e->ts_ns);
		jw_uint(&w, "pid", e->pid);
		jw_uint(&w, "tid", e->tid);
		jw_uint(&w, "uid", e->uid);
		jw_str(&w, "comm", e->comm, sizeof(e->comm));
		jw_uint(&w, "ip", e->ip);
		jw_str(&w, "raddr", raddr, sizeof(raddr));
		jw_uint(&w, "rport", e->rport);
		jw_str(&w, "laddr", laddr, sizeof(laddr));
		jw_uint(&w, "lport", e->lport);
		jw_end(&w);
		return 0;
	}
	if (env.time) {
		tk_format_event_clock(e->ts_ns, false, clock, sizeof(clock));
		printf("%-8s ", clock);
	}
	if (env.timestamp)
		printf("%-9.6f ", (double)(e->ts_ns - env.start_ns) / 1e9);
	printf("%-7u ", e->pid);
	tk_print_escaped(stdout, e->comm, sizeof(e->comm));
	printf("%*s %-2u %-16s %-5u %-16s %u\n", (int)(12 - strnlen(e->comm, 12)), "", e->ip,
	       raddr, e->rport, laddr, e->lport);
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
	struct tcpaccept_bpf *skel = NULL;
	int err = 1;

	tk_prog = "tcpaccept";
	parse_args(argc, argv);
	tk_session_init(&env.opts);
	tk_format_event_clock(0, false, NULL, 0);	/* the clocks' offset, now */

	skel = TK_OPEN(tcpaccept_bpf, &env.opts);
	if (!skel) {
		tk_open_failed(&env.opts);
		goto cleanup;
	}
	session.bpf = TK_BPF_STREAM(skel);
	skel->rodata->targ_ip = env.ip;
	skel->rodata->filter_sport = env.nports > 0;
	tk_ports_bitmap(env.ports, env.nports, skel->rodata->targ_sports);
	if (tk_session_prepare(&session) || tk_session_load_attach(&session))
		goto cleanup;

	print_header();
	tk_ready("TCP accepts", env.opts.duration_ms);
	err = tk_stream_run(&session, &stream);

cleanup:
	tk_session_detach(&session);
	tcpaccept_bpf__destroy(skel);
	return err;
}
