// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* Unit test for common/attach.c's cgroup2 lookup, against made-up
 * /proc/self/mounts texts: pure cgroup2, hybrid (v1 controllers first),
 * none, escaped mount points, lines longer than a page.
 * Exit status 0 = pass. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "attach.h"
#include "log.h"

static int passed, failed;

static void check_str(const char *got, const char *exp, const char *what, int line)
{
	if (strcmp(got, exp) == 0) {
		passed++;
		return;
	}
	failed++;
	fprintf(stderr, "test_attach.c:%d: FAIL: %s\n  got:      \"%s\"\n  expected: \"%s\"\n",
		line, what, got, exp);
}

static void check_int(long long got, long long exp, const char *what, int line)
{
	if (got == exp) {
		passed++;
		return;
	}
	failed++;
	fprintf(stderr, "test_attach.c:%d: FAIL: %s\n  got:      %lld\n  expected: %lld\n",
		line, what, got, exp);
}

/* tk_cgroup2_find over @text; @buf gets the result, "" if none. */
static int find_in(const char *text, char *buf, size_t size)
{
	FILE *f = fmemopen((void *)text, strlen(text), "r");
	int err;

	if (!f) {
		perror("fmemopen");
		exit(3);
	}
	buf[0] = '\0';
	err = tk_cgroup2_find(f, buf, size);
	fclose(f);
	return err;
}

#define FIND(text, exp_err, exp_dir, what) do {					\
		char _b[256];							\
		check_int(find_in(text, _b, sizeof(_b)), exp_err, what, __LINE__);	\
		check_str(_b, exp_dir, what, __LINE__);				\
	} while (0)

static void test_find(void)
{
	char *lng;
	size_t n = 20000;

	FIND("sysfs /sys sysfs rw,nosuid 0 0\n"
	     "cgroup2 /sys/fs/cgroup cgroup2 rw,nosuid,nodev,noexec 0 0\n",
	     0, "/sys/fs/cgroup", "pure cgroup2");
	FIND("tmpfs /sys/fs/cgroup tmpfs rw,relatime,mode=755 0 0\n"
	     "cgroup /sys/fs/cgroup/cpu cgroup rw,relatime,cpu 0 0\n"
	     "cgroup /sys/fs/cgroup/systemd cgroup rw,relatime,name=systemd 0 0\n"
	     "cgroup2 /sys/fs/cgroup/unified cgroup2 rw,relatime 0 0\n",
	     0, "/sys/fs/cgroup/unified", "hybrid: v1 controllers first, then cgroup2");
	FIND("cgroup2 /a cgroup2 rw 0 0\ncgroup2 /b cgroup2 rw 0 0\n",
	     0, "/a", "the first of two");
	FIND("none /mnt/cgroup2 tmpfs rw 0 0\n", -ENOENT, "", "a tmpfs named cgroup2 is not one");
	FIND("proc /proc proc rw 0 0\ncgroup /sys/fs/cgroup cgroup rw,cpu 0 0\n",
	     -ENOENT, "", "only cgroup v1");
	FIND("", -ENOENT, "", "empty");
	FIND("cgroup2 /mnt/my\\040cg\\134x cgroup2 rw 0 0\n", 0, "/mnt/my cg\\x",
	     "escaped space and backslash");
	FIND("cgroup2 /no/newline cgroup2 rw 0 0", 0, "/no/newline", "last line without newline");
	FIND("garbage\n\ncgroup2\ncgroup2 /x\ncgroup2 /ok cgroup2 rw 0 0\n", 0, "/ok",
	     "short lines are skipped");

	/* An overlayfs line longer than any fixed buffer, then cgroup2. */
	lng = malloc(n + 200);
	if (!lng)
		exit(3);
	strcpy(lng, "overlay / overlay rw,lowerdir=");
	memset(lng + strlen(lng), 'l', n);
	lng[30 + n] = '\0';
	strcat(lng, " cgroup2 cgroup2 x 0 0\ncgroup2 /after cgroup2 rw 0 0\n");
	FIND(lng, 0, "/after", "a very long line is one line");
	free(lng);

	/* Longer than the caller's buffer: not truncated into a wrong path. */
	{
		char small[8];
		const char *t = "cgroup2 /sys/fs/cgroup cgroup2 rw 0 0\n";

		check_int(find_in(t, small, sizeof(small)), -ENOENT, "too long for the buffer",
			  __LINE__);
	}
}

static void test_root(void)
{
	const char *a = tk_cgroup2_root(), *b = tk_cgroup2_root();

	/* Whatever this machine has, asked twice is the same answer. */
	check_int(a == b, 1, "tk_cgroup2_root is looked up once", __LINE__);
	if (a)
		check_int(a[0] == '/', 1, "tk_cgroup2_root is an absolute path", __LINE__);
}

int main(void)
{
	tk_prog = "tktest";
	test_find();
	test_root();
	printf("test_attach: %d passed, %d failed\n", passed, failed);
	return failed ? 1 : 0;
}
