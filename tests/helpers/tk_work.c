// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* tk_work: the test workload. Prints "pid PID tid TID" on its first line,
 * optionally moves into a cgroup and changes uid, waits on a go FIFO, then
 * does one action N times and prints what each call returned.
 *
 *   tk_work [-g GOFILE] [-u UID] [-C CGROUPDIR] [-T] [-n N] ACTION ARGS
 *     open PATH [FLAGS_OCTAL]      open(2)
 *     openat PATH [FLAGS_OCTAL]    openat(AT_FDCWD, ...)
 *     openat2 PATH [FLAGS_OCTAL]   openat2(AT_FDCWD, ...)
 *     openatdir DIR NAME           openat(dirfd of DIR, NAME)
 *     getppid                      syscall(SYS_getppid)
 *     chdirfail                    chdir("/nonexistent/...") -> ENOENT
 *     sleep MS                     nanosleep(2) for MS milliseconds
 *     exec PROG ARGS...            exec PROG (after -u/-C), e.g. a tool as non-root
 *   -T runs the actions in a second thread; "tid2 N" names the thread that
 *   acts, which is the one that waits for GOFILE.
 *   -c DIR: chdir to DIR first (for relative paths).
 *   -G K:FIFO: after the first K of the N actions, print "paused" and wait
 *   for FIFO (tk_go.h). */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <linux/openat2.h>
#include <sys/syscall.h>
#include "tk_go.h"

static const char *action;
static const char *go;
static char **args;
static long times = 1;
static struct tk_pause pause_at;

static void report(const char *what, long ret)
{
	if (ret < 0)
		printf("%s ret -1 errno %d\n", what, errno);
	else
		printf("%s ret %ld\n", what, ret);
}

static void *work(void *unused)
{
	long i, r;
	int flags = args[1] ? (int)strtol(args[1], NULL, 8) : O_RDONLY;

	(void)unused;
	printf("tid2 %ld\n", (long)syscall(SYS_gettid));
	fflush(stdout);
	tk_wait_go("tk_work", go);
	for (i = 0; i < times; i++) {
		tk_pause_at("tk_work", &pause_at, i);
		if (!strcmp(action, "open")) {
#ifdef SYS_open
			r = syscall(SYS_open, args[0], flags, 0644);
#else
			/* arm64: no open(2) (asm-generic table) */
			errno = ENOSYS;
			r = -1;
#endif
		} else if (!strcmp(action, "openat")) {
			r = syscall(SYS_openat, AT_FDCWD, args[0], flags, 0644);
		} else if (!strcmp(action, "openat2")) {
			struct open_how how = { .flags = flags, .mode = flags & O_CREAT ? 0644 : 0 };

			r = syscall(SYS_openat2, AT_FDCWD, args[0], &how, sizeof(how));
		} else if (!strcmp(action, "openatdir")) {
			int dfd = open(args[0], O_RDONLY | O_DIRECTORY);

			r = openat(dfd, args[1], O_RDONLY);
			close(dfd);
		} else if (!strcmp(action, "getppid")) {
			r = syscall(SYS_getppid);
		} else if (!strcmp(action, "chdirfail")) {
			r = syscall(SYS_chdir, "/nonexistent/tk-work");
		} else if (!strcmp(action, "sleep")) {
			struct timespec ts = { .tv_sec = atoi(args[0]) / 1000,
					       .tv_nsec = (atoi(args[0]) % 1000) * 1000000L };

			r = syscall(SYS_nanosleep, &ts, NULL);
		} else {
			fprintf(stderr, "tk_work: unknown action %s\n", action);
			exit(2);
		}
		report(action, r);
		if (r > 2 && strncmp(action, "open", 4) == 0)
			close(r);
	}
	return NULL;
}

int main(int argc, char **argv)
{
	const char *cgroup = NULL, *dir = NULL;
	int c, thread = 0, uid = -1;
	pthread_t t;

	while ((c = getopt(argc, argv, "+g:u:C:Tn:c:G:")) != -1) {
		switch (c) {
		case 'g': go = optarg; break;
		case 'u': uid = atoi(optarg); break;
		case 'C': cgroup = optarg; break;
		case 'T': thread = 1; break;
		case 'n': times = atol(optarg); break;
		case 'c': dir = optarg; break;
		case 'G': tk_pause_parse("tk_work", optarg, &pause_at); break;
		default: return 2;
		}
	}
	if (optind >= argc)
		return 2;
	action = argv[optind];
	args = argv + optind + 1;
	if (cgroup) {
		char path[4096];
		FILE *f;

		snprintf(path, sizeof(path), "%s/cgroup.procs", cgroup);
		f = fopen(path, "w");
		if (!f || fprintf(f, "%d\n", getpid()) < 0 || fclose(f)) {
			perror("tk_work: joining cgroup");
			return 1;
		}
	}
	if (dir && chdir(dir)) {
		perror("tk_work: chdir");
		return 1;
	}
	if (uid >= 0 && (setgid(uid) || setuid(uid))) {
		perror("tk_work: setuid");
		return 1;
	}
	printf("pid %d tid %ld\n", getpid(), (long)syscall(SYS_gettid));
	fflush(stdout);
	if (!strcmp(action, "exec")) {
		execv(args[0], args);
		perror("tk_work: exec");
		return 127;
	}
	if (thread) {
		pthread_create(&t, NULL, work, NULL);
		pthread_join(t, NULL);
	} else {
		work(NULL);
	}
	return 0;
}
