// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* tk_pty: terminal workload for the tests.
 *
 *   tk_pty [-g GOFILE] [-e EXPECTED] [-H] [-m MASTERFILE] [-B BFILE] OP...
 *     Opens two pty pairs, A and B, and prints
 *       "pid PID", "pts PATH N" (A) and "pts2 PATH N" (B),
 *     drains both masters in a thread (so that writes never block), waits
 *     for the go FIFO, then does each OP in order and prints "end". With -e,
 *     every byte written to A (by any OP) is also appended to EXPECTED, in
 *     order, so a test can compare what a tracer showed with cmp.
 *     -H: A's master is not drained (writes to A fill it up, see fill:);
 *     after the OPs, everything A's master then reads goes to MASTERFILE
 *     (-m). -B: what B's master reads is appended to BFILE.
 *   OPs (TEXT takes C escapes: \n \r \t \e \a \\ \xHH):
 *     a:TEXT        write(2) TEXT to A's slave
 *     b:TEXT        write(2) TEXT to B's slave
 *     v:T1|T2|...   one writev(2) to A, a segment per part (an empty part is
 *                   an empty segment)
 *     long:N        write(2) N bytes to A: "0123456789abcdef..." repeated
 *     rep:N:TEXT    N write(2)s of TEXT to A, one after another; then
 *                   prints "writes N" (N that were made, each whole)
 *     child:TEXT    a child process writes TEXT to A; prints "child PID"
 *     tty:TEXT      a child process in a new session with A as its
 *                   controlling terminal writes TEXT to /dev/tty;
 *                   prints "ttychild PID"
 *     sleep:MS      pause MS milliseconds
 *     cpu:N         run on CPU N from here on (the writes that follow are
 *                   traced there)
 *     fill:N        (with -H) non-blocking write(2)s of N bytes to A, each
 *                   its own letters, until A is full (EAGAIN after a
 *                   pause); then three writes of "EAGAIN-MUST-NOT-SHOW".
 *                   Prints "partial GOT of N" for each short write and
 *                   "eagain K" (failed writes) at the end; EXPECTED gets
 *                   what each write's return value says it wrote.
 *     wait:FIFO     print "paused" and wait for FIFO, as for GOFILE
 *
 *   tk_pty unjson KEY
 *     For each line on stdin with a JSON string field "KEY", writes the
 *     string's bytes to stdout: escapes undone, \udc80-\udcff (bytes that
 *     were not UTF-8) as the byte, other code points as UTF-8.
 *
 * Static, libc only. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include "tk_go.h"

struct pty {
	int master, slave;
	char path[64];
	int num;
};

static struct pty a, b;
static FILE *expected, *b_copy;
static int hold_a;

static void put_expected(const char *data, size_t len);

static void die(const char *what)
{
	fprintf(stderr, "tk_pty: %s: %s\n", what, strerror(errno));
	exit(1);
}

static void open_pty(struct pty *p)
{
	const char *name;

	p->master = posix_openpt(O_RDWR | O_NOCTTY);
	if (p->master < 0 || grantpt(p->master) || unlockpt(p->master))
		die("posix_openpt");
	name = ptsname(p->master);
	if (!name)
		die("ptsname");
	snprintf(p->path, sizeof(p->path), "%s", name);
	p->slave = open(p->path, O_RDWR | O_NOCTTY);
	if (p->slave < 0)
		die(p->path);
	p->num = atoi(strrchr(p->path, '/') + 1);
}

/* What the slaves write comes out of the masters; read it away so that the
 * pty buffers never fill and block a write. */
static void *drain(void *unused)
{
	struct pollfd fds[2] = { { b.master, POLLIN, 0 }, { a.master, POLLIN, 0 } };
	char buf[4096];
	ssize_t n;
	int i;

	(void)unused;
	for (;;) {
		if (poll(fds, hold_a ? 1 : 2, -1) < 0 && errno != EINTR)
			return NULL;
		for (i = 0; i < (hold_a ? 1 : 2); i++) {
			if (!(fds[i].revents & POLLIN))
				continue;
			n = read(fds[i].fd, buf, sizeof(buf));
			if (i == 0 && n > 0 && b_copy) {
				fwrite(buf, 1, n, b_copy);
				fflush(b_copy);
			}
		}
	}
}

/* -m: what A's master reads now, until it has been quiet a while. */
static void read_master(const char *path)
{
	struct pollfd fd = { a.master, POLLIN, 0 };
	FILE *out = fopen(path, "w");
	char buf[4096];
	ssize_t n;

	if (!out)
		die(path);
	while (poll(&fd, 1, 500) > 0) {
		n = read(a.master, buf, sizeof(buf));
		if (n <= 0)
			break;
		fwrite(buf, 1, n, out);
	}
	if (fclose(out))
		die(path);
}

/* fill:N -- see the top. */
static void do_fill(long n)
{
	static const char marker[] = "EAGAIN-MUST-NOT-SHOW";
	int flags = fcntl(a.slave, F_GETFL), eagain = 0, k, quiet = 0;
	char *buf = malloc(n);
	ssize_t r;
	long i;

	if (!buf || flags < 0 || fcntl(a.slave, F_SETFL, flags | O_NONBLOCK))
		die("fill");
	/* Full: a write fails even after the kernel had time to move what
	 * it buffered on to the master's line discipline. */
	for (k = 0; quiet < 2; k++) {
		for (i = 0; i < n; i++)
			buf[i] = 'a' + (k + i) % 26;
		r = write(a.slave, buf, n);
		if (r < 0) {
			if (errno != EAGAIN)
				die("fill write");
			eagain++;
			quiet++;
			usleep(200000);
			continue;
		}
		quiet = 0;
		if (r < n)
			printf("partial %zd of %ld\n", r, n);
		put_expected(buf, r);
	}
	for (k = 0; k < 3; k++) {
		r = write(a.slave, marker, sizeof(marker) - 1);
		if (r < 0 && errno != EAGAIN)
			die("fill write");
		if (r < 0)
			eagain++;
		else
			put_expected(marker, r);
	}
	printf("eagain %d\n", eagain);
	fflush(stdout);
	if (fcntl(a.slave, F_SETFL, flags))
		die("fill");
	free(buf);
}

static int hex(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* C escapes of @s into @out; returns the length. */
static size_t unescape(const char *s, char *out)
{
	size_t n = 0;

	while (*s) {
		if (*s != '\\' || !s[1]) {
			out[n++] = *s++;
			continue;
		}
		s++;
		switch (*s) {
		case 'n': out[n++] = '\n'; break;
		case 'r': out[n++] = '\r'; break;
		case 't': out[n++] = '\t'; break;
		case 'e': out[n++] = 033; break;
		case 'a': out[n++] = 07; break;
		case 'x':
			if (hex(s[1]) >= 0 && hex(s[2]) >= 0) {
				out[n++] = (char)(hex(s[1]) * 16 + hex(s[2]));
				s += 2;
				break;
			}
			/* fall through */
		default: out[n++] = *s;
		}
		s++;
	}
	return n;
}

static void put_expected(const char *data, size_t len)
{
	if (expected && (fwrite(data, 1, len, expected) != len || fflush(expected)))
		die("writing the expected bytes");
}

static void write_all(int fd, const char *data, size_t len, int to_a)
{
	ssize_t n = write(fd, data, len);

	if (n < 0 || (size_t)n != len)
		die("write");
	if (to_a)
		put_expected(data, len);
}

static void do_writev(const char *spec)
{
	char *copy = strdup(spec), *part, *save = NULL, *bufs[64];
	struct iovec iov[64];
	int n = 0, i;
	ssize_t r;
	size_t total = 0;

	/* strsep keeps empty parts: they are empty segments. */
	for (save = copy; (part = strsep(&save, "|")) && n < 64; n++) {
		bufs[n] = malloc(strlen(part) + 1);
		iov[n].iov_base = bufs[n];
		iov[n].iov_len = unescape(part, bufs[n]);
		total += iov[n].iov_len;
	}
	r = writev(a.slave, iov, n);
	if (r < 0 || (size_t)r != total)
		die("writev");
	for (i = 0; i < n; i++) {
		put_expected(iov[i].iov_base, iov[i].iov_len);
		free(bufs[i]);
	}
	free(copy);
}

static void do_long(long n)
{
	static const char pattern[] = "0123456789abcdef";
	char *buf = malloc(n);
	long i;

	for (i = 0; i < n; i++)
		buf[i] = pattern[i % 16];
	write_all(a.slave, buf, n, 1);
	free(buf);
}

static void do_rep(long n, const char *text)
{
	char buf[4096];
	size_t len = unescape(text, buf);
	long i;

	for (i = 0; i < n; i++)
		write_all(a.slave, buf, len, 1);
	printf("writes %ld\n", i);
	fflush(stdout);
}

/* A child writes TEXT to A, directly or through /dev/tty. */
static void do_child(const char *text, int via_tty)
{
	char buf[4096];
	size_t len = unescape(text, buf);
	int status, fd;
	pid_t pid;

	fflush(stdout);
	pid = fork();
	if (pid < 0)
		die("fork");
	if (pid == 0) {
		fd = a.slave;
		if (via_tty) {
			if (setsid() < 0 || ioctl(a.slave, TIOCSCTTY, 0))
				die("making A the controlling terminal");
			fd = open("/dev/tty", O_WRONLY);
			if (fd < 0)
				die("/dev/tty");
		}
		write_all(fd, buf, len, 0);
		_exit(0);
	}
	if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status) || WEXITSTATUS(status))
		die("child");
	/* The child's bytes went to A as well. */
	put_expected(buf, len);
	printf("%s %d\n", via_tty ? "ttychild" : "child", pid);
	fflush(stdout);
}

/* --- unjson ---------------------------------------------------------------- */

static void put_utf8(unsigned int cp)
{
	if (cp >= 0xdc80 && cp <= 0xdcff) {
		putchar(cp - 0xdc00);	/* a byte that was not UTF-8 */
	} else if (cp < 0x80) {
		putchar(cp);
	} else if (cp < 0x800) {
		putchar(0xc0 | cp >> 6);
		putchar(0x80 | (cp & 0x3f));
	} else if (cp < 0x10000) {
		putchar(0xe0 | cp >> 12);
		putchar(0x80 | ((cp >> 6) & 0x3f));
		putchar(0x80 | (cp & 0x3f));
	} else {
		putchar(0xf0 | cp >> 18);
		putchar(0x80 | ((cp >> 12) & 0x3f));
		putchar(0x80 | ((cp >> 6) & 0x3f));
		putchar(0x80 | (cp & 0x3f));
	}
}

static int unjson(const char *key)
{
	char pat[128], *line = NULL, *p;
	size_t cap = 0;
	unsigned int cp;
	int i, d;

	snprintf(pat, sizeof(pat), "\"%s\":\"", key);
	while (getline(&line, &cap, stdin) > 0) {
		p = strstr(line, pat);
		if (!p)
			continue;
		for (p += strlen(pat); *p && *p != '"'; p++) {
			if (*p != '\\') {
				putchar(*p);
				continue;
			}
			switch (*++p) {
			case 'n': putchar('\n'); break;
			case 'r': putchar('\r'); break;
			case 't': putchar('\t'); break;
			case 'b': putchar('\b'); break;
			case 'f': putchar('\f'); break;
			case 'u':
				for (cp = 0, i = 1; i <= 4; i++) {
					d = hex(p[i]);
					if (d < 0) {
						fprintf(stderr, "tk_pty: bad \\u escape\n");
						return 1;
					}
					cp = cp * 16 + d;
				}
				p += 4;
				/* A surrogate pair is one code point. */
				if (cp >= 0xd800 && cp < 0xdc00 && p[1] == '\\' && p[2] == 'u') {
					unsigned int lo = 0;

					for (i = 3; i <= 6 && hex(p[i]) >= 0; i++)
						lo = lo * 16 + hex(p[i]);
					if (i == 7 && lo >= 0xdc00 && lo < 0xe000) {
						cp = 0x10000 + ((cp - 0xd800) << 10) + (lo - 0xdc00);
						p += 6;
					}
				}
				put_utf8(cp);
				break;
			default: putchar(*p);	/* \" \\ \/ */
			}
		}
	}
	free(line);
	return fflush(stdout) ? 1 : 0;
}

int main(int argc, char **argv)
{
	const char *go = NULL, *master_file = NULL;
	char buf[4096];
	pthread_t t;
	int c, i;

	if (argc == 3 && !strcmp(argv[1], "unjson"))
		return unjson(argv[2]);
	while ((c = getopt(argc, argv, "+g:e:Hm:B:")) != -1) {
		switch (c) {
		case 'g': go = optarg; break;
		case 'H': hold_a = 1; break;
		case 'm': master_file = optarg; break;
		case 'B':
			b_copy = fopen(optarg, "a");
			if (!b_copy)
				die(optarg);
			break;
		case 'e':
			expected = fopen(optarg, "w");
			if (!expected)
				die(optarg);
			break;
		default: return 2;
		}
	}
	open_pty(&a);
	open_pty(&b);
	if (pthread_create(&t, NULL, drain, NULL))
		die("pthread_create");
	printf("pid %d\npts %s %d\npts2 %s %d\n", getpid(), a.path, a.num, b.path, b.num);
	fflush(stdout);
	tk_wait_go("tk_pty", go);
	for (i = optind; i < argc; i++) {
		const char *op = argv[i];

		if (!strncmp(op, "a:", 2))
			write_all(a.slave, buf, unescape(op + 2, buf), 1);
		else if (!strncmp(op, "b:", 2))
			write_all(b.slave, buf, unescape(op + 2, buf), 0);
		else if (!strncmp(op, "v:", 2))
			do_writev(op + 2);
		else if (!strncmp(op, "long:", 5))
			do_long(atol(op + 5));
		else if (!strncmp(op, "rep:", 4) && strchr(op + 4, ':'))
			do_rep(atol(op + 4), strchr(op + 4, ':') + 1);
		else if (!strncmp(op, "child:", 6))
			do_child(op + 6, 0);
		else if (!strncmp(op, "tty:", 4))
			do_child(op + 4, 1);
		else if (!strncmp(op, "sleep:", 6))
			usleep(atol(op + 6) * 1000);
		else if (!strncmp(op, "cpu:", 4)) {
			cpu_set_t set;

			CPU_ZERO(&set);
			CPU_SET(atoi(op + 4), &set);
			if (sched_setaffinity(0, sizeof(set), &set))
				die("sched_setaffinity");
		}
		else if (!strncmp(op, "fill:", 5))
			do_fill(atol(op + 5));
		else if (!strncmp(op, "wait:", 5)) {
			printf("paused\n");
			fflush(stdout);
			tk_wait_go("tk_pty", op + 5);
		}
		else {
			fprintf(stderr, "tk_pty: unknown op %s\n", op);
			return 2;
		}
	}
	if (master_file)
		read_master(master_file);
	printf("end\n");
	fflush(stdout);
	return 0;
}
