// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "ksyms.h"

static int passed, failed;

#define CHECK(cond) do {						\
	if (cond) {							\
		passed++;						\
	} else {							\
		failed++;						\
		fprintf(stderr, "%s:%d: FAIL: %s\n", __FILE__, __LINE__, #cond); \
	}								\
} while (0)

static int streq(const char *a, const char *b)
{
	return a && b && !strcmp(a, b);
}

/* Write @text to a fresh temp file; returns its path (static buffer) or NULL. */
static const char *write_temp(const char *text)
{
	static char path[64];
	size_t len = strlen(text);
	int fd;

	snprintf(path, sizeof(path), "/tmp/tk_ksyms_XXXXXX");
	fd = mkstemp(path);
	if (fd < 0) {
		perror("mkstemp");
		return NULL;
	}
	if (write(fd, text, len) != (ssize_t)len) {
		perror("write");
		close(fd);
		unlink(path);
		return NULL;
	}
	close(fd);
	return path;
}

/* Unsorted on purpose, with a module run, a hidden (zero) address, an alias
 * pair and a name that exists in both vmlinux and a module. */
static const char fake[] =
	"ffffffff81002000 T do_sys_open\n"
	"ffffffff81001000 T _stext\n"
	"0000000000000000 T hidden_sym\n"
	"ffffffffc0a01000 t loop_probe\t[loop]\n"
	"ffffffffc0a00000 t dup_name\t[loop]\n"
	"ffffffff81003000 t dup_name\n"
	"ffffffff81001000 T _text\n"
	"ffffffffc0b00000 T ext4_fill_super\t[ext4]\n"
	"ffffffff81004000 D some_data\n";

static void test_fake(void)
{
	const struct ksym *s;
	struct ksyms *ks;
	const char *path = write_temp(fake);

	CHECK(path != NULL);
	if (!path)
		return;
	ks = ksyms_load(path);
	unlink(path);
	CHECK(ks != NULL);
	if (!ks)
		return;
	CHECK(ksyms_count(ks) == 8);

	/* Exact address: the first of the aliases in file order. */
	s = ksyms_lookup(ks, 0xffffffff81001000ULL);
	CHECK(s && s->addr == 0xffffffff81001000ULL && streq(s->name, "_stext") && !s->module);

	/* Inside a symbol. */
	s = ksyms_lookup(ks, 0xffffffff81002abcULL);
	CHECK(s && streq(s->name, "do_sys_open"));
	s = ksyms_lookup(ks, 0xffffffff81001fffULL);
	CHECK(s && streq(s->name, "_stext"));
	s = ksyms_lookup(ks, 0xffffffff81004123ULL);
	CHECK(s && streq(s->name, "some_data"));

	/* Below the first symbol. */
	CHECK(ksyms_lookup(ks, 0xffffffff81000fffULL) == NULL);
	CHECK(ksyms_lookup(ks, 0) == NULL);

	/* Module symbols and their module names. */
	s = ksyms_lookup(ks, 0xffffffffc0a01010ULL);
	CHECK(s && streq(s->name, "loop_probe") && streq(s->module, "loop"));
	s = ksyms_lookup(ks, 0xffffffffc0a00001ULL);
	CHECK(s && streq(s->name, "dup_name") && streq(s->module, "loop"));
	s = ksyms_lookup(ks, UINT64_MAX);
	CHECK(s && streq(s->name, "ext4_fill_super") && streq(s->module, "ext4"));

	/* By name. */
	s = ksyms_by_name(ks, "do_sys_open");
	CHECK(s && s->addr == 0xffffffff81002000ULL && !s->module);
	s = ksyms_by_name(ks, "_text");
	CHECK(s && s->addr == 0xffffffff81001000ULL);
	s = ksyms_by_name(ks, "ext4_fill_super");
	CHECK(s && s->addr == 0xffffffffc0b00000ULL && streq(s->module, "ext4"));
	/* vmlinux wins even though the module line comes first. */
	s = ksyms_by_name(ks, "dup_name");
	CHECK(s && s->addr == 0xffffffff81003000ULL && !s->module);
	CHECK(ksyms_by_name(ks, "hidden_sym") == NULL);
	CHECK(ksyms_by_name(ks, "no_such_symbol") == NULL);
	CHECK(ksyms_by_name(ks, "do_sys") == NULL);

	ksyms_free(ks);
}

static void test_edge_files(void)
{
	const struct ksym *s;
	struct ksyms *ks;
	const char *path;

	/* All addresses hidden: parses, but holds nothing. */
	path = write_temp("0000000000000000 T _stext\n0000000000000000 t foo\t[loop]\n");
	CHECK(path != NULL);
	if (path) {
		ks = ksyms_load(path);
		unlink(path);
		CHECK(ks != NULL && ksyms_count(ks) == 0);
		CHECK(ksyms_lookup(ks, 0xffffffff81000000ULL) == NULL);
		CHECK(ksyms_by_name(ks, "_stext") == NULL);
		ksyms_free(ks);
	}

	/* No trailing newline on the last line. */
	path = write_temp("ffffffff81000000 T a\nffffffff81000010 T b");
	CHECK(path != NULL);
	if (path) {
		ks = ksyms_load(path);
		unlink(path);
		CHECK(ks != NULL && ksyms_count(ks) == 2);
		s = ksyms_lookup(ks, 0xffffffff81000011ULL);
		CHECK(s && streq(s->name, "b"));
		ksyms_free(ks);
	}

	/* Not a kallsyms file. */
	path = write_temp("hello world\n");
	CHECK(path != NULL);
	if (path) {
		errno = 0;
		ks = ksyms_load(path);
		CHECK(ks == NULL && errno == EINVAL);
		unlink(path);
		ksyms_free(ks);
	}

	errno = 0;
	CHECK(ksyms_load("/nonexistent/kallsyms") == NULL && errno == ENOENT);
}

static void test_proc(void)
{
	static const char *const names[] = { "_stext", "do_sys_openat2" };
	const struct ksym *s, *l;
	struct ksyms *ks = ksyms_load(NULL);

	if (!ks) {
		printf("skip /proc/kallsyms: %s\n", strerror(errno));
		return;
	}
	if (!ksyms_count(ks)) {
		printf("skip /proc/kallsyms: addresses hidden (not root?)\n");
		ksyms_free(ks);
		return;
	}
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		s = ksyms_by_name(ks, names[i]);
		CHECK(s != NULL && s->addr && !s->module);
		if (!s)
			continue;
		/* Another name may share the address; the one found must sit there. */
		l = ksyms_lookup(ks, s->addr);
		CHECK(l && l->addr == s->addr);
		l = ksyms_lookup(ks, s->addr + 1);
		CHECK(l && l->addr <= s->addr + 1);
		if (!strcmp(names[i], "do_sys_openat2"))
			CHECK(l && streq(l->name, "do_sys_openat2"));
	}
	ksyms_free(ks);
}

int main(void)
{
	test_fake();
	test_edge_files();
	test_proc();
	printf("test_ksyms: %d passed, %d failed\n", passed, failed);
	return failed ? 1 : 0;
}
