// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* tk_proc: process workloads (exec, exit, signals) that print what they did,
 * for execsnoop, exitsnoop and killsnoop. Prints "pid PID" first, waits on
 * the go FIFO (-g), then does ACTION N times (-n) and prints one line each.
 *
 *   tk_proc [-g GOFILE] [-n N] [-T] ACTION ARGS
 *     exec PATH ARG0 [ARG]...  fork; the child execs PATH with argv ARG0
 *                              ARG... (-T: from a second thread of the
 *                              child). "exec PID ok TID" or "exec PID fail
 *                              ERRNO TID" (TID: the thread that called exec)
 *
 * Started with TK_PROC_EXIT=CODE in the environment (as the children of
 * `exec` are), it exits with CODE at once: the program an exec storm runs. */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include "tk_go.h"

static char **args;
static int errpipe[2];
static char *child_env[] = { "TK_PROC_EXIT=0", NULL };

static void *do_exec(void *unused)
{
	int e;
	long tid = syscall(SYS_gettid);

	(void)unused;
	/* The thread id first: the parent cannot learn it otherwise. */
	if (write(errpipe[1], &tid, sizeof(tid)) < 0)
		_exit(126);
	execve(args[0], args + 1, child_env);
	e = errno;
	if (write(errpipe[1], &e, sizeof(e)) < 0)
		_exit(126);
	_exit(127);
}

static int one_exec(int threaded)
{
	pid_t pid;
	pthread_t t;
	long tid = 0;
	int e = 0, status;
	ssize_t n;

	if (pipe2(errpipe, O_CLOEXEC))
		return -1;
	pid = fork();
	if (pid < 0)
		return -1;
	if (pid == 0) {
		if (threaded) {
			pthread_create(&t, NULL, do_exec, NULL);
			pthread_join(t, NULL);
		}
		do_exec(NULL);
	}
	close(errpipe[1]);
	if (read(errpipe[0], &tid, sizeof(tid)) != sizeof(tid))
		tid = 0;
	n = read(errpipe[0], &e, sizeof(e));
	close(errpipe[0]);
	waitpid(pid, &status, 0);
	if (n == sizeof(e))
		printf("exec %d fail %d %ld\n", pid, e, tid);
	else
		printf("exec %d ok %ld\n", pid, tid);
	return 0;
}

int main(int argc, char **argv)
{
	const char *go = NULL, *action, *code = getenv("TK_PROC_EXIT");
	long i, times = 1;
	int c, threaded = 0;

	if (code)
		return atoi(code);
	while ((c = getopt(argc, argv, "+g:n:T")) != -1) {
		switch (c) {
		case 'g': go = optarg; break;
		case 'n': times = atol(optarg); break;
		case 'T': threaded = 1; break;
		default: return 2;
		}
	}
	if (optind >= argc)
		return 2;
	action = argv[optind];
	args = argv + optind + 1;
	printf("pid %d\n", getpid());
	fflush(stdout);
	tk_wait_go("tk_proc", go);
	for (i = 0; i < times; i++) {
		if (!strcmp(action, "exec") && args[0] && args[1]) {
			if (one_exec(threaded))
				return 1;
		} else {
			fprintf(stderr, "tk_proc: unknown action %s\n", action);
			return 2;
		}
	}
	fflush(stdout);
	return 0;
}
