// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* dnssnoop's printers: one DNS message as a text line or a JSON record. */
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <netinet/in.h>
#include "netaddr.h"
#include "output.h"
#include "room.h"

/* Record times are monotonic; -T shows the wall clock (common/output's
 * offset, taken here at start). */
void print_clock_init(void)
{
	tk_format_event_clock(0, true, NULL, 0);
}

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
	char buf[16];

	tk_format_event_clock(ts_ns, true, buf, sizeof(buf));
	printf("%s ", buf);
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
	jw_event_begin(&w, stdout, "dns", r->ts_ns);
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
			jw_str(&w, "rrtype", dns_type_name(d->answer[i].type, tname, sizeof(tname)),
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

	if (dnssnoop.timestamp)
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

void print_message(const struct message *m, const char *rcode, uint64_t ts_ns,
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

	if (dnssnoop.exporting) {
		metrics_message(m, rcode, latency_ns);
		return;
	}
	if (dnssnoop.opts.json)
		print_json(m, &r);
	else
		print_text(m, &r);
}

void print_header(void)
{
	if (dnssnoop.opts.json)
		return;
	if (dnssnoop.timestamp)
		printf("%-12s ", "TIME");
	printf("%-7s %-16s %-3s %-5s %-21s %-5s %-5s %-24s %-8s %-20s %s\n", "PID", "COMM",
	       "DIR", "PROTO", "SERVER", "ID", "QTYPE", "QNAME", "RCODE", "ANSWERS", "LAT(ms)");
}

/* {"type":"evicted","what":WHAT,"count":N[,LIMIT_KEY:LIMIT]} */
void print_evicted(const char *what, uint64_t n, const char *limit_key, int limit)
{
	struct jw w;

	jw_summary_begin(&w, stdout, "evicted");
	jw_str(&w, "what", what, 16);
	jw_uint(&w, "count", n);
	if (limit_key)
		jw_int(&w, limit_key, limit);
	jw_end(&w);
}

