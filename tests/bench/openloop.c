// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* Benchmark workload: openat()+close() of an existing file N times in a
 * tight loop; prints the time per iteration in ns.
 *   openloop N PATH [WARMUP] [CPU]
 * WARMUP iterations (default 10000) run first and are not timed; they do
 * appear to a tracer, so a burst count is WARMUP + N. CPU >= 0 pins the
 * process to that CPU (default: the last one; -1: no pinning).
 * Output: "WALL CPU", ns per iteration of wall-clock time and of this
 * thread's CPU time (which leaves out time other tasks had the CPU). */
#define _GNU_SOURCE
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

static double now_ns(clockid_t clock)
{
	struct timespec ts;

	clock_gettime(clock, &ts);
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
		perror("openloop: sched_setaffinity");
}

static void loop(const char *path, long n)
{
	for (long i = 0; i < n; i++) {
		int fd = openat(AT_FDCWD, path, O_RDONLY);

		if (fd < 0) {
			perror(path);
			exit(1);
		}
		close(fd);
	}
}

int main(int argc, char **argv)
{
	long n, warmup = 10000, cpu = sysconf(_SC_NPROCESSORS_ONLN) - 1;
	double t0, t1, c0, c1;

	if (argc < 3) {
		fprintf(stderr, "usage: openloop N PATH [WARMUP] [CPU]\n");
		return 2;
	}
	n = atol(argv[1]);
	if (argc > 3)
		warmup = atol(argv[3]);
	if (argc > 4)
		cpu = atol(argv[4]);
	if (n <= 0 || warmup < 0)
		return 2;
	pin(cpu);
	loop(argv[2], warmup);
	t0 = now_ns(CLOCK_MONOTONIC);
	c0 = now_ns(CLOCK_THREAD_CPUTIME_ID);
	loop(argv[2], n);
	c1 = now_ns(CLOCK_THREAD_CPUTIME_ID);
	t1 = now_ns(CLOCK_MONOTONIC);
	printf("%.1f %.1f\n", (t1 - t0) / n, (c1 - c0) / n);
	return 0;
}
