// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* Benchmark workload: N TCP connects on loopback in a tight loop; prints the
 * wall time per connect in ns.
 *   connloop N [ADDR] [WARMUP] [CPU]
 * Each iteration: socket(), a blocking connect() to a listener of our own
 * on ADDR (default 127.0.0.1; ::1 for IPv6), accept(), and an abortive
 * close (SO_LINGER 0) of both ends, so no TIME_WAIT piles up and the
 * ephemeral ports never run out. WARMUP iterations (default 2000) are not
 * timed. CPU >= 0 pins the process (default: the last CPU; -1: no pinning). */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/socket.h>

static struct sockaddr_storage addr;
static socklen_t addr_len;

static double now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e9 + ts.tv_nsec;
}

static void pin(long cpu)
{
	cpu_set_t set;

	if (cpu < 0)
		return;
	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	if (sched_setaffinity(0, sizeof(set), &set))
		perror("connloop: sched_setaffinity");
}

static void abort_close(int fd)
{
	struct linger lg = { .l_onoff = 1, .l_linger = 0 };

	setsockopt(fd, SOL_SOCKET, SO_LINGER, &lg, sizeof(lg));
	close(fd);
}

static void loop(int lfd, long n)
{
	for (long i = 0; i < n; i++) {
		int fd = socket(addr.ss_family, SOCK_STREAM, 0), afd;

		if (fd < 0 || connect(fd, (struct sockaddr *)&addr, addr_len)) {
			perror("connloop: connect");
			exit(1);
		}
		afd = accept(lfd, NULL, NULL);
		if (afd < 0) {
			perror("connloop: accept");
			exit(1);
		}
		abort_close(fd);
		abort_close(afd);
	}
}

int main(int argc, char **argv)
{
	long n, warmup = 2000, cpu = sysconf(_SC_NPROCESSORS_ONLN) - 1;
	const char *host = argc > 2 ? argv[2] : "127.0.0.1";
	struct sockaddr_in *in = (struct sockaddr_in *)&addr;
	struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)&addr;
	double t0, t1;
	int lfd;

	if (argc < 2) {
		fprintf(stderr, "usage: connloop N [ADDR] [WARMUP] [CPU]\n");
		return 2;
	}
	n = atol(argv[1]);
	if (argc > 3)
		warmup = atol(argv[3]);
	if (argc > 4)
		cpu = atol(argv[4]);
	if (n <= 0 || warmup < 0)
		return 2;
	if (inet_pton(AF_INET, host, &in->sin_addr) == 1) {
		in->sin_family = AF_INET;
		addr_len = sizeof(*in);
	} else if (inet_pton(AF_INET6, host, &in6->sin6_addr) == 1) {
		in6->sin6_family = AF_INET6;
		addr_len = sizeof(*in6);
	} else {
		fprintf(stderr, "connloop: not a numeric address: %s\n", host);
		return 2;
	}
	lfd = socket(addr.ss_family, SOCK_STREAM, 0);
	if (lfd < 0 || bind(lfd, (struct sockaddr *)&addr, addr_len) || listen(lfd, 128) ||
	    getsockname(lfd, (struct sockaddr *)&addr, &addr_len)) {
		perror("connloop: listen");
		return 1;
	}
	pin(cpu);
	loop(lfd, warmup);
	t0 = now_ns();
	loop(lfd, n);
	t1 = now_ns();
	printf("%.1f\n", (t1 - t0) / n);
	return 0;
}
