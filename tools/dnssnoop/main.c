// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* dnssnoop: DNS queries and responses on the wire, attributed to processes. */
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <linux/if_ether.h>
#include <linux/if_packet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <bpf/bpf.h>
#include "args.h"
#include "log.h"
#include "loop.h"
#include "netaddr.h"
#include "output.h"
#include "prom.h"
#include "session.h"
#include "room.h"
#include "dnssnoop.skel.h"

_Static_assert(sizeof(struct dnssnoop_owner) == 32, "dnssnoop_owner layout changed");
_Static_assert(sizeof(struct dnssnoop_event) == 608, "dnssnoop_event layout changed");

#define TICK_MS 250			/* how often the clock is heard: timeouts are late by less */

struct dnssnoop_env dnssnoop = { .max_pending = MAX_PENDING };

/* The socket variant's filter goes on our own packet socket (attach_socket). */
static const struct tk_variant variants[] = {
	{ .name = "cgroup", .progs = { "dns_egress", "dns_ingress", "dns_sock_create",
		"dns_connect4", "dns_connect6", "dns_sendmsg4", "dns_sendmsg6",
		"dns_recvmsg4", "dns_recvmsg6" } },
	{ .name = "socket", .progs = { "dns_packet" } },
};
#define NVARIANTS (int)(sizeof(variants) / sizeof(variants[0]))
enum { V_CGROUP, V_SOCKET };

enum { OPT_MAX_PENDING = TK_OPT_TOOL_BASE };

static const char help[] =
"  -P, --port PORTS       DNS server ports (comma-separated, at most 64;\n"
"                         default 53)\n"
"  -N, --qname NAME       only query names containing NAME (any case)\n"
"  -x, --failed           only failures: responses other than NOERROR, and\n"
"                         queries unanswered after 2 seconds (TIMEOUT)\n"
"      --max-pending N    queries that wait for an answer (default 4096)\n"
"  -T, --timestamp        print a time column (wall clock)\n"
"Metrics (--prometheus, --textfile), counted from the start:\n"
"  tracekit_dns_queries_total{qtype}, tracekit_dns_responses_total{qtype,rcode}\n"
"  (unanswered: rcode TIMEOUT), tracekit_dns_latency_seconds{qtype,rcode}\n";

static const char examples[] =
"Examples:\n"
"  dnssnoop                  # DNS messages of all processes\n"
"  dnssnoop -T -x            # failed and unanswered lookups, with time\n"
"  dnssnoop -p 181           # only PID 181\n"
"  dnssnoop -n curl          # only processes whose name contains curl\n"
"  dnssnoop -N example.com   # only names containing example.com\n"
"  dnssnoop -P 53,5353       # DNS and mDNS ports\n"
"  dnssnoop -j -d 10         # JSON lines for 10 seconds\n"
"  dnssnoop --prometheus 127.0.0.1:9904   # serve the counts to Prometheus\n";

static const struct option longopts[] = {
	{ "port", required_argument, NULL, 'P' },
	{ "qname", required_argument, NULL, 'N' },
	{ "failed", no_argument, NULL, 'x' },
	{ "max-pending", required_argument, NULL, OPT_MAX_PENDING },
	{ "timestamp", no_argument, NULL, 'T' },
	{}
};

static void option(int key, const char *arg)
{
	switch (key) {
	case 'P': dnssnoop.nports = tk_arg_ports(arg, dnssnoop.ports, DNSSNOOP_MAX_PORTS); break;
	case 'N':
		if (!*arg)
			tk_usage_error("empty NAME");
		if (strlen(arg) >= DNS_NAME_STRLEN)
			tk_usage_error("NAME is longer than a DNS name can be");
		dnssnoop.name = arg;
		break;
	case 'x': dnssnoop.failed = true; break;
	case 'T': dnssnoop.timestamp = true; break;
	case OPT_MAX_PENDING: dnssnoop.max_pending = tk_arg_int(arg, 1, 1 << 20, "max-pending"); break;
	}
}

/* Packets are seen outside their process's context: the process filters
 * apply to the owner each packet is attributed to (owner_pass), and
 * --cgroup is where the programs attach. */
static const struct tk_cli cli = {
	.usage = "Usage: dnssnoop [OPTION]...\n"
		 "Trace DNS queries and responses on the wire, with the process that sent\n"
		 "or received them, the answers and the latency.",
	.shared = TK_OPT_PID | TK_OPT_UID | TK_OPT_COMM | TK_OPT_CGROUP | TK_OPT_DURATION |
		  TK_OPT_PROM,
	.optstring = "P:N:xT",
	.longopts = longopts,
	.help = help,
	.examples = examples,
	.variants = variants,
	.nvariants = NVARIANTS,
	.option = option,
};

static void parse_args(int argc, char **argv)
{
	tk_arg_no_positional(argc, argv, tk_parse_args(&cli, argc, argv, &dnssnoop.opts));
	if (dnssnoop.opts.cgroup && dnssnoop.opts.attach && !strcmp(dnssnoop.opts.attach, "socket"))
		tk_usage_error("--cgroup cannot be used with --attach=socket (a packet socket sees no cgroups)");
	/* --cgroup is where the programs attach: no falling back to the socket. */
	if (dnssnoop.opts.cgroup && !dnssnoop.opts.attach)
		dnssnoop.opts.attach = "cgroup";
	dnssnoop.exporting = dnssnoop.opts.prometheus || dnssnoop.opts.textfile;
	if (dnssnoop.exporting && dnssnoop.failed)
		tk_usage_error("-x cannot go with --prometheus or --textfile (the metrics count every response)");
	if (!dnssnoop.nports)
		dnssnoop.ports[dnssnoop.nports++] = 53;
}

/* --- attaching -------------------------------------------------------------- */

/* The socket variant: our own AF_PACKET socket, with the filter on it.
 * Returns the socket, or -1 after saying why. */
static int attach_socket(struct dnssnoop_bpf *skel)
{
	struct sockaddr_ll sll = { .sll_family = AF_PACKET, .sll_protocol = htons(ETH_P_ALL) };
	int prog = bpf_program__fd(skel->progs.dns_packet);
	int fd;

	/* Protocol 0 until bound: nothing is queued before the filter is on.
	 * SOCK_DGRAM: the link header is not ours to parse. */
	fd = socket(AF_PACKET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		tk_warn("cannot open a packet socket: %s", strerror(errno));
		return -1;
	}
	if (setsockopt(fd, SOL_SOCKET, SO_ATTACH_BPF, &prog, sizeof(prog))) {
		tk_warn("cannot attach the socket filter: %s", strerror(errno));
		close(fd);
		return -1;
	}
	if (bind(fd, (struct sockaddr *)&sll, sizeof(sll))) {
		tk_warn("cannot bind the packet socket: %s", strerror(errno));
		close(fd);
		return -1;
	}
	return fd;
}

static void set_ports(struct dnssnoop_bpf *skel)
{
	int i;

	for (i = 0; i < dnssnoop.nports; i++)
		skel->rodata->targ_ports[dnssnoop.ports[i] / 64] |= 1ULL << (dnssnoop.ports[i] % 64);
}

static void ports_str(char *buf, size_t size)
{
	size_t used = 0;
	int i;

	buf[0] = '\0';
	for (i = 0; i < dnssnoop.nports && used < size; i++)
		used += snprintf(buf + used, size - used, "%s%u", i ? "," : "", dnssnoop.ports[i]);
}

/* The socket variant's filter runs on our socket: closing it stops it. */
static void close_packet_socket(void *fd)
{
	if (*(int *)fd >= 0)
		close(*(int *)fd);
	*(int *)fd = -1;
}

int main(int argc, char **argv)
{
	int packet_fd = -1;
	struct tk_session session = {
		.detach = close_packet_socket,
		.detach_ctx = &packet_fd,
		.opts = &dnssnoop.opts,
		.variants = variants,
		.nvariants = NVARIANTS,
		/* 608-byte records: ~860 for each CPU. */
		.ring_bytes = tk_ring_per_cpu(512 << 10, 16 << 20),
	};
	/* A query before its answer, whichever CPU each passed on. */
	struct tk_stream stream = { .on_record = on_record, .on_tick = on_tick,
				    .tick_ms = TICK_MS, .on_end = on_end, .ordered = true,
				    .ts_offset = offsetof(struct dnssnoop_event, ts_ns) };
	struct dnssnoop_bpf *skel = NULL;
	struct tk_prom *prom = NULL;
	char what[512], ports[DNSSNOOP_MAX_PORTS * 6 + 1];
	int err = 1;

	tk_prog = "dnssnoop";
	parse_args(argc, argv);
	tk_session_init(&dnssnoop.opts);
	/* Its socket bound before anything is loaded (an address in use: exit 2). */
	prom = tk_prom_open(&dnssnoop.opts, metrics_render, NULL);

	skel = TK_OPEN(dnssnoop_bpf, &dnssnoop.opts);
	if (!skel) {
		tk_open_failed(&dnssnoop.opts);
		goto cleanup;
	}
	session.bpf = TK_BPF_STREAM(skel);
	/* Its programs run no task filter (see owner_pass): --cgroup is
	 * where they attach. */
	session.attach_cgroup = dnssnoop.opts.cgroup;
	set_ports(skel);
	if (tk_session_prepare(&session))
		goto cleanup;
	/* The cgroup variant's programs attach here; the socket's need our socket. */
	if (tk_session_load_attach(&session))
		goto cleanup;
	if (session.variant == V_SOCKET && (packet_fd = attach_socket(skel)) < 0)
		goto cleanup;
	print_clock_init();

	if (!prom)
		print_header();
	tk_prom_stream(prom, &stream);
	ports_str(ports, sizeof(ports));
	snprintf(what, sizeof(what), "DNS messages on port%s %s%s", dnssnoop.nports > 1 ? "s" : "",
		 ports, prom ? ", serving metrics" : "");
	tk_ready(what, dnssnoop.opts.duration_ms);
	/* Tracing is on: what comes meanwhile waits in the ring, and is
	 * read after this scan of /proc for sockets opened before us (a walk
	 * of every process's descriptors: ~5 ms here). */
	flows_start();
	err = tk_stream_run(&session, &stream);
	/* The last write holds the end's records and timeouts. */
	if (tk_prom_textfile(prom))
		err = 1;

cleanup:
	tk_session_detach(&session);
	dnssnoop_bpf__destroy(skel);
	flows_end();
	tk_prom_close(prom);
	metrics_end();
	return err;
}

