// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* tk_spin: the CPU workload for profile. Prints "pid PID", waits on a go
 * FIFO, then for SECS seconds either spins in spin_here() (called from
 * main through spin_loop(), built with frame pointers so the whole chain is
 * on its stacks), or writes one byte to /dev/null per call (`write`: a
 * syscall-heavy loop whose kernel stacks show the write path). At the end it
 * prints its own CPU time as the kernel counts it, the truth a profile is
 * checked against:
 *   cpu_ticks UTIME+STIME clk_tck HZ	(from /proc/self/stat)
 *   utime_ticks UTIME stime_ticks STIME	(the same, user and kernel apart)
 *   cpu_ns NS				(CLOCK_PROCESS_CPUTIME_ID)
 *
 * With -k it then stays (asleep) until killed, so its maps can still be read
 * when a profile ends.
 *
 *   tk_spin [-g GOFILE] [-k] spin|write SECS */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include "tk_go.h"

static volatile unsigned long sink;

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* Long enough per call that the clock reads between calls are a sliver of
 * the samples: spin_here is on top of nearly all of them. */
__attribute__((noinline)) void spin_here(void)
{
	unsigned long i, x = sink;

	for (i = 0; i < 2000000; i++)
		x = x * 2862933555777941757ul + 3037000493ul;
	sink = x;
}

__attribute__((noinline)) void spin_loop(double secs)
{
	double end = now() + secs;

	while (now() < end)
		spin_here();
}

__attribute__((noinline)) void write_loop(double secs)
{
	double end = now() + secs;
	int fd = open("/dev/null", O_WRONLY), i;

	if (fd < 0) {
		perror("tk_spin: /dev/null");
		exit(1);
	}
	while (now() < end)
		for (i = 0; i < 1000; i++)
			if (write(fd, "y", 1) != 1)
				exit(1);
	close(fd);
}

static void print_cpu(void)
{
	unsigned long long utime = 0, stime = 0;
	struct timespec ts;
	char buf[1024], *p;
	ssize_t n;
	int fd = open("/proc/self/stat", O_RDONLY);

	n = fd >= 0 ? read(fd, buf, sizeof(buf) - 1) : -1;
	if (fd >= 0)
		close(fd);
	buf[n > 0 ? n : 0] = 0;
	/* Fields 14 and 15, counted after the comm's closing parenthesis. */
	p = strrchr(buf, ')');
	if (p)
		sscanf(p + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %llu %llu",
		       &utime, &stime);
	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
	printf("cpu_ticks %llu clk_tck %ld\n", utime + stime, sysconf(_SC_CLK_TCK));
	printf("utime_ticks %llu stime_ticks %llu\n", utime, stime);
	printf("cpu_ns %llu\n", (unsigned long long)ts.tv_sec * 1000000000ull + ts.tv_nsec);
}

int main(int argc, char **argv)
{
	const char *go = NULL;
	int keep = 0;
	double secs;
	char *end;
	int c;

	while ((c = getopt(argc, argv, "g:k")) != -1) {
		switch (c) {
		case 'g': go = optarg; break;
		case 'k': keep = 1; break;
		default: return 2;
		}
	}
	if (argc - optind != 2 ||
	    (strcmp(argv[optind], "spin") && strcmp(argv[optind], "write"))) {
		fprintf(stderr, "usage: tk_spin [-g GOFILE] [-k] spin|write SECS\n");
		return 2;
	}
	secs = strtod(argv[optind + 1], &end);
	if (*end || secs <= 0 || secs > 3600) {
		fprintf(stderr, "tk_spin: bad SECS '%s'\n", argv[optind + 1]);
		return 2;
	}
	printf("pid %d\n", getpid());
	fflush(stdout);
	tk_wait_go("tk_spin", go);
	if (!strcmp(argv[optind], "spin"))
		spin_loop(secs);
	else
		write_loop(secs);
	print_cpu();
	fflush(stdout);
	while (keep)
		pause();
	return 0;
}
