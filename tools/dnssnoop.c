// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* dnssnoop: DNS queries and responses on the wire, attributed to processes. */
#include <errno.h>
#include <pthread.h>
#include <signal.h>
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
#define MAX_PENDING 1024		/* queries waiting for their answer */
#define MAX_TCP_FLOWS 64		/* TCP streams in the middle of a message */
#define RESCAN_NS 100000000ULL		/* /proc scans for unattributed packets: at most 10/s */

static struct env {
	struct tk_opts opts;
	uint16_t ports[DNSSNOOP_MAX_PORTS];
	int nports;
	const char *name;
	bool failed;
	bool timestamp;
} env;

/* Both need dns_tick, the clock, which is run but never attached. The
 * socket variant's filter goes on our own packet socket (attach_socket). */
static const struct tk_variant variants[] = {
	{ .name = "cgroup", .progs = { "dns_egress", "dns_ingress", "dns_sock_create",
		"dns_connect4", "dns_connect6", "dns_sendmsg4", "dns_sendmsg6",
		"dns_recvmsg4", "dns_recvmsg6", "dns_tick" } },
	{ .name = "socket", .progs = { "dns_packet", "dns_tick" } },
};
#define NVARIANTS (int)(sizeof(variants) / sizeof(variants[0]))
enum { V_CGROUP, V_SOCKET };

static const char help[] =
"  -P, --port PORTS       DNS server ports (comma-separated, at most 64;\n"
"                         default 53)\n"
"  -N, --qname NAME       only query names containing NAME (any case)\n"
"  -x, --failed           only failures: responses other than NOERROR, and\n"
"                         queries unanswered after 2 seconds (TIMEOUT)\n"
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
	struct dnssnoop_event e;	/* for reporting a timeout */
	uint16_t msg_off, msg_cap, msg_len;
};

static struct pending pending[MAX_PENDING];
static int npending;
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
		jw_key(&w, "answers");
		fputc('[', stdout);
		for (i = 0; i < d->nanswer; i++) {
			struct jw a = { .f = stdout };

			fputs(i ? ",{" : "{", stdout);
			jw_str(&a, "type", dns_type_name(d->answer[i].type, tname, sizeof(tname)),
			       sizeof(tname));
			jw_uint(&a, "ttl", d->answer[i].ttl);
			if (d->answer[i].data[0])
				jw_str(&a, "data", d->answer[i].data, sizeof(d->answer[i].data));
			else
				jw_null(&a, "data");
			fputc('}', stdout);
		}
		fputc(']', stdout);
		jw_uint(&w, "ancount", d->ancount);
		jw_bool(&w, "tc", d->tc);
	} else {
		jw_null(&w, "answers");
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

static void pending_remove(int i)
{
	pending[i] = pending[--npending];
}

static void pending_add(const struct message *m, const uint8_t *msg, size_t cap)
{
	struct pending *p;
	int i, oldest = 0;

	for (i = 0; i < npending; i++) {
		if (key_eq(&pending[i].key, &m->key))
			break;		/* a retry: the clock starts again */
		if (pending[i].ts_ns < pending[oldest].ts_ns)
			oldest = i;
	}
	/* Full: the oldest is forgotten (its answer will show no latency). */
	if (i == MAX_PENDING)
		i = oldest;
	else if (i == npending)
		npending++;
	p = &pending[i];
	p->key = m->key;
	p->ts_ns = m->e->ts_ns;
	p->owner = m->owner;
	p->known = m->known;
	p->timed_out = false;
	p->e = *m->e;
	p->msg_off = (uint16_t)(msg - m->e->data);
	p->msg_cap = (uint16_t)cap;
	p->msg_len = (uint16_t)m->msglen;
}

/* Queries older than the timeout at @now are reported, once; a late
 * answer still finds its query, until it is forgotten. */
static void expire(uint64_t now)
{
	struct message m;
	int i = 0;

	while (i < npending) {
		struct pending *p = &pending[i];
		uint64_t age = now > p->ts_ns ? now - p->ts_ns : 0;

		if (age >= FORGET_NS) {
			pending_remove(i);
			continue;
		}
		i++;
		if (p->timed_out || age < TIMEOUT_NS)
			continue;
		p->timed_out = true;
		memset(&m, 0, sizeof(m));
		m.e = &p->e;
		m.key = p->key;
		m.owner = p->owner;
		m.known = p->known;
		m.raddr = p->e.egress ? p->e.daddr : p->e.saddr;
		m.parsed = true;
		m.msglen = p->msg_len;
		dns_parse(p->e.data + p->msg_off, p->msg_cap, &m.dns);
		print_message(&m, "TIMEOUT", p->ts_ns + TIMEOUT_NS, 0);
	}
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
	for (i = 0; i < npending; i++) {
		if (!key_eq(&pending[i].key, &m->key))
			continue;
		latency = m->e->ts_ns - pending[i].ts_ns;
		if (!latency)
			latency = 1;
		/* The process may be gone by now: its query still says who it was. */
		if (!m->known && pending[i].known) {
			m->owner = pending[i].owner;
			m->known = true;
		}
		pending_remove(i);
		break;
	}
	if (!owner_pass(m->known, &m->owner))
		return;
	rcode = dns_rcode_name(d->rcode, rbuf, sizeof(rbuf));
	if (env.failed && d->rcode == DNS_RCODE_NOERROR && !d->error)
		return;
	print_message(m, rcode, m->e->ts_ns, latency);
}

/* TCP streams whose last segment ended inside a message: how much of the
 * next segments belongs to it, so that is not read as a new message. */
static struct tcp_flow {
	struct flow_key key;	/* id unused */
	uint8_t egress;
	uint32_t remaining;
	uint64_t ts_ns;
} flows[MAX_TCP_FLOWS];

static struct tcp_flow *flow_find(const struct message *m, bool create)
{
	struct flow_key k = m->key;
	struct tcp_flow *f, *oldest = &flows[0];
	int i;

	k.id = 0;
	for (i = 0; i < MAX_TCP_FLOWS; i++) {
		f = &flows[i];
		if (f->remaining && f->egress == m->e->egress && key_eq(&f->key, &k))
			return f;
		if (f->ts_ns < oldest->ts_ns)
			oldest = f;
	}
	if (!create)
		return NULL;
	oldest->key = k;
	oldest->egress = m->e->egress;
	oldest->ts_ns = m->e->ts_ns;
	return oldest;
}

/* DNS over TCP: each message has a 2-byte length before it (RFC 1035
 * 4.2.2); a segment may hold several, or the rest of an earlier one. */
static void on_tcp(struct message *m)
{
	const struct dnssnoop_event *e = m->e;
	struct tcp_flow *f = flow_find(m, false);
	size_t off = 0, len = e->len, cap = e->caplen, mlen;

	if (f) {
		off = f->remaining < len ? f->remaining : len;
		f->remaining -= off;
	}
	while (off < len && off + 2 <= cap) {
		mlen = (size_t)e->data[off] << 8 | e->data[off + 1];
		on_message(m, e->data + off + 2, off + 2 + mlen <= cap ? mlen : cap - off - 2, mlen);
		if (off + 2 + mlen > len) {
			f = flow_find(m, true);
			f->remaining = off + 2 + mlen - len;
			f->ts_ns = e->ts_ns;
			break;
		}
		off += 2 + mlen;
	}
}

static int on_record(void *ctx, const void *data, size_t size)
{
	const struct dnssnoop_event *e = data;
	struct message m;

	(void)ctx;
	if (size < sizeof(*e))
		return 0;
	expire(e->ts_ns);
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

/* --- the clock: ticks through the event stream ------------------------------ */

static pthread_t ticker;
static bool ticker_running;
static int ticker_stop;		/* __atomic: read by the ticker thread */

/* Runs the never-attached dns_tick program, whose record tells the event
 * loop the time: that way all output and state stay on one thread. */
static void *tick_thread(void *arg)
{
	int fd = (int)(long)arg;
	char pkt[ETH_HLEN + 20] = {};	/* test runs want at least a link header */
	/* Short naps, so the end of the run never waits for a whole tick. */
	struct timespec ts = { 0, 10 * 1000000L };
	int waited = 0;

	while (!__atomic_load_n(&ticker_stop, __ATOMIC_RELAXED)) {
		if (waited >= TICK_MS) {
			LIBBPF_OPTS(bpf_test_run_opts, opts,
				.data_in = pkt,
				.data_size_in = sizeof(pkt),
			);

			bpf_prog_test_run_opts(fd, &opts);
			waited = 0;
		}
		nanosleep(&ts, NULL);
		waited += 10;
	}
	return NULL;
}

static int ticker_start(struct dnssnoop_bpf *skel)
{
	sigset_t all, old;
	int err;

	/* Signals are for the main thread, whose poll they cut short. */
	sigfillset(&all);
	pthread_sigmask(SIG_BLOCK, &all, &old);
	err = pthread_create(&ticker, NULL, tick_thread,
			     (void *)(long)bpf_program__fd(skel->progs.dns_tick));
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (err) {
		tk_warn("cannot start the timeout clock: %s", strerror(err));
		return -1;
	}
	ticker_running = true;
	return 0;
}

static void ticker_end(void)
{
	if (!ticker_running)
		return;
	__atomic_store_n(&ticker_stop, 1, __ATOMIC_RELAXED);
	pthread_join(ticker, NULL);
	ticker_running = false;
}

/* Timeouts that fell due after the last tick. */
static int end_stream(void *ctx)
{
	(void)ctx;
	ticker_end();
	expire(tk_now_ns());
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
	struct tk_stream stream = { .on_record = on_record, .on_end = end_stream };
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
	if (ticker_start(skel))
		goto cleanup;

	print_header();
	ports_str(ports, sizeof(ports));
	snprintf(what, sizeof(what), "DNS messages on port%s %s", env.nports > 1 ? "s" : "", ports);
	tk_ready(what, env.opts.duration_ms);
	err = tk_stream_run(&session, &stream);

cleanup:
	ticker_end();
	if (packet_fd >= 0)
		close(packet_fd);
	tk_session_detach(&session);
	dnssnoop_bpf__destroy(skel);
	tk_socktab_free(socktab);
	return err;
}
