// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* Unit test for common/args.c. The parsers exit(2) on bad input, so each call
 * runs in a forked child whose exit status, stdout and stderr are collected.
 * Exit status 0 = pass. */
#include <errno.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/vfs.h>
#include <sys/wait.h>
#include <unistd.h>
#include "args.h"
#include "log.h"

#ifndef CGROUP2_SUPER_MAGIC
#define CGROUP2_SUPER_MAGIC 0x63677270
#endif

#define BUFSZ 2048

static int passed, failed;

static void fail_head(int line, const char *what)
{
	failed++;
	fprintf(stderr, "test_args.c:%d: FAIL: %s\n", line, what);
}

static void check_str(const char *got, const char *exp, const char *what, int line)
{
	if (strcmp(got, exp) == 0) {
		passed++;
		return;
	}
	fail_head(line, what);
	fprintf(stderr, "  got:      \"%s\"\n  expected: \"%s\"\n", got, exp);
}

static void check_int(long long got, long long exp, const char *what, int line)
{
	if (got == exp) {
		passed++;
		return;
	}
	fail_head(line, what);
	fprintf(stderr, "  got:      %lld\n  expected: %lld\n", got, exp);
}

/* Read all of @fd into @buf (NUL-terminated, truncated at BUFSZ - 1). */
static void slurp(int fd, char *buf)
{
	size_t n = 0;
	ssize_t r;
	char sink[256];

	for (;;) {
		if (n < BUFSZ - 1)
			r = read(fd, buf + n, BUFSZ - 1 - n);
		else
			r = read(fd, sink, sizeof(sink));
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			break;
		if (n < BUFSZ - 1)
			n += r;
	}
	buf[n] = '\0';
	close(fd);
}

/* Fork; in the child run fn(arg) with stdout and stderr sent to pipes, then
 * _exit(0). Returns the child's exit status (128 + signal if killed). */
static int run_child2(void (*fn)(const char *), const char *arg, char *outbuf, char *errbuf)
{
	int out[2], err[2], status;
	pid_t pid;

	fflush(NULL);	/* or the child's exit() would write our buffers again */
	if (pipe(out) || pipe(err)) {
		perror("pipe");
		exit(3);
	}
	pid = fork();
	if (pid < 0) {
		perror("fork");
		exit(3);
	}
	if (pid == 0) {
		dup2(out[1], STDOUT_FILENO);
		dup2(err[1], STDERR_FILENO);
		close(out[0]);
		close(out[1]);
		close(err[0]);
		close(err[1]);
		fn(arg);
		fflush(NULL);
		_exit(0);
	}
	close(out[1]);
	close(err[1]);
	/* Outputs are small: one pipe cannot fill while we drain the other. */
	slurp(out[0], outbuf);
	slurp(err[0], errbuf);
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR) {
			perror("waitpid");
			exit(3);
		}
	if (WIFEXITED(status))
		return WEXITSTATUS(status);
	return 128 + WTERMSIG(status);
}

static int run_child(void (*fn)(const char *), const char *arg, char *errbuf)
{
	char outbuf[BUFSZ];

	return run_child2(fn, arg, outbuf, errbuf);
}

/* Expect @fn(@arg) to succeed and print @out on stdout, nothing on stderr. */
static void expect_ok(void (*fn)(const char *), const char *arg, const char *out,
		      int line)
{
	char o[BUFSZ], e[BUFSZ];
	int rc = run_child2(fn, arg, o, e);

	check_int(rc, 0, "exit status", line);
	check_str(o, out, "stdout", line);
	check_str(e, "", "stderr", line);
}

/* Expect @fn(@arg) to exit 2 with "tktest: @msg" and the --help hint. */
static void expect_err(void (*fn)(const char *), const char *arg, const char *msg,
		       int line)
{
	char e[BUFSZ], exp[BUFSZ];
	int rc = run_child(fn, arg, e);

	snprintf(exp, sizeof(exp), "tktest: %s\nTry 'tktest --help'.\n", msg);
	check_int(rc, 2, "exit status", line);
	check_str(e, exp, "stderr", line);
}

#define OK(fn, arg, out) expect_ok((fn), (arg), (out), __LINE__)
#define ERR(fn, arg, msg) expect_err((fn), (arg), (msg), __LINE__)

/* ---- wrappers: parse, print the value on stdout -------------------------- */

static long long int_min, int_max;

static void do_pid(const char *s)
{
	printf("%d", (int)tk_arg_pid(s, "PID"));
}

static void do_tid(const char *s)
{
	printf("%d", (int)tk_arg_pid(s, "TID"));
}

static void do_uid(const char *s)
{
	printf("%u", (unsigned)tk_arg_uid(s));
}

static void do_seconds(const char *s)
{
	printf("%llu", (unsigned long long)tk_arg_seconds(s, "interval"));
}

static void do_comm(const char *s)
{
	char out[16];
	int i;

	memset(out, 'Z', sizeof(out));
	tk_arg_comm(s, out);
	/* The whole 16 bytes: the name, then NUL padding. */
	for (i = 0; i < 16; i++)
		putchar(out[i] ? out[i] : '.');
}

static void do_int(const char *s)
{
	printf("%lld", tk_arg_int(s, int_min, int_max, "TOP"));
}

static void do_cgroup(const char *s)
{
	const char *r = tk_arg_cgroup(s);

	printf("%s", r == s ? "same" : "other");
}

/* @s: space-separated positional arguments after "prog". */
static void do_interval(const char *s)
{
	char *copy = strdup(s), *argv[16], *tok, *save = NULL;
	int argc = 0;
	uint64_t ms = 99;
	long long count = -7;

	argv[argc++] = "prog";
	for (tok = strtok_r(copy, " ", &save); tok && argc < 15;
	     tok = strtok_r(NULL, " ", &save))
		argv[argc++] = tok;
	argv[argc] = NULL;
	tk_arg_interval_count(argc, argv, 1, &ms, &count);
	printf("%llu %lld", (unsigned long long)ms, count);
	free(copy);
}

static void do_no_positional(const char *s)
{
	char *argv[] = { "prog", (char *)s, NULL };

	tk_arg_no_positional(*s ? 2 : 1, argv, 1);
	printf("none");
}

static void do_usage(const char *s)
{
	tk_usage_error("bad %s value %d", s, 42);
}

/* ---- tests --------------------------------------------------------------- */

static void test_pid(void)
{
	OK(do_pid, "123", "123");
	OK(do_pid, "1", "1");
	OK(do_pid, "2147483647", "2147483647");
	OK(do_pid, "0x10", "16");
	ERR(do_pid, "12abc", "invalid PID '12abc'");
	ERR(do_pid, "", "invalid PID ''");
	ERR(do_pid, " 12", "invalid PID ' 12'");
	ERR(do_pid, "12 ", "invalid PID '12 '");
	ERR(do_pid, "+5", "invalid PID '+5'");
	ERR(do_pid, "-", "invalid PID '-'");
	ERR(do_pid, "--5", "invalid PID '--5'");
	ERR(do_pid, "abc", "invalid PID 'abc'");
	ERR(do_pid, "0x", "invalid PID '0x'");
	ERR(do_pid, "1.5", "invalid PID '1.5'");
	ERR(do_pid, "0", "PID '0' is out of range (1 to 2147483647)");
	ERR(do_pid, "-1", "PID '-1' is out of range (1 to 2147483647)");
	ERR(do_pid, "2147483648", "PID '2147483648' is out of range (1 to 2147483647)");
	ERR(do_pid, "99999999999", "PID '99999999999' is out of range (1 to 2147483647)");
	ERR(do_pid, "99999999999999999999", "invalid PID '99999999999999999999'");
	ERR(do_tid, "x", "invalid TID 'x'");
	/* Documented as decimal (or 0x hex): a leading zero must not mean octal. */
	OK(do_pid, "010", "10");
	OK(do_pid, "09", "9");
}

static void test_uid(void)
{
	OK(do_uid, "0", "0");
	OK(do_uid, "1000", "1000");
	OK(do_uid, "4294967294", "4294967294");
	ERR(do_uid, "4294967295", "UID '4294967295' is out of range (0 to 4294967294)");
	ERR(do_uid, "-1", "UID '-1' is out of range (0 to 4294967294)");
	ERR(do_uid, "root", "invalid UID 'root'");
}

static void test_seconds(void)
{
	OK(do_seconds, "1", "1000");
	OK(do_seconds, "0.5", "500");
	OK(do_seconds, ".25", "250");
	OK(do_seconds, "2.", "2000");
	OK(do_seconds, "0.001", "1");
	OK(do_seconds, "0.0016", "2");
	OK(do_seconds, "31536000", "31536000000");
	ERR(do_seconds, "abc", "invalid interval 'abc'");
	ERR(do_seconds, "", "invalid interval ''");
	ERR(do_seconds, "-1", "invalid interval '-1'");
	ERR(do_seconds, "+1", "invalid interval '+1'");
	ERR(do_seconds, " 1", "invalid interval ' 1'");
	ERR(do_seconds, "1s", "invalid interval '1s'");
	ERR(do_seconds, ".", "invalid interval '.'");
	ERR(do_seconds, "inf", "invalid interval 'inf'");
	ERR(do_seconds, "nan", "invalid interval 'nan'");
	ERR(do_seconds, "1e999", "invalid interval '1e999'");
	ERR(do_seconds, "0", "interval '0' is out of range (0.001 to 31536000 seconds)");
	ERR(do_seconds, "0.0001",
	    "interval '0.0001' is out of range (0.001 to 31536000 seconds)");
	ERR(do_seconds, "31536001",
	    "interval '31536001' is out of range (0.001 to 31536000 seconds)");
}

static void test_comm(void)
{
	OK(do_comm, "bash", "bash............");
	OK(do_comm, "x", "x...............");
	OK(do_comm, "abcdefghijklmno", "abcdefghijklmno.");
	ERR(do_comm, "abcdefghijklmnop",
	    "COMM 'abcdefghijklmnop' is longer than 15 characters (the kernel keeps 15)");
	ERR(do_comm, "", "empty COMM");
}

static void test_int(void)
{
	int_min = 0, int_max = 1000000;
	OK(do_int, "0", "0");
	OK(do_int, "1000000", "1000000");
	OK(do_int, "0x1f", "31");
	ERR(do_int, "1000001", "TOP '1000001' is out of range (0 to 1000000)");
	ERR(do_int, "-1", "TOP '-1' is out of range (0 to 1000000)");
	ERR(do_int, "ten", "invalid TOP 'ten'");
	int_min = -10, int_max = 10;
	OK(do_int, "-10", "-10");
	OK(do_int, "-0x5", "-5");
	OK(do_int, "10", "10");
	ERR(do_int, "-11", "TOP '-11' is out of range (-10 to 10)");
	ERR(do_int, "11", "TOP '11' is out of range (-10 to 10)");
	int_min = LLONG_MIN, int_max = LLONG_MAX;
	OK(do_int, "9223372036854775807", "9223372036854775807");
	OK(do_int, "-9223372036854775808", "-9223372036854775808");
	ERR(do_int, "9223372036854775808", "invalid TOP '9223372036854775808'");
}

static int is_cgroup2_dir(const char *path)
{
	struct statfs fs;
	struct stat st;

	return !stat(path, &st) && S_ISDIR(st.st_mode) && !statfs(path, &fs) &&
	       fs.f_type == CGROUP2_SUPER_MAGIC;
}

static void test_cgroup(void)
{
	static const char *const mounts[] = { "/sys/fs/cgroup/unified", "/sys/fs/cgroup" };
	char msg[512];
	size_t i;

	ERR(do_cgroup, "/tmp", "invalid cgroup '/tmp': not a cgroup2 directory");
	ERR(do_cgroup, "/dev/null", "invalid cgroup '/dev/null': not a cgroup2 directory");
	snprintf(msg, sizeof(msg), "invalid cgroup '/nonexistent/tk-test': %s",
		 strerror(ENOENT));
	ERR(do_cgroup, "/nonexistent/tk-test", msg);
	snprintf(msg, sizeof(msg), "invalid cgroup '/dev/null/x': %s", strerror(ENOTDIR));
	ERR(do_cgroup, "/dev/null/x", msg);

	for (i = 0; i < sizeof(mounts) / sizeof(mounts[0]); i++) {
		struct stat st;

		if (stat(mounts[i], &st))
			continue;
		if (is_cgroup2_dir(mounts[i])) {
			char file[256];

			OK(do_cgroup, mounts[i], "same");
			/* A file inside the cgroup2 mount is not a directory. */
			snprintf(file, sizeof(file), "%s/cgroup.procs", mounts[i]);
			if (!stat(file, &st)) {
				snprintf(msg, sizeof(msg),
					 "invalid cgroup '%s': not a cgroup2 directory", file);
				ERR(do_cgroup, file, msg);
			}
		} else {
			snprintf(msg, sizeof(msg), "invalid cgroup '%s': not a cgroup2 directory",
				 mounts[i]);
			ERR(do_cgroup, mounts[i], msg);
		}
	}
}

static void test_interval_count(void)
{
	OK(do_interval, "1 3", "1000 3");
	OK(do_interval, "0.5", "500 -7");		/* count left alone */
	OK(do_interval, "", "99 -7");			/* both left alone */
	ERR(do_interval, "1 3 x", "unexpected argument 'x'");
	ERR(do_interval, "1 0", "count '0' is out of range (1 to 9223372036854775807)");
	ERR(do_interval, "1 many", "invalid count 'many'");
	ERR(do_interval, "soon", "invalid interval 'soon'");
	ERR(do_interval, "-1", "invalid interval '-1'");
}

static void test_misc(void)
{
	OK(do_no_positional, "", "none");
	ERR(do_no_positional, "extra", "unexpected argument 'extra'");
	ERR(do_usage, "TOP", "bad TOP value 42");
}

int main(void)
{
	tk_prog = "tktest";
	test_pid();
	test_uid();
	test_seconds();
	test_comm();
	test_int();
	test_cgroup();
	test_interval_count();
	test_misc();
	printf("test_args: %d passed, %d failed\n", passed, failed);
	return failed ? 1 : 0;
}
