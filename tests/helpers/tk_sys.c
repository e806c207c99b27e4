// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* tk_sys: a workload whose syscalls two tracers can count on the same run,
 * for tests that compare tracekit with strace.
 *
 *   tk_sys -g GOFILE [-n GETPPIDS] [-s SIGNALS] [-t THREADS] [-f FORKS]
 *          [-c CLONES] [-v VFORKS] [-u UNKNOWN] [-o PATH]... [-S]
 *
 * Maps GOFILE (a file holding '0'), prints "pid PID", then waits, spinning
 * in user space, until the file's first byte is no longer '0' (write it
 * without truncating: printf 1 1<>GOFILE). No syscall is in progress while
 * it waits, so a tracer attaching meanwhile (strace -p, syscount -p) sees
 * every syscall of the run from its start: none half-done. Then, in order:
 *   -n  getppid(2) N times
 *   -s  N signals to itself with tgkill(2), each handled: N rt_sigreturn(2)
 *   -t  N threads (pthread_create: clone3(2)), each calling getppid once
 *   -f  N children with fork(2), -c N with clone(2), -v N with vfork(2);
 *       each child only exits, the parent reaps it with wait4(2)
 *   -u  N calls of syscall number 5000, which no kernel has (ENOSYS)
 *   -o  opens PATH with open(2), openat(2) and openat2(2), in the main
 *       thread and then once more in a second thread, closing what opened
 * and prints "done". -S: before all that (before "pid"), a seccomp filter
 * makes every getppid(2) of the process fail with EPERM: seccomp refuses a
 * call before the sys_enter tracepoint, so only sys_exit sees it.
 * Static, libc only. */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>
#include <stddef.h>
#include <sys/prctl.h>
#include <linux/filter.h>
#include <linux/openat2.h>
#include <linux/seccomp.h>

#define MAX_PATHS 16

/* arm64 (the asm-generic table) has no open(2), fork(2) or vfork(2): there
 * the C library opens with openat(2) and forks with clone(2), and -o and -f
 * make only the calls that exist. */
enum { CHILD_FORK, CHILD_CLONE, CHILD_VFORK };

static const char *paths[MAX_PATHS];
static int npaths;
static volatile sig_atomic_t handled;

static void on_signal(int sig)
{
	(void)sig;
	handled++;
}

static void *thread_getppid(void *unused)
{
	(void)unused;
	syscall(SYS_getppid);
	return NULL;
}

static void close_if(long fd)
{
	if (fd >= 0)
		close(fd);
}

static void *open_paths(void *unused)
{
	struct open_how how = { .flags = O_RDONLY };
	int i;

	(void)unused;
	for (i = 0; i < npaths; i++) {
#ifdef SYS_open
		close_if(syscall(SYS_open, paths[i], O_RDONLY));
#endif
		close_if(syscall(SYS_openat, AT_FDCWD, paths[i], O_RDONLY));
		close_if(syscall(SYS_openat2, AT_FDCWD, paths[i], &how, sizeof(how)));
	}
	return NULL;
}

static int refuse_getppid(void)
{
	struct sock_filter f[] = {
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr)),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, SYS_getppid, 0, 1),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | EPERM),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
	};
	struct sock_fprog prog = { .len = sizeof(f) / sizeof(f[0]), .filter = f };

	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) ||
	    prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &prog)) {
		perror("tk_sys: seccomp");
		return -1;
	}
	return 0;
}

static void cpu_relax(void)
{
#if defined(__x86_64__) || defined(__i386__)
	__builtin_ia32_pause();
#elif defined(__aarch64__)
	__asm__ volatile("yield");
#endif
}

/* Spin on the mapped file: a bounded wait (some tens of seconds) that makes
 * no syscall at all. */
static int wait_go(volatile const char *go)
{
	unsigned long long i;

	for (i = 0; i < 4000000000ULL; i++) {
		if (*go != '0')
			return 0;
		cpu_relax();
	}
	return -1;
}

static __attribute__((noinline)) long one_vfork(void)
{
	long pid = vfork();

	if (pid == 0)
		_exit(0);
	return pid;
}

static void children(long n, long how)
{
	long i, pid;

	for (i = 0; i < n; i++) {
		if (how == CHILD_VFORK)
			pid = one_vfork();
		else if (how == CHILD_CLONE)
			pid = syscall(SYS_clone, SIGCHLD, 0, 0, 0, 0);
		else
#ifdef SYS_fork
			pid = syscall(SYS_fork);
#else
			pid = fork();
#endif
		if (pid == 0)
			_exit(0);
		if (pid > 0)
			wait4(pid, NULL, 0, NULL);
	}
}

int main(int argc, char **argv)
{
	long getppids = 0, signals = 0, threads = 0, forks = 0, clones = 0;
	long vforks = 0, unknown = 0, i;
	const char *gofile = NULL;
	struct sigaction sa = { .sa_handler = on_signal };
	pthread_t t;
	char *go;
	int c, fd, pid, tid, seccomp = 0;

	while ((c = getopt(argc, argv, "g:n:s:t:f:c:v:u:o:S")) != -1) {
		switch (c) {
		case 'g': gofile = optarg; break;
		case 'n': getppids = atol(optarg); break;
		case 's': signals = atol(optarg); break;
		case 't': threads = atol(optarg); break;
		case 'f': forks = atol(optarg); break;
		case 'c': clones = atol(optarg); break;
		case 'v': vforks = atol(optarg); break;
		case 'u': unknown = atol(optarg); break;
		case 'S': seccomp = 1; break;
		case 'o':
			if (npaths == MAX_PATHS)
				return 2;
			paths[npaths++] = optarg;
			break;
		default: return 2;
		}
	}
	if (!gofile || optind != argc)
		return 2;
	fd = open(gofile, O_RDONLY);
	go = fd < 0 ? MAP_FAILED : mmap(NULL, 1, PROT_READ, MAP_SHARED, fd, 0);
	if (go == MAP_FAILED) {
		perror("tk_sys: go file");
		return 1;
	}
	sigaction(SIGUSR1, &sa, NULL);
	if (seccomp && refuse_getppid())
		return 1;
	pid = getpid();
	tid = syscall(SYS_gettid);
	printf("pid %d\n", pid);
	fflush(stdout);
	if (wait_go(go)) {
		fprintf(stderr, "tk_sys: no go\n");
		return 1;
	}

	for (i = 0; i < getppids; i++)
		syscall(SYS_getppid);
	for (i = 0; i < signals; i++)
		syscall(SYS_tgkill, pid, tid, SIGUSR1);
	for (i = 0; i < threads; i++) {
		if (pthread_create(&t, NULL, thread_getppid, NULL) == 0)
			pthread_join(t, NULL);
	}
	children(forks, CHILD_FORK);
	children(clones, CHILD_CLONE);
	children(vforks, CHILD_VFORK);
	for (i = 0; i < unknown; i++)
		syscall(5000);
	if (npaths) {
		open_paths(NULL);
		if (pthread_create(&t, NULL, open_paths, NULL) == 0)
			pthread_join(t, NULL);
	}
	printf("done handled %ld\n", (long)handled);
	return handled == signals ? 0 : 1;
}
