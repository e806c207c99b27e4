// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* Startup latency: run CMD RUNS times on a pseudo-terminal (as a user at a
 * shell would, so stdout is line-buffered), time from fork+exec to the first
 * output containing MARKER, then send SIGINT and time the exit.
 *   startlat RUNS MARKER CMD [ARG]...
 * Prints one line per run: "start_ms exit_ms maxrss_kb signal hung hwm_kb":
 * maxrss from wait4 (the process's whole life, its exit's work too); signal
 * that ended it (0: exited); hung 1 if it had not exited 2 s after SIGINT and
 * was killed (SIGKILL); hwm_kb its VmHWM when the marker showed (startup's
 * peak), 0 if it could not be read.
 * Exit 1 if any run never showed MARKER. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/resource.h>
#include <sys/wait.h>

/* VmHWM of @pid in kB, or 0. */
static long vm_hwm_kb(pid_t pid)
{
	char path[64], line[256];
	long kb = 0;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/status", (int)pid);
	f = fopen(path, "r");
	if (!f)
		return 0;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "VmHWM: %ld kB", &kb) == 1)
			break;
	fclose(f);
	return kb;
}

static double now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

/* Read from @fd into @buf until @marker shows up (1), EOF/error (0) or
 * @timeout_ms passes (-1). */
static int read_until(int fd, char *buf, size_t size, size_t *len, const char *marker,
		      double timeout_ms)
{
	double end = now_ms() + timeout_ms;

	for (;;) {
		struct pollfd p = { .fd = fd, .events = POLLIN };
		double left = end - now_ms();
		ssize_t n;

		if (marker && memmem(buf, *len, marker, strlen(marker)))
			return 1;
		if (left <= 0)
			return -1;
		if (poll(&p, 1, (int)left + 1) <= 0)
			continue;
		if (*len == size)	/* keep the tail: the marker may straddle */
			memmove(buf, buf + size / 2, size - size / 2), *len = size - size / 2;
		n = read(fd, buf + *len, size - *len);
		if (n <= 0)
			return 0;
		*len += n;
	}
}

int main(int argc, char **argv)
{
	int runs, r, fail = 0;

	if (argc < 4) {
		fprintf(stderr, "usage: startlat RUNS MARKER CMD [ARG]...\n");
		return 2;
	}
	runs = atoi(argv[1]);
	for (r = 0; r < runs; r++) {
		char buf[8192];
		size_t len = 0;
		struct rusage ru;
		double t0, t1, t2, t3;
		int master, status, found, hung;
		long hwm;
		pid_t pid;

		master = posix_openpt(O_RDWR | O_NOCTTY | O_CLOEXEC);
		if (master < 0 || grantpt(master) || unlockpt(master)) {
			perror("startlat: pty");
			return 1;
		}
		t0 = now_ms();
		pid = fork();
		if (pid == 0) {
			int slave;

			setsid();
			slave = open(ptsname(master), O_RDWR);
			if (slave < 0)
				_exit(127);
			dup2(slave, 0);
			dup2(slave, 1);
			dup2(slave, 2);
			if (slave > 2)
				close(slave);
			execvp(argv[3], argv + 3);
			_exit(127);
		}
		found = read_until(master, buf, sizeof(buf), &len, argv[2], 30000);
		t1 = now_ms();
		hwm = vm_hwm_kb(pid);
		kill(pid, SIGINT);
		t2 = now_ms();
		/* Drain until the child closes the terminal, so it never blocks. */
		hung = 0;
		while (read_until(master, buf, sizeof(buf), &len, NULL, 2000) < 0) {
			kill(pid, SIGKILL);
			hung = 1;
		}
		if (wait4(pid, &status, 0, &ru) < 0)
			return 1;
		t3 = now_ms();
		close(master);
		if (found != 1) {
			fprintf(stderr, "startlat: no '%s' from %s (run %d): %.*s\n", argv[2],
				argv[3], r, (int)(len < 400 ? len : 400), buf);
			fail = 1;
			continue;
		}
		printf("%.2f %.2f %ld %d %d %ld\n", t1 - t0, t3 - t2, ru.ru_maxrss,
		       WIFSIGNALED(status) ? WTERMSIG(status) : 0, hung, hwm);
	}
	return fail;
}
