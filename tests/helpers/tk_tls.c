// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* tk_tls: the TLS workload for the sslsniff tests and benchmark, on
 * 127.0.0.1 only. It calls OpenSSL's exported SSL_read/SSL_write (or the
 * _ex variants) directly, which openssl s_server does not.
 *
 *   tk_tls [-g GOFILE] [-x] [-n N] [-s SIZE] [-m DIR] [-G K:FIFO] client PORT MESSAGE
 *       wait for GOFILE (a FIFO, as tk_work), connect, handshake, then
 *       write MESSAGE (repeated to SIZE bytes with -s) N times; prints
 *       "wrote BYTES" per write and "elapsed_ns NS" for the writes.
 *       -G K:FIFO: after K writes, print "paused" and wait for FIFO.
 *   tk_tls [-x] [-q] server CERT KEY
 *       listen on an ephemeral port, accept one connection and read until
 *       the peer closes; prints "read BYTES DATA" per read (-q: only the
 *       "total BYTES" at the end).
 *   tk_tls [-n N] readers CERT KEY
 *       N threads (default 1) each connect to a server thread of the same
 *       process, handshake, print "reader TID", and block in SSL_read
 *       for good (the server never writes): a process to kill while its
 *       threads are inside SSL_read. Prints "readers N" once all are
 *       about to call it.
 *   -x: SSL_write_ex / SSL_read_ex instead of SSL_write / SSL_read.
 *   -m DIR: first map every file in DIR (as a process mapping files named
 *       like libraries would, to mislead sslsniff -p).
 * First line: "pid PID" (server: "pid PID port PORT", once listening).
 *
 * It needs libssl, which the Makefile's static libc-only helper rule does
 * not link: tests/e2e/sslsniff.sh and tests/bench/sslsniff.sh build it
 * with -DTK_WITH_OPENSSL (dynamically, and statically for --binary). */
#include <stdio.h>

#ifndef TK_WITH_OPENSSL
int main(void)
{
	fputs("tk_tls: built without OpenSSL; build it with -DTK_WITH_OPENSSL "
	      "... -lssl -lcrypto (tests/e2e/sslsniff.sh does)\n", stderr);
	return 2;
}
#else
#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>
#include <pthread.h>
#include <sys/syscall.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include "tk_go.h"

static int use_ex, quiet;
static struct tk_pause pause_at;

static void die(const char *what)
{
	fprintf(stderr, "tk_tls: %s: %s\n", what, errno ? strerror(errno) : "failed");
	ERR_print_errors_fp(stderr);
	exit(1);
}

static long now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000000L + ts.tv_nsec;
}

static long tls_write(SSL *ssl, const char *buf, size_t len)
{
	size_t done = 0;

	if (!use_ex)
		return SSL_write(ssl, buf, (int)len);
	return SSL_write_ex(ssl, buf, len, &done) == 1 ? (long)done : -1;
}

static long tls_read(SSL *ssl, char *buf, size_t len)
{
	size_t done = 0;

	if (!use_ex)
		return SSL_read(ssl, buf, (int)len);
	return SSL_read_ex(ssl, buf, len, &done) == 1 ? (long)done : 0;
}

static int client(const char *go, int port, const char *msg, size_t size, long times)
{
	struct sockaddr_in sa = { .sin_family = AF_INET, .sin_port = htons(port) };
	size_t mlen = strlen(msg), i;
	char *buf, drain[4096];
	SSL_CTX *ctx;
	long n, t0;
	SSL *ssl;
	int fd;

	if (!size)
		size = mlen;
	buf = malloc(size + 1);
	if (!buf || !mlen)
		die("message");
	for (i = 0; i < size; i++)
		buf[i] = msg[i % mlen];
	printf("pid %d\n", (int)getpid());
	fflush(stdout);
	tk_wait_go("tk_tls", go);

	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	fd = socket(AF_INET, SOCK_STREAM, 0);
	if (fd < 0 || connect(fd, (struct sockaddr *)&sa, sizeof(sa)))
		die("connect");
	ctx = SSL_CTX_new(TLS_client_method());
	if (!ctx)
		die("SSL_CTX_new");
	SSL_CTX_set_verify(ctx, SSL_VERIFY_NONE, NULL);
	ssl = SSL_new(ctx);
	if (!ssl || !SSL_set_fd(ssl, fd) || SSL_connect(ssl) != 1)
		die("SSL_connect");
	t0 = now_ns();
	for (i = 0; i < (size_t)times; i++) {
		tk_pause_at("tk_tls", &pause_at, (long)i);
		n = tls_write(ssl, buf, size);
		if (n <= 0)
			die("write");
		if (!quiet)
			printf("wrote %ld\n", n);
	}
	printf("elapsed_ns %ld\n", now_ns() - t0);
	/* Read to the server's close_notify, so the session tickets TLS 1.3
	 * sends after the handshake are consumed: closing with them unread
	 * would reset the connection, and the server might lose our data. */
	SSL_shutdown(ssl);
	while (tls_read(ssl, drain, sizeof(drain)) > 0)
		;
	SSL_free(ssl);
	SSL_CTX_free(ctx);
	close(fd);
	free(buf);
	return 0;
}

static int server(const char *cert, const char *key)
{
	struct sockaddr_in sa = { .sin_family = AF_INET };
	socklen_t salen = sizeof(sa);
	static char buf[16384];
	long n, total = 0;
	SSL_CTX *ctx;
	int lfd, fd;
	SSL *ssl;

	ctx = SSL_CTX_new(TLS_server_method());
	if (!ctx || SSL_CTX_use_certificate_file(ctx, cert, SSL_FILETYPE_PEM) != 1 ||
	    SSL_CTX_use_PrivateKey_file(ctx, key, SSL_FILETYPE_PEM) != 1)
		die("certificate");
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	lfd = socket(AF_INET, SOCK_STREAM, 0);
	if (lfd < 0 || bind(lfd, (struct sockaddr *)&sa, sizeof(sa)) || listen(lfd, 1) ||
	    getsockname(lfd, (struct sockaddr *)&sa, &salen))
		die("listen");
	printf("pid %d port %d\n", (int)getpid(), ntohs(sa.sin_port));
	fflush(stdout);
	fd = accept(lfd, NULL, NULL);
	if (fd < 0)
		die("accept");
	ssl = SSL_new(ctx);
	if (!ssl || !SSL_set_fd(ssl, fd) || SSL_accept(ssl) != 1)
		die("SSL_accept");
	while ((n = tls_read(ssl, buf, sizeof(buf))) > 0) {
		total += n;
		if (!quiet) {
			printf("read %ld %.*s\n", n, (int)n, buf);
			fflush(stdout);
		}
	}
	printf("total %ld\n", total);
	SSL_shutdown(ssl);
	SSL_free(ssl);
	SSL_CTX_free(ctx);
	close(fd);
	close(lfd);
	return 0;
}

static int readers_port;
static pthread_mutex_t readers_lock = PTHREAD_MUTEX_INITIALIZER;
static long readers_ready;

static void *reader(void *arg)
{
	struct sockaddr_in sa = { .sin_family = AF_INET, .sin_port = htons(readers_port) };
	SSL_CTX *ctx = SSL_CTX_new(TLS_client_method());
	char buf[256];
	SSL *ssl;
	int fd;

	(void)arg;
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	fd = socket(AF_INET, SOCK_STREAM, 0);
	if (!ctx || fd < 0 || connect(fd, (struct sockaddr *)&sa, sizeof(sa)))
		die("reader connect");
	SSL_CTX_set_verify(ctx, SSL_VERIFY_NONE, NULL);
	ssl = SSL_new(ctx);
	if (!ssl || !SSL_set_fd(ssl, fd) || SSL_connect(ssl) != 1)
		die("reader SSL_connect");
	pthread_mutex_lock(&readers_lock);
	printf("reader %ld\n", (long)syscall(SYS_gettid));
	fflush(stdout);
	pthread_mutex_unlock(&readers_lock);
	__atomic_add_fetch(&readers_ready, 1, __ATOMIC_SEQ_CST);
	/* The server never writes: this blocks until the process dies. */
	tls_read(ssl, buf, sizeof(buf));
	die("reader: SSL_read returned");
	return NULL;
}

static int readers(const char *cert, const char *key, long n)
{
	struct sockaddr_in sa = { .sin_family = AF_INET };
	socklen_t salen = sizeof(sa);
	SSL_CTX *ctx = SSL_CTX_new(TLS_server_method());
	pthread_t t;
	long i;
	int lfd, fd;
	SSL *ssl;

	if (!ctx || SSL_CTX_use_certificate_file(ctx, cert, SSL_FILETYPE_PEM) != 1 ||
	    SSL_CTX_use_PrivateKey_file(ctx, key, SSL_FILETYPE_PEM) != 1)
		die("certificate");
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	lfd = socket(AF_INET, SOCK_STREAM, 0);
	if (lfd < 0 || bind(lfd, (struct sockaddr *)&sa, sizeof(sa)) || listen(lfd, 64) ||
	    getsockname(lfd, (struct sockaddr *)&sa, &salen))
		die("listen");
	readers_port = ntohs(sa.sin_port);
	printf("pid %d\n", (int)getpid());
	fflush(stdout);
	for (i = 0; i < n; i++) {
		if (pthread_create(&t, NULL, reader, NULL))
			die("pthread_create");
		fd = accept(lfd, NULL, NULL);
		ssl = fd < 0 ? NULL : SSL_new(ctx);
		if (!ssl || !SSL_set_fd(ssl, fd) || SSL_accept(ssl) != 1)
			die("SSL_accept");
		/* Kept open, never written to. */
	}
	while (__atomic_load_n(&readers_ready, __ATOMIC_SEQ_CST) < n)
		usleep(1000);
	/* Give the last reader time to enter SSL_read after its print. */
	usleep(100000);
	pthread_mutex_lock(&readers_lock);
	printf("readers %ld\n", n);
	fflush(stdout);
	pthread_mutex_unlock(&readers_lock);
	for (;;)
		pause();
	return 0;
}

static void map_dir(const char *dir)
{
	char path[4096];
	struct dirent *d;
	DIR *dp = opendir(dir);
	int fd;

	if (!dp)
		die(dir);
	while ((d = readdir(dp))) {
		if (d->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, d->d_name);
		fd = open(path, O_RDONLY | O_NONBLOCK);
		if (fd < 0)
			continue;
		/* Kept mapped for the process's life. */
		if (mmap(NULL, 4096, PROT_READ, MAP_PRIVATE, fd, 0) == MAP_FAILED)
			die(path);
		close(fd);
	}
	closedir(dp);
}

int main(int argc, char **argv)
{
	const char *go = NULL;
	long times = 1;
	size_t size = 0;
	int c;

	while ((c = getopt(argc, argv, "+g:xqn:s:m:G:")) != -1) {
		switch (c) {
		case 'g': go = optarg; break;
		case 'x': use_ex = 1; break;
		case 'q': quiet = 1; break;
		case 'n': times = atol(optarg); break;
		case 's': size = strtoul(optarg, NULL, 10); break;
		case 'm': map_dir(optarg); break;
		case 'G': tk_pause_parse("tk_tls", optarg, &pause_at); break;
		default: return 2;
		}
	}
	argv += optind;
	argc -= optind;
	/* A peer that never comes must not hang a test run. */
	alarm(60);
	/* A peer gone early is an error to report, not a silent death. */
	signal(SIGPIPE, SIG_IGN);
	if (argc == 3 && !strcmp(argv[0], "client"))
		return client(go, atoi(argv[1]), argv[2], size, times);
	if (argc == 3 && !strcmp(argv[0], "server"))
		return server(argv[1], argv[2]);
	if (argc == 3 && !strcmp(argv[0], "readers"))
		return readers(argv[1], argv[2], times);
	fputs("usage: tk_tls [-g GOFILE] [-x] [-n N] [-s SIZE] [-m DIR] [-G K:FIFO] client PORT MESSAGE\n"
	      "       tk_tls [-x] [-q] server CERT KEY\n"
	      "       tk_tls [-n N] readers CERT KEY\n", stderr);
	return 2;
}
#endif
