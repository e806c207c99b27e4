// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* dnssnoop as an exporter (--prometheus, --textfile): the messages it would
 * print, counted instead, from the start of the run. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include "prom.h"
#include "room.h"

#define LAT_SLOTS (TK_PROM_VALUES - 2)	/* log2 microseconds; the last one the overflow */

/* By query type: v[0] queries. */
static struct tk_prom_totals queries;
/* By query type and response code: v[0] responses (and timeouts), v[1] the
 * latencies' sum in ns, v[2...] their log2 slots in microseconds. */
static struct tk_prom_totals responses;
static bool failed;			/* out of memory: the metrics are not served */

static const char *qtype_str(const struct message *m, char *buf, size_t size)
{
	return m->dns.has_question ? dns_type_name(m->dns.qtype, buf, size) : "none";
}

void metrics_message(const struct message *m, const char *rcode, uint64_t latency_ns)
{
	uint64_t v[TK_PROM_VALUES] = { 1 };
	const char *labels[2];
	char qtype[16];
	uint64_t us;
	int slot = 0;

	/* Not DNS: no query type, no answer; shown only when printing. */
	if (!m->parsed)
		return;
	labels[0] = qtype_str(m, qtype, sizeof(qtype));
	if (!rcode) {
		if (tk_prom_totals_add(&queries, labels, 1, v, 1))
			failed = true;
		return;
	}
	labels[1] = rcode;
	if (latency_ns) {
		v[1] = latency_ns;
		for (us = latency_ns / 1000; us > 1 && slot < LAT_SLOTS - 1; us >>= 1)
			slot++;
		v[2 + slot] = 1;
	}
	if (tk_prom_totals_add(&responses, labels, 2, v, TK_PROM_VALUES))
		failed = true;
}

int metrics_render(void *ctx, struct tk_prom_buf *b)
{
	struct tk_prom_label l[2] = { { "qtype", NULL }, { "rcode", NULL } };
	struct tk_prom_row *q = NULL, *r = NULL;
	int nq, nr, i, j, err = 0;
	uint64_t timed;

	(void)ctx;
	if (failed)
		return -ENOMEM;
	nq = tk_prom_totals_top(&queries, dnssnoop.opts.prom_top, 1, &q);
	nr = tk_prom_totals_top(&responses, dnssnoop.opts.prom_top, TK_PROM_VALUES, &r);
	if (nq < 0 || nr < 0) {
		err = -ENOMEM;
		goto out;
	}
	tk_prom_family(b, "tracekit_dns_queries_total", "counter",
		       "DNS queries sent or received by the traced processes, by query type");
	for (i = 0; i < nq; i++) {
		l[0].value = q[i].label[0];
		tk_prom_sample(b, "tracekit_dns_queries_total", l, 1, q[i].v[0]);
	}
	tk_prom_family(b, "tracekit_dns_responses_total", "counter",
		       "DNS responses by query type and response code; queries unanswered "
		       "after 2 seconds as rcode TIMEOUT");
	for (i = 0; i < nr; i++) {
		l[0].value = r[i].label[0];
		l[1].value = r[i].label[1];
		tk_prom_sample(b, "tracekit_dns_responses_total", l, 2, r[i].v[0]);
	}
	tk_prom_family(b, "tracekit_dns_latency_seconds", "histogram",
		       "Time from a DNS query to its response, by query type and response code");
	for (i = 0; i < nr; i++) {
		for (timed = 0, j = 2; j < TK_PROM_VALUES; j++)
			timed += r[i].v[j];
		if (!timed)
			continue;
		l[0].value = r[i].label[0];
		l[1].value = r[i].label[1];
		tk_prom_hist_log2(b, "tracekit_dns_latency_seconds", l, 2, &r[i].v[2], LAT_SLOTS,
				  1e-6, r[i].v[1] / 1e9);
	}
out:
	free(q);
	free(r);
	return err;
}

void metrics_end(void)
{
	tk_prom_totals_free(&queries);
	tk_prom_totals_free(&responses);
}
