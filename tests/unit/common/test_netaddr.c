// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* Unit test for common/netaddr.c. tk_arg_ports exits 2 on bad input, so
 * each parse runs in a forked child whose status and output are collected.
 * Exit status 0 = pass. */
#include <arpa/inet.h>
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>
#include "log.h"
#include "netaddr.h"

#define BUFSZ 2048

static int passed, failed;

static void check_str(const char *got, const char *exp, const char *what, int line)
{
	if (strcmp(got, exp) == 0) {
		passed++;
		return;
	}
	failed++;
	fprintf(stderr, "test_netaddr.c:%d: FAIL: %s\n  got:      \"%s\"\n  expected: \"%s\"\n",
		line, what, got, exp);
}

static void check_int(long long got, long long exp, const char *what, int line)
{
	if (got == exp) {
		passed++;
		return;
	}
	failed++;
	fprintf(stderr, "test_netaddr.c:%d: FAIL: %s\n  got:      %lld\n  expected: %lld\n",
		line, what, got, exp);
}

static void slurp(int fd, char *buf)
{
	size_t n = 0;
	ssize_t r;

	for (;;) {
		r = read(fd, buf + n, BUFSZ - 1 - n);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0 || n + r >= BUFSZ - 1)
			break;
		n += r;
	}
	buf[n] = '\0';
	close(fd);
}

/* Parse @s with at most @max ports in a child that prints the ports it got,
 * space-separated; returns its exit status. */
static int parse_in_child(const char *s, int max, char *out, char *err)
{
	int po[2], pe[2], status;
	pid_t pid;

	fflush(NULL);
	if (pipe(po) || pipe(pe)) {
		perror("pipe");
		exit(3);
	}
	pid = fork();
	if (pid < 0) {
		perror("fork");
		exit(3);
	}
	if (pid == 0) {
		uint16_t ports[128];
		int i, n;

		dup2(po[1], STDOUT_FILENO);
		dup2(pe[1], STDERR_FILENO);
		close(po[0]);
		close(pe[0]);
		n = tk_arg_ports(s, ports, max);
		for (i = 0; i < n; i++)
			printf("%s%u", i ? " " : "", ports[i]);
		fflush(NULL);
		_exit(0);
	}
	close(po[1]);
	close(pe[1]);
	/* Outputs are small: one pipe cannot fill while we drain the other. */
	slurp(po[0], out);
	slurp(pe[0], err);
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR) {
			perror("waitpid");
			exit(3);
		}
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

static void ports_ok(const char *s, int max, const char *exp, int line)
{
	char out[BUFSZ], err[BUFSZ];

	check_int(parse_in_child(s, max, out, err), 0, "exit status", line);
	check_str(out, exp, "ports", line);
	check_str(err, "", "stderr", line);
}

static void ports_err(const char *s, int max, const char *msg, int line)
{
	char out[BUFSZ], err[BUFSZ], exp[BUFSZ];

	snprintf(exp, sizeof(exp), "tktest: %s\nTry 'tktest --help'.\n", msg);
	check_int(parse_in_child(s, max, out, err), 2, "exit status", line);
	check_str(err, exp, "stderr", line);
	check_str(out, "", "stdout", line);
}

#define OK(s, max, exp) ports_ok((s), (max), (exp), __LINE__)
#define ERR(s, max, msg) ports_err((s), (max), (msg), __LINE__)

static void test_ports(void)
{
	OK("80", 64, "80");
	OK("80,443", 64, "80 443");
	OK("1,65535", 64, "1 65535");
	OK("080", 64, "80");			/* decimal, not octal */
	OK("443,443", 64, "443 443");		/* harmless duplicate */
	OK("1,2,3,4", 4, "1 2 3 4");		/* exactly the maximum */
	ERR("1,2,3,4,5", 4, "too many ports in '1,2,3,4,5' (at most 4)");
	ERR("", 64, "invalid port '' in ''");
	ERR(",", 64, "invalid port '' in ','");
	ERR("80,", 64, "invalid port '' in '80,'");
	ERR(",80", 64, "invalid port '' in ',80'");
	ERR("80,,443", 64, "invalid port '' in '80,,443'");
	ERR("80,x", 64, "invalid port 'x' in '80,x'");
	ERR("80x", 64, "invalid port '80x' in '80x'");
	ERR("80, 443", 64, "invalid port ' 443' in '80, 443'");
	ERR("+80", 64, "invalid port '+80' in '+80'");
	ERR("-1", 64, "invalid port '-1' in '-1'");
	ERR("0x50", 64, "invalid port '0x50' in '0x50'");
	ERR("0", 64, "port '0' is out of range (1 to 65535)");
	ERR("80,65536", 64, "port '65536' is out of range (1 to 65535)");
	ERR("99999999999999999999", 64,
	    "port '99999999999999999999' is out of range (1 to 65535)");
}

static void test_inet_str(void)
{
	uint8_t a[16];
	char buf[TK_INET_STRLEN];

	inet_pton(AF_INET, "127.0.0.1", a);
	check_str(tk_inet_str(4, a, buf, sizeof(buf)), "127.0.0.1", "IPv4", __LINE__);
	inet_pton(AF_INET, "10.20.30.255", a);
	check_str(tk_inet_str(4, a, buf, sizeof(buf)), "10.20.30.255", "IPv4", __LINE__);
	inet_pton(AF_INET6, "::1", a);
	check_str(tk_inet_str(6, a, buf, sizeof(buf)), "::1", "IPv6 loopback", __LINE__);
	inet_pton(AF_INET6, "fe80::1:2", a);
	check_str(tk_inet_str(6, a, buf, sizeof(buf)), "fe80::1:2", "IPv6", __LINE__);
	memset(a, 0xff, sizeof(a));
	check_str(tk_inet_str(6, a, buf, sizeof(buf)),
		  "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", "longest IPv6", __LINE__);
	check_str(tk_inet_str(0, a, buf, sizeof(buf)), "?", "no family", __LINE__);
	check_str(tk_inet_str(6, a, buf, 8), "?", "buffer too small", __LINE__);
}

/* The bitmap the kernel side tests (bpf/sockstate.bpf.h: word port / 64,
 * bit port % 64): the listed ports' bits and no other. */
static void test_ports_bitmap(void)
{
	static __u64 words[TK_PORT_WORDS];
	const uint16_t ports[] = { 1, 63, 64, 443, 443, 65535 };
	int port, set = 0, wrong = 0;
	size_t i;

	tk_ports_bitmap(ports, sizeof(ports) / sizeof(ports[0]), words);
	for (port = 0; port < 65536; port++) {
		bool in = words[port / 64] & (1ULL << (port % 64));
		bool want = false;

		for (i = 0; i < sizeof(ports) / sizeof(ports[0]); i++)
			want |= ports[i] == port;
		set += in;
		wrong += in != want;
	}
	check_int(set, 5, "bits set (a duplicate counts once)", __LINE__);
	check_int(wrong, 0, "ports whose bit is wrong", __LINE__);
	check_int((long long)(words[0] >> 63), 1, "port 63: word 0, bit 63", __LINE__);
	check_int((long long)(words[1] & 1), 1, "port 64: word 1, bit 0", __LINE__);
	check_int((long long)(words[1023] >> 63), 1, "port 65535: the last bit", __LINE__);
}

/* The kernel's numbering (include/net/tcp_states.h), and one it adds later. */
static void test_tcp_state_name(void)
{
	char buf[16];

	check_str(tk_tcp_state_name(1, buf, sizeof(buf)), "ESTABLISHED", "TCP_ESTABLISHED", __LINE__);
	check_str(tk_tcp_state_name(7, buf, sizeof(buf)), "CLOSE", "TCP_CLOSE", __LINE__);
	check_str(tk_tcp_state_name(12, buf, sizeof(buf)), "NEW_SYN_RECV", "TCP_NEW_SYN_RECV",
		  __LINE__);
	check_str(tk_tcp_state_name(0, buf, sizeof(buf)), "STATE_0", "no state 0", __LINE__);
	check_str(tk_tcp_state_name(200, buf, sizeof(buf)), "STATE_200", "unknown", __LINE__);
}

int main(void)
{
	tk_prog = "tktest";
	test_ports();
	test_inet_str();
	test_ports_bitmap();
	test_tcp_state_name();
	printf("test_netaddr: %d passed, %d failed\n", passed, failed);
	return failed ? 1 : 0;
}
