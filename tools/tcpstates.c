// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* tcpstates: trace TCP state changes, with the time spent in each state. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "args.h"
#include "log.h"
#include "loop.h"
#include "netaddr.h"
#include "output.h"
#include "session.h"
#include "tcpstates.h"
#include "tcpstates.skel.h"

_Static_assert(sizeof(struct tcpstates_event) == 88, "tcpstates_event layout changed");

static struct env {
	struct tk_opts opts;
	bool timestamp;			/* -T */
	bool wallclock;			/* -Y */
	bool wide;			/* -w */
	bool ip4, ip6;
	int ip;				/* -4 or -6: 4 or 6; 0: both */
	uint16_t sports[TCPSTATES_MAX_PORTS], dports[TCPSTATES_MAX_PORTS];
	int nsports, ndports;
	uint64_t start_ns;		/* -T: the first change's time */
} env;

static const char help[] =
"  -L, --localport PORTS  only sockets with these local ports\n"
"                         (comma-separated, at most 64)\n"
"  -D, --remoteport PORTS only sockets with these remote ports\n"
"                         (comma-separated, at most 64)\n"
"  -4, --ipv4             only IPv4 sockets\n"
"  -6, --ipv6             only IPv6 sockets\n"
"  -T, --timestamp        print a TIME(s) column (seconds since the first change)\n"
"  -Y, --wallclock        print a TIME column: the system's wall-clock time\n"
"                         (HH:MM:SS.mmm) of each change\n"
"  -w, --wide             wide columns (full IPv6 addresses, an IP column)\n";

static const char examples[] =
"Examples:\n"
"  tcpstates                 # trace all TCP state changes\n"
"  tcpstates -T              # with a time column (seconds)\n"
"  tcpstates -Y              # with the wall-clock time of each change\n"
"  tcpstates -L 80,443       # only sockets with local port 80 or 443\n"
"  tcpstates -D 5432         # only sockets talking to remote port 5432\n"
"  tcpstates -6 -w           # only IPv6, wide columns\n"
"  tcpstates -p 181          # only changes made while PID 181 ran\n"
"  tcpstates -j -d 10        # JSON lines for 10 seconds\n";

static const struct option longopts[] = {
	{ "localport", required_argument, NULL, 'L' },
	{ "remoteport", required_argument, NULL, 'D' },
	{ "ipv4", no_argument, NULL, '4' },
	{ "ipv6", no_argument, NULL, '6' },
	{ "timestamp", no_argument, NULL, 'T' },
	{ "wallclock", no_argument, NULL, 'Y' },
	{ "wide", no_argument, NULL, 'w' },
	{}
};

static void option(int key, const char *arg)
{
	switch (key) {
	case 'L': env.nsports = tk_arg_ports(arg, env.sports, TCPSTATES_MAX_PORTS); break;
	case 'D': env.ndports = tk_arg_ports(arg, env.dports, TCPSTATES_MAX_PORTS); break;
	case '4': env.ip4 = true; env.ip = 4; break;
	case '6': env.ip6 = true; env.ip = 6; break;
	case 'T': env.timestamp = true; break;
	case 'Y': env.wallclock = true; break;
	case 'w': env.wide = true; break;
	}
}

static const struct tk_cli cli = {
	.usage = "Usage: tcpstates [OPTION]...\n"
		 "Trace TCP state changes, with the time spent in the previous state.",
	.shared = TK_OPT_FILTERS | TK_OPT_DURATION,
	.optstring = "L:D:46TYw",
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

static void print_header(void)
{
	if (env.opts.json)
		return;
	if (env.wallclock)
		printf("%-12s ", "TIME");
	if (env.timestamp)
		printf("%-9s ", "TIME(s)");
	if (env.wide)
		printf("%-16s %-7s %-16s %-2s %-39s %-5s %-39s %-5s %-11s -> %-11s %s\n",
		       "SKADDR", "PID", "COMM", "IP", "LADDR", "LPORT", "RADDR", "RPORT",
		       "OLDSTATE", "NEWSTATE", "MS");
	else
		printf("%-16s %-7s %-12s %-15s %-5s %-15s %-5s %-11s -> %-11s %s\n",
		       "SKADDR", "PID", "COMM", "LADDR", "LPORT", "RADDR", "RPORT",
		       "OLDSTATE", "NEWSTATE", "MS");
}

static int print_event(void *ctx, const void *data, size_t size)
{
	const struct tcpstates_event *e = data;
	char laddr[TK_INET_STRLEN], raddr[TK_INET_STRLEN], wall[32], skaddr[20];
	char ob[16], nb[16];
	const char *old, *new;
	int comm_w = env.wide ? 16 : 12, addr_w = env.wide ? 39 : 15;
	struct jw w;

	(void)ctx;
	if (size < sizeof(*e))
		return 0;
	if (!env.start_ns)
		env.start_ns = e->ts_ns;
	tk_inet_str(e->ip, e->saddr, laddr, sizeof(laddr));
	tk_inet_str(e->ip, e->daddr, raddr, sizeof(raddr));
	old = tk_tcp_state_name(e->oldstate, ob, sizeof(ob));
	new = tk_tcp_state_name(e->newstate, nb, sizeof(nb));
	snprintf(skaddr, sizeof(skaddr), "%llx", (unsigned long long)e->skaddr);
	if (env.wallclock)
		tk_format_event_clock(e->ts_ns, true, wall, sizeof(wall));
	if (env.opts.json) {
		jw_event_begin(&w, stdout, "state", e->ts_ns);
		/* A string: a kernel address does not fit a double. */
		jw_str(&w, "skaddr", skaddr, sizeof(skaddr));
		jw_uint(&w, "pid", e->pid);
		jw_uint(&w, "tid", e->tid);
		jw_str(&w, "comm", e->comm, sizeof(e->comm));
		jw_uint(&w, "ip", e->ip);
		jw_str(&w, "laddr", laddr, sizeof(laddr));
		jw_uint(&w, "lport", e->sport);
		jw_str(&w, "raddr", raddr, sizeof(raddr));
		jw_uint(&w, "rport", e->dport);
		jw_str(&w, "oldstate", old, 16);
		jw_str(&w, "newstate", new, 16);
		jw_uint(&w, "delta_ns", e->delta_ns);
		jw_end(&w);
		return 0;
	}
	if (env.wallclock)
		printf("%-12s ", wall);
	if (env.timestamp)
		printf("%-9.6f ", (double)(e->ts_ns - env.start_ns) / 1e9);
	printf("%-16s %-7u ", skaddr, e->pid);
	tk_print_escaped(stdout, e->comm, sizeof(e->comm));
	printf("%*s ", (int)(comm_w - strnlen(e->comm, comm_w)), "");
	if (env.wide)
		printf("%-2u ", e->ip);
	printf("%-*s %-5u %-*s %-5u %-11s -> %-11s %.3f\n", addr_w, laddr, e->sport,
	       addr_w, raddr, e->dport, old, new, (double)e->delta_ns / 1e6);
	return 0;
}

int main(int argc, char **argv)
{
	struct tk_session session = {
		.opts = &env.opts,
		.ring_bytes = 1 << 20,
	};
	struct tk_stream stream = { .on_record = print_event };
	struct tcpstates_bpf *skel = NULL;
	int err = 1;

	tk_prog = "tcpstates";
	parse_args(argc, argv);
	tk_session_init(&env.opts);
	tk_format_event_clock(0, false, NULL, 0);	/* the clocks' offset, now */

	skel = TK_OPEN(tcpstates_bpf, &env.opts);
	if (!skel) {
		tk_open_failed(&env.opts);
		goto cleanup;
	}
	session.bpf = TK_BPF_STREAM(skel);
	TK_SOCK_FILTERS_SET(skel->rodata, env.ip, env.sports, env.nsports, env.dports, env.ndports);
	if (tk_session_prepare(&session) || tk_session_load_attach(&session))
		goto cleanup;

	print_header();
	tk_ready("TCP state changes", env.opts.duration_ms);
	err = tk_stream_run(&session, &stream);

cleanup:
	tk_session_detach(&session);
	tcpstates_bpf__destroy(skel);
	return err;
}
