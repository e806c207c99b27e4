// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* Unit test for common/session.c's BTF lookup (tk_btf_find), on files made
 * in a temporary directory: the kernel's own BTF first, then the kit's
 * btf/RELEASE.btf beside the binary, then the system directory; and the
 * list of every place looked at when there is none.
 * Exit status 0 = pass. */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "session.h"

static int passed, failed;
static char dir[64] = "/tmp/tk-test-session.XXXXXX";

static void check_str(const char *got, const char *exp, const char *what, int line)
{
	if (strcmp(got, exp) == 0) {
		passed++;
		return;
	}
	failed++;
	fprintf(stderr, "test_session.c:%d: FAIL: %s\n  got:      \"%s\"\n  expected: \"%s\"\n",
		line, what, got, exp);
}

static void check_int(long long got, long long exp, const char *what, int line)
{
	if (got == exp) {
		passed++;
		return;
	}
	failed++;
	fprintf(stderr, "test_session.c:%d: FAIL: %s\n  got:      %lld\n  expected: %lld\n",
		line, what, got, exp);
}

/* @dir/@rel: made (with its directory) or removed. */
static const char *path(const char *rel)
{
	static char p[4][PATH_MAX];
	static int i;

	i = (i + 1) % 4;
	snprintf(p[i], sizeof(p[i]), "%s/%s", dir, rel);
	return p[i];
}

static void touch(const char *rel)
{
	FILE *f = fopen(path(rel), "w");

	if (!f) {
		perror(path(rel));
		exit(3);
	}
	fputs("BTF", f);
	fclose(f);
}

#define FIND(exe, release, exp_err, exp_out, exp_looked, what) do {			\
		char _o[PATH_MAX], _l[4 * PATH_MAX];					\
		_o[0] = '\0';								\
		check_int(tk_btf_find(path("sys/vmlinux"), exe, release, path("lib"),	\
				      _o, sizeof(_o), _l, sizeof(_l)), exp_err, what, __LINE__); \
		check_str(_o, exp_out, what ": the BTF", __LINE__);			\
		check_str(exp_err ? _l : "", exp_looked, what ": looked at", __LINE__);	\
	} while (0)

int main(void)
{
	char exe[PATH_MAX], looked[4 * PATH_MAX];

	if (!mkdtemp(dir)) {
		perror("mkdtemp");
		return 3;
	}
	mkdir(path("sys"), 0755);
	mkdir(path("kit"), 0755);
	mkdir(path("kit/btf"), 0755);
	mkdir(path("lib"), 0755);
	snprintf(exe, sizeof(exe), "%s", path("kit/tracekit"));

	snprintf(looked, sizeof(looked), "%s, %s, %s", path("sys/vmlinux"),
		 path("kit/btf/6.1.0-9-amd64.btf"), path("lib/6.1.0-9-amd64.btf"));
	FIND(exe, "6.1.0-9-amd64", -ENOENT, "", looked, "nothing anywhere");

	touch("lib/6.1.0-9-amd64.btf");
	FIND(exe, "6.1.0-9-amd64", 0, path("lib/6.1.0-9-amd64.btf"), "", "only the system's");
	touch("lib/6.1.0-10-amd64.btf");
	touch("kit/btf/6.1.0-10-amd64.btf");
	FIND(exe, "6.1.0-9-amd64", 0, path("lib/6.1.0-9-amd64.btf"), "",
	     "another release's in the kit is not taken");
	touch("kit/btf/6.1.0-9-amd64.btf");
	FIND(exe, "6.1.0-9-amd64", 0, path("kit/btf/6.1.0-9-amd64.btf"), "",
	     "the kit's before the system's");
	touch("sys/vmlinux");
	FIND(exe, "6.1.0-9-amd64", 0, path("sys/vmlinux"), "", "the kernel's own first");
	unlink(path("sys/vmlinux"));

	snprintf(looked, sizeof(looked), "%s, %s", path("sys/vmlinux"), path("lib/6.1.0-11.btf"));
	FIND(NULL, "6.1.0-11", -ENOENT, "", looked, "no binary path: the system's only");
	FIND(NULL, "6.1.0-9-amd64", 0, path("lib/6.1.0-9-amd64.btf"), "",
	     "no binary path, the system's found");
	FIND(exe, "../../etc/x", -ENOENT, "", path("sys/vmlinux"),
	     "a release with a slash names no file");
	FIND(exe, "", -ENOENT, "", path("sys/vmlinux"), "no release: no file to look for");

	/* Only a regular file counts: a directory of that name is passed by. */
	mkdir(path("kit/btf/6.1.0-12.btf"), 0755);
	touch("lib/6.1.0-12.btf");
	FIND(exe, "6.1.0-12", 0, path("lib/6.1.0-12.btf"), "", "a directory in the kit is not a BTF");
	rmdir(path("kit/btf/6.1.0-12.btf"));
	unlink(path("lib/6.1.0-12.btf"));

	unlink(path("kit/btf/6.1.0-9-amd64.btf"));
	unlink(path("kit/btf/6.1.0-10-amd64.btf"));
	unlink(path("lib/6.1.0-9-amd64.btf"));
	unlink(path("lib/6.1.0-10-amd64.btf"));
	rmdir(path("kit/btf"));
	rmdir(path("kit"));
	rmdir(path("lib"));
	rmdir(path("sys"));
	rmdir(dir);
	printf("test_session: %d passed, %d failed\n", passed, failed);
	return failed ? 1 : 0;
}
