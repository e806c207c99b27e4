// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* libFuzzer target for tools/dnssnoop/dns.c. Besides "no crash, no overread" (the
 * sanitizers' part), it checks what the parser promises its callers: names
 * are terminated, bounded and printable ASCII, counts stay within the
 * header's and the array's, and reading a name from any offset ends. The
 * input is also a DNS-over-TCP stream: cut into three segments anywhere
 * (the cut points come from its first bytes), it must give the same
 * messages as in one piece, and captured in part it must stay in bounds.
 *
 *   clang -g -O1 -fsanitize=fuzzer,address,undefined -Icommon \
 *         tests/fuzz/dns_fuzz.c tools/dnssnoop/dns.c -o dns_fuzz
 *   ./dns_fuzz tests/fuzz/dns_corpus
 * tests/fuzz/replay.c runs it over files without libFuzzer. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "dns.h"

/* A name or record text as printed: escaped, so printable ASCII only. */
static void check_text(const char *s)
{
	size_t n = strnlen(s, DNS_NAME_STRLEN);

	if (n == DNS_NAME_STRLEN)
		abort();
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)s[i] < 0x21 || (unsigned char)s[i] > 0x7e)
			abort();
}

/* The messages a stream gave: how many, and a hash of their bytes and lengths. */
struct seen {
	unsigned n;
	uint32_t h;
};

static void seen_msg(void *ctx, const uint8_t *msg, size_t cap, size_t msglen)
{
	struct seen *s = ctx;
	size_t i;

	if (cap > msglen || cap > DNS_TCP_KEEP || msglen > 65535)
		abort();
	s->n++;
	s->h = (s->h ^ (uint32_t)cap) * 16777619u;
	s->h = (s->h ^ (uint32_t)msglen) * 16777619u;
	for (i = 0; i < cap; i++)
		s->h = (s->h ^ msg[i]) * 16777619u;
}

static void tcp_stream(const uint8_t *data, size_t size)
{
	struct dns_tcp_stream a, b;
	struct seen whole = { 0, 2166136261u }, cut = { 0, 2166136261u };
	size_t p1, p2;
	int ra, rb;

	if (size < 2)
		return;
	p1 = data[0] % (size + 1);
	p2 = p1 + data[1] % (size - p1 + 1);
	dns_tcp_reset(&a);
	dns_tcp_reset(&b);
	ra = dns_tcp_feed(&a, data, size, size, seen_msg, &whole);
	rb = dns_tcp_feed(&b, data, p1, p1, seen_msg, &cut);
	rb += dns_tcp_feed(&b, data + p1, p2 - p1, p2 - p1, seen_msg, &cut);
	rb += dns_tcp_feed(&b, data + p2, size - p2, size - p2, seen_msg, &cut);
	if (ra < 0 || rb < 0 || whole.n != (unsigned)ra || whole.n != cut.n || whole.h != cut.h ||
	    dns_tcp_idle(&a) != dns_tcp_idle(&b))
		abort();
	/* Captured in part: the first p1 bytes of each segment only. */
	dns_tcp_reset(&a);
	dns_tcp_feed(&a, data, p1, size, seen_msg, &cut);
	dns_tcp_feed(&a, data, p1 < p2 ? p1 : p2, p2, seen_msg, &cut);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct dns_msg m;
	char name[DNS_NAME_STRLEN], buf[16];
	size_t off, start;
	int i, rc;

	rc = dns_parse(data, size, &m);
	if ((rc == 0) != (m.error == DNS_OK))
		abort();
	if (m.has_question)
		check_text(m.qname);
	if (m.nanswer < 0 || m.nanswer > DNS_MAX_ANSWERS || m.nanswer > m.answers_read ||
	    m.answers_read > m.ancount)
		abort();
	for (i = 0; i < m.nanswer; i++) {
		if (m.answer[i].data[0])
			check_text(m.answer[i].data);
		dns_type_name(m.answer[i].type, buf, sizeof(buf));
	}
	if (!dns_type_name(m.qtype, buf, sizeof(buf)) || !dns_rcode_name(m.rcode, buf, sizeof(buf)))
		abort();
	if (m.rcode > 4095)
		abort();
	tcp_stream(data, size);
	/* Names from every offset of a small input: each read ends, and moves
	 * forward within the input when it succeeds. */
	for (start = 0; start < size && start < 600; start++) {
		off = start;
		if (dns_read_name(data, size, &off, name, sizeof(name)) == DNS_OK) {
			if (off <= start || off > size)
				abort();
			check_text(name);
		} else if (name[0]) {
			abort();
		}
	}
	return 0;
}
