// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* tk_sleep: the off-CPU workload for offcputime. Prints "pid PID", waits on
 * a go FIFO, then blocks ROUNDS times for MS milliseconds in two ways:
 *   - in sleep_here(), called from main through sleep_loop(): nanosleep,
 *     made by sleep_here itself (inline system call, so that with frame
 *     pointers sleep_here is the innermost user frame), an interruptible
 *     sleep (task state 1);
 *   - in vfork_loop(): vfork, whose child sleeps MS ms and exits; the parent
 *     waits uninterruptibly (killable: state 0x102) for it.
 * Each block is timed with CLOCK_MONOTONIC around the call (the clock BPF's
 * bpf_ktime_get_ns reads), and its on-CPU part with CLOCK_THREAD_CPUTIME_ID;
 * the sums are the truth offcputime is checked against:
 *   sleep ROUNDS wall_ns NS cpu_ns NS max_ns NS
 *   vfork ROUNDS wall_ns NS cpu_ns NS max_ns NS
 * With -k it then stays (asleep) until killed, so its maps can still be
 * read when offcputime ends.
 *
 *   tk_sleep [-g GOFILE] [-k] ROUNDS MS */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include "tk_go.h"

struct tally {
	unsigned long long wall, cpu, max;
};

static unsigned long long ns(clockid_t clock)
{
	struct timespec ts;

	clock_gettime(clock, &ts);
	return ts.tv_sec * 1000000000ull + ts.tv_nsec;
}

/* nanosleep(2) without libc's wrapper (which has no frame pointer: with it
 * the unwinder would go from the wrapper straight to sleep_loop). */
static inline __attribute__((always_inline)) long sys_nanosleep(const struct timespec *ts)
{
	long ret;
#if defined(__x86_64__)
	__asm__ volatile("syscall" : "=a"(ret) : "0"((long)SYS_nanosleep), "D"(ts), "S"(0L)
			 : "rcx", "r11", "memory");
#elif defined(__aarch64__)
	register long x8 __asm__("x8") = SYS_nanosleep;
	register long x0 __asm__("x0") = (long)ts;
	register long x1 __asm__("x1") = 0;

	__asm__ volatile("svc 0" : "+r"(x0) : "r"(x8), "r"(x1) : "memory");
	ret = x0;
#else
	ret = syscall(SYS_nanosleep, ts, NULL);
#endif
	return ret;
}

__attribute__((noinline)) void sleep_here(long ms, struct tally *t)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000 };
	unsigned long long w = ns(CLOCK_MONOTONIC), c = ns(CLOCK_THREAD_CPUTIME_ID);

	if (sys_nanosleep(&ts)) {
		fprintf(stderr, "tk_sleep: nanosleep failed\n");
		exit(1);
	}
	c = ns(CLOCK_THREAD_CPUTIME_ID) - c;
	w = ns(CLOCK_MONOTONIC) - w;
	t->wall += w;
	t->cpu += c;
	if (w > t->max)
		t->max = w;
}

__attribute__((noinline)) void sleep_loop(long rounds, long ms, struct tally *t)
{
	long i;

	for (i = 0; i < rounds; i++)
		sleep_here(ms, t);
}

__attribute__((noinline)) void vfork_loop(long rounds, long ms, struct tally *t)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000 };
	unsigned long long w, c;
	long i;
	pid_t pid;

	for (i = 0; i < rounds; i++) {
		w = ns(CLOCK_MONOTONIC);
		c = ns(CLOCK_THREAD_CPUTIME_ID);
		pid = vfork();
		if (pid == 0) {
			sys_nanosleep(&ts);
			_exit(0);
		}
		c = ns(CLOCK_THREAD_CPUTIME_ID) - c;
		w = ns(CLOCK_MONOTONIC) - w;
		if (pid < 0) {
			perror("tk_sleep: vfork");
			exit(1);
		}
		t->wall += w;
		t->cpu += c;
		if (w > t->max)
			t->max = w;
		waitpid(pid, NULL, 0);
	}
}

int main(int argc, char **argv)
{
	struct tally slept = {}, vforked = {};
	const char *go = NULL;
	long rounds, ms;
	int keep = 0, c;

	while ((c = getopt(argc, argv, "g:k")) != -1) {
		switch (c) {
		case 'g': go = optarg; break;
		case 'k': keep = 1; break;
		default: return 2;
		}
	}
	if (argc - optind != 2 || (rounds = atol(argv[optind])) <= 0 || rounds > 100000 ||
	    (ms = atol(argv[optind + 1])) <= 0 || ms > 60000) {
		fprintf(stderr, "usage: tk_sleep [-g GOFILE] [-k] ROUNDS MS\n");
		return 2;
	}
	printf("pid %d\n", getpid());
	fflush(stdout);
	tk_wait_go("tk_sleep", go);
	sleep_loop(rounds, ms, &slept);
	vfork_loop(rounds, ms, &vforked);
	printf("sleep %ld wall_ns %llu cpu_ns %llu max_ns %llu\n", rounds, slept.wall, slept.cpu,
	       slept.max);
	printf("vfork %ld wall_ns %llu cpu_ns %llu max_ns %llu\n", rounds, vforked.wall,
	       vforked.cpu, vforked.max);
	fflush(stdout);
	while (keep)
		pause();
	return 0;
}
