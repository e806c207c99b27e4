// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/syscall.h>
#include "signals.h"

volatile sig_atomic_t tk_exiting;
volatile sig_atomic_t tk_out_of_time;
static volatile sig_atomic_t ending;
static pthread_t main_thread;
static pid_t main_tid;

static void on_signal(int sig)
{
	if (tk_exiting) {
		/* Second request: the user means it. */
		signal(sig, SIG_DFL);
		raise(sig);
	}
	tk_exiting = 1;
}

static void on_stalled(int sig)
{
	(void)sig;
	tk_out_of_time = 1;
}

/* Is the main thread in write(2) or writev(2) to stdout? Its
 * /proc/self/task/TID/syscall starts "NR ARG0 ...". */
static int blocked_on_stdout(int fd)
{
	char buf[64];
	long nr = -1;
	unsigned long arg0 = 0;
	ssize_t n;

	if (lseek(fd, 0, SEEK_SET) || (n = read(fd, buf, sizeof(buf) - 1)) <= 0)
		return 0;
	buf[n] = '\0';
	if (sscanf(buf, "%ld %lx", &nr, &arg0) != 2)
		return 0;
	return (nr == SYS_write || nr == SYS_writev) && arg0 == STDOUT_FILENO;
}

static void *watchdog(void *unused)
{
	struct timespec nap = { 0, 50 * 1000000L };
	char path[64];
	int fd, stuck_ms = 0;

	(void)unused;
	snprintf(path, sizeof(path), "/proc/self/task/%d/syscall", (int)main_tid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return NULL;
	for (;;) {
		nanosleep(&nap, NULL);
		if (!tk_exiting && !ending) {
			stuck_ms = 0;
			continue;
		}
		stuck_ms = blocked_on_stdout(fd) ? stuck_ms + 50 : 0;
		/* Again every pass while it lasts: a write that got some bytes
		 * out before one interruption is retried by stdio. */
		if (stuck_ms >= TK_STALL_MS)
			pthread_kill(main_thread, SIGUSR1);
	}
	return NULL;
}

void tk_signals_ending(void)
{
	ending = 1;
}

void tk_signals_init(void)
{
	struct sigaction sa;
	pthread_attr_t attr;
	pthread_t t;
	sigset_t all, old;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	/* SA_RESTART, so a write of output that a signal interrupts is resumed
	 * rather than failing with EINTR (stdio drops what it held then). The
	 * waits that must end on a signal, epoll_wait() and clock_nanosleep(),
	 * are never restarted (signal(7)). */
	sa.sa_flags = SA_RESTART;
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	/* Not restarted: the watchdog's way to end a write to a reader that
	 * stopped reading. */
	sa.sa_handler = on_stalled;
	sa.sa_flags = 0;
	sigaction(SIGUSR1, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);

	main_thread = pthread_self();
	main_tid = (pid_t)syscall(SYS_gettid);
	/* Signals are the main thread's: the watchdog never takes one. */
	sigfillset(&all);
	pthread_sigmask(SIG_BLOCK, &all, &old);
	pthread_attr_init(&attr);
	pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
	pthread_attr_setstacksize(&attr, 64 * 1024);
	pthread_create(&t, &attr, watchdog, NULL);
	pthread_attr_destroy(&attr);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
}
