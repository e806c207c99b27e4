// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* Unit test for tools/dnssnoop/dns.c: names (compression, pointer loops, limits,
 * escaping), records, truncation at every length, absurd counts, EDNS
 * rcodes, type and rcode names. Exit status 0 = pass. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "dns.h"

static int passed, failed;

#define CHECK_INT(got, exp, what) check_int((long long)(got), (long long)(exp), what, __LINE__)
#define CHECK_STR(got, exp, what) check_str(got, exp, what, __LINE__)

static void check_int(long long got, long long exp, const char *what, int line)
{
	if (got == exp) {
		passed++;
		return;
	}
	failed++;
	fprintf(stderr, "test_dns.c:%d: FAIL: %s\n  got:      %lld\n  expected: %lld\n",
		line, what, got, exp);
}

static void check_str(const char *got, const char *exp, const char *what, int line)
{
	if (!strcmp(got, exp)) {
		passed++;
		return;
	}
	failed++;
	fprintf(stderr, "test_dns.c:%d: FAIL: %s\n  got:      \"%s\"\n  expected: \"%s\"\n",
		line, what, got, exp);
}

/* --- building messages ------------------------------------------------------ */

struct buf {
	uint8_t b[4096];
	size_t n;
};

static void u8(struct buf *m, unsigned v)
{
	m->b[m->n++] = (uint8_t)v;
}

static void u16(struct buf *m, unsigned v)
{
	u8(m, v >> 8);
	u8(m, v & 0xff);
}

static void u32(struct buf *m, uint32_t v)
{
	u16(m, v >> 16);
	u16(m, v & 0xffff);
}

static void raw(struct buf *m, const void *p, size_t len)
{
	memcpy(m->b + m->n, p, len);
	m->n += len;
}

/* "ok.test" as labels, ending with the root label. */
static void name(struct buf *m, const char *s)
{
	while (*s) {
		const char *dot = strchr(s, '.');
		size_t l = dot ? (size_t)(dot - s) : strlen(s);

		u8(m, l);
		raw(m, s, l);
		s += l + (dot != NULL);
	}
	u8(m, 0);
}

static void header(struct buf *m, unsigned id, unsigned flags, unsigned qd, unsigned an,
		   unsigned ns, unsigned ar)
{
	m->n = 0;
	u16(m, id);
	u16(m, flags);
	u16(m, qd);
	u16(m, an);
	u16(m, ns);
	u16(m, ar);
}

static void question(struct buf *m, const char *qname, unsigned qtype)
{
	name(m, qname);
	u16(m, qtype);
	u16(m, 1);
}

/* A record whose owner is a pointer to the question's name (offset 12). */
static void rr_ptr12(struct buf *m, unsigned type, uint32_t ttl, const void *rd, unsigned rdlen)
{
	u16(m, 0xc00c);
	u16(m, type);
	u16(m, 1);
	u32(m, ttl);
	u16(m, rdlen);
	raw(m, rd, rdlen);
}

static struct dns_msg msg;

/* --- tests ------------------------------------------------------------------ */

static void test_query(void)
{
	struct buf m;

	header(&m, 0xbeef, 0x0100, 1, 0, 0, 0);
	question(&m, "ok.test", 28);
	CHECK_INT(dns_parse(m.b, m.n, &msg), 0, "query parses");
	CHECK_INT(msg.id, 0xbeef, "id");
	CHECK_INT(msg.qr, 0, "QR clear in a query");
	CHECK_INT(msg.rd, 1, "RD");
	CHECK_INT(msg.has_question, 1, "has a question");
	CHECK_STR(msg.qname, "ok.test", "qname");
	CHECK_INT(msg.qtype, 28, "qtype");
	CHECK_INT(msg.qclass, 1, "qclass");
	CHECK_INT(msg.error, DNS_OK, "no error");
}

static struct buf response(void)
{
	static const uint8_t a[] = { 10, 1, 2, 3 };
	static const uint8_t aaaa[] = { 0xfd, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1 };
	struct buf m;

	/* QR, RD, RA, NOERROR; alias.test CNAME ok.test, ok.test A, ok.test AAAA */
	header(&m, 7, 0x8180, 1, 3, 0, 0);
	question(&m, "alias.test", 1);
	/* CNAME rdata: "ok" then a pointer to "test" inside the question
	 * (offset 12 + 1 + 5 = 18). */
	u16(&m, 0xc00c);
	u16(&m, 5);
	u16(&m, 1);
	u32(&m, 300);
	u16(&m, 5);
	u8(&m, 2);
	raw(&m, "ok", 2);
	u16(&m, 0xc000 | 18);
	/* Owner "ok.test": a pointer to the CNAME's target (offset 40). */
	u16(&m, 0xc000 | 40);
	u16(&m, 1);
	u16(&m, 1);
	u32(&m, 60);
	u16(&m, 4);
	raw(&m, a, 4);
	u16(&m, 0xc000 | 40);
	u16(&m, 28);
	u16(&m, 1);
	u32(&m, 60);
	u16(&m, 16);
	raw(&m, aaaa, 16);
	return m;
}

static void test_response(void)
{
	struct buf m = response();

	CHECK_INT(m.b[40], 2, "test setup: the CNAME target sits at offset 40");
	CHECK_INT(dns_parse(m.b, m.n, &msg), 0, "response parses");
	CHECK_INT(msg.qr, 1, "QR set");
	CHECK_INT(msg.ra, 1, "RA");
	CHECK_INT(msg.rcode, 0, "NOERROR");
	CHECK_STR(msg.qname, "alias.test", "qname");
	CHECK_INT(msg.ancount, 3, "ancount");
	CHECK_INT(msg.answers_read, 3, "answers read");
	CHECK_INT(msg.nanswer, 3, "answers kept");
	CHECK_INT(msg.answer[0].type, 5, "first answer is a CNAME");
	CHECK_INT(msg.answer[0].ttl, 300, "its ttl");
	CHECK_STR(msg.answer[0].data, "ok.test", "CNAME target through a compression pointer");
	CHECK_INT(msg.answer[1].type, 1, "then an A");
	CHECK_STR(msg.answer[1].data, "10.1.2.3", "A address");
	CHECK_STR(msg.answer[2].data, "fd00::1", "AAAA address");
}

/* Every prefix of a valid message: never a crash or an overread (the
 * copy is exactly as long as the prefix, for ASan), always an error
 * until the whole message is there, and the header once it is. */
static void test_truncation(void)
{
	struct buf m = response();
	int bad = 0, errs = 0;
	size_t len;

	for (len = 0; len < m.n; len++) {
		uint8_t *copy = malloc(len ? len : 1);

		memcpy(copy, m.b, len);
		if (dns_parse(copy, len, &msg) != -1 || msg.error != DNS_ESHORT)
			errs++;
		if (len >= DNS_HEADER_LEN && (msg.id != 7 || msg.ancount != 3))
			bad++;
		if (len >= 28 && strcmp(msg.qname, "alias.test"))
			bad++;
		free(copy);
	}
	CHECK_INT(errs, 0, "every cut message says it ends early");
	CHECK_INT(bad, 0, "what was read before the cut stays valid");
	CHECK_INT(dns_parse(m.b, m.n, &msg), 0, "the whole message parses");
}

static void test_names(void)
{
	struct buf m;
	char out[DNS_NAME_STRLEN];
	size_t off;
	int i;

	/* The root. */
	header(&m, 1, 0, 1, 0, 0, 0);
	question(&m, "", 2);
	CHECK_INT(dns_parse(m.b, m.n, &msg), 0, "root question parses");
	CHECK_STR(msg.qname, ".", "the root is '.'");

	/* Escaping: dot, space, backslash, quote, NUL, 0xff and DEL in labels. */
	header(&m, 1, 0, 1, 0, 0, 0);
	u8(&m, 9);
	raw(&m, "a.b c\\\"\0\xff", 9);
	u8(&m, 1);
	u8(&m, 0x7f);
	u8(&m, 0);
	u16(&m, 1);
	u16(&m, 1);
	CHECK_INT(dns_parse(m.b, m.n, &msg), 0, "odd bytes parse");
	CHECK_STR(msg.qname, "a\\.b\\032c\\\\\\\"\\000\\255.\\127", "odd bytes are escaped");

	/* A pointer to itself. */
	m.n = 0;
	raw(&m, "\x01" "a" "\xc0\x00", 4);
	off = 0;
	CHECK_INT(dns_read_name(m.b, m.n, &off, out, sizeof(out)), DNS_EBADNAME,
		  "a label then a pointer back to it loops: refused");
	m.n = 0;
	raw(&m, "\x00\x00\xc0\x02", 4);
	off = 2;
	CHECK_INT(dns_read_name(m.b, m.n, &off, out, sizeof(out)), DNS_EBADNAME,
		  "a pointer to itself: refused");
	CHECK_STR(out, "", "a refused name is empty");

	/* Two pointers to each other (the second is forward). */
	m.n = 0;
	raw(&m, "\xc0\x02\xc0\x00", 4);
	off = 0;
	CHECK_INT(dns_read_name(m.b, m.n, &off, out, sizeof(out)), DNS_EBADNAME,
		  "a forward pointer: refused");
	off = 2;
	CHECK_INT(dns_read_name(m.b, m.n, &off, out, sizeof(out)), DNS_EBADNAME,
		  "a pointer cycle: refused");

	/* A valid backward pointer to a suffix. */
	m.n = 0;
	name(&m, "example.com");		/* 0..12 */
	raw(&m, "\x03" "www" "\xc0\x00", 6);	/* 13.. */
	off = 13;
	CHECK_INT(dns_read_name(m.b, m.n, &off, out, sizeof(out)), DNS_OK, "www + pointer");
	CHECK_STR(out, "www.example.com", "name through a pointer");
	CHECK_INT(off, 19, "offset moves past the pointer, not the target");

	/* Pointers cut short, labels past the end, reserved label types. */
	m.n = 0;
	raw(&m, "\x01" "a" "\xc0", 3);
	off = 0;
	CHECK_INT(dns_read_name(m.b, m.n, &off, out, sizeof(out)), DNS_ESHORT, "half a pointer");
	m.n = 0;
	raw(&m, "\x05" "ab", 3);
	off = 0;
	CHECK_INT(dns_read_name(m.b, m.n, &off, out, sizeof(out)), DNS_ESHORT,
		  "a label longer than the message");
	m.n = 0;
	raw(&m, "\x01" "a", 2);
	off = 0;
	CHECK_INT(dns_read_name(m.b, m.n, &off, out, sizeof(out)), DNS_ESHORT, "no root label");
	m.n = 0;
	raw(&m, "\x41" "a\0", 3);
	off = 0;
	CHECK_INT(dns_read_name(m.b, m.n, &off, out, sizeof(out)), DNS_EBADNAME,
		  "label type 0x40 (extended): refused");
	m.n = 0;
	raw(&m, "\x81" "a\0", 3);
	off = 0;
	CHECK_INT(dns_read_name(m.b, m.n, &off, out, sizeof(out)), DNS_EBADNAME,
		  "label type 0x80: refused");
	off = 5;
	CHECK_INT(dns_read_name(m.b, m.n, &off, out, sizeof(out)), DNS_ESHORT,
		  "an offset past the end");

	/* 255 bytes is the limit (63+1)*3 + (61+1) + 1; one more is refused. */
	for (i = 0; i < 2; i++) {
		int j, k, lens[4] = { 63, 63, 63, 61 + i };

		m.n = 0;
		for (j = 0; j < 4; j++) {
			u8(&m, lens[j]);
			for (k = 0; k < lens[j]; k++)
				u8(&m, 'a' + j);
		}
		u8(&m, 0);
		off = 0;
		CHECK_INT(dns_read_name(m.b, m.n, &off, out, sizeof(out)),
			  i ? DNS_EBADNAME : DNS_OK, i ? "a 256-byte name" : "a 255-byte name");
		CHECK_INT(strlen(out), i ? 0 : 253, "its presentation length");
	}

	/* A long chain of backward pointers, each "a" then a pointer to the
	 * previous: 60 links are a name, 100 are too much work. */
	for (i = 0; i < 2; i++) {
		int links = i ? 100 : 60, j;
		size_t prev = 0;

		m.n = 0;
		u8(&m, 0);			/* the root, at 0 */
		for (j = 0; j < links; j++) {
			size_t here = m.n;

			u8(&m, 1);
			u8(&m, 'a');
			u16(&m, 0xc000 | prev);
			prev = here;
		}
		off = prev;
		CHECK_INT(dns_read_name(m.b, m.n, &off, out, sizeof(out)),
			  i ? DNS_EBADNAME : DNS_OK,
			  i ? "100 pointers in one name: refused" : "60 pointers in one name");
		if (!i)
			CHECK_INT(strlen(out), 60 * 2 - 1, "a.a.a...: 60 labels");
	}

	/* A buffer too small for the name: cut, still terminated. */
	m.n = 0;
	name(&m, "abcdef.example");
	off = 0;
	CHECK_INT(dns_read_name(m.b, m.n, &off, out, 8), DNS_OK, "a small buffer is not an error");
	CHECK_STR(out, "abcdef.", "the name is cut to fit");
	off = 0;
	CHECK_INT(dns_read_name(m.b, m.n, &off, out, 6), DNS_OK, "a cut inside a label");
	CHECK_STR(out, "abcde", "cut inside a label");
	m.n = 0;
	u8(&m, 1);
	u8(&m, 0x01);
	u8(&m, 0);
	off = 0;
	dns_read_name(m.b, m.n, &off, out, 4);
	CHECK_STR(out, "", "an escape that does not fit is left out whole");
}

static void test_counts(void)
{
	struct buf m;
	int i;

	/* The header claims 65535 of everything; the message has one question. */
	header(&m, 9, 0x8180, 0xffff, 0xffff, 0xffff, 0xffff);
	question(&m, "ok.test", 1);
	CHECK_INT(dns_parse(m.b, m.n, &msg), -1, "absurd counts: an error");
	CHECK_INT(msg.error, DNS_ESHORT, "absurd counts: the bytes ended");
	CHECK_STR(msg.qname, "ok.test", "the first question is still read");
	CHECK_INT(msg.answers_read, 0, "no answers");

	/* Counts of zero with bytes after the header: trailing bytes are fine. */
	header(&m, 9, 0x8180, 0, 0, 0, 0);
	u32(&m, 0xdeadbeef);
	CHECK_INT(dns_parse(m.b, m.n, &msg), 0, "no records, trailing bytes");
	CHECK_INT(msg.has_question, 0, "no question");

	/* More answers than are kept. */
	header(&m, 9, 0x8180, 1, 20, 0, 0);
	question(&m, "many.test", 1);
	for (i = 0; i < 20; i++) {
		uint8_t a[4] = { 10, 0, 0, (uint8_t)i };

		rr_ptr12(&m, 1, 5, a, 4);
	}
	CHECK_INT(dns_parse(m.b, m.n, &msg), 0, "20 answers parse");
	CHECK_INT(msg.answers_read, 20, "all 20 are read");
	CHECK_INT(msg.nanswer, DNS_MAX_ANSWERS, "the first ones are kept");
	CHECK_STR(msg.answer[DNS_MAX_ANSWERS - 1].data, "10.0.0.15", "in order");

	/* Bad record data. */
	header(&m, 9, 0x8180, 1, 1, 0, 0);
	question(&m, "ok.test", 1);
	rr_ptr12(&m, 1, 5, "\x0a\x01\x02\x03\x04", 5);
	CHECK_INT(dns_parse(m.b, m.n, &msg), -1, "an A record of 5 bytes");
	CHECK_INT(msg.error, DNS_ERDATA, "is bad record data");
	header(&m, 9, 0x8180, 1, 1, 0, 0);
	question(&m, "ok.test", 1);
	rr_ptr12(&m, 28, 5, "\x0a\x01\x02\x03", 4);
	CHECK_INT(dns_parse(m.b, m.n, &msg), -1, "an AAAA record of 4 bytes");
	CHECK_INT(msg.error, DNS_ERDATA, "is bad record data");
	header(&m, 9, 0x8180, 1, 1, 0, 0);
	question(&m, "ok.test", 1);
	rr_ptr12(&m, 5, 5, "\x05" "ab", 3);
	CHECK_INT(dns_parse(m.b, m.n, &msg), -1, "a CNAME running out of its record");
	CHECK_INT(msg.error, DNS_ESHORT, "ends early");
	header(&m, 9, 0x8180, 1, 1, 0, 0);
	question(&m, "ok.test", 1);
	rr_ptr12(&m, 1, 5, "\x0a\x01\x02\x03", 4);
	m.b[m.n - 5] = 200;	/* rdlength past the end */
	CHECK_INT(dns_parse(m.b, m.n, &msg), -1, "rdlength past the end");
	CHECK_INT(msg.error, DNS_ESHORT, "ends early");
	/* Unknown types are kept without data. */
	header(&m, 9, 0x8180, 1, 2, 0, 0);
	question(&m, "ok.test", 15);
	rr_ptr12(&m, 15, 5, "\x00\x0a\xc0\x0c", 4);
	rr_ptr12(&m, 65280, 5, "xyz", 3);
	CHECK_INT(dns_parse(m.b, m.n, &msg), 0, "MX and a private type parse");
	CHECK_INT(msg.answer[0].type, 15, "MX kept");
	CHECK_STR(msg.answer[0].data, "", "without data");
	CHECK_INT(msg.answer[1].type, 65280, "private type kept");

	/* Less than a header. */
	CHECK_INT(dns_parse("\x12\x34\x81", 3, &msg), -1, "3 bytes");
	CHECK_INT(msg.error, DNS_ESHORT, "end early");
	CHECK_INT(msg.id, 0x1234, "the id is still there");
	CHECK_INT(dns_parse("", 0, &msg), -1, "0 bytes");
}

static void test_edns(void)
{
	struct buf m;

	/* Header rcode 0 with an OPT record whose extended rcode is 1: 16. */
	header(&m, 3, 0x8180, 1, 0, 0, 1);
	question(&m, "ok.test", 1);
	u8(&m, 0);		/* root owner */
	u16(&m, 41);
	u16(&m, 1232);		/* payload size */
	u32(&m, 0x01000000);	/* extended rcode 1, version 0 */
	u16(&m, 0);
	CHECK_INT(dns_parse(m.b, m.n, &msg), 0, "OPT parses");
	CHECK_INT(msg.edns, 1, "EDNS seen");
	CHECK_INT(msg.rcode, 16, "rcode with the extended bits");
	/* An OPT record among the answers is not taken for one. */
	m.b[7] = 1;
	m.b[11] = 0;
	CHECK_INT(dns_parse(m.b, m.n, &msg), 0, "OPT as an answer parses");
	CHECK_INT(msg.rcode, 0, "and extends nothing");
}

static void test_tables(void)
{
	char buf[16];

	CHECK_STR(dns_type_name(1, buf, sizeof(buf)), "A", "type 1");
	CHECK_STR(dns_type_name(28, buf, sizeof(buf)), "AAAA", "type 28");
	CHECK_STR(dns_type_name(33, buf, sizeof(buf)), "SRV", "type 33");
	CHECK_STR(dns_type_name(65, buf, sizeof(buf)), "HTTPS", "type 65");
	CHECK_STR(dns_type_name(255, buf, sizeof(buf)), "ANY", "type 255");
	CHECK_STR(dns_type_name(65280, buf, sizeof(buf)), "TYPE65280", "a private type");
	CHECK_STR(dns_type_name(0, buf, sizeof(buf)), "TYPE0", "type 0");
	CHECK_STR(dns_rcode_name(0, buf, sizeof(buf)), "NOERROR", "rcode 0");
	CHECK_STR(dns_rcode_name(2, buf, sizeof(buf)), "SERVFAIL", "rcode 2");
	CHECK_STR(dns_rcode_name(3, buf, sizeof(buf)), "NXDOMAIN", "rcode 3");
	CHECK_STR(dns_rcode_name(5, buf, sizeof(buf)), "REFUSED", "rcode 5");
	CHECK_STR(dns_rcode_name(12, buf, sizeof(buf)), "RCODE12", "an unassigned rcode");
	CHECK_STR(dns_rcode_name(16, buf, sizeof(buf)), "BADVERS", "rcode 16");
	CHECK_STR(dns_rcode_name(23, buf, sizeof(buf)), "BADCOOKIE", "rcode 23");
	CHECK_STR(dns_rcode_name(4095, buf, sizeof(buf)), "RCODE4095", "the largest rcode");
	CHECK_STR(dns_strerror(DNS_EBADNAME), "malformed name", "an error's text");
}

/* --- DNS over TCP: reassembly ------------------------------------------------ */

/* What the reassembler delivered: each message's captured bytes and length. */
struct got {
	int n;
	size_t cap[8], len[8];
	uint8_t b[8][DNS_TCP_KEEP];
};

static void collect(void *ctx, const uint8_t *p, size_t cap, size_t len)
{
	struct got *g = ctx;

	if (g->n < 8) {
		g->cap[g->n] = cap;
		g->len[g->n] = len;
		memcpy(g->b[g->n], p, cap);
	}
	g->n++;
}

/* A stream of 3 messages (queries of 25, 0 and 700 bytes, each after its
 * length): the last longer than what is kept. */
static size_t tcp_stream(uint8_t *s, uint8_t msgs[3][700], size_t lens[3])
{
	struct buf m;
	size_t n = 0, i;

	header(&m, 0x1111, 0x0100, 1, 0, 0, 0);
	question(&m, "ok.test", 1);
	lens[0] = m.n;
	memcpy(msgs[0], m.b, m.n);
	lens[1] = 0;
	header(&m, 0x3333, 0x0100, 1, 0, 0, 0);
	question(&m, "ok.test", 28);
	memset(m.b + m.n, 0xab, 700 - m.n);
	lens[2] = 700;
	memcpy(msgs[2], m.b, 700);
	for (i = 0; i < 3; i++) {
		s[n++] = lens[i] >> 8;
		s[n++] = lens[i] & 0xff;
		memcpy(s + n, msgs[i], lens[i]);
		n += lens[i];
	}
	return n;
}

static int same_messages(const struct got *g, uint8_t msgs[3][700], const size_t lens[3])
{
	int i;

	if (g->n != 3)
		return 0;
	for (i = 0; i < 3; i++) {
		size_t keep = lens[i] < DNS_TCP_KEEP ? lens[i] : DNS_TCP_KEEP;

		if (g->len[i] != lens[i] || g->cap[i] != keep || memcmp(g->b[i], msgs[i], keep))
			return 0;
	}
	return 1;
}

static void test_tcp(void)
{
	static uint8_t s[1000], msgs[3][700];
	static struct got g;
	struct dns_tcp_stream st;
	size_t lens[3], n = tcp_stream(s, msgs, lens), a, b, i;
	int bad = 0, rc;

	/* Whole, then cut in two and in three at every pair of points. */
	dns_tcp_reset(&st);
	memset(&g, 0, sizeof(g));
	CHECK_INT(dns_tcp_feed(&st, s, n, n, collect, &g), 3, "one segment: 3 messages");
	CHECK_INT(same_messages(&g, msgs, lens), 1, "one segment: each whole, the long one kept in part");
	CHECK_INT(dns_tcp_idle(&st), 1, "idle after the last message");
	for (a = 0; a <= n; a++) {
		for (b = a; b <= n; b += (b < 40 || b > n - 40) ? 1 : 7) {
			dns_tcp_reset(&st);
			memset(&g, 0, sizeof(g));
			dns_tcp_feed(&st, s, a, a, collect, &g);
			dns_tcp_feed(&st, s + a, b - a, b - a, collect, &g);
			dns_tcp_feed(&st, s + b, n - b, n - b, collect, &g);
			if (!same_messages(&g, msgs, lens) || !dns_tcp_idle(&st))
				bad++;
		}
	}
	CHECK_INT(bad, 0, "cut at any two points: the same 3 messages");
	dns_tcp_reset(&st);
	memset(&g, 0, sizeof(g));
	for (i = 0; i < n; i++)
		dns_tcp_feed(&st, s + i, 1, 1, collect, &g);
	CHECK_INT(same_messages(&g, msgs, lens), 1, "a byte at a time");

	/* The length alone, then the message: not "not DNS", the message. */
	dns_tcp_reset(&st);
	memset(&g, 0, sizeof(g));
	CHECK_INT(dns_tcp_feed(&st, s, 2, 2, collect, &g), 0, "a length alone completes nothing");
	CHECK_INT(dns_tcp_idle(&st), 0, "and is held");
	CHECK_INT(dns_tcp_feed(&st, s + 2, lens[0], lens[0], collect, &g), 1, "its message then");
	CHECK_INT(g.len[0] == lens[0] && !memcmp(g.b[0], msgs[0], lens[0]), 1, "whole");

	/* Captured in part: the 700-byte message's segment copied only up to
	 * 512 bytes still ends where the length says; the next segment starts
	 * with the next message. */
	dns_tcp_reset(&st);
	memset(&g, 0, sizeof(g));
	a = 2 + lens[0] + 2 + lens[1];
	dns_tcp_feed(&st, s, a, a, collect, &g);
	rc = dns_tcp_feed(&st, s + a, 512, n - a, collect, &g);
	CHECK_INT(rc, 1, "a cut capture inside a message: it completes");
	CHECK_INT(g.cap[2] == 510 && g.len[2] == 700, 1, "with what was captured, and its length");
	CHECK_INT(dns_tcp_feed(&st, s, 2 + lens[0], 2 + lens[0], collect, &g), 1,
		  "the next segment: a message");
	/* A length in the part not captured: the stream starts over. */
	dns_tcp_reset(&st);
	memset(&g, 0, sizeof(g));
	rc = dns_tcp_feed(&st, s, 10, n, collect, &g);
	CHECK_INT(rc, -1, "a length not captured: lost place");
	CHECK_INT(dns_tcp_idle(&st), 1, "and starts over");
	CHECK_INT(dns_tcp_feed(&st, s, n, n, collect, &g), 3, "the next segment decodes");
	/* Bytes after a gap are not kept: what is kept is contiguous. */
	dns_tcp_reset(&st);
	memset(&g, 0, sizeof(g));
	dns_tcp_feed(&st, s, 10, 10, collect, &g);
	dns_tcp_feed(&st, s + 10, 0, 5, collect, &g);
	dns_tcp_feed(&st, s + 15, n - 15, n - 15, collect, &g);
	CHECK_INT(g.n == 3 && g.cap[0] == 8 && g.len[0] == lens[0], 1,
		  "a gap in a message: the bytes before it");
}

int main(void)
{
	test_query();
	test_response();
	test_truncation();
	test_names();
	test_counts();
	test_edns();
	test_tables();
	test_tcp();
	printf("test_dns: %d passed, %d failed\n", passed, failed);
	return failed != 0;
}
