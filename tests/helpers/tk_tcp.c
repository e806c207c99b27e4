// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* tk_tcp: TCP workload for the tests, on loopback only.
 *
 *   tk_tcp listen [-b BACKLOG] [-A] [-R] [-P] ADDR PORT
 *     Listen on ADDR:PORT (PORT 0: a free one), print "port N", then accept
 *     and close connections until killed. -A: never accept, so that with
 *     -b 0 a second connect's SYN goes unanswered (accept queue full).
 *     -R: read each connection until end of file or reset before closing
 *     it, so that the client always closes first. -P: print each accepted
 *     connection, "accept laddr A lport P raddr B rport R", as
 *     getsockname and getpeername give it (IPv4-mapped addresses as such).
 *   tk_tcp connect [-g GOFILE] [-u UID] [-C CGROUPDIR] [-N] [-k MS] [-l]
 *                  [-G K:FIFO] ADDR PORT N
 *     Optionally move into a cgroup and change uid, print "pid PID", wait
 *     for the go FIFO, then connect N times, printing for each
 *     "connect lport P ret 0" or "connect lport P ret -1 errno E".
 *     -N: non-blocking connects (EINPROGRESS is success here).
 *     -k MS: keep the sockets open MS milliseconds before closing them.
 *     -l: close with a reset (SO_LINGER 0), so that a burst of connects
 *     leaves no TIME_WAIT sockets holding loopback's ephemeral ports.
 *     -G K:FIFO: after K connects, print "paused" and wait for FIFO.
 *
 *   tk_tcp serve [-w BYTES] [-r BYTES] ADDR PORT
 *     Listen as above, print "port N" and "pid PID", then for each
 *     connection: accept; read until end of file (-r: exactly BYTES, then
 *     close first); write BYTES (-w, default 0); close; print
 *     "session lport P rport R rx N tx M" with what it read and wrote.
 *   tk_tcp talk [-g GOFILE] [-u UID] [-C CGROUPDIR] [-w BYTES] [-s MS] [-S]
 *               ADDR PORT N
 *     Join the cgroup and change uid as connect does, print "pid PID", wait
 *     for the go FIFO, then N sessions: connect; sleep MS (-s); write
 *     BYTES; shut down writing (the server sees end of file and closes
 *     second), unless -S (the server, told -r, closes first); read until
 *     end of file; close; print "session lport P rx N tx M".
 *
 * ADDR is numeric: an IPv4 or IPv6 address. Static, no name lookups. */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/socket.h>
#include "tk_go.h"

static void die(const char *what)
{
	fprintf(stderr, "tk_tcp: %s: %s\n", what, strerror(errno));
	exit(1);
}

static socklen_t make_addr(const char *addr, const char *port, struct sockaddr_storage *ss)
{
	struct sockaddr_in *in = (struct sockaddr_in *)ss;
	struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)ss;
	int p = atoi(port);

	memset(ss, 0, sizeof(*ss));
	if (inet_pton(AF_INET, addr, &in->sin_addr) == 1) {
		in->sin_family = AF_INET;
		in->sin_port = htons(p);
		return sizeof(*in);
	}
	if (inet_pton(AF_INET6, addr, &in6->sin6_addr) == 1) {
		in6->sin6_family = AF_INET6;
		in6->sin6_port = htons(p);
		return sizeof(*in6);
	}
	fprintf(stderr, "tk_tcp: not a numeric address: %s\n", addr);
	exit(2);
}

static int local_port(int fd)
{
	struct sockaddr_storage ss;
	socklen_t len = sizeof(ss);

	if (getsockname(fd, (struct sockaddr *)&ss, &len))
		return -1;
	if (ss.ss_family == AF_INET6)
		return ntohs(((struct sockaddr_in6 *)&ss)->sin6_port);
	return ntohs(((struct sockaddr_in *)&ss)->sin_port);
}

/* The address of @ss, numeric, into @buf; returns its port. */
static int addr_port(const struct sockaddr_storage *ss, char *buf, size_t size)
{
	const struct sockaddr_in *in = (const struct sockaddr_in *)ss;
	const struct sockaddr_in6 *in6 = (const struct sockaddr_in6 *)ss;

	if (ss->ss_family == AF_INET6) {
		inet_ntop(AF_INET6, &in6->sin6_addr, buf, size);
		return ntohs(in6->sin6_port);
	}
	inet_ntop(AF_INET, &in->sin_addr, buf, size);
	return ntohs(in->sin_port);
}

/* listen -P: the accepted connection as the server's own calls see it. */
static void print_accepted(int cfd)
{
	struct sockaddr_storage l, r;
	socklen_t ll = sizeof(l), rl = sizeof(r);
	char la[INET6_ADDRSTRLEN], ra[INET6_ADDRSTRLEN];
	int lp, rp;

	if (getsockname(cfd, (struct sockaddr *)&l, &ll) ||
	    getpeername(cfd, (struct sockaddr *)&r, &rl)) {
		printf("accept failed getsockname/getpeername errno %d\n", errno);
	} else {
		lp = addr_port(&l, la, sizeof(la));
		rp = addr_port(&r, ra, sizeof(ra));
		printf("accept laddr %s lport %d raddr %s rport %d\n", la, lp, ra, rp);
	}
	fflush(stdout);
}

static int do_listen(int argc, char **argv)
{
	struct sockaddr_storage ss;
	socklen_t len;
	int c, fd, one = 1, backlog = 4096, accepting = 1, drain = 0, show = 0;
	char buf[4096];

	while ((c = getopt(argc, argv, "+b:ARP")) != -1) {
		switch (c) {
		case 'b': backlog = atoi(optarg); break;
		case 'A': accepting = 0; break;
		case 'R': drain = 1; break;
		case 'P': show = 1; break;
		default: return 2;
		}
	}
	if (argc - optind != 2)
		return 2;
	len = make_addr(argv[optind], argv[optind + 1], &ss);
	fd = socket(ss.ss_family, SOCK_STREAM, 0);
	if (fd < 0)
		die("socket");
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (bind(fd, (struct sockaddr *)&ss, len))
		die("bind");
	if (listen(fd, backlog))
		die("listen");
	printf("port %d\n", local_port(fd));
	fflush(stdout);
	for (;;) {
		int cfd;

		if (!accepting) {
			pause();
			continue;
		}
		cfd = accept(fd, NULL, NULL);
		if (cfd < 0)
			continue;
		if (show)
			print_accepted(cfd);
		while (drain && (read(cfd, buf, sizeof(buf)) > 0 || errno == EINTR))
			;
		close(cfd);
	}
}

/* Move into @cgroup (NULL: stay) and take user id @uid (-1: stay). */
static void become(const char *cgroup, int uid)
{
	if (cgroup) {
		char path[4096];
		FILE *f;

		snprintf(path, sizeof(path), "%s/cgroup.procs", cgroup);
		f = fopen(path, "w");
		if (!f || fprintf(f, "%d\n", getpid()) < 0 || fclose(f))
			die("joining cgroup");
	}
	if (uid >= 0 && (setgid(uid) || setuid(uid)))
		die("setuid");
}

/* Block until the test opens GOFILE (a FIFO) for writing, as tk_work does. */
static int do_connect(int argc, char **argv)
{
	const char *go = NULL, *cgroup = NULL;
	struct sockaddr_storage ss;
	socklen_t len;
	struct linger reset = { .l_onoff = 1, .l_linger = 0 };
	struct tk_pause pause_at = { 0 };
	int c, i, n, r, uid = -1, nonblock = 0, keep_ms = 0, linger0 = 0, *fds;

	while ((c = getopt(argc, argv, "+g:u:C:Nk:lG:")) != -1) {
		switch (c) {
		case 'g': go = optarg; break;
		case 'u': uid = atoi(optarg); break;
		case 'C': cgroup = optarg; break;
		case 'N': nonblock = 1; break;
		case 'k': keep_ms = atoi(optarg); break;
		case 'l': linger0 = 1; break;
		case 'G': tk_pause_parse("tk_tcp", optarg, &pause_at); break;
		default: return 2;
		}
	}
	if (argc - optind != 3)
		return 2;
	len = make_addr(argv[optind], argv[optind + 1], &ss);
	n = atoi(argv[optind + 2]);
	fds = calloc(n > 0 ? n : 1, sizeof(*fds));
	if (!fds)
		die("calloc");
	become(cgroup, uid);
	printf("pid %d\n", getpid());
	fflush(stdout);
	tk_wait_go("tk_tcp", go);
	for (i = 0; i < n; i++) {
		tk_pause_at("tk_tcp", &pause_at, i);
		fds[i] = socket(ss.ss_family, SOCK_STREAM | (nonblock ? SOCK_NONBLOCK : 0), 0);
		if (fds[i] < 0)
			die("socket");
		if (linger0 && setsockopt(fds[i], SOL_SOCKET, SO_LINGER, &reset, sizeof(reset)))
			die("SO_LINGER");
		r = connect(fds[i], (struct sockaddr *)&ss, len);
		if (r && !(nonblock && errno == EINPROGRESS))
			printf("connect lport %d ret -1 errno %d\n", local_port(fds[i]), errno);
		else
			printf("connect lport %d ret 0\n", local_port(fds[i]));
		if (!keep_ms)
			close(fds[i]);
	}
	fflush(stdout);
	if (keep_ms) {
		struct timespec ts = { .tv_sec = keep_ms / 1000,
				       .tv_nsec = (keep_ms % 1000) * 1000000L };

		nanosleep(&ts, NULL);
		for (i = 0; i < n; i++)
			close(fds[i]);
	}
	free(fds);
	return 0;
}

static long long write_n(int fd, long long n)
{
	static char buf[65536];
	long long done = 0;
	ssize_t w;

	memset(buf, 'x', sizeof(buf));
	while (done < n) {
		w = write(fd, buf, n - done < (long long)sizeof(buf) ? n - done : (long long)sizeof(buf));
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			die("write");
		done += w;
	}
	return done;
}

/* Until end of file, or @max bytes (-1: no limit). */
static long long read_n(int fd, long long max)
{
	static char buf[65536];
	long long done = 0;
	ssize_t r;

	while (max < 0 || done < max) {
		r = read(fd, buf, max < 0 || max - done > (long long)sizeof(buf) ?
			 (long long)sizeof(buf) : max - done);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			die("read");
		if (!r)
			break;
		done += r;
	}
	return done;
}

static int remote_port(int fd)
{
	struct sockaddr_storage ss;
	socklen_t len = sizeof(ss);

	if (getpeername(fd, (struct sockaddr *)&ss, &len))
		return -1;
	if (ss.ss_family == AF_INET6)
		return ntohs(((struct sockaddr_in6 *)&ss)->sin6_port);
	return ntohs(((struct sockaddr_in *)&ss)->sin_port);
}

static int do_serve(int argc, char **argv)
{
	struct sockaddr_storage ss;
	socklen_t len;
	long long tx = 0, rx_max = -1, rx, sent;
	int c, fd, cfd, one = 1;

	while ((c = getopt(argc, argv, "+w:r:")) != -1) {
		switch (c) {
		case 'w': tx = atoll(optarg); break;
		case 'r': rx_max = atoll(optarg); break;
		default: return 2;
		}
	}
	if (argc - optind != 2)
		return 2;
	len = make_addr(argv[optind], argv[optind + 1], &ss);
	fd = socket(ss.ss_family, SOCK_STREAM, 0);
	if (fd < 0)
		die("socket");
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (bind(fd, (struct sockaddr *)&ss, len))
		die("bind");
	if (listen(fd, 4096))
		die("listen");
	printf("port %d\npid %d\n", local_port(fd), getpid());
	fflush(stdout);
	for (;;) {
		cfd = accept(fd, NULL, NULL);
		if (cfd < 0)
			continue;
		rx = read_n(cfd, rx_max);
		sent = write_n(cfd, tx);
		printf("session lport %d rport %d rx %lld tx %lld\n", local_port(cfd),
		       remote_port(cfd), rx, sent);
		fflush(stdout);
		close(cfd);
	}
}

static int do_talk(int argc, char **argv)
{
	const char *go = NULL, *cgroup = NULL;
	struct sockaddr_storage ss;
	socklen_t len;
	long long tx = 0, rx, sent;
	int c, i, n, fd, shut = 1, uid = -1, sleep_ms = 0;

	while ((c = getopt(argc, argv, "+g:u:C:w:s:S")) != -1) {
		switch (c) {
		case 'g': go = optarg; break;
		case 'u': uid = atoi(optarg); break;
		case 'C': cgroup = optarg; break;
		case 'w': tx = atoll(optarg); break;
		case 's': sleep_ms = atoi(optarg); break;
		case 'S': shut = 0; break;
		default: return 2;
		}
	}
	if (argc - optind != 3)
		return 2;
	len = make_addr(argv[optind], argv[optind + 1], &ss);
	n = atoi(argv[optind + 2]);
	become(cgroup, uid);
	printf("pid %d\n", getpid());
	fflush(stdout);
	tk_wait_go("tk_tcp", go);
	for (i = 0; i < n; i++) {
		fd = socket(ss.ss_family, SOCK_STREAM, 0);
		if (fd < 0)
			die("socket");
		if (connect(fd, (struct sockaddr *)&ss, len))
			die("connect");
		if (sleep_ms) {
			struct timespec ts = { .tv_sec = sleep_ms / 1000,
					       .tv_nsec = (sleep_ms % 1000) * 1000000L };

			nanosleep(&ts, NULL);
		}
		sent = write_n(fd, tx);
		if (shut && shutdown(fd, SHUT_WR))
			die("shutdown");
		rx = read_n(fd, -1);
		printf("session lport %d rx %lld tx %lld\n", local_port(fd), rx, sent);
		close(fd);
	}
	fflush(stdout);
	return 0;
}

int main(int argc, char **argv)
{
	if (argc >= 2 && !strcmp(argv[1], "listen"))
		return do_listen(argc - 1, argv + 1);
	if (argc >= 2 && !strcmp(argv[1], "connect"))
		return do_connect(argc - 1, argv + 1);
	if (argc >= 2 && !strcmp(argv[1], "serve"))
		return do_serve(argc - 1, argv + 1);
	if (argc >= 2 && !strcmp(argv[1], "talk"))
		return do_talk(argc - 1, argv + 1);
	fprintf(stderr, "usage: tk_tcp listen [-b BACKLOG] [-A] [-R] [-P] ADDR PORT\n"
		"       tk_tcp connect [-g GOFILE] [-u UID] [-C CGROUPDIR] [-N] [-k MS] [-l]\n"
		"                      [-G K:FIFO] ADDR PORT N\n"
		"       tk_tcp serve [-w BYTES] [-r BYTES] ADDR PORT\n"
		"       tk_tcp talk [-g GOFILE] [-u UID] [-C CGROUPDIR] [-w BYTES] [-s MS] [-S]\n"
		"                   ADDR PORT N\n");
	return 2;
}
