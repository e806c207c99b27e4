/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* DNS messages (RFC 1035 and its successors) read from untrusted bytes:
 * whatever a packet copied out of the kernel holds, this never reads past
 * it, never loops (compression pointers must point backwards, names stop at
 * 255 bytes), and its work is bounded by the message's length, however
 * absurd the header's counts. Names come out in presentation form with
 * every byte outside printable ASCII escaped (\DDD), so they are safe to
 * print on a terminal and in JSON as they are. */
#ifndef TK_DNS_H
#define TK_DNS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define DNS_HEADER_LEN 12
#define DNS_NAME_WIRE_MAX 255	/* RFC 1035 2.3.4, length octets included */
/* A name in presentation form: at most 4 characters ("\DDD") per label byte. */
#define DNS_NAME_STRLEN 1024
#define DNS_MAX_ANSWERS 16	/* answer records kept; the rest are only counted */

#define DNS_TYPE_A 1
#define DNS_TYPE_NS 2
#define DNS_TYPE_CNAME 5
#define DNS_TYPE_PTR 12
#define DNS_TYPE_AAAA 28
#define DNS_TYPE_DNAME 39
#define DNS_TYPE_OPT 41

#define DNS_RCODE_NOERROR 0
#define DNS_RCODE_NXDOMAIN 3

/* Why parsing stopped before the end of the records the header announced. */
enum dns_error {
	DNS_OK = 0,
	DNS_ESHORT,		/* the bytes ended inside the header or a record */
	DNS_EBADNAME,		/* bad label type, pointer loop, name over 255 bytes */
	DNS_ERDATA,		/* a record's data does not fit its type */
};

struct dns_answer {
	uint16_t type;
	uint16_t rclass;
	uint32_t ttl;
	/* A and AAAA: the address; CNAME, DNAME, NS, PTR: the name; else "". */
	char data[DNS_NAME_STRLEN];
};

struct dns_msg {
	/* The header, as sent. */
	uint16_t id;
	bool qr;		/* a response */
	uint8_t opcode;
	bool aa, tc, rd, ra, ad, cd;
	uint16_t qdcount, ancount, nscount, arcount;
	/* The header's 4 bits, extended by an OPT record's 8 (RFC 6891). */
	uint16_t rcode;
	bool edns;		/* an OPT record was found */
	/* The first question, if there is one. */
	bool has_question;
	char qname[DNS_NAME_STRLEN];
	uint16_t qtype, qclass;
	/* Answer records read (all of them, up to ancount), and the first
	 * DNS_MAX_ANSWERS of them. */
	int answers_read;
	int nanswer;
	struct dns_answer answer[DNS_MAX_ANSWERS];
	enum dns_error error;
};

/* Parse the @len bytes at @buf. Returns 0 if every record the header
 * announces was read, else -1 with m->error saying why; what was read
 * before that (the header, if @len reaches 12; the question) stays valid. */
int dns_parse(const void *buf, size_t len, struct dns_msg *m);

/* The name at *@off in the message @msg (@len bytes), following compression
 * pointers, into @out in presentation form ("www.example.com", "." for the
 * root, no trailing dot). On success *@off moves past the name as it is
 * written at *@off and 0 is returned; else a dns_error, @out holds "". */
int dns_read_name(const uint8_t *msg, size_t len, size_t *off, char *out, size_t size);

/* "AAAA" for 28, "TYPE65280" for a type without a mnemonic (RFC 3597);
 * @buf holds the fallback. */
const char *dns_type_name(uint16_t type, char *buf, size_t size);
/* "NXDOMAIN" for 3, "RCODE24" for one without a name. */
const char *dns_rcode_name(uint16_t rcode, char *buf, size_t size);
const char *dns_strerror(enum dns_error e);

/* DNS over TCP (RFC 1035 4.2.2, RFC 7766 8): each message follows a 2-byte
 * length, and segments cut the stream anywhere: a length alone, a length
 * split in two, several messages in one segment, a message over many. One
 * direction of one connection is reassembled here, in bounded memory: the
 * first DNS_TCP_KEEP bytes of each message are kept, the rest only counted.
 * Segments come in order (as a socket's hooks see them) but may have been
 * captured only in part (@cap of @len bytes); if a length falls in the part
 * not captured, the stream cannot be followed and starts over at the next
 * segment. */
#define DNS_TCP_KEEP 512

struct dns_tcp_stream {
	uint32_t got;		/* bytes of the current message passed */
	uint16_t msglen;	/* its length, once both prefix bytes are in */
	uint16_t kept;		/* of which held in buf[] */
	uint8_t nprefix;	/* length bytes seen: 0, 1 or 2 (in a message) */
	uint8_t prefix0;	/* the first, while the second is awaited */
	bool gap;		/* bytes of this message were not captured */
	uint8_t buf[DNS_TCP_KEEP];
};

/* One whole message: @cap of its @msglen bytes at @msg (cap < msglen: the
 * capture cut it). */
typedef void (*dns_tcp_msg_fn)(void *ctx, const uint8_t *msg, size_t cap, size_t msglen);

static inline void dns_tcp_reset(struct dns_tcp_stream *st)
{
	st->got = st->msglen = st->kept = 0;
	st->nprefix = st->prefix0 = 0;
	st->gap = false;
}

/* True between messages: nothing of a message is held. */
static inline bool dns_tcp_idle(const struct dns_tcp_stream *st)
{
	return st->nprefix == 0;
}

/* Feed one segment's payload: @len bytes, of which the first @cap are at
 * @data. Calls @fn for each message it completes. Returns the number of
 * messages completed, or -1 if the stream lost its place (it is reset). */
int dns_tcp_feed(struct dns_tcp_stream *st, const uint8_t *data, size_t cap, size_t len,
		 dns_tcp_msg_fn fn, void *ctx);

#endif
