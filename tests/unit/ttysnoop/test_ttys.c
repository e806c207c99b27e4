// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* Unit test for tools/ttysnoop/ttys.c: terminal names and majors from a fake sysfs,
 * and from the fixed numbers when there is no sysfs. Needs no root.
 * Exit status 0 = pass. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "ttys.h"

static int passed, failed;

#define CHECK(cond) do {						\
	if (cond) {							\
		passed++;						\
	} else {							\
		failed++;						\
		fprintf(stderr, "%s:%d: FAIL: %s\n", __FILE__, __LINE__, #cond); \
	}								\
} while (0)

#define CHECK_STR(got, exp) do {					\
	const char *g_ = (got), *e_ = (exp);				\
	if (g_ && !strcmp(g_, e_)) {					\
		passed++;						\
	} else {							\
		failed++;						\
		fprintf(stderr, "%s:%d: FAIL: got '%s', expected '%s'\n",	\
			__FILE__, __LINE__, g_ ? g_ : "(null)", e_);	\
	}								\
} while (0)

static char root[] = "/tmp/tk_ttys_XXXXXX";

static void path_of(char *buf, size_t size, const char *rel)
{
	snprintf(buf, size, "%s/%s", root, rel);
}

static void dir(const char *rel)
{
	char path[512];

	path_of(path, sizeof(path), rel);
	if (mkdir(path, 0755)) {
		perror(path);
		exit(2);
	}
}

static void put(const char *rel, const char *text)
{
	char path[512];
	FILE *f;

	path_of(path, sizeof(path), rel);
	f = fopen(path, "w");
	if (!f || fputs(text, f) < 0 || fclose(f)) {
		perror(path);
		exit(2);
	}
}

static void link_to(const char *rel, const char *target)
{
	char path[512];

	path_of(path, sizeof(path), rel);
	if (symlink(target, path)) {
		perror(path);
		exit(2);
	}
}

/* A class tty device as sysfs has it: dev/char/M:m -> its directory, and
 * class/tty/NAME with a dev file. */
static void tty(const char *name, const char *devdir, const char *majmin)
{
	char rel[256], target[256];

	snprintf(rel, sizeof(rel), "dev/char/%s", majmin);
	snprintf(target, sizeof(target), "../../devices/%s/%s", devdir, name);
	link_to(rel, target);
	snprintf(rel, sizeof(rel), "class/tty/%s", name);
	dir(rel);
	snprintf(rel, sizeof(rel), "class/tty/%s/dev", name);
	snprintf(target, sizeof(target), "%s\n", majmin);
	put(rel, target);
}

static void cleanup(void)
{
	char cmd[600];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", root);
	if (system(cmd))
		fprintf(stderr, "test_ttys: could not remove %s\n", root);
}

static const char *name(const char *sysfs, uint32_t dev, int *err)
{
	static char buf[64];

	*err = tk_tty_name(sysfs, dev, buf, sizeof(buf));
	return buf;
}

static int bit(const uint64_t *bits, int major)
{
	return !!(bits[major / 64] & (1ULL << (major % 64)));
}

static void test_sysfs(void)
{
	uint64_t bits[8];
	int err, n;

	dir("dev");
	dir("dev/char");
	dir("class");
	dir("class/tty");
	tty("tty1", "virtual/tty", "4:1");
	tty("ttyS0", "pnp0/00:00/tty", "4:64");
	tty("console", "virtual/tty", "5:1");
	tty("ptmx", "virtual/tty", "5:2");
	tty("ttyUSB0", "pci0000:00/usb1/1-1/1-1:1.0/ttyUSB0/tty", "188:0");
	link_to("dev/char/1:3", "../../devices/virtual/mem/null");
	/* Not under a tty directory although the name looks like one. */
	link_to("dev/char/10:1", "../../devices/virtual/misc/tty7");
	put("class/tty/broken", "");

	CHECK_STR(name(root, TK_MKDEV(4, 1), &err), "tty1");
	CHECK(err == 0);
	CHECK_STR(name(root, TK_MKDEV(4, 64), &err), "ttyS0");
	CHECK(err == 0);
	CHECK_STR(name(root, TK_MKDEV(5, 1), &err), "console");
	CHECK_STR(name(root, TK_MKDEV(188, 0), &err), "ttyUSB0");
	CHECK(err == 0);
	CHECK_STR(name(root, TK_MKDEV(136, 3), &err), "pts/3");
	CHECK(err == 0);
	CHECK_STR(name(root, TK_MKDEV(136, 1048575), &err), "pts/1048575");
	CHECK_STR(name(root, TK_MKDEV(137, 2), &err), "pts/258");
	/* The master side and other devices are not terminals. */
	name(root, TK_MKDEV(5, 2), &err);
	CHECK(err == -ENOENT);
	CHECK_STR(name(root, TK_MKDEV(1, 3), &err), "");
	CHECK(err == -ENOENT);
	name(root, TK_MKDEV(10, 1), &err);
	CHECK(err == -ENOENT);
	name(root, TK_MKDEV(128, 3), &err);
	CHECK(err == -ENOENT);
	name(root, TK_MKDEV(4, 2), &err);
	CHECK(err == -ENOENT);

	memset(bits, 0xff, sizeof(bits));
	n = tk_tty_majors(root, bits, 512);
	CHECK(n == 8 + 3);	/* 136-143, 4, 5, 188 */
	CHECK(bit(bits, 4) && bit(bits, 5) && bit(bits, 188));
	CHECK(bit(bits, 136) && bit(bits, 143));
	CHECK(!bit(bits, 128) && !bit(bits, 1) && !bit(bits, 135) && !bit(bits, 144));
	/* Majors past the map are left out, not written past its end. */
	memset(bits, 0xff, sizeof(bits));
	n = tk_tty_majors(root, bits, 140);
	CHECK(n == 4 + 2);	/* 136-139, 4, 5 */
	CHECK(bits[2] == (1ULL << (136 - 128) | 1ULL << (137 - 128) |
			  1ULL << (138 - 128) | 1ULL << (139 - 128)));
	CHECK(bits[3] == ~0ULL);	/* past (140 + 63) / 64 words: untouched */
}

static void test_proc_drivers(void)
{
	char path[600];
	uint64_t bits[8];
	FILE *f;

	snprintf(path, sizeof(path), "%s/drivers", root);
	f = fopen(path, "w");
	if (!f) {
		CHECK(!"fixture written");
		return;
	}
	fputs("/dev/tty             /dev/tty        5       0 system:/dev/tty\n"
	      "/dev/console         /dev/console    5       1 system:console\n"
	      "/dev/ptmx            /dev/ptmx       5       2 system\n"
	      "/dev/vc/0            /dev/vc/0       4       0 system:vtmaster\n"
	      "usbserial            /dev/ttyUSB   188   0-511 serial\n"
	      "serial               /dev/ttyS       4  64-111 serial\n"
	      "pty_slave            /dev/pts      136 0-1048575 pty:slave\n"
	      "pty_master           /dev/ptm      128 0-1048575 pty:master\n"
	      "pty_master           /dev/pty        2   0-255 pty:master\n"
	      "unknown              /dev/tty        4    1-63 console\n", f);
	fclose(f);
	memset(bits, 0xff, sizeof(bits));
	CHECK(tk_tty_majors_proc(path, bits, 512) == 8 + 3);	/* 136-143, 4, 5, 188 */
	CHECK(bit(bits, 4) && bit(bits, 5) && bit(bits, 188) && bit(bits, 136) && bit(bits, 143));
	CHECK(!bit(bits, 128) && !bit(bits, 2) && !bit(bits, 1) && !bit(bits, 144));
	unlink(path);
	snprintf(path, sizeof(path), "%s/nothing/drivers", root);
	CHECK(tk_tty_majors_proc(path, bits, 512) == -ENOENT);
}

static void test_no_sysfs(void)
{
	char none[600];
	uint64_t bits[8];
	int err;

	snprintf(none, sizeof(none), "%s/nothing", root);
	CHECK_STR(name(none, TK_MKDEV(4, 7), &err), "tty7");
	CHECK(err == 0);
	CHECK_STR(name(none, TK_MKDEV(4, 0), &err), "tty0");
	CHECK_STR(name(none, TK_MKDEV(4, 65), &err), "ttyS1");
	CHECK_STR(name(none, TK_MKDEV(5, 0), &err), "tty");
	CHECK_STR(name(none, TK_MKDEV(5, 1), &err), "console");
	CHECK_STR(name(none, TK_MKDEV(136, 9), &err), "pts/9");
	name(none, TK_MKDEV(5, 2), &err);
	CHECK(err == -ENOENT);
	name(none, TK_MKDEV(4, 256), &err);
	CHECK(err == -ENOENT);
	CHECK(tk_tty_majors(none, bits, 512) == 10);
	CHECK(bit(bits, 4) && bit(bits, 5) && bit(bits, 136) && !bit(bits, 188));
}

static void test_small_buffer(void)
{
	char buf[4];

	CHECK(tk_tty_name(root, TK_MKDEV(136, 12345), buf, sizeof(buf)) == 0);
	CHECK_STR(buf, "pts");
}

int main(void)
{
	if (!mkdtemp(root)) {
		perror("mkdtemp");
		return 2;
	}
	test_sysfs();
	test_proc_drivers();
	test_no_sysfs();
	test_small_buffer();
	cleanup();
	printf("test_ttys: %d passed, %d failed\n", passed, failed);
	return failed != 0;
}
