// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* tk_runq: the workload for runqlat. Prints "pid PID", waits on a go FIFO,
 * then
 *   - two threads play ping-pong ROUNDS times over two pipes: each round
 *     wakes each of them once (2 x ROUNDS wakeups);
 *   - two threads spin for SPIN_MS, both pinned to CPU 0, so the scheduler
 *     preempts one for the other (runnable tasks left waiting).
 * Every time one of its threads gets a CPU is one run-queue latency: a
 * thread's switches away (voluntary and not, the kernel's own counts:
 * getrusage) are each followed by one switch back, and a new
 * thread starts with one. At the end it prints the truth runqlat is checked
 * against, and each thread's id:
 *   tid TID switches N			(one line per thread, main first)
 *   rounds ROUNDS
 *   switches S voluntary V nonvoluntary NV new 4
 *   ns_per_round N			(the ping-pong's wall time per round)
 * S counts the main thread's switch-ins from after the go FIFO to its last
 * read of its counters, and every other thread's whole life up to its
 * release in exit (the process's count, getrusage); each count is read while
 * running, so it holds no switch away whose switch back falls outside. A
 * thread's own line ends at its last read, before its exit.
 *
 *   tk_runq [-g GOFILE] ROUNDS SPIN_MS */
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>
#include "tk_go.h"

struct counts {
	long v, nv;
	pid_t tid;
};

static long rounds, spin_ms;
static int ping[2], pong[2];

/* The kernel's counts for the calling thread (getrusage, not
 * /proc/thread-self/status: a thread that looked itself up in /proc has its
 * entries dropped when it exits, after its counts went to the process's, and
 * that may switch it away once more, unseen). */
static void read_counts(struct counts *c)
{
	struct rusage ru;

	c->tid = syscall(SYS_gettid);
	if (getrusage(RUSAGE_THREAD, &ru)) {
		perror("tk_runq: getrusage");
		exit(1);
	}
	c->v = ru.ru_nvcsw;
	c->nv = ru.ru_nivcsw;
}

static void *pinger(void *arg)
{
	char b = 0;
	long i;

	for (i = 0; i < rounds; i++) {
		if (write(ping[1], &b, 1) != 1 || read(pong[0], &b, 1) != 1)
			exit(1);
	}
	read_counts(arg);
	return NULL;
}

static void *ponger(void *arg)
{
	char b;
	long i;

	for (i = 0; i < rounds; i++) {
		if (read(ping[0], &b, 1) != 1 || write(pong[1], &b, 1) != 1)
			exit(1);
	}
	read_counts(arg);
	return NULL;
}

/* The threads in th[] the kernel still has (a released one is gone). */
static int threads_left(const struct counts *th, int n)
{
	int i, left = 0;

	for (i = 0; i < n; i++)
		left += !syscall(SYS_tgkill, getpid(), th[i].tid, 0);
	return left;
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void *spinner(void *arg)
{
	double end = now() + spin_ms / 1000.0;
	volatile unsigned long x = 0;
	cpu_set_t set;

	CPU_ZERO(&set);
	CPU_SET(0, &set);
	sched_setaffinity(0, sizeof(set), &set);
	while (now() < end)
		x++;
	read_counts(arg);
	return NULL;
}

int main(int argc, char **argv)
{
	void *(*fn[4])(void *) = { pinger, ponger, spinner, spinner };
	struct counts start, end, th[4];
	const char *go = NULL;
	pthread_t t[4];
	double t0, t1 = 0;
	struct rusage ru;
	long s, v, nv;
	int i, opt;

	while ((opt = getopt(argc, argv, "g:")) != -1) {
		if (opt != 'g')
			return 2;
		go = optarg;
	}
	if (argc - optind != 2) {
		fprintf(stderr, "usage: tk_runq [-g GOFILE] ROUNDS SPIN_MS\n");
		return 2;
	}
	rounds = atol(argv[optind]);
	spin_ms = atol(argv[optind + 1]);
	if (pipe(ping) || pipe(pong)) {
		perror("tk_runq: pipe");
		return 1;
	}
	printf("pid %d\n", (int)getpid());
	fflush(stdout);
	tk_wait_go("tk_runq", go);
	read_counts(&start);
	memset(th, 0, sizeof(th));
	/* One pair after the other: the spinners would delay the ping-pong. */
	t0 = now();
	for (i = 0; i < 4; i += 2) {
		if (pthread_create(&t[i], NULL, fn[i], &th[i]) ||
		    pthread_create(&t[i + 1], NULL, fn[i + 1], &th[i + 1])) {
			fprintf(stderr, "tk_runq: pthread_create failed\n");
			return 1;
		}
		pthread_join(t[i], NULL);
		pthread_join(t[i + 1], NULL);
		if (!i)
			t1 = now();
	}
	/* The threads' own last reads leave out their exits (where a thread
	 * still running beside them may preempt them), so the total is the
	 * kernel's: once a thread is released its counts join the process's
	 * (getrusage's RUSAGE_SELF), all but those of its last moments. */
	while (threads_left(th, 4))
		usleep(1000);
	read_counts(&end);
	if (getrusage(RUSAGE_SELF, &ru)) {
		perror("tk_runq: getrusage");
		return 1;
	}
	v = ru.ru_nvcsw - start.v;
	nv = ru.ru_nivcsw - start.nv;
	s = v + nv + 4;	/* and each thread's first run, after sched_wakeup_new */
	printf("tid %d switches %ld\n", (int)end.tid, end.v - start.v + end.nv - start.nv);
	for (i = 0; i < 4; i++)
		printf("tid %d switches %ld\n", (int)th[i].tid, th[i].v + th[i].nv + 1);
	printf("ns_per_round %.0f\n", rounds ? (t1 - t0) * 1e9 / rounds : 0);
	printf("rounds %ld\nswitches %ld voluntary %ld nonvoluntary %ld new 4\n", rounds, s, v, nv);
	return 0;
}
