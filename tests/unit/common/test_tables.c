// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* Unit test for common/syscalls.c and common/errnos.c. Exit status 0 = pass. */
#include <stdio.h>
#include <string.h>
#include "syscalls.h"
#include "errnos.h"

static int passed, failed;

static void check(int ok, const char *what, int line)
{
	if (ok) {
		passed++;
		return;
	}
	failed++;
	fprintf(stderr, "test_tables.c:%d: FAIL: %s\n", line, what);
}

#define CHECK(cond) check(!!(cond), #cond, __LINE__)

/* strcmp() that treats NULL as a mismatch instead of crashing the run. */
static int str_eq(const char *a, const char *b)
{
	return a && b && strcmp(a, b) == 0;
}

static void test_syscalls(void)
{
	int nr, n = syscall_table_size(), entries = 0, roundtrip_bad = 0;

	CHECK(str_eq(syscall_name(0), "read"));
	CHECK(str_eq(syscall_name(2), "open"));
	CHECK(str_eq(syscall_name(257), "openat"));
	CHECK(str_eq(syscall_name(437), "openat2"));
	CHECK(str_eq(syscall_name(469), "file_setattr"));
	CHECK(syscall_nr("openat") == 257);
	CHECK(syscall_nr("read") == 0);
	CHECK(syscall_nr("file_setattr") == 469);
	CHECK(syscall_nr("newstat") == 4);
	CHECK(syscall_nr("nosuchsyscall") == -1);
	CHECK(syscall_nr("") == -1);
	CHECK(syscall_nr("OPENAT") == -1);
	CHECK(syscall_nr(NULL) == -1);
	CHECK(syscall_name(-1) == NULL);
	CHECK(syscall_name(100000) == NULL);
	CHECK(syscall_name(n) == NULL);
	CHECK(syscall_name(400) == NULL);	/* reserved gap 387..423 */
	CHECK(n == 470);

	for (nr = 0; nr < n; nr++) {
		const char *name = syscall_name(nr);

		if (!name)
			continue;
		entries++;
		if (syscall_nr(name) != nr) {
			roundtrip_bad++;
			fprintf(stderr, "test_tables.c: round trip: %d -> %s -> %d\n",
				nr, name, syscall_nr(name));
		}
	}
	CHECK(roundtrip_bad == 0);
	CHECK(entries > 350);
}

static void test_errnos(void)
{
	int e, unnamed = 0;

	CHECK(str_eq(errno_name(2), "ENOENT"));
	CHECK(str_eq(errno_name(1), "EPERM"));
	CHECK(str_eq(errno_name(11), "EAGAIN"));
	CHECK(str_eq(errno_name(35), "EDEADLK"));
	CHECK(str_eq(errno_name(95), "EOPNOTSUPP"));
	CHECK(str_eq(errno_name(133), "EHWPOISON"));
	CHECK(errno_name(0) == NULL);
	CHECK(errno_name(-2) == NULL);
	CHECK(errno_name(134) == NULL);

	CHECK(errno_parse("ENOENT") == 2);
	CHECK(errno_parse("enoent") == 2);
	CHECK(errno_parse("2") == 2);
	CHECK(errno_parse("EWOULDBLOCK") == 11);
	CHECK(errno_parse("EDEADLOCK") == 35);
	CHECK(errno_parse("ENOTSUP") == 95);
	CHECK(errno_parse("4095") == 4095);
	CHECK(errno_parse("2x") == -1);
	CHECK(errno_parse("") == -1);
	CHECK(errno_parse("E_NOPE") == -1);
	CHECK(errno_parse("0") == -1);
	CHECK(errno_parse("99999") == -1);
	CHECK(errno_parse("4096") == -1);
	CHECK(errno_parse("-2") == -1);
	CHECK(errno_parse("+2") == -1);
	CHECK(errno_parse(" 2") == -1);
	CHECK(errno_parse("99999999999999999999") == -1);
	CHECK(errno_parse(NULL) == -1);

	/* Every Linux errno 1..133 is named, except the two values never assigned. */
	for (e = 1; e <= 133; e++) {
		const char *name = errno_name(e);

		if (!name) {
			if (e != 41 && e != 58) {
				unnamed++;
				fprintf(stderr, "test_tables.c: errno %d has no name\n", e);
			}
			continue;
		}
		if (errno_parse(name) != e) {
			unnamed++;
			fprintf(stderr, "test_tables.c: errno round trip: %d -> %s -> %d\n",
				e, name, errno_parse(name));
		}
	}
	CHECK(unnamed == 0);
}

int main(void)
{
	test_syscalls();
	test_errnos();
	printf("test_tables: %d passed, %d failed\n", passed, failed);
	return failed ? 1 : 0;
}
