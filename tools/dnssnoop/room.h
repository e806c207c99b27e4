/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* dnssnoop's room: what its main (options, attaching), its flows (pairing
 * queries with answers, timeouts, TCP streams, attribution) and its printers
 * share. */
#ifndef DNSSNOOP_ROOM_H
#define DNSSNOOP_ROOM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "args.h"
#include "dns.h"
#include "dnssnoop.h"

#define MAX_PENDING 4096		/* queries waiting for their answer (--max-pending) */
#define MAX_TCP_FLOWS 64		/* TCP streams in the middle of a message */

struct dnssnoop_env {
	struct tk_opts opts;
	uint16_t ports[DNSSNOOP_MAX_PORTS];
	int nports;
	const char *name;
	bool failed;
	bool timestamp;
	int max_pending;
	bool exporting;			/* --prometheus, --textfile: count, print nothing */
};
extern struct dnssnoop_env dnssnoop;

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


/* print.c */
void print_clock_init(void);
void print_header(void);
void print_message(const struct message *m, const char *rcode, uint64_t ts_ns,
		   uint64_t latency_ns);
void print_evicted(const char *what, uint64_t n, const char *limit_key, int limit);

/* metrics.c: what print_message would print, counted (prom.h's render). */
struct tk_prom_buf;
void metrics_message(const struct message *m, const char *rcode, uint64_t latency_ns);
int metrics_render(void *ctx, struct tk_prom_buf *b);
void metrics_end(void);

/* flows.c: the stream's callbacks, and the /proc socket table they fall
 * back on for attribution. */
void flows_start(void);
void flows_end(void);
int on_record(void *ctx, const void *data, size_t size);
int on_tick(void *ctx);
int on_end(void *ctx);

#endif
