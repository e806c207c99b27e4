// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* Benchmark workload: syscall(SYS_getppid) N times in a tight loop; prints
 * the time per call in ns.
 *   sysloop N [CPU]
 * 10% of N untimed warm-up calls run first. CPU and output as for openloop. */
#define _GNU_SOURCE
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>
#include <sys/syscall.h>

static double now_ns(clockid_t clock)
{
	struct timespec ts;

	clock_gettime(clock, &ts);
	return ts.tv_sec * 1e9 + ts.tv_nsec;
}

static void loop(long n)
{
	for (long i = 0; i < n; i++)
		syscall(SYS_getppid);
}

int main(int argc, char **argv)
{
	long n, cpu = sysconf(_SC_NPROCESSORS_ONLN) - 1;
	cpu_set_t set;
	double t0, t1, c0, c1;

	if (argc < 2) {
		fprintf(stderr, "usage: sysloop N [CPU]\n");
		return 2;
	}
	n = atol(argv[1]);
	if (argc > 2)
		cpu = atol(argv[2]);
	if (n <= 0)
		return 2;
	if (cpu >= 0) {
		CPU_ZERO(&set);
		CPU_SET(cpu, &set);
		if (sched_setaffinity(0, sizeof(set), &set))
			perror("sysloop: sched_setaffinity");
	}
	loop(n / 10);
	t0 = now_ns(CLOCK_MONOTONIC);
	c0 = now_ns(CLOCK_THREAD_CPUTIME_ID);
	loop(n);
	c1 = now_ns(CLOCK_THREAD_CPUTIME_ID);
	t1 = now_ns(CLOCK_MONOTONIC);
	printf("%.1f %.1f\n", (t1 - t0) / n, (c1 - c0) / n);
	return 0;
}
