// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* dnssnoop's flows: each record to its process (the kernel's attribution, or
 * /proc's), responses paired with their queries, timeouts, DNS over TCP
 * reassembled per stream, and what had to be forgotten counted. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <netinet/in.h>
#include "log.h"
#include "loop.h"
#include "room.h"
#include "socktab.h"

#define TIMEOUT_NS 2000000000ULL	/* a query unanswered this long is reported (-x) */
#define FORGET_NS 30000000000ULL	/* ...and still matched to a late answer until this */
/* Records still in the buffer when a tick comes are older than this: a
 * tick does not time out a query whose answer it has not read yet. */
#define TICK_SLACK_NS 100000000ULL
#define REPORT_NS 1000000000ULL		/* evictions are reported at most once a second */
#define RESCAN_NS 100000000ULL		/* /proc scans for unattributed packets: at most 10/s */

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
	const struct tk_filter *f = &dnssnoop.opts.filter;

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
	while (nbuckets < 2u * (uint32_t)dnssnoop.max_pending)
		nbuckets <<= 1;
	pending = calloc(dnssnoop.max_pending, sizeof(*pending));
	pending_ts = calloc(dnssnoop.max_pending, sizeof(*pending_ts));
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
	} else if (npending == dnssnoop.max_pending) {
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
static void report_evicted(bool force)
{
	uint64_t now = tk_now_ns();

	if (!force && now - last_report_ns < REPORT_NS)
		return;
	last_report_ns = now;
	if (evicted > evicted_reported) {
		uint64_t n = evicted - evicted_reported;

		if (dnssnoop.opts.json) {
			print_evicted("query", n, "max_pending", dnssnoop.max_pending);
		} else {
			fflush(stdout);
			tk_warn("%llu unanswered quer%s forgotten before their timeout: more than "
				"%d were waiting (--max-pending)", (unsigned long long)n,
				n == 1 ? "y" : "ies", dnssnoop.max_pending);
		}
		evicted_reported = evicted;
	}
	if (flows_evicted > flows_reported) {
		uint64_t n = flows_evicted - flows_reported;

		if (dnssnoop.opts.json) {
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
int on_tick(void *ctx)
{
	(void)ctx;
	expire(tk_now_ns() - TICK_SLACK_NS);
	report_evicted(false);
	return 0;
}

/* After the last records: timeouts that fell due since the last tick. */
int on_end(void *ctx)
{
	(void)ctx;
	expire(tk_now_ns());
	report_evicted(true);
	return 0;
}

static bool name_pass(const struct dns_msg *d)
{
	return !dnssnoop.name || (d->has_question && strcasestr(d->qname, dnssnoop.name));
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
		if (!dnssnoop.failed && owner_pass(m->known, &m->owner))
			print_message(m, NULL, m->e->ts_ns, 0);
		return;
	}
	if (!d->qr) {
		if (!owner_pass(m->known, &m->owner))
			return;
		if (m->e->egress)
			pending_add(m, msg, cap);
		if (!dnssnoop.failed)
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
	if (dnssnoop.failed && d->rcode == DNS_RCODE_NOERROR && !d->error)
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

int on_record(void *ctx, const void *data, size_t size)
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


/* Sockets opened before we started are found through /proc. */
void flows_start(void)
{
	socktab = tk_socktab_new(NULL);
	if (socktab) {
		tk_socktab_scan(socktab);
		last_scan_ns = tk_now_ns();
	}
}

void flows_end(void)
{
	tk_socktab_free(socktab);
	socktab = NULL;
}
