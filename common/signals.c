// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#include <string.h>
#include <sys/time.h>
#include "signals.h"

volatile sig_atomic_t tk_exiting;
volatile sig_atomic_t tk_out_of_time;

static void arm_grace(void)
{
	/* Repeating once it has run out: a write that made some progress before
	 * one interruption is retried by stdio, and must be interrupted again. */
	struct itimerval it = {
		.it_value = { 0, TK_GRACE_MS * 1000 },
		.it_interval = { 0, 100 * 1000 },
	};

	setitimer(ITIMER_REAL, &it, NULL);
}

static void on_signal(int sig)
{
	if (tk_exiting) {
		/* Second request: the user means it. */
		signal(sig, SIG_DFL);
		raise(sig);
	}
	tk_exiting = 1;
	arm_grace();
}

static void on_alarm(int sig)
{
	(void)sig;
	tk_out_of_time = 1;
}

void tk_grace_start(void)
{
	if (!tk_out_of_time)
		arm_grace();
}

void tk_signals_init(void)
{
	struct sigaction sa;

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
	/* Not restarted: when the grace period is over, a write still blocked
	 * on a full pipe whose reader stopped reading must give up. */
	sa.sa_handler = on_alarm;
	sa.sa_flags = 0;
	sigaction(SIGALRM, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
}
