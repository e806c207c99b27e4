// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* bindsnoop: trace bind() on IPv4 and IPv6 sockets: who bound what, with
 * which socket options, and the result. */
#include <net/if.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include "args.h"
#include "errnos.h"
#include "log.h"
#include "loop.h"
#include "netaddr.h"
#include "output.h"
#include "session.h"
#include "bindsnoop.h"
#include "bindsnoop.skel.h"

_Static_assert(sizeof(struct bindsnoop_event) == 72, "bindsnoop_event layout changed");

static struct env {
	struct tk_opts opts;
	bool time;		/* -T: HH:MM:SS */
	bool timestamp;		/* -t: seconds since start */
	bool failed;		/* -x */
	int ip;			/* -4 or -6: 4 or 6; 0: both */
	bool ip4, ip6;
	uint16_t ports[BINDSNOOP_MAX_PORTS];
	int nports;
	uint64_t start_ns;
} env;

static const struct tk_variant variants[] = {
	/* The hooks find the bind's thread by its tid, with a helper not
	 * every kernel offers sock_addr programs (probed for the last one). */
	{ .name = "cgroup", .progs = { "bind_enter", "bind_exit", "bind4", "bind6" },
	  .helpers = { BPF_FUNC_get_current_pid_tgid } },
	{ .name = "tracepoint", .progs = { "bind_enter", "bind_exit" } },
};
#define NVARIANTS (int)(sizeof(variants) / sizeof(variants[0]))

static const char help[] =
"  -P, --port PORTS       only binds of these ports (comma-separated, at most\n"
"                         64; the port bound, or asked for if the bind failed)\n"
"  -x, --failed           only failed binds\n"
"  -4, --ipv4             only IPv4 binds\n"
"  -6, --ipv6             only IPv6 binds\n"
"  -T, --time             print a TIME column (HH:MM:SS)\n"
"  -t, --timestamp        print a TIME(s) column (seconds since start)\n";

static const char examples[] =
"Examples:\n"
"  bindsnoop                 # trace all binds of IPv4 and IPv6 sockets\n"
"  bindsnoop -t -T           # with time columns\n"
"  bindsnoop -p 181          # only PID 181\n"
"  bindsnoop -P 80,443       # only binds of port 80 or 443\n"
"  bindsnoop -x              # only failed binds\n"
"  bindsnoop -6              # only IPv6 binds\n"
"  bindsnoop --cgroup /sys/fs/cgroup/unified/web   # only tasks in this cgroup\n"
"  bindsnoop -j -d 10        # JSON lines for 10 seconds\n";

static const struct option longopts[] = {
	{ "port", required_argument, NULL, 'P' },
	{ "failed", no_argument, NULL, 'x' },
	{ "ipv4", no_argument, NULL, '4' },
	{ "ipv6", no_argument, NULL, '6' },
	{ "time", no_argument, NULL, 'T' },
	{ "timestamp", no_argument, NULL, 't' },
	{}
};

static void option(int key, const char *arg)
{
	switch (key) {
	case 'P': env.nports = tk_arg_ports(arg, env.ports, BINDSNOOP_MAX_PORTS); break;
	case 'x': env.failed = true; break;
	case '4': env.ip4 = true; env.ip = 4; break;
	case '6': env.ip6 = true; env.ip = 6; break;
	case 'T': env.time = true; break;
	case 't': env.timestamp = true; break;
	}
}

static const struct tk_cli cli = {
	.usage = "Usage: bindsnoop [OPTION]...\n"
		 "Trace bind() on IPv4 and IPv6 sockets: process, protocol, socket options,\n"
		 "bound device, port (the kernel's choice when 0 is asked), address, result.",
	.shared = TK_OPT_FILTERS | TK_OPT_DURATION,
	.letter = { .tid = '-' },	/* bcc's -t is the timestamp */
	.optstring = "P:x46Tt",
	.longopts = longopts,
	.help = help,
	.examples = examples,
	.variants = variants,
	.nvariants = NVARIANTS,
	.option = option,
};

/* TCP, UDP, ... from the socket's type and protocol; NULL if unknown. */
static const char *proto_name(const struct bindsnoop_event *e)
{
	if (!e->type)
		return NULL;	/* not a socket: the bind failed with EBADF/ENOTSOCK */
	if (e->type == SOCK_RAW)
		return "RAW";
	switch (e->proto) {
	case IPPROTO_TCP: return "TCP";
	case IPPROTO_UDP: return "UDP";
	case IPPROTO_UDPLITE: return "UDPLITE";
	case IPPROTO_SCTP: return "SCTP";
	case IPPROTO_ICMP: return "ICMP";
	case IPPROTO_ICMPV6: return "ICMPV6";
	case IPPROTO_DCCP: return "DCCP";
	case 262: return "MPTCP";	/* IPPROTO_MPTCP, not in older headers */
	}
	return NULL;
}

static void opts_str(uint8_t opts, char out[6])
{
	static const char letters[] = "FTNRr";
	int i;

	for (i = 0; i < 5; i++)
		out[i] = opts & (1 << i) ? letters[i] : '.';
	out[5] = '\0';
}

static void ret_str(int ret, char *buf, size_t size)
{
	const char *name = ret < 0 ? errno_name(-ret) : NULL;

	if (name)
		snprintf(buf, size, "%s", name);
	else
		snprintf(buf, size, "%d", ret);
}

static void print_header(void)
{
	if (env.opts.json)
		return;
	if (env.time)
		printf("%-8s ", "TIME");
	if (env.timestamp)
		printf("%-8s ", "TIME(s)");
	printf("%-7s %-16s %-12s %-5s %-5s %-4s %-5s %s\n", "PID", "COMM", "RET", "PROTO", "OPTS",
	       "IF", "PORT", "ADDR");
}

static int print_event(void *ctx, const void *data, size_t size)
{
	const struct bindsnoop_event *e = data;
	char addr[TK_INET_STRLEN], opts[6], ret[16], clock[16], pnum[8], ifname[IF_NAMESIZE];
	const char *proto;
	struct jw w;

	(void)ctx;
	if (size < sizeof(*e))
		return 0;
	tk_inet_str(e->ip, e->addr, addr, sizeof(addr));
	opts_str(e->opts, opts);
	ret_str(e->ret, ret, sizeof(ret));
	proto = proto_name(e);
	if (!proto) {
		snprintf(pnum, sizeof(pnum), "%u", e->proto);
		proto = e->type ? pnum : "?";
	}
	if (env.opts.json) {
		jw_event_begin(&w, stdout, "bind", e->ts_ns);
		jw_uint(&w, "pid", e->pid);
		jw_uint(&w, "tid", e->tid);
		jw_uint(&w, "uid", e->uid);
		jw_str(&w, "comm", e->comm, sizeof(e->comm));
		jw_int(&w, "ret", e->ret);
		if (e->ret < 0 && errno_name(-e->ret))
			jw_str(&w, "error", errno_name(-e->ret), 32);
		jw_uint(&w, "ip", e->ip);
		if (e->type) {
			jw_str(&w, "proto", proto, 16);
			jw_uint(&w, "protocol", e->proto);
			jw_uint(&w, "sock_type", e->type);
		} else {
			jw_null(&w, "proto");
		}
		jw_str(&w, "opts", opts, sizeof(opts));
		jw_bool(&w, "freebind", e->opts & BINDSNOOP_FREEBIND);
		jw_bool(&w, "transparent", e->opts & BINDSNOOP_TRANSPARENT);
		jw_bool(&w, "bind_address_no_port", e->opts & BINDSNOOP_NO_PORT);
		jw_bool(&w, "reuseaddr", e->opts & BINDSNOOP_REUSEADDR);
		jw_bool(&w, "reuseport", e->opts & BINDSNOOP_REUSEPORT);
		jw_uint(&w, "ifindex", e->ifindex);
		if (e->ifindex && if_indextoname(e->ifindex, ifname))
			jw_str(&w, "ifname", ifname, sizeof(ifname));
		jw_uint(&w, "port", e->port);
		jw_uint(&w, "asked_port", e->asked_port);
		jw_str(&w, "addr", addr, sizeof(addr));
		jw_str(&w, "addr_from", e->addr_src == BINDSNOOP_ADDR_KERNEL ? "kernel" : "user", 8);
		jw_end(&w);
		return 0;
	}
	if (env.time) {
		tk_format_event_clock(e->ts_ns, false, clock, sizeof(clock));
		printf("%-8s ", clock);
	}
	if (env.timestamp)
		printf("%-8.3f ", (e->ts_ns > env.start_ns ? e->ts_ns - env.start_ns : 0) / 1e9);
	printf("%-7u ", e->pid);
	tk_print_escaped(stdout, e->comm, sizeof(e->comm));
	printf("%*s %-12s %-5s %-5s %-4u %-5u %s\n",
	       (int)(16 - strnlen(e->comm, sizeof(e->comm))), "", ret, proto, opts, e->ifindex,
	       e->port, addr);
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
	struct bindsnoop_bpf *skel = NULL;
	int err = 1;

	tk_prog = "bindsnoop";
	tk_arg_no_positional(argc, argv, tk_parse_args(&cli, argc, argv, &env.opts));
	if (env.ip4 && env.ip6)
		tk_usage_error("-4 and -6 cannot be used together");
	tk_session_init(&env.opts);

	skel = TK_OPEN(bindsnoop_bpf, &env.opts);
	if (!skel) {
		tk_open_failed(&env.opts);
		goto cleanup;
	}
	session.bpf = TK_BPF_STREAM(skel);
	skel->rodata->targ_failed = env.failed;
	skel->rodata->targ_ip = env.ip;
	skel->rodata->filter_ports = env.nports > 0;
	tk_ports_bitmap(env.ports, env.nports, skel->rodata->targ_ports);
	if (tk_session_prepare(&session) || tk_session_load_attach(&session))
		goto cleanup;

	print_header();
	env.start_ns = tk_now_ns();
	tk_ready("bind()s of IPv4 and IPv6 sockets", env.opts.duration_ms);
	err = tk_stream_run(&session, &stream);

cleanup:
	tk_session_detach(&session);
	bindsnoop_bpf__destroy(skel);
	return err;
}
