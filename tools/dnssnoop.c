// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* dnssnoop: DNS queries and responses on the wire, attributed to processes. */
#include <errno.h>
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
#include "dns.h"
#include "log.h"
#include "loop.h"
#include "netaddr.h"
#include "output.h"
#include "session.h"
#include "socktab.h"
#include "dnssnoop.h"
#include "dnssnoop.skel.h"

_Static_assert(sizeof(struct dnssnoop_owner) == 32, "dnssnoop_owner layout changed");
_Static_assert(sizeof(struct dnssnoop_event) == 608, "dnssnoop_event layout changed");

#define TIMEOUT_NS 2000000000ULL	/* a query unanswered this long is reported (-x) */
#define FORGET_NS 30000000000ULL	/* ...and still matched to a late answer until this */
#define TICK_MS 250			/* how often the clock is heard: timeouts are late by less */
/* Records still in the buffer when a tick comes are older than this: a
 * tick does not time out a query whose answer it has not read yet. */
#define TICK_SLACK_NS 100000000ULL
#define MAX_PENDING 4096		/* queries waiting for their answer (--max-pending) */
#define MAX_TCP_FLOWS 64		/* TCP streams in the middle of a message */
#define REPORT_NS 1000000000ULL		/* evictions are reported at most once a second */
#define RESCAN_NS 100000000ULL		/* /proc scans for unattributed packets: at most 10/s */

static struct env {
	struct tk_opts opts;
	uint16_t ports[DNSSNOOP_MAX_PORTS];
	int nports;
	const char *name;
	bool failed;
	bool timestamp;
	int max_pending;
} env = { .max_pending = MAX_PENDING };

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
"  -T, --timestamp        print a time column (wall clock)\n";

static const char examples[] =
"Examples:\n"
"  dnssnoop                  # DNS messages of all processes\n"
"  dnssnoop -T -x            # failed and unanswered lookups, with time\n"
"  dnssnoop -p 181           # only PID 181\n"
"  dnssnoop -n curl          # only processes whose name contains curl\n"
"  dnssnoop -N example.com   # only names containing example.com\n"
"  dnssnoop -P 53,5353       # DNS and mDNS ports\n"
"  dnssnoop -j -d 10         # JSON lines for 10 seconds\n";

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
	case 'P': env.nports = tk_arg_ports(arg, env.ports, DNSSNOOP_MAX_PORTS); break;
	case 'N':
		if (!*arg)
			tk_usage_error("empty NAME");
		if (strlen(arg) >= DNS_NAME_STRLEN)
			tk_usage_error("NAME is longer than a DNS name can be");
		env.name = arg;
		break;
	case 'x': env.failed = true; break;
	case 'T': env.timestamp = true; break;
	case OPT_MAX_PENDING: env.max_pending = tk_arg_int(arg, 1, 1 << 20, "max-pending"); break;
	}
}

/* Packets are seen outside their process's context: the process filters
 * apply to the owner each packet is attributed to (owner_pass), and
 * --cgroup is where the programs attach. */
static const struct tk_cli cli = {
	.usage = "Usage: dnssnoop [OPTION]...\n"
		 "Trace DNS queries and responses on the wire, with the process that sent\n"
		 "or received them, the answers and the latency.",
	.shared = TK_OPT_PID | TK_OPT_UID | TK_OPT_COMM | TK_OPT_CGROUP | TK_OPT_DURATION,
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
	tk_arg_no_positional(argc, argv, tk_parse_args(&cli, argc, argv, &env.opts));
	if (env.opts.cgroup && env.opts.attach && !strcmp(env.opts.attach, "socket"))
		tk_usage_error("--cgroup cannot be used with --attach=socket (a packet socket sees no cgroups)");
	/* --cgroup is where the programs attach: no falling back to the socket. */
	if (env.opts.cgroup && !env.opts.attach)
		env.opts.attach = "cgroup";
	if (!env.nports)
		env.ports[env.nports++] = 53;
}

/* --- attribution ------------------------------------------------------------ */

static struct tk_socktab *socktab;
static uint64_t last_scan_ns;

/* The kernel's attribution, or failing that (a socket opened before we
 * started, or the socket variant, which has no socket to go by) the
 * process /proc says holds the local port. */
static bool attribute(const struct dnssnoop_event *e, uint16_t lport, struct dnssnoop_owner *o)
{
	const struct tk_sockowner *so;
	uint64_t now;

	if (e->owner.pid) {
		*o = e->owner;
		return true;
	}
	if (!socktab)
		return false;
	so = tk_socktab_find(socktab, e->proto, lport);
	/* Scan again only for a packet newer than the last scan: older
	 * ones' sockets were looked for then. */
	if (!so && e->ts_ns > last_scan_ns && (now = tk_now_ns()) - last_scan_ns > RESCAN_NS) {
		last_scan_ns = now;
		tk_socktab_scan(socktab);
		so = tk_socktab_find(socktab, e->proto, lport);
	}
	if (!so)
		return false;
	memset(o, 0, sizeof(*o));
	o->pid = so->pid;
	o->uid = so->uid;
	memcpy(o->comm, so->comm, sizeof(o->comm));
	return true;
}

/* -p, -u and -n are checked here, after attribution (a response whose
 * process is gone borrows its query's): packets reach the kernel side in
 * softirq context, where the current task is not theirs. */
static bool owner_pass(bool known, const struct dnssnoop_owner *o)
{
	const struct tk_filter *f = &env.opts.filter;

	if (!f->tgid && f->uid == TK_NO_UID && !f->comm[0])
		return true;
	if (!known)
		return false;	/* cannot tell: a filter shows only what it can vouch for */
	if (f->tgid && o->pid != f->tgid)
		return false;
	if (f->uid != TK_NO_UID && o->uid != f->uid)
		return false;
	if (f->comm[0] && !strstr(o->comm, f->comm))
		return false;
	return true;
}

/* --- one DNS message -------------------------------------------------------- */

/* Which socket, server and DNS id a message belongs to: a response
 * matches the query with the same key. */
struct flow_key {
	uint64_t cookie;
	uint8_t raddr[16];
	uint16_t lport, rport;
	uint8_t ip, proto;
	uint16_t id;
};

struct message {
	const struct dnssnoop_event *e;
	struct flow_key key;
	struct dnssnoop_owner owner;
	bool known;			/* owner is valid */
	const uint8_t *raddr;
	struct dns_msg dns;
	size_t msglen;			/* the message's length on the wire */
	bool parsed;			/* a header at least */
	bool cut;			/* the capture ended before the message */
};

struct pending {
	struct flow_key key;
	uint64_t ts_ns;
	struct dnssnoop_owner owner;
	bool known;
	bool timed_out;			/* reported as TIMEOUT already */
	struct dnssnoop_event e;	/* for reporting a timeout; data[] holds the query */
	uint16_t msg_cap, msg_len;
	int next;			/* in its hash chain: index + 1, 0 ends it */
};

/* The queries waiting, in any order, with a hash of their keys (chains of
 * indices + 1) and their times in an array of their own, so the search for
 * the oldest when the table is full reads little memory. */
static struct pending *pending;
static uint64_t *pending_ts;
static int *buckets;
static uint32_t nbuckets;
static int npending;
/* Queries forgotten before they could be reported as TIMEOUT, because more
 * than --max-pending were waiting; and TCP messages lost mid-stream because
 * more than MAX_TCP_FLOWS streams were inside one. Reported like losses. */
static uint64_t evicted, evicted_reported, flows_evicted, flows_reported, last_report_ns;
static int64_t wall_offset_ns;		/* CLOCK_REALTIME - CLOCK_MONOTONIC */

static void server_str(const struct message *m, char *buf, size_t size)
{
	char addr[TK_INET_STRLEN];

	tk_inet_str(m->e->ip, m->raddr, addr, sizeof(addr));
	if (m->e->ip == 6)
		snprintf(buf, size, "[%s]:%u", addr, m->key.rport);
	else
		snprintf(buf, size, "%s:%u", addr, m->key.rport);
}

/* Why a message could not be read to its end, for the text columns. */
static const char *error_tag(const struct message *m)
{
	switch (m->dns.error) {
	case DNS_OK: return "";
	case DNS_ESHORT: return m->cut ? "[cut]" : "[short]";
	case DNS_EBADNAME: return "[badname]";
	case DNS_ERDATA: return "[badrdata]";
	}
	return "[?]";
}

/* The answers in one column: addresses as they are, names with their
 * type ("CNAME:ok.test"), other records as type and count ("MX*2"); a tag
 * says why a list stops early. */
static void answers_str(const struct message *m, char *buf, size_t size)
{
	const struct dns_msg *d = &m->dns;
	struct { uint16_t type; int n; } other[DNS_MAX_ANSWERS];
	char tname[16];
	size_t used = 0;
	int nother = 0, i, j;

#define APPEND(...) do {						\
		if (used < size)					\
			used += snprintf(buf + used, size - used, __VA_ARGS__); \
	} while (0)
	buf[0] = '\0';
	for (i = 0; i < d->nanswer; i++) {
		const struct dns_answer *a = &d->answer[i];

		if (a->data[0] && (a->type == DNS_TYPE_A || a->type == DNS_TYPE_AAAA)) {
			APPEND("%s%s", used ? "," : "", a->data);
		} else if (a->data[0]) {
			APPEND("%s%s:%s", used ? "," : "",
			       dns_type_name(a->type, tname, sizeof(tname)), a->data);
		} else {
			for (j = 0; j < nother && other[j].type != a->type; j++)
				;
			if (j == nother) {
				other[nother].type = a->type;
				other[nother++].n = 0;
			}
			other[j].n++;
		}
	}
	for (j = 0; j < nother; j++)
		APPEND("%s%s*%d", used ? "," : "",
		       dns_type_name(other[j].type, tname, sizeof(tname)), other[j].n);
	if (d->answers_read > d->nanswer)
		APPEND("%s+%d", used ? "," : "", d->answers_read - d->nanswer);
	if (m->parsed && d->error)
		APPEND("%s%s", used ? "," : "", error_tag(m));
	if (!used)
		snprintf(buf, size, "-");
#undef APPEND
}

static void print_time(uint64_t ts_ns)
{
	int64_t wall = (int64_t)ts_ns + wall_offset_ns;
	time_t secs = wall / 1000000000LL;
	struct tm tm;
	char buf[16];

	localtime_r(&secs, &tm);
	strftime(buf, sizeof(buf), "%H:%M:%S", &tm);
	printf("%s.%03d ", buf, (int)(wall % 1000000000LL / 1000000));
}

/* How one line reports a message: its DIR, its RCODE (NULL for a query,
 * "TIMEOUT" for a query that got no answer), whether it is a response with
 * answers to show, and its time and latency (0: not known). */
struct report {
	const char *dir;
	const char *rcode;
	bool response;
	uint64_t ts_ns;
	uint64_t latency_ns;
};

static const char *error_str(const struct message *m)
{
	if (!m->msglen)
		return "empty message";
	if (!m->parsed)
		return "not a DNS message";
	if (m->cut && m->dns.error == DNS_ESHORT)
		return "capture cut the message";
	return dns_strerror(m->dns.error);
}

static void print_json(const struct message *m, const struct report *r)
{
	const struct dns_msg *d = &m->dns;
	const struct dnssnoop_event *e = m->e;
	char addr[TK_INET_STRLEN], tname[16];
	struct jw w;
	int i;

	/* Every record has every key: null where it does not apply. */
	jw_begin(&w, stdout);
	jw_uint(&w, "ts_ns", r->ts_ns);
	if (m->known) {
		jw_uint(&w, "pid", m->owner.pid);
		if (m->owner.tid)
			jw_uint(&w, "tid", m->owner.tid);
		else
			jw_null(&w, "tid");
		jw_uint(&w, "uid", m->owner.uid);
		jw_str(&w, "comm", m->owner.comm, sizeof(m->owner.comm));
	} else {
		jw_null(&w, "pid");
		jw_null(&w, "tid");
		jw_null(&w, "uid");
		jw_null(&w, "comm");
	}
	jw_str(&w, "dir", r->dir, 2);
	jw_str(&w, "proto", e->proto == IPPROTO_TCP ? "TCP" : "UDP", 4);
	jw_uint(&w, "ip", e->ip);
	jw_str(&w, "server", tk_inet_str(e->ip, m->raddr, addr, sizeof(addr)), sizeof(addr));
	jw_uint(&w, "server_port", m->key.rport);
	jw_str(&w, "local", tk_inet_str(e->ip, e->egress ? e->saddr : e->daddr, addr, sizeof(addr)),
	       sizeof(addr));
	jw_uint(&w, "local_port", m->key.lport);
	if (m->parsed)
		jw_uint(&w, "id", d->id);
	else
		jw_null(&w, "id");
	if (d->has_question) {
		jw_str(&w, "qtype", dns_type_name(d->qtype, tname, sizeof(tname)), sizeof(tname));
		jw_str(&w, "qname", d->qname, sizeof(d->qname));
	} else {
		jw_null(&w, "qtype");
		jw_null(&w, "qname");
	}
	if (r->rcode)
		jw_str(&w, "rcode", r->rcode, 16);
	else
		jw_null(&w, "rcode");
	if (r->response) {
		jw_array_begin(&w, "answers");
		for (i = 0; i < d->nanswer; i++) {
			jw_object_begin(&w, NULL);
			jw_str(&w, "type", dns_type_name(d->answer[i].type, tname, sizeof(tname)),
			       sizeof(tname));
			jw_uint(&w, "ttl", d->answer[i].ttl);
			if (d->answer[i].data[0])
				jw_str(&w, "data", d->answer[i].data, sizeof(d->answer[i].data));
			else
				jw_null(&w, "data");
			jw_object_end(&w);
		}
		jw_array_end(&w);
		/* The array keeps DNS_MAX_ANSWERS; ancount says how many there were. */
		jw_bool(&w, "answers_truncated", d->nanswer < d->ancount);
		jw_uint(&w, "ancount", d->ancount);
		jw_bool(&w, "tc", d->tc);
	} else {
		jw_null(&w, "answers");
		jw_null(&w, "answers_truncated");
		jw_null(&w, "ancount");
		jw_null(&w, "tc");
	}
	if (r->latency_ns)
		jw_uint(&w, "latency_ns", r->latency_ns);
	else
		jw_null(&w, "latency_ns");
	jw_uint(&w, "len", m->msglen);
	if (!m->parsed || d->error)
		jw_str(&w, "error", error_str(m), 64);
	else
		jw_null(&w, "error");
	jw_end(&w);
}

static void print_text(const struct message *m, const struct report *r)
{
	const struct dns_msg *d = &m->dns;
	char server[TK_INET_STRLEN + 16], answers[1024], tname[16];

	if (env.timestamp)
		print_time(r->ts_ns);
	if (m->known) {
		printf("%-7u ", m->owner.pid);
		tk_print_escaped(stdout, m->owner.comm, sizeof(m->owner.comm));
		printf("%*s ", (int)(16 - strnlen(m->owner.comm, sizeof(m->owner.comm))), "");
	} else {
		printf("%-7s %-16s ", "-", "-");
	}
	server_str(m, server, sizeof(server));
	printf("%-3s %-5s %-21s ", r->dir, m->e->proto == IPPROTO_TCP ? "TCP" : "UDP", server);
	if (m->parsed)
		printf("%-5u ", d->id);
	else
		printf("%-5s ", "-");
	/* Names come escaped from common/dns.c: nothing in them can steer
	 * the terminal or split the line. */
	printf("%-5s %-24s ", d->has_question ? dns_type_name(d->qtype, tname, sizeof(tname)) : "-",
	       d->has_question ? d->qname : m->parsed && d->qdcount ? error_tag(m) : "-");
	if (r->response)
		answers_str(m, answers, sizeof(answers));
	else
		snprintf(answers, sizeof(answers), "-");
	printf("%-8s %-20s ", r->rcode ? r->rcode : "-", answers);
	if (r->latency_ns)
		printf("%.3f\n", r->latency_ns / 1e6);
	else
		printf("-\n");
}

static void print_message(const struct message *m, const char *rcode, uint64_t ts_ns,
			  uint64_t latency_ns)
{
	bool timeout = rcode && !strcmp(rcode, "TIMEOUT");
	struct report r = {
		.dir = !m->parsed ? "?" : m->dns.qr && !timeout ? "R" : "Q",
		.rcode = rcode,
		.response = rcode && !timeout,
		.ts_ns = ts_ns,
		.latency_ns = latency_ns,
	};

	if (env.opts.json)
		print_json(m, &r);
	else
		print_text(m, &r);
}

static void print_header(void)
{
	if (env.opts.json)
		return;
	if (env.timestamp)
		printf("%-12s ", "TIME");
	printf("%-7s %-16s %-3s %-5s %-21s %-5s %-5s %-24s %-8s %-20s %s\n", "PID", "COMM",
	       "DIR", "PROTO", "SERVER", "ID", "QTYPE", "QNAME", "RCODE", "ANSWERS", "LAT(ms)");
}

static bool key_eq(const struct flow_key *a, const struct flow_key *b)
{
	return !memcmp(a, b, sizeof(*a));
}

static uint32_t key_hash(const struct flow_key *k)
{
	const uint8_t *b = (const uint8_t *)k;
	uint32_t h = 2166136261u;
	size_t i;

	for (i = 0; i < sizeof(*k); i++)
		h = (h ^ b[i]) * 16777619u;
	return h & (nbuckets - 1);
}

static int pending_find(const struct flow_key *k)
{
	int i;

	if (!nbuckets)
		return -1;
	for (i = buckets[key_hash(k)]; i; i = pending[i - 1].next)
		if (key_eq(&pending[i - 1].key, k))
			return i - 1;
	return -1;
}

static void pending_link(int i)
{
	int *head = &buckets[key_hash(&pending[i].key)];

	pending[i].next = *head;
	*head = i + 1;
}

static void pending_unlink(int i)
{
	int *link = &buckets[key_hash(&pending[i].key)];

	while (*link && *link != i + 1)
		link = &pending[*link - 1].next;
	if (*link)
		*link = pending[i].next;
}

static void pending_remove(int i)
{
	int last = --npending;

	pending_unlink(i);
	if (i != last) {
		pending_unlink(last);
		pending[i] = pending[last];
		pending_ts[i] = pending_ts[last];
		pending_link(i);
	}
}

/* The table is made on the first query: a run that sees none costs nothing. */
static bool pending_init(void)
{
	nbuckets = 1;
	while (nbuckets < 2u * (uint32_t)env.max_pending)
		nbuckets <<= 1;
	pending = calloc(env.max_pending, sizeof(*pending));
	pending_ts = calloc(env.max_pending, sizeof(*pending_ts));
	buckets = calloc(nbuckets, sizeof(*buckets));
	if (pending && pending_ts && buckets)
		return true;
	tk_warn("cannot allocate the table of pending queries: %s", strerror(errno));
	free(pending);
	free(pending_ts);
	free(buckets);
	pending = NULL;
	pending_ts = NULL;
	buckets = NULL;
	nbuckets = 0;
	return false;
}

static void pending_add(const struct message *m, const uint8_t *msg, size_t cap)
{
	struct pending *p;
	int i, oldest = 0;

	if (!nbuckets && !pending_init())
		return;
	i = pending_find(&m->key);
	if (i >= 0) {
		/* A retry: the clock starts again. */
		pending_unlink(i);
	} else if (npending == env.max_pending) {
		/* Full: the oldest is forgotten (its answer will show no
		 * latency), and counted if it was still to be reported. */
		for (i = 1; i < npending; i++)
			if (pending_ts[i] < pending_ts[oldest])
				oldest = i;
		i = oldest;
		if (!pending[i].timed_out)
			evicted++;
		pending_unlink(i);
	} else {
		i = npending++;
	}
	p = &pending[i];
	p->key = m->key;
	p->ts_ns = pending_ts[i] = m->e->ts_ns;
	p->owner = m->owner;
	p->known = m->known;
	p->timed_out = false;
	p->e = *m->e;
	/* The query's bytes, wherever they were (a UDP packet, or a TCP
	 * stream's buffer): DNS_TCP_KEEP <= DNSSNOOP_DATA. */
	memmove(p->e.data, msg, cap);
	p->msg_cap = (uint16_t)cap;
	p->msg_len = (uint16_t)m->msglen;
	pending_link(i);
}

/* A TIMEOUT line for pending query @p. */
static void report_timeout(struct pending *p)
{
	struct message m;

	p->timed_out = true;
	memset(&m, 0, sizeof(m));
	m.e = &p->e;
	m.key = p->key;
	m.owner = p->owner;
	m.known = p->known;
	m.raddr = p->e.egress ? p->e.daddr : p->e.saddr;
	m.parsed = true;
	m.msglen = p->msg_len;
	dns_parse(p->e.data, p->msg_cap, &m.dns);
	print_message(&m, "TIMEOUT", p->ts_ns + TIMEOUT_NS, 0);
}

/* Queries older than the timeout at @now are reported, once; a late
 * answer still finds its query, until it is forgotten. */
static void expire(uint64_t now)
{
	int i = 0;

	while (i < npending) {
		struct pending *p = &pending[i];
		uint64_t age = now > p->ts_ns ? now - p->ts_ns : 0;

		if (age >= FORGET_NS) {
			pending_remove(i);
			continue;
		}
		i++;
		if (!p->timed_out && age >= TIMEOUT_NS)
			report_timeout(p);
	}
}

/* Evictions since the last report, on stderr or as JSON records. */
/* {"type":"evicted","what":WHAT,"count":N[,LIMIT_KEY:LIMIT]} */
static void print_evicted(const char *what, uint64_t n, const char *limit_key, int limit)
{
	struct jw w;

	jw_begin(&w, stdout);
	jw_str(&w, "type", "evicted", 8);
	jw_str(&w, "what", what, 16);
	jw_uint(&w, "count", n);
	if (limit_key)
		jw_int(&w, limit_key, limit);
	jw_end(&w);
}

static void report_evicted(bool force)
{
	uint64_t now = tk_now_ns();

	if (!force && now - last_report_ns < REPORT_NS)
		return;
	last_report_ns = now;
	if (evicted > evicted_reported) {
		uint64_t n = evicted - evicted_reported;

		if (env.opts.json) {
			print_evicted("query", n, "max_pending", env.max_pending);
		} else {
			fflush(stdout);
			tk_warn("%llu unanswered quer%s forgotten before their timeout: more than "
				"%d were waiting (--max-pending)", (unsigned long long)n,
				n == 1 ? "y" : "ies", env.max_pending);
		}
		evicted_reported = evicted;
	}
	if (flows_evicted > flows_reported) {
		uint64_t n = flows_evicted - flows_reported;

		if (env.opts.json) {
			print_evicted("tcp_stream", n, NULL, 0);
		} else {
			fflush(stdout);
			tk_warn("%llu TCP stream%s forgotten inside a DNS message: more than %d at once",
				(unsigned long long)n, n == 1 ? "" : "s", MAX_TCP_FLOWS);
		}
		flows_reported = flows_evicted;
	}
}

/* From the loop, every TICK_MS: queries unanswered for TIMEOUT_NS. */
static int on_tick(void *ctx)
{
	(void)ctx;
	expire(tk_now_ns() - TICK_SLACK_NS);
	report_evicted(false);
	return 0;
}

/* After the last records: timeouts that fell due since the last tick. */
static int on_end(void *ctx)
{
	(void)ctx;
	expire(tk_now_ns());
	report_evicted(true);
	return 0;
}

static bool name_pass(const struct dns_msg *d)
{
	return !env.name || (d->has_question && strcasestr(d->qname, env.name));
}

/* One DNS message of @msglen bytes, of which @cap were captured at @msg. */
static void on_message(struct message *m, const uint8_t *msg, size_t cap, size_t msglen)
{
	struct dns_msg *d = &m->dns;
	uint64_t latency = 0;
	char rbuf[16];
	const char *rcode;
	int i;

	m->msglen = msglen;
	m->cut = cap < msglen;
	m->parsed = cap >= DNS_HEADER_LEN;
	dns_parse(msg, cap, d);
	if (!name_pass(d))
		return;
	m->key.id = m->parsed ? d->id : 0;
	if (!m->parsed) {
		/* Not DNS (too short for a header): shown, never matched. */
		if (!env.failed && owner_pass(m->known, &m->owner))
			print_message(m, NULL, m->e->ts_ns, 0);
		return;
	}
	if (!d->qr) {
		if (!owner_pass(m->known, &m->owner))
			return;
		if (m->e->egress)
			pending_add(m, msg, cap);
		if (!env.failed)
			print_message(m, NULL, m->e->ts_ns, 0);
		return;
	}
	i = pending_find(&m->key);
	if (i >= 0) {
		latency = m->e->ts_ns - pending[i].ts_ns;
		if (!latency)
			latency = 1;
		/* Later than the timeout, before a tick said so: the query
		 * timed out all the same. */
		if (latency >= TIMEOUT_NS && !pending[i].timed_out)
			report_timeout(&pending[i]);
		/* The process may be gone by now: its query still says who it was. */
		if (!m->known && pending[i].known) {
			m->owner = pending[i].owner;
			m->known = true;
		}
		pending_remove(i);
	}
	if (!owner_pass(m->known, &m->owner))
		return;
	rcode = dns_rcode_name(d->rcode, rbuf, sizeof(rbuf));
	if (env.failed && d->rcode == DNS_RCODE_NOERROR && !d->error)
		return;
	print_message(m, rcode, m->e->ts_ns, latency);
}

/* TCP streams in the middle of a message, each direction of a connection
 * on its own (common/dns.c reassembles them). Streams between messages
 * hold nothing and take no slot. */
static struct tcp_flow {
	struct flow_key key;	/* id unused */
	uint8_t egress;
	bool used;
	uint64_t ts_ns;		/* last segment */
	struct dns_tcp_stream st;
} flows[MAX_TCP_FLOWS];

static struct tcp_flow *flow_find(const struct flow_key *k, uint8_t egress)
{
	int i;

	for (i = 0; i < MAX_TCP_FLOWS; i++)
		if (flows[i].used && flows[i].egress == egress && key_eq(&flows[i].key, k))
			return &flows[i];
	return NULL;
}

/* A free slot, or the one idle longest (its message is lost, and counted). */
static struct tcp_flow *flow_new(const struct flow_key *k, uint8_t egress)
{
	struct tcp_flow *f = NULL;
	int i;

	for (i = 0; i < MAX_TCP_FLOWS; i++) {
		if (!flows[i].used) {
			f = &flows[i];
			break;
		}
		if (!f || flows[i].ts_ns < f->ts_ns)
			f = &flows[i];
	}
	if (f->used)
		flows_evicted++;
	f->key = *k;
	f->egress = egress;
	f->used = true;
	return f;
}

static void tcp_message(void *ctx, const uint8_t *msg, size_t cap, size_t msglen)
{
	on_message(ctx, msg, cap, msglen);
}

/* DNS over TCP: each message has a 2-byte length before it (RFC 1035
 * 4.2.2); a segment may hold a part of one, or several. */
static void on_tcp(struct message *m)
{
	const struct dnssnoop_event *e = m->e;
	struct flow_key k = m->key;
	struct dns_tcp_stream fresh;
	struct tcp_flow *f;

	k.id = 0;
	f = flow_find(&k, e->egress);
	if (!f)
		dns_tcp_reset(&fresh);
	if (dns_tcp_feed(f ? &f->st : &fresh, e->data, e->caplen, e->len, tcp_message, m) < 0) {
		/* A length the capture cut off: what is left of this segment
		 * cannot be placed; the next starts afresh. Shown as a
		 * message cut short. */
		on_message(m, e->data, 0, e->len);
	}
	if (f && dns_tcp_idle(&f->st)) {
		f->used = false;
	} else if (!f && !dns_tcp_idle(&fresh)) {
		f = flow_new(&k, e->egress);
		f->st = fresh;
	}
	if (f)
		f->ts_ns = e->ts_ns;
}

static int on_record(void *ctx, const void *data, size_t size)
{
	const struct dnssnoop_event *e = data;
	struct message m;

	(void)ctx;
	if (size < sizeof(*e))
		return 0;
	if (e->kind != DNSSNOOP_PACKET || e->caplen > DNSSNOOP_DATA)
		return 0;
	memset(&m.key, 0, sizeof(m.key));
	m.e = e;
	m.key.cookie = e->cookie;
	m.key.ip = e->ip;
	m.key.proto = e->proto;
	m.key.lport = e->egress ? e->sport : e->dport;
	m.key.rport = e->egress ? e->dport : e->sport;
	m.raddr = e->egress ? e->daddr : e->saddr;
	memcpy(m.key.raddr, m.raddr, e->ip == 6 ? 16 : 4);
	memset(&m.owner, 0, sizeof(m.owner));
	m.known = attribute(e, m.key.lport, &m.owner);
	if (e->proto == IPPROTO_TCP)
		on_tcp(&m);
	else
		on_message(&m, e->data, e->caplen, e->len);
	return 0;
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

	for (i = 0; i < env.nports; i++)
		skel->rodata->targ_ports[env.ports[i] / 64] |= 1ULL << (env.ports[i] % 64);
}

static void ports_str(char *buf, size_t size)
{
	size_t used = 0;
	int i;

	buf[0] = '\0';
	for (i = 0; i < env.nports && used < size; i++)
		used += snprintf(buf + used, size - used, "%s%u", i ? "," : "", env.ports[i]);
}

int main(int argc, char **argv)
{
	struct tk_session session = {
		.opts = &env.opts,
		.variants = variants,
		.nvariants = NVARIANTS,
		/* 608-byte records: room for a burst of several thousand. */
		.ring_bytes = 4 << 20,
	};
	struct tk_stream stream = { .on_record = on_record, .on_tick = on_tick,
				    .tick_ms = TICK_MS, .on_end = on_end };
	struct dnssnoop_bpf *skel = NULL;
	char what[512], ports[DNSSNOOP_MAX_PORTS * 6 + 1];
	struct timespec rt, mono;
	int packet_fd = -1, err = 1;

	tk_prog = "dnssnoop";
	parse_args(argc, argv);
	tk_session_init(&env.opts);

	skel = dnssnoop_bpf__open_opts(tk_open_opts(&env.opts));
	if (!skel) {
		tk_open_failed(&env.opts);
		goto cleanup;
	}
	session.bpf = TK_BPF_STREAM(skel);
	/* Its programs run no task filter (see owner_pass): --cgroup is
	 * where they attach. */
	session.attach_cgroup = env.opts.cgroup;
	set_ports(skel);
	if (tk_session_prepare(&session))
		goto cleanup;
	/* The cgroup variant's programs attach here; the socket's need our socket. */
	if (tk_session_load_attach(&session))
		goto cleanup;
	if (session.variant == V_SOCKET && (packet_fd = attach_socket(skel)) < 0)
		goto cleanup;
	/* Sockets opened before we started are found through /proc. */
	socktab = tk_socktab_new(NULL);
	if (socktab) {
		tk_socktab_scan(socktab);
		last_scan_ns = tk_now_ns();
	}
	clock_gettime(CLOCK_REALTIME, &rt);
	clock_gettime(CLOCK_MONOTONIC, &mono);
	wall_offset_ns = ((int64_t)rt.tv_sec - mono.tv_sec) * 1000000000LL + rt.tv_nsec - mono.tv_nsec;

	print_header();
	ports_str(ports, sizeof(ports));
	snprintf(what, sizeof(what), "DNS messages on port%s %s", env.nports > 1 ? "s" : "", ports);
	tk_ready(what, env.opts.duration_ms);
	err = tk_stream_run(&session, &stream);

cleanup:
	if (packet_fd >= 0)
		close(packet_fd);
	tk_session_detach(&session);
	dnssnoop_bpf__destroy(skel);
	tk_socktab_free(socktab);
	return err;
}
