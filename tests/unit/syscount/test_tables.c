// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* Unit test for tools/syscount/syscalls.c and common/errnos.c. Exit status 0 = pass. */
#include <stdio.h>
#include <string.h>
#include "syscalls.h"
#include "errnos.h"

/* The arm64 table too, whatever the build machine: tools/syscount/syscalls.c again,
 * forced to arm64, its functions renamed. */
#define syscall_name arm64_syscall_name
#define syscall_nr arm64_syscall_nr
#define syscall_table_size arm64_syscall_table_size
#define TK_SYSCALLS_ARM64
#include "../../../tools/syscount/syscalls.c"
#undef syscall_name
#undef syscall_nr
#undef syscall_table_size

/* The independent truth for it: the kernel's asm-generic numbering, with
 * what arch/arm64/include/uapi/asm/unistd.h asks for. */
#define __ARCH_WANT_RENAMEAT
#define __ARCH_WANT_NEW_STAT
#define __ARCH_WANT_SET_GET_RLIMIT
#define __ARCH_WANT_SYS_CLONE3
#define __ARCH_WANT_MEMFD_SECRET
#include <asm-generic/unistd.h>

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

#ifdef __x86_64__
static void test_syscalls_x86_64(void)
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
#endif

#ifdef __aarch64__
/* An arm64 build's tools use the arm64 table (make ARCH=arm64). */
static void test_syscalls_native_arm64(void)
{
	CHECK(syscall_nr("openat") == 56);
	CHECK(syscall_nr("open") == -1);
	CHECK(str_eq(syscall_name(63), "read"));
	CHECK(syscall_table_size() == arm64_syscall_table_size());
}
#endif

static void test_syscalls_arm64(void)
{
	int nr, n = arm64_syscall_table_size(), entries = 0, roundtrip_bad = 0;

	/* Each name at the number the kernel's headers give it. */
#define SAME(name) CHECK(arm64_syscall_nr(#name) == __NR_##name && \
			 str_eq(arm64_syscall_name(__NR_##name), #name))
	SAME(io_setup);
	SAME(read);
	SAME(write);
	SAME(openat);
	SAME(close);
	SAME(fcntl);
	SAME(fstat);
	SAME(newfstatat);
	SAME(renameat);
	SAME(getrlimit);
	SAME(mmap);
	SAME(execve);
	SAME(clone);
	SAME(clone3);
	SAME(bpf);
	SAME(perf_event_open);
	SAME(openat2);
	SAME(memfd_secret);
	SAME(set_mempolicy_home_node);
#undef SAME
	CHECK(arm64_syscall_nr("openat") == 56);
	CHECK(str_eq(arm64_syscall_name(63), "read"));
	CHECK(str_eq(arm64_syscall_name(469), "file_setattr"));
	/* x86_64's legacy calls are not arm64's. */
	CHECK(arm64_syscall_nr("open") == -1);
	CHECK(arm64_syscall_nr("stat") == -1);
	CHECK(arm64_syscall_nr("fork") == -1);
	/* tracefs's spellings */
	CHECK(arm64_syscall_nr("newfstat") == 80);
	CHECK(arm64_syscall_nr("umount") == 39);
	CHECK(arm64_syscall_nr("newuname") == 160);
	CHECK(arm64_syscall_nr("sendfile64") == 71);
	CHECK(arm64_syscall_name(244) == NULL);	/* arch-specific gap */
	CHECK(arm64_syscall_name(n) == NULL);
	CHECK(arm64_syscall_name(-1) == NULL);
	CHECK(n == 470);

	for (nr = 0; nr < n; nr++) {
		const char *name = arm64_syscall_name(nr);

		if (!name)
			continue;
		entries++;
		if (arm64_syscall_nr(name) != nr) {
			roundtrip_bad++;
			fprintf(stderr, "test_tables.c: arm64 round trip: %d -> %s -> %d\n",
				nr, name, arm64_syscall_nr(name));
		}
	}
	CHECK(roundtrip_bad == 0);
	CHECK(entries > 300);
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
#ifdef __x86_64__
	test_syscalls_x86_64();	/* the table the tools here use */
#endif
#ifdef __aarch64__
	test_syscalls_native_arm64();
#endif
	test_syscalls_arm64();
	test_errnos();
	printf("test_tables: %d passed, %d failed\n", passed, failed);
	return failed ? 1 : 0;
}
