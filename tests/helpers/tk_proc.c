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
 *     exit CODE [MS]           fork; the child lives MS ms (default 0) and
 *                              exits with CODE. "exit PID status CODE"
 *     signal SIG [CORE]        fork; the child waits, is sent SIG (with CORE
 *                              1: core dumps allowed, in the cwd). "signal
 *                              PID SIG core 0|1" (waitpid's WCOREDUMP)
 *     threads K                fork; the child starts K threads that exit,
 *                              then exits 0. "thread PID TID" each, then
 *                              "threads PID done"
 *     send CALL SIG            fork; the child waits; SIG is sent to it
 *                              with CALL (kill, tkill, tgkill or pidfd:
 *                              pidfd_open + pidfd_send_signal), and sent
 *                              again once the child is reaped (ESRCH).
 *                              "send CALL PID SIG ret R errno E" each time
 *     self PATH ARG0 [ARG]...  exec PATH itself, without a fork (its pid is
 *                              known before the go)
 *     kill0                    kill(getpid(), 0): a cheap signal call, for
 *                              benchmarks; "kill0 N done" at the end
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
#include <sys/resource.h>
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

static void *thread_exit(void *unused)
{
	(void)unused;
	printf("thread %d %ld\n", getpid(), (long)syscall(SYS_gettid));
	fflush(stdout);
	return NULL;
}

static int one_child(const char *action)
{
	int status, k;
	pid_t pid;

	/* Core dumps allowed before the fork, not by the child: the signal
	 * may come before a child on a busy machine has run at all (a qemu
	 * guest once lost its core dump so). */
	if (!strcmp(action, "signal") && args[1] && atoi(args[1])) {
		struct rlimit rl = { RLIM_INFINITY, RLIM_INFINITY };

		setrlimit(RLIMIT_CORE, &rl);
	}
	pid = fork();
	if (pid < 0)
		return -1;
	if (pid == 0) {
		if (!strcmp(action, "exit")) {
			if (args[1])
				usleep(atoi(args[1]) * 1000);
			_exit(atoi(args[0]));
		}
		if (!strcmp(action, "threads")) {
			for (k = 0; k < atoi(args[0]); k++) {
				pthread_t t;

				pthread_create(&t, NULL, thread_exit, NULL);
				pthread_join(t, NULL);
			}
			_exit(0);
		}
		for (;;)
			pause();
	}
	if (!strcmp(action, "signal")) {
		usleep(20000);
		kill(pid, atoi(args[0]));
	}
	waitpid(pid, &status, 0);
	if (!strcmp(action, "exit"))
		printf("exit %d status %d\n", pid, WIFEXITED(status) ? WEXITSTATUS(status) : -1);
	else if (!strcmp(action, "threads"))
		printf("threads %d done\n", pid);
	else
		printf("signal %d %d core %d\n", pid, WIFSIGNALED(status) ? WTERMSIG(status) : -1,
		       WIFSIGNALED(status) && WCOREDUMP(status) ? 1 : 0);
	fflush(stdout);
	return 0;
}

static long send_sig(const char *call, pid_t pid, int sig, int pidfd)
{
	if (!strcmp(call, "kill"))
		return syscall(SYS_kill, pid, sig);
	if (!strcmp(call, "tkill"))
		return syscall(SYS_tkill, pid, sig);
	if (!strcmp(call, "tgkill"))
		return syscall(SYS_tgkill, pid, pid, sig);
	return syscall(SYS_pidfd_send_signal, pidfd, sig, NULL, 0);
}

static int one_send(const char *call, int sig)
{
	int status, pidfd = -1, i;
	long r;
	pid_t pid = fork();

	if (pid < 0)
		return -1;
	if (pid == 0)
		for (;;)
			pause();
	if (!strcmp(call, "pidfd"))
		pidfd = syscall(SYS_pidfd_open, pid, 0);
	usleep(20000);
	for (i = 0; i < 2; i++) {
		errno = 0;
		r = send_sig(call, pid, sig, pidfd);
		printf("send %s %d %d ret %ld errno %d\n", call, pid, sig, r, r < 0 ? errno : 0);
		fflush(stdout);
		if (i == 0) {
			if (sig == 0 || r < 0)
				kill(pid, SIGKILL);	/* it lives on otherwise */
			waitpid(pid, &status, 0);
		}
	}
	if (pidfd >= 0)
		close(pidfd);
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
		if (!strcmp(action, "self") && args[0] && args[1]) {
			fflush(stdout);
			execve(args[0], args + 1, child_env);
			printf("self fail %d\n", errno);
			return 1;
		} else if (!strcmp(action, "exec") && args[0] && args[1]) {
			if (one_exec(threaded))
				return 1;
		} else if (!strcmp(action, "kill0")) {
			if (syscall(SYS_kill, getpid(), 0))
				return 1;
			if (i == times - 1)
				printf("kill0 %ld done\n", times);
		} else if (!strcmp(action, "send") && args[0] && args[1]) {
			if (one_send(args[0], atoi(args[1])))
				return 1;
		} else if ((!strcmp(action, "exit") || !strcmp(action, "signal") ||
			    !strcmp(action, "threads")) && args[0]) {
			if (one_child(action))
				return 1;
		} else {
			fprintf(stderr, "tk_proc: unknown action %s\n", action);
			return 2;
		}
	}
	fflush(stdout);
	return 0;
}
