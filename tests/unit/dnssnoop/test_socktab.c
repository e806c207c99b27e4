// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* Unit test for tools/dnssnoop/socktab.c, against a made-up /proc tree: ports from
 * /proc/net/{udp,udp6,tcp,tcp6}, owners from /proc/PID/fd links, the
 * listener rule, sockets nobody holds, missing tables. Exit status 0 = pass. */
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "socktab.h"

static int passed, failed;
static char root[64];

#define CHECK_INT(got, exp, what) check_int((long long)(got), (long long)(exp), what, __LINE__)

static void check_int(long long got, long long exp, const char *what, int line)
{
	if (got == exp) {
		passed++;
		return;
	}
	failed++;
	fprintf(stderr, "test_socktab.c:%d: FAIL: %s\n  got:      %lld\n  expected: %lld\n",
		line, what, got, exp);
}

static void write_file(const char *rel, const char *text)
{
	char path[256];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", root, rel);
	f = fopen(path, "w");
	if (!f || fputs(text, f) < 0 || fclose(f)) {
		perror(path);
		exit(3);
	}
}

static void dir(const char *rel)
{
	char path[256];

	snprintf(path, sizeof(path), "%s/%s", root, rel);
	if (mkdir(path, 0755) && errno != EEXIST) {
		perror(path);
		exit(3);
	}
}

static void link_fd(const char *rel, const char *target)
{
	char path[256];

	snprintf(path, sizeof(path), "%s/%s", root, rel);
	if (symlink(target, path)) {
		perror(path);
		exit(3);
	}
}

#define NET_HEADER "  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode\n"

static void make_proc(void)
{
	dir("net");
	/* 15353 = 0x3BF9; 40000 = 0x9C40; 8080 = 0x1F90; 9090 = 0x2382 */
	write_file("net/udp", NET_HEADER
		   "  123: 0100007F:9C40 0100007F:3BF9 01 00000000:00000000 00:00000000 00000000  1000        0 5001 2 0000000000000000 0\n"
		   "  124: 0100007F:3BF9 00000000:0000 07 00000000:00000000 00:00000000 00000000     0        0 5002 2 0000000000000000 0\n"
		   "  125: 0100007F:1111 00000000:0000 07 00000000:00000000 00:00000000 00000000     0        0 5009 2 0000000000000000 0\n"
		   "garbage line\n");
	write_file("net/udp6", NET_HEADER
		   "    0: 00000000000000000000000001000000:A000 00000000000000000000000000000000:0000 07 00000000:00000000 00:00000000 00000000    65534        0 6001 2 0000000000000000 0\n");
	write_file("net/tcp", NET_HEADER
		   "   0: 0100007F:1F90 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 7001 1 0000000000000000 100 0 0 10 0\n"
		   "   1: 0100007F:1F90 0100007F:C000 01 00000000:00000000 00:00000000 00000000     0        0 7002 1 0000000000000000 20 4 30 10 -1\n"
		   "   2: 0100007F:2382 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 7003 1 0000000000000000 100 0 0 10 0\n"
		   "   3: 0100007F:3000 0100007F:1F90 06 00000000:00000000 03:00000000 00000000     0        0 0 3 0000000000000000\n");
	/* No tcp6: a kernel without IPv6. */

	dir("100");
	dir("100/fd");
	write_file("100/comm", "dnsmasq\n");
	link_fd("100/fd/3", "socket:[5002]");
	link_fd("100/fd/4", "/dev/null");
	link_fd("100/fd/5", "socket:[7001]");
	link_fd("100/fd/6", "socket:[7003]");
	link_fd("100/fd/7", "socket:[999999]");	/* a unix socket, say */
	dir("200");
	dir("200/fd");
	write_file("200/comm", "dig\n");
	link_fd("200/fd/3", "socket:[5001]");
	link_fd("200/fd/9", "socket:[7002]");
	dir("300");
	dir("300/fd");
	write_file("300/comm", "a-very-long-nam\n");
	link_fd("300/fd/0", "socket:[6001]");
	link_fd("300/fd/1", "socket:[5002]");	/* shared with 100 after a fork */
	dir("400");			/* gone: no fd directory */
	link_fd("self", "100");
}

int main(void)
{
	const struct tk_sockowner *o;
	struct tk_socktab *t;
	char cmd[128];

	snprintf(root, sizeof(root), "/tmp/tk-socktab.XXXXXX");
	if (!mkdtemp(root)) {
		perror("mkdtemp");
		return 3;
	}
	make_proc();

	t = tk_socktab_new(root);
	CHECK_INT(t != NULL, 1, "a table");
	CHECK_INT(tk_socktab_find(t, IPPROTO_UDP, 40000) == NULL, 1, "nothing before a scan");
	CHECK_INT(tk_socktab_scan(t), 0, "scan succeeds without tcp6");

	o = tk_socktab_find(t, IPPROTO_UDP, 40000);
	CHECK_INT(o ? o->pid : 0, 200, "UDP 40000 is dig's");
	CHECK_INT(o && !strcmp(o->comm, "dig"), 1, "with its comm");
	CHECK_INT(o ? o->uid : 0, 1000, "and the socket's uid");
	o = tk_socktab_find(t, IPPROTO_UDP, 15353);
	CHECK_INT(o ? o->pid : 0, 100, "a shared socket: the lowest pid holding it");
	o = tk_socktab_find(t, IPPROTO_UDP, 0xa000);
	CHECK_INT(o ? o->pid : 0, 300, "IPv6 sockets too");
	CHECK_INT(o ? o->uid : 0, 65534, "with their uid");
	CHECK_INT(o && !strcmp(o->comm, "a-very-long-nam"), 1, "15-character comm");
	CHECK_INT(tk_socktab_find(t, IPPROTO_UDP, 0x1111) == NULL, 1, "a socket nobody holds");
	CHECK_INT(tk_socktab_find(t, IPPROTO_TCP, 40000) == NULL, 1, "protocols are apart");
	o = tk_socktab_find(t, IPPROTO_TCP, 8080);
	CHECK_INT(o ? o->pid : 0, 200, "a connection wins over the listener on its port");
	o = tk_socktab_find(t, IPPROTO_TCP, 9090);
	CHECK_INT(o ? o->pid : 0, 100, "a lone listener answers");
	CHECK_INT(tk_socktab_find(t, IPPROTO_TCP, 0x3000) == NULL, 1, "inode 0 (TIME_WAIT) is skipped");

	/* A rescan sees changes. */
	snprintf(cmd, sizeof(cmd), "%s/200/fd/3", root);
	unlink(cmd);
	CHECK_INT(tk_socktab_scan(t), 0, "rescan");
	CHECK_INT(tk_socktab_find(t, IPPROTO_UDP, 40000) == NULL, 1, "a closed fd is gone");
	tk_socktab_free(t);

	t = tk_socktab_new("/nonexistent");
	CHECK_INT(tk_socktab_scan(t), -ENOENT, "no /proc: an error");
	CHECK_INT(tk_socktab_find(t, IPPROTO_UDP, 53) == NULL, 1, "and nothing found");
	tk_socktab_free(t);
	tk_socktab_free(NULL);

	/* The real one works too (as any user: foreign fds are just skipped). */
	t = tk_socktab_new(NULL);
	CHECK_INT(tk_socktab_scan(t), 0, "the real /proc scans");
	tk_socktab_free(t);

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", root);
	if (system(cmd))
		fprintf(stderr, "test_socktab: cannot remove %s\n", root);
	printf("test_socktab: %d passed, %d failed\n", passed, failed);
	return failed != 0;
}
