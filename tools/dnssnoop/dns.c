// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include "dns.h"

/* Enough for any chain a real compressor writes; the backward-only rule
 * below already makes loops impossible, this bounds the work as well. */
#define MAX_POINTERS 64

static uint16_t get16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static uint32_t get32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

/* Presentation form being written: pieces that do not fit are left out
 * whole, and @n counts what was written. */
struct sink {
	char *out;
	size_t size, n;
};

static void put(struct sink *s, const char *piece, size_t len)
{
	if (s->n + len < s->size) {
		memcpy(s->out + s->n, piece, len);
		s->n += len;
	} else {
		s->size = s->n;		/* full: nothing after a missing piece */
	}
}

/* One label byte (RFC 1035 5.1): characters that mean something in a name
 * are backslash-quoted, bytes outside printable ASCII become \DDD. */
static void put_label_byte(struct sink *s, uint8_t c)
{
	char tmp[5];

	if (c > 0x20 && c < 0x7f && !strchr(".\\\"();@$", c)) {
		tmp[0] = (char)c;
		put(s, tmp, 1);
	} else if (c > 0x20 && c < 0x7f) {
		tmp[0] = '\\';
		tmp[1] = (char)c;
		put(s, tmp, 2);
	} else {
		snprintf(tmp, sizeof(tmp), "\\%03u", c);
		put(s, tmp, 4);
	}
}

int dns_read_name(const uint8_t *msg, size_t len, size_t *off, char *out, size_t size)
{
	struct sink s = { .out = out, .size = size };
	size_t pos = *off, floor = *off, end = 0, wire = 1;
	int pointers = 0, labels = 0, err = DNS_OK;
	uint8_t c;

	if (size)
		out[0] = '\0';
	for (;;) {
		if (pos >= len) {
			err = DNS_ESHORT;
			break;
		}
		c = msg[pos];
		if ((c & 0xc0) == 0xc0) {
			size_t target;

			if (pos + 1 >= len) {
				err = DNS_ESHORT;
				break;
			}
			target = (size_t)(c & 0x3f) << 8 | msg[pos + 1];
			/* Strictly before everything read so far: each jump
			 * goes further back, so no chain can loop. */
			if (target >= floor || ++pointers > MAX_POINTERS) {
				err = DNS_EBADNAME;
				break;
			}
			if (!end)
				end = pos + 2;
			pos = floor = target;
			continue;
		}
		if (c & 0xc0) {
			/* 0x40 (extended labels, RFC 6891 retired them) and 0x80. */
			err = DNS_EBADNAME;
			break;
		}
		if (c == 0) {
			if (!end)
				end = pos + 1;
			break;
		}
		wire += c + 1;
		if (wire > DNS_NAME_WIRE_MAX) {
			err = DNS_EBADNAME;
			break;
		}
		if (pos + 1 + c > len) {
			err = DNS_ESHORT;
			break;
		}
		if (labels++)
			put(&s, ".", 1);
		for (size_t i = 0; i < c; i++)
			put_label_byte(&s, msg[pos + 1 + i]);
		pos += 1 + c;
	}
	if (err) {
		if (size)
			out[0] = '\0';
		return err;
	}
	if (!labels)
		put(&s, ".", 1);
	/* DNS_NAME_STRLEN always suffices; a smaller buffer gets a cut name. */
	if (size)
		out[s.n] = '\0';
	*off = end;
	return DNS_OK;
}

/* Names in record data (CNAME and the like) are read with the whole
 * message, for compression, but must start inside the record. */
static int rdata_name(const uint8_t *msg, size_t rdata_end, size_t off, char *out, size_t size)
{
	return dns_read_name(msg, rdata_end, &off, out, size);
}

static int read_answer(const uint8_t *msg, size_t off, uint16_t type, uint16_t rdlen,
		       struct dns_answer *a)
{
	const uint8_t *rd = msg + off;

	a->data[0] = '\0';
	switch (type) {
	case DNS_TYPE_A:
		if (rdlen != 4)
			return DNS_ERDATA;
		inet_ntop(AF_INET, rd, a->data, sizeof(a->data));
		return DNS_OK;
	case DNS_TYPE_AAAA:
		if (rdlen != 16)
			return DNS_ERDATA;
		inet_ntop(AF_INET6, rd, a->data, sizeof(a->data));
		return DNS_OK;
	case DNS_TYPE_CNAME:
	case DNS_TYPE_DNAME:
	case DNS_TYPE_NS:
	case DNS_TYPE_PTR:
		return rdata_name(msg, off + rdlen, off, a->data, sizeof(a->data));
	}
	return DNS_OK;
}

int dns_parse(const void *buf, size_t len, struct dns_msg *m)
{
	const uint8_t *p = buf;
	char scratch[DNS_NAME_STRLEN];
	size_t off = DNS_HEADER_LEN;
	unsigned total, i;
	int err;

	m->has_question = false;
	m->qname[0] = '\0';
	m->qtype = m->qclass = 0;
	m->answers_read = m->nanswer = 0;
	m->edns = false;
	if (len < DNS_HEADER_LEN) {
		m->id = len >= 2 ? get16(p) : 0;
		m->qr = len >= 3 && (p[2] & 0x80);
		m->opcode = m->rcode = 0;
		m->aa = m->tc = m->rd = m->ra = m->ad = m->cd = false;
		m->qdcount = m->ancount = m->nscount = m->arcount = 0;
		m->error = DNS_ESHORT;
		return -1;
	}
	m->id = get16(p);
	m->qr = p[2] & 0x80;
	m->opcode = (p[2] >> 3) & 0xf;
	m->aa = p[2] & 0x04;
	m->tc = p[2] & 0x02;
	m->rd = p[2] & 0x01;
	m->ra = p[3] & 0x80;
	m->ad = p[3] & 0x20;
	m->cd = p[3] & 0x10;
	m->rcode = p[3] & 0xf;
	m->qdcount = get16(p + 4);
	m->ancount = get16(p + 6);
	m->nscount = get16(p + 8);
	m->arcount = get16(p + 10);
	m->error = DNS_OK;

	/* Each question takes at least 5 bytes and each record 11, so however
	 * large the counts, the loops end when the bytes do. */
	for (i = 0; i < m->qdcount; i++) {
		char *name = i == 0 ? m->qname : scratch;

		err = dns_read_name(p, len, &off, name, DNS_NAME_STRLEN);
		if (!err && off + 4 > len)
			err = DNS_ESHORT;
		if (err) {
			m->error = err;
			return -1;
		}
		if (i == 0) {
			m->has_question = true;
			m->qtype = get16(p + off);
			m->qclass = get16(p + off + 2);
		}
		off += 4;
	}
	total = (unsigned)m->ancount + m->nscount + m->arcount;
	for (i = 0; i < total; i++) {
		uint16_t type, rclass, rdlen;
		uint32_t ttl;

		err = dns_read_name(p, len, &off, scratch, sizeof(scratch));
		if (!err && off + 10 > len)
			err = DNS_ESHORT;
		if (err) {
			m->error = err;
			return -1;
		}
		type = get16(p + off);
		rclass = get16(p + off + 2);
		ttl = get32(p + off + 4);
		rdlen = get16(p + off + 8);
		off += 10;
		if (off + rdlen > len) {
			m->error = DNS_ESHORT;
			return -1;
		}
		if (i < m->ancount) {
			struct dns_answer tmp, *a = m->nanswer < DNS_MAX_ANSWERS ?
				&m->answer[m->nanswer] : &tmp;

			a->type = type;
			a->rclass = rclass;
			a->ttl = ttl;
			err = read_answer(p, off, type, rdlen, a);
			if (err) {
				m->error = err;
				return -1;
			}
			if (a != &tmp)
				m->nanswer++;
			m->answers_read++;
		} else if (i >= (unsigned)m->ancount + m->nscount && type == DNS_TYPE_OPT) {
			/* The OPT record's TTL carries the rcode's upper 8 bits. */
			m->edns = true;
			m->rcode = (uint16_t)((ttl >> 24) << 4 | (p[3] & 0xf));
		}
		off += rdlen;
	}
	return 0;
}

static const struct {
	uint16_t type;
	const char *name;
} types[] = {
	{ 1, "A" }, { 2, "NS" }, { 3, "MD" }, { 4, "MF" }, { 5, "CNAME" }, { 6, "SOA" },
	{ 7, "MB" }, { 8, "MG" }, { 9, "MR" }, { 10, "NULL" }, { 11, "WKS" }, { 12, "PTR" },
	{ 13, "HINFO" }, { 14, "MINFO" }, { 15, "MX" }, { 16, "TXT" }, { 17, "RP" },
	{ 18, "AFSDB" }, { 19, "X25" }, { 20, "ISDN" }, { 21, "RT" }, { 22, "NSAP" },
	{ 23, "NSAP-PTR" }, { 24, "SIG" }, { 25, "KEY" }, { 26, "PX" }, { 27, "GPOS" },
	{ 28, "AAAA" }, { 29, "LOC" }, { 30, "NXT" }, { 33, "SRV" }, { 35, "NAPTR" },
	{ 36, "KX" }, { 37, "CERT" }, { 38, "A6" }, { 39, "DNAME" }, { 41, "OPT" },
	{ 42, "APL" }, { 43, "DS" }, { 44, "SSHFP" }, { 45, "IPSECKEY" }, { 46, "RRSIG" },
	{ 47, "NSEC" }, { 48, "DNSKEY" }, { 49, "DHCID" }, { 50, "NSEC3" },
	{ 51, "NSEC3PARAM" }, { 52, "TLSA" }, { 53, "SMIMEA" }, { 55, "HIP" },
	{ 59, "CDS" }, { 60, "CDNSKEY" }, { 61, "OPENPGPKEY" }, { 62, "CSYNC" },
	{ 63, "ZONEMD" }, { 64, "SVCB" }, { 65, "HTTPS" }, { 99, "SPF" }, { 104, "NID" },
	{ 105, "L32" }, { 106, "L64" }, { 107, "LP" }, { 108, "EUI48" }, { 109, "EUI64" },
	{ 249, "TKEY" }, { 250, "TSIG" }, { 251, "IXFR" }, { 252, "AXFR" },
	{ 253, "MAILB" }, { 254, "MAILA" }, { 255, "ANY" }, { 256, "URI" }, { 257, "CAA" },
	{ 260, "AMTRELAY" }, { 32768, "TA" }, { 32769, "DLV" },
};

const char *dns_type_name(uint16_t type, char *buf, size_t size)
{
	size_t i;

	for (i = 0; i < sizeof(types) / sizeof(types[0]); i++)
		if (types[i].type == type)
			return types[i].name;
	snprintf(buf, size, "TYPE%u", type);
	return buf;
}

/* IANA's DNS RCODEs. 16 is BADVERS in an OPT record (and BADSIG in TSIG,
 * which this does not read). */
static const char *const rcodes[] = {
	"NOERROR", "FORMERR", "SERVFAIL", "NXDOMAIN", "NOTIMP", "REFUSED",
	"YXDOMAIN", "YXRRSET", "NXRRSET", "NOTAUTH", "NOTZONE", "DSOTYPENI",
	NULL, NULL, NULL, NULL,
	"BADVERS", "BADKEY", "BADTIME", "BADMODE", "BADNAME", "BADALG",
	"BADTRUNC", "BADCOOKIE",
};

const char *dns_rcode_name(uint16_t rcode, char *buf, size_t size)
{
	if (rcode < sizeof(rcodes) / sizeof(rcodes[0]) && rcodes[rcode])
		return rcodes[rcode];
	snprintf(buf, size, "RCODE%u", rcode);
	return buf;
}

const char *dns_strerror(enum dns_error e)
{
	switch (e) {
	case DNS_OK: return "no error";
	case DNS_ESHORT: return "message ends early";
	case DNS_EBADNAME: return "malformed name";
	case DNS_ERDATA: return "malformed record data";
	}
	return "unknown error";
}

int dns_tcp_feed(struct dns_tcp_stream *st, const uint8_t *data, size_t cap, size_t len,
		 dns_tcp_msg_fn fn, void *ctx)
{
	size_t off = 0, take, have, keep;
	int n = 0;

	if (cap > len)
		cap = len;
	while (off < len) {
		if (st->nprefix < 2) {
			if (off >= cap) {
				/* A length we did not see: no telling where the
				 * next message starts. */
				dns_tcp_reset(st);
				return -1;
			}
			if (st->nprefix == 0) {
				st->prefix0 = data[off++];
				st->nprefix = 1;
				continue;
			}
			st->msglen = (uint16_t)(st->prefix0 << 8 | data[off++]);
			st->nprefix = 2;
			st->got = st->kept = 0;
			st->gap = false;
		} else {
			take = len - off;
			if (take > (size_t)st->msglen - st->got)
				take = st->msglen - st->got;
			/* Of those, captured: kept while nothing before is missing. */
			have = off < cap ? cap - off : 0;
			if (have > take)
				have = take;
			if (have < take)
				st->gap = true;
			keep = DNS_TCP_KEEP - st->kept;
			if (keep > have)
				keep = have;
			if (st->kept == st->got && keep) {
				memcpy(st->buf + st->kept, data + off, keep);
				st->kept += keep;
			}
			st->got += take;
			off += take;
		}
		if (st->nprefix == 2 && st->got == st->msglen) {
			fn(ctx, st->buf, st->kept, st->msglen);
			n++;
			dns_tcp_reset(st);
		}
	}
	return n;
}
