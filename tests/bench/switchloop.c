// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* Benchmark workload for offcputime: two processes on one CPU pass a byte
 * back and forth through two pipes N times, so every pass is a context
 * switch (the reader blocks, the writer wakes it and blocks in turn);
 * prints the wall time per switch in ns.
 *   switchloop N [CPU]
 * 10% of N untimed warm-up passes run first. CPU: default the last one. */
#define _GNU_SOURCE
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>
#include <sys/wait.h>

static double now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e9 + ts.tv_nsec;
}

static void pingpong(int in, int out, long n, int first)
{
	char c = 'x';

	for (long i = 0; i < n; i++) {
		if (first && write(out, &c, 1) != 1)
			exit(1);
		if (read(in, &c, 1) != 1)
			exit(1);
		if (!first && write(out, &c, 1) != 1)
			exit(1);
	}
}

int main(int argc, char **argv)
{
	long n, cpu = sysconf(_SC_NPROCESSORS_ONLN) - 1;
	int a[2], b[2];
	cpu_set_t set;
	double t0, t1;
	pid_t child;

	if (argc < 2 || (n = atol(argv[1])) <= 0) {
		fprintf(stderr, "usage: switchloop N [CPU]\n");
		return 2;
	}
	if (argc > 2)
		cpu = atol(argv[2]);
	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	if (sched_setaffinity(0, sizeof(set), &set))
		perror("switchloop: sched_setaffinity");
	if (pipe(a) || pipe(b)) {
		perror("switchloop: pipe");
		return 1;
	}
	child = fork();
	if (child == 0) {
		pingpong(a[0], b[1], n + n / 10, 0);
		_exit(0);
	}
	pingpong(b[0], a[1], n / 10, 1);
	t0 = now_ns();
	pingpong(b[0], a[1], n, 1);
	t1 = now_ns();
	waitpid(child, NULL, 0);
	/* Two switches per round trip. */
	printf("%.0f\n", (t1 - t0) / (2.0 * n));
	return 0;
}
