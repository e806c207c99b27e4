// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* tk_bind: bind()s of known sockets, for bindsnoop's tests.
 *
 *   tk_bind [-g GOFILE] [-p PORT]
 *     Print "pid PID", wait for the go FIFO, then make a fixed list of
 *     bind()s, each printed as it was done, in bindsnoop's text columns:
 *       bind RET PROTO OPTS IF PORT ADDR
 *     RET: 0 or the errno's name; OPTS: F (IP_FREEBIND), T (IP_TRANSPARENT),
 *     N (IP_BIND_ADDRESS_NO_PORT), R (SO_REUSEADDR), r (SO_REUSEPORT) as
 *     getsockopt() reads them back just before the bind (a raw socket has
 *     SO_REUSEADDR from its creation), '.' for each not set; IF: SO_BINDTODEVICE's
 *     interface index (0: none); PORT: after a successful bind the port
 *     getsockname() reads back (the kernel's choice when 0 was asked),
 *     after a failed one the port asked for. The sockets stay open until
 *     the end; "done" is the last line. -p: the first socket (a listener,
 *     whose port a second socket then fails to bind) binds PORT, not 0.
 *
 * Run as root: IP_TRANSPARENT and SO_BINDTODEVICE need CAP_NET_ADMIN, and the
 * EACCES bind drops it for a moment (seteuid) to bind a privileged port. */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <net/if.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/socket.h>
#include "tk_go.h"

#ifndef IP_BIND_ADDRESS_NO_PORT
#define IP_BIND_ADDRESS_NO_PORT 24
#endif
#ifndef IPV6_FREEBIND
#define IPV6_FREEBIND 78
#endif

#define O_FREEBIND	(1 << 0)
#define O_TRANSPARENT	(1 << 1)
#define O_NO_PORT	(1 << 2)
#define O_REUSEADDR	(1 << 3)
#define O_REUSEPORT	(1 << 4)

static void die(const char *what)
{
	fprintf(stderr, "tk_bind: %s: %s\n", what, strerror(errno));
	exit(1);
}

static void setopt(int fd, int level, int name, const void *v, socklen_t len)
{
	if (setsockopt(fd, level, name, v, len))
		die("setsockopt");
}

/* A socket of @family and @type with options @opts (and device @dev). */
static int sock(int family, int type, int proto, int opts, const char *dev)
{
	int fd = socket(family, type, proto), one = 1;

	if (fd < 0)
		die("socket");
	if (opts & O_REUSEADDR)
		setopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (opts & O_REUSEPORT)
		setopt(fd, SOL_SOCKET, SO_REUSEPORT, &one, sizeof(one));
	if (opts & O_FREEBIND) {
		if (family == AF_INET6)
			setopt(fd, IPPROTO_IPV6, IPV6_FREEBIND, &one, sizeof(one));
		else
			setopt(fd, IPPROTO_IP, IP_FREEBIND, &one, sizeof(one));
	}
	if (opts & O_TRANSPARENT)
		setopt(fd, IPPROTO_IP, IP_TRANSPARENT, &one, sizeof(one));
	if (opts & O_NO_PORT)
		setopt(fd, IPPROTO_IP, IP_BIND_ADDRESS_NO_PORT, &one, sizeof(one));
	if (dev)
		setopt(fd, SOL_SOCKET, SO_BINDTODEVICE, dev, strlen(dev) + 1);
	return fd;
}

/* Is option @name at @level on? (Not a socket, or no such option: no.) */
static int opt_on(int fd, int level, int name)
{
	int v = 0;
	socklen_t len = sizeof(v);

	return !getsockopt(fd, level, name, &v, &len) && v;
}

/* The options of @fd as the kernel has them, O_* bits. */
static int opts_now(int fd, int family)
{
	int v6 = family == AF_INET6;

	return (opt_on(fd, v6 ? IPPROTO_IPV6 : IPPROTO_IP, v6 ? IPV6_FREEBIND : IP_FREEBIND) ?
		O_FREEBIND : 0) |
	       (opt_on(fd, v6 ? IPPROTO_IPV6 : IPPROTO_IP, v6 ? IPV6_TRANSPARENT : IP_TRANSPARENT) ?
		O_TRANSPARENT : 0) |
	       (opt_on(fd, IPPROTO_IP, IP_BIND_ADDRESS_NO_PORT) ? O_NO_PORT : 0) |
	       (opt_on(fd, SOL_SOCKET, SO_REUSEADDR) ? O_REUSEADDR : 0) |
	       (opt_on(fd, SOL_SOCKET, SO_REUSEPORT) ? O_REUSEPORT : 0);
}

/* bind @fd (a socket of @proto_name, or not a socket at all: "?") to
 * ADDR:PORT, @len bytes of the address (0: the family's), and print it. */
static void do_bind(int fd, const char *proto_name, const char *dev, const char *addr,
		    int port, socklen_t len)
{
	struct sockaddr_storage ss = {};
	struct sockaddr_in *in = (struct sockaddr_in *)&ss;
	struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)&ss;
	socklen_t sl = sizeof(ss);
	char ret[32], letters[6];
	int r, err, i, opts;

	if (inet_pton(AF_INET, addr, &in->sin_addr) == 1) {
		in->sin_family = AF_INET;
		in->sin_port = htons(port);
		if (!len)
			len = sizeof(*in);
	} else if (inet_pton(AF_INET6, addr, &in6->sin6_addr) == 1) {
		in6->sin6_family = AF_INET6;
		in6->sin6_port = htons(port);
		if (!len)
			len = sizeof(*in6);
	} else {
		fprintf(stderr, "tk_bind: bad address %s\n", addr);
		exit(2);
	}
	opts = opts_now(fd, ss.ss_family);
	r = bind(fd, (struct sockaddr *)&ss, len);
	err = errno;
	if (r == 0) {
		snprintf(ret, sizeof(ret), "0");
		if (getsockname(fd, (struct sockaddr *)&ss, &sl))
			die("getsockname");
		port = ntohs(ss.ss_family == AF_INET6 ? in6->sin6_port : in->sin_port);
	} else {
		snprintf(ret, sizeof(ret), "%s", strerrorname_np(err));
	}
	for (i = 0; i < 5; i++)
		letters[i] = opts & (1 << i) ? "FTNRr"[i] : '.';
	letters[5] = '\0';
	printf("bind %s %s %s %u %d %s\n", ret, proto_name, letters,
	       dev ? if_nametoindex(dev) : 0, port, addr);
	fflush(stdout);
}

/* The first port below which binding needs CAP_NET_BIND_SERVICE. */
static int unprivileged_port_start(void)
{
	FILE *f = fopen("/proc/sys/net/ipv4/ip_unprivileged_port_start", "r");
	int n = 1024;

	if (f) {
		if (fscanf(f, "%d", &n) != 1)
			n = 1024;
		fclose(f);
	}
	return n;
}

int main(int argc, char **argv)
{
	const char *go = NULL;
	int c, fd, taken, port = 0;

	while ((c = getopt(argc, argv, "g:p:")) != -1) {
		switch (c) {
		case 'g': go = optarg; break;
		case 'p': port = atoi(optarg); break;
		default:
			fprintf(stderr, "usage: tk_bind [-g GOFILE] [-p PORT]\n");
			return 2;
		}
	}
	printf("pid %d\n", getpid());
	fflush(stdout);
	tk_wait_go("tk_bind", go);

	/* TCP, IPv4, the kernel's port, SO_REUSEADDR; it listens, so the
	 * second bind of its port below is refused. */
	taken = sock(AF_INET, SOCK_STREAM, 0, O_REUSEADDR, NULL);
	do_bind(taken, "TCP", NULL, "127.0.0.1", port, 0);
	if (listen(taken, 1))
		die("listen");
	{
		struct sockaddr_in in;
		socklen_t sl = sizeof(in);

		if (getsockname(taken, (struct sockaddr *)&in, &sl))
			die("getsockname");
		port = ntohs(in.sin_port);
	}
	do_bind(sock(AF_INET, SOCK_DGRAM, 0, O_REUSEPORT, NULL), "UDP", NULL,
		"0.0.0.0", 0, 0);
	do_bind(sock(AF_INET6, SOCK_STREAM, 0, O_FREEBIND, NULL), "TCP", NULL,
		"::1", 0, 0);
	do_bind(sock(AF_INET6, SOCK_DGRAM, 0, 0, NULL), "UDP", NULL, "::", 0, 0);
	/* A non-local address, which only IP_FREEBIND lets it bind. */
	do_bind(sock(AF_INET, SOCK_STREAM, 0, O_FREEBIND, NULL), "TCP", NULL,
		"192.0.2.1", 0, 0);
	/* The port is chosen at connect(): getsockname says 0. */
	do_bind(sock(AF_INET, SOCK_STREAM, 0, O_NO_PORT, NULL), "TCP", NULL,
		"127.0.0.1", 0, 0);
	do_bind(sock(AF_INET, SOCK_STREAM, 0, O_TRANSPARENT, NULL), "TCP", NULL,
		"127.0.0.1", 0, 0);
	do_bind(sock(AF_INET, SOCK_DGRAM, 0, 0, "lo"), "UDP", "lo", "127.0.0.1", 0, 0);
	do_bind(sock(AF_INET, SOCK_RAW, IPPROTO_ICMP, 0, NULL), "RAW", NULL, "127.0.0.1", 0, 0);
	/* Failures: the listener's port (EADDRINUSE); the listener again
	 * (already bound: EINVAL); a short address (EINVAL, before the
	 * cgroup hooks); a descriptor that is no socket (ENOTSOCK); a
	 * privileged port without the capability (EACCES). */
	do_bind(sock(AF_INET, SOCK_STREAM, 0, 0, NULL), "TCP", NULL, "127.0.0.1", port, 0);
	do_bind(taken, "TCP", NULL, "127.0.0.1", 0, 0);
	do_bind(sock(AF_INET6, SOCK_DGRAM, 0, 0, NULL), "UDP", NULL, "::1", 0, 8);
	fd = open("/dev/null", O_RDONLY);
	if (fd < 0)
		die("/dev/null");
	do_bind(fd, "?", NULL, "127.0.0.1", 0, 0);
	if (unprivileged_port_start() > 1) {
		fd = sock(AF_INET, SOCK_STREAM, 0, 0, NULL);
		if (seteuid(65534))
			die("seteuid");
		do_bind(fd, "TCP", NULL, "127.0.0.1", unprivileged_port_start() - 1, 0);
		if (seteuid(0))
			die("seteuid back");
	}
	printf("done\n");
	return 0;
}
