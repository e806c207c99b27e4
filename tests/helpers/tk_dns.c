// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* tk_dns: DNS workloads for the tests, on loopback only.
 *
 *   tk_dns [-g GOFILE] [-6] [-t] [-i ID] [-q QTYPE] [-w MS] [-r HEX] PORT NAME
 *     A client of the server on 127.0.0.1:PORT (::1 with -6), over UDP (TCP
 *     with -t). A UDP socket is opened and connected first (so it can
 *     predate a tracer); then it prints "pid PID", waits for GOFILE (a FIFO,
 *     as tk_work), connects a TCP socket (an idle connection would hold up
 *     a server that serves one at a time), sends one query for
 *     NAME (type QTYPE, a number, default 1 = A; id ID, default 4660),
 *     prints "rcode N ancount N" for the answer (or "timeout" after 3 s),
 *     and keeps the socket open MS milliseconds more before exiting, so a
 *     tracer can still find who held it.
 *   With -r HEX, the query sent is those bytes instead ("12340100..."),
 *     for malformed messages ("" sends an empty datagram); no answer is
 *     waited for.
 *   -n N sends N queries (ids ID to ID+N-1; or the -r bytes N times):
 *     over UDP N datagrams (queries 100 at a time, 2 ms apart), over TCP
 *     one write with all of them; then it
 *     prints "sent N" and, unless -r, "answers K" for the answers read
 *     within 3 s; then keeps the socket MS milliseconds (-w) as above.
 *   -S N (TCP) writes in two parts, the first N bytes and the rest, with
 *     TCP_NODELAY and 100 ms between, so they leave as separate segments:
 *     -S 2 sends a length prefix alone, -S 1 splits it.
 *   tk_dns -s [-6] PORT
 *     A server that never answers: binds UDP PORT (0: any free one) on
 *     127.0.0.1 (::1 with -6), prints "port N", and reads until killed. */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>
#include "tk_go.h"

static int v6, tcp;

static socklen_t loopback(struct sockaddr_storage *ss, int port)
{
	memset(ss, 0, sizeof(*ss));
	if (v6) {
		struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)ss;

		s6->sin6_family = AF_INET6;
		s6->sin6_port = htons(port);
		s6->sin6_addr = in6addr_loopback;
		return sizeof(*s6);
	} else {
		struct sockaddr_in *s4 = (struct sockaddr_in *)ss;

		s4->sin_family = AF_INET;
		s4->sin_port = htons(port);
		s4->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
		return sizeof(*s4);
	}
}

static void die(const char *what)
{
	perror(what);
	exit(1);
}

static __attribute__((noreturn)) void sink(int port)
{
	struct sockaddr_storage ss;
	socklen_t len = loopback(&ss, port);
	char buf[4096];
	int fd = socket(ss.ss_family, SOCK_DGRAM, 0);

	if (fd < 0 || bind(fd, (struct sockaddr *)&ss, len))
		die("tk_dns: bind");
	len = sizeof(ss);
	if (getsockname(fd, (struct sockaddr *)&ss, &len))
		die("tk_dns: getsockname");
	printf("port %u\n", ntohs(ss.ss_family == AF_INET6 ?
				  ((struct sockaddr_in6 *)&ss)->sin6_port :
				  ((struct sockaddr_in *)&ss)->sin_port));
	fflush(stdout);
	for (;;)
		if (recv(fd, buf, sizeof(buf), 0) < 0 && errno != EINTR)
			die("tk_dns: recv");
}

/* A query with one question and RD set, after a 2-byte length for TCP. */
static size_t build_query(unsigned char *q, size_t size, int id, const char *name, int qtype)
{
	size_t n = tcp ? 2 : 0, start = n;
	const char *p = name, *dot;

	memset(q, 0, size);
	q[n++] = id >> 8;
	q[n++] = id & 0xff;
	q[n++] = 0x01;		/* RD */
	n++;
	q[n++] = 0;
	q[n++] = 1;		/* QDCOUNT */
	n += 6;
	while (*p) {
		dot = strchr(p, '.');
		size_t l = dot ? (size_t)(dot - p) : strlen(p);

		if (l == 0 || l > 63 || n + l + 6 > size) {
			fprintf(stderr, "tk_dns: bad name %s\n", name);
			exit(2);
		}
		q[n++] = (unsigned char)l;
		memcpy(q + n, p, l);
		n += l;
		p += l + (dot != NULL);
	}
	q[n++] = 0;
	q[n++] = qtype >> 8;
	q[n++] = qtype & 0xff;
	q[n++] = 0;
	q[n++] = 1;		/* IN */
	if (tcp) {
		q[0] = (n - start) >> 8;
		q[1] = (n - start) & 0xff;
	}
	return n;
}

/* Send @len bytes, in two writes when @split is inside them. */
static void send_all(int fd, const unsigned char *q, size_t len, size_t split)
{
	struct timespec pause = { 0, 100 * 1000000L };
	int one = 1;

	if (split && split < len) {
		if (setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one)))
			die("tk_dns: TCP_NODELAY");
		if (send(fd, q, split, 0) != (ssize_t)split)
			die("tk_dns: send");
		nanosleep(&pause, NULL);
		q += split;
		len -= split;
	}
	if (send(fd, q, len, 0) != (ssize_t)len)
		die("tk_dns: send");
}

/* Answers to @want queries within 3 s: datagrams, or messages in the TCP
 * stream (each after its 2-byte length). */
static int read_answers(int fd, int want)
{
	static unsigned char r[65536 * 2];
	struct pollfd pfd = { .fd = fd, .events = POLLIN };
	size_t have = 0, off = 0;
	int got = 0;
	ssize_t n;

	while (got < want && poll(&pfd, 1, 3000) == 1) {
		n = recv(fd, r + have, sizeof(r) - have, 0);
		if (n <= 0)
			break;
		if (!tcp) {
			got++;
			continue;
		}
		have += n;
		while (have - off >= 2 && have - off >= 2 + (size_t)(r[off] << 8 | r[off + 1])) {
			off += 2 + (r[off] << 8 | r[off + 1]);
			got++;
		}
		memmove(r, r + off, have - off);
		have -= off;
		off = 0;
	}
	return got;
}

/* Keeps the socket @ms milliseconds more, so a tracer can still find who
 * held it. */
static void hold(int ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

	if (ms > 0)
		nanosleep(&ts, NULL);
}

int main(int argc, char **argv)
{
	const char *go = NULL, *hex = NULL;
	int c, id = 0x1234, qtype = 1, wait_ms = 0, serve = 0, fd, count = 1, i;
	size_t split = 0;
	static unsigned char q[512], r[4096], all[65535];
	struct sockaddr_storage ss;
	struct pollfd pfd;
	socklen_t len;
	ssize_t n;
	size_t qlen, off;

	while ((c = getopt(argc, argv, "g:6ti:q:w:sr:n:S:")) != -1) {
		switch (c) {
		case 'g': go = optarg; break;
		case '6': v6 = 1; break;
		case 't': tcp = 1; break;
		case 'i': id = atoi(optarg); break;
		case 'q': qtype = atoi(optarg); break;
		case 'w': wait_ms = atoi(optarg); break;
		case 's': serve = 1; break;
		case 'r': hex = optarg; break;
		case 'n': count = atoi(optarg); break;
		case 'S': split = atoi(optarg); break;
		default: return 2;
		}
	}
	if (serve && optind + 1 == argc)
		sink(atoi(argv[optind]));
	if (serve || optind + 2 != argc)
		return 2;
	len = loopback(&ss, atoi(argv[optind]));
	fd = socket(ss.ss_family, tcp ? SOCK_STREAM : SOCK_DGRAM, 0);
	if (fd < 0 || (!tcp && connect(fd, (struct sockaddr *)&ss, len)))
		die("tk_dns: connect");
	printf("pid %d\n", getpid());
	fflush(stdout);
	tk_wait_go("tk_dns", go);
	if (tcp && connect(fd, (struct sockaddr *)&ss, len))
		die("tk_dns: connect");

	if (hex) {
		unsigned int byte;

		for (qlen = 0; qlen < sizeof(q) && sscanf(hex + 2 * qlen, "%2x", &byte) == 1; qlen++)
			q[qlen] = (unsigned char)byte;
		for (i = 0; i < count; i++)
			send_all(fd, q, qlen, split);
		if (count > 1)
			printf("sent %d\n", count);
		printf("sent %zu bytes\n", qlen);
		return 0;
	}
	if (count > 1) {
		struct timespec pace = { 0, 2 * 1000000L };
		size_t used = 0;

		for (i = 0; i < count; i++) {
			qlen = build_query(q, sizeof(q), (id + i) & 0xffff, argv[optind + 1], qtype);
			if (!tcp) {
				/* Paced, so a tracer's buffer is not what runs out. */
				if (i && i % 100 == 0)
					nanosleep(&pace, NULL);
				send_all(fd, q, qlen, 0);
				continue;
			}
			if (used + qlen > sizeof(all)) {
				fprintf(stderr, "tk_dns: too many queries for one write\n");
				return 2;
			}
			memcpy(all + used, q, qlen);
			used += qlen;
		}
		if (tcp)
			send_all(fd, all, used, split);
		printf("sent %d\n", count);
		fflush(stdout);
		printf("answers %d\n", read_answers(fd, count));
		fflush(stdout);
		hold(wait_ms);
		return 0;
	}
	qlen = build_query(q, sizeof(q), id, argv[optind + 1], qtype);
	send_all(fd, q, qlen, split);
	pfd.fd = fd;
	pfd.events = POLLIN;
	off = tcp ? 2 : 0;
	if (poll(&pfd, 1, 3000) != 1) {
		printf("timeout\n");
	} else {
		/* One read holds a loopback answer whole, TCP or not. */
		n = recv(fd, r, sizeof(r), 0);
		if (n < (ssize_t)(off + 12))
			die("tk_dns: short answer");
		printf("rcode %d ancount %d\n", r[off + 3] & 0xf, r[off + 6] << 8 | r[off + 7]);
	}
	fflush(stdout);
	hold(wait_ms);
	close(fd);
	return 0;
}
