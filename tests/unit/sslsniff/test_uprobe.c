// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <link.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>
#include "uprobe.h"

static int passed, failed;

#define CHECK(cond) do {						\
	if (cond) {							\
		passed++;						\
	} else {							\
		failed++;						\
		fprintf(stderr, "%s:%d: FAIL: %s\n", __FILE__, __LINE__, #cond); \
	}								\
} while (0)

static char dir[] = "/tmp/tk_uprobe_XXXXXX";
static uint16_t self_machine;

static const char *tmp(const char *name)
{
	static char paths[8][PATH_MAX];
	static int next;
	char *p = paths[next++ % 8];

	snprintf(p, PATH_MAX, "%s/%s", dir, name);
	return p;
}

static bool write_file(const char *path, const void *data, size_t len)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	bool ok;

	if (fd < 0)
		return false;
	ok = write(fd, data, len) == (ssize_t)len;
	return close(fd) == 0 && ok;
}

/* A bare ELF header for @machine, of this process's class: no sections. */
static bool write_elf(const char *path, uint16_t machine)
{
	ElfW(Ehdr) h;

	memset(&h, 0, sizeof(h));
	memcpy(h.e_ident, ELFMAG, SELFMAG);
	h.e_ident[EI_CLASS] = sizeof(void *) == 8 ? ELFCLASS64 : ELFCLASS32;
	h.e_ident[EI_DATA] = __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__ ? ELFDATA2LSB : ELFDATA2MSB;
	h.e_ident[EI_VERSION] = EV_CURRENT;
	h.e_type = ET_DYN;
	h.e_machine = machine;
	h.e_version = EV_CURRENT;
	h.e_ehsize = sizeof(h);
	return write_file(path, &h, sizeof(h));
}

static bool same_file(const char *a, const char *b)
{
	struct stat sa, sb;

	return !stat(a, &sa) && !stat(b, &sb) && sa.st_dev == sb.st_dev && sa.st_ino == sb.st_ino;
}

static void test_name_match(void)
{
	CHECK(tk_lib_name_match("libssl.so", "libssl.so"));
	CHECK(tk_lib_name_match("libssl.so.3", "libssl.so"));
	CHECK(tk_lib_name_match("libssl.so.1.1", "libssl.so"));
	CHECK(!tk_lib_name_match("libssl3.so", "libssl.so"));
	CHECK(!tk_lib_name_match("libssl.so3", "libssl.so"));
	CHECK(!tk_lib_name_match("libssl.s", "libssl.so"));
	CHECK(!tk_lib_name_match("libgnutls-dane.so.0", "libgnutls.so"));
	CHECK(tk_lib_name_match("libnspr4.so", "libnspr4.so"));
}

static void test_add(void)
{
	static struct tk_uobjs l;

	memset(&l, 0, sizeof(l));
	CHECK(write_elf(tmp("liba.so.1"), self_machine));
	CHECK(symlink("liba.so.1", tmp("liba.so")) == 0);
	CHECK(tk_uobj_add(&l, tmp("liba.so.1"), 1) == 1);
	/* The same file by another path: one entry, both tags. */
	CHECK(tk_uobj_add(&l, tmp("liba.so"), 4) == 0);
	CHECK(l.n == 1 && l.obj[0].tags == 5);
	CHECK(!strcmp(l.obj[0].path, tmp("liba.so.1")));
	CHECK(tk_uobj_add(&l, tmp("missing"), 1) == -ENOENT);
	CHECK(tk_uobj_add(&l, dir, 1) == -ENOEXEC);
	CHECK(l.n == 1);
	/* Files stay while listed: a freed inode number could be reused. */
	for (int i = 1; i <= TK_UOBJ_MAX; i++) {
		char name[32];
		int r;

		snprintf(name, sizeof(name), "many.%d", i);
		CHECK(write_file(tmp(name), "x", 1));
		r = tk_uobj_add(&l, tmp(name), 0);
		CHECK(r == (i < TK_UOBJ_MAX ? 1 : -E2BIG));
	}
	CHECK(l.n == TK_UOBJ_MAX);
}

static void test_native(void)
{
	uint16_t other = self_machine == EM_AARCH64 ? EM_X86_64 : EM_AARCH64;

	CHECK(tk_elf_native("/proc/self/exe") == 1);
	/* A FIFO named like a library: not one, and no wait for a writer
	 * (alarm: the old open() blocked here for good). */
	CHECK(mkfifo(tmp("fifo.so"), 0644) == 0);
	alarm(10);
	CHECK(tk_elf_native(tmp("fifo.so")) == 0);
	CHECK(tk_elf_has_symtab(tmp("fifo.so")) == -ENOEXEC);
	alarm(0);
	CHECK(tk_elf_native("/") == 0);
	CHECK(write_elf(tmp("native.so"), self_machine));
	CHECK(tk_elf_native(tmp("native.so")) == 1);
	CHECK(write_elf(tmp("foreign.so"), other));
	CHECK(tk_elf_native(tmp("foreign.so")) == 0);
	CHECK(write_file(tmp("text.so"), "not an ELF file at all\n", 23));
	CHECK(tk_elf_native(tmp("text.so")) == 0);
	CHECK(tk_elf_native(tmp("missing")) == -ENOENT);
}

/* A cache in glibc's format, optionally behind an old-format part. */
struct fake_entry {
	const char *key, *value;
};

static bool write_cache(const char *path, const struct fake_entry *e, int n, bool with_old,
			uint32_t nlibs_override)
{
	static char buf[1 << 16];
	char strings[8192];
	size_t slen = 0, base = 0, off, i;
	uint32_t v, offs[64][2];

	memset(buf, 0, sizeof(buf));
	if (with_old) {
		memcpy(buf, "ld.so-1.7.0", 11);
		v = 2;
		memcpy(buf + 12, &v, 4);
		/* two old entries, contents irrelevant */
		base = (16 + 2 * 12 + 7) & ~7u;
	}
	off = base + 48 + n * 24;
	for (i = 0; i < (size_t)n; i++) {
		offs[i][0] = off + slen;
		slen += snprintf(strings + slen, sizeof(strings) - slen, "%s", e[i].key) + 1;
		offs[i][1] = off + slen;
		slen += snprintf(strings + slen, sizeof(strings) - slen, "%s", e[i].value) + 1;
	}
	memcpy(buf + base, "glibc-ld.so.cache1.1", 20);
	v = nlibs_override ? nlibs_override : (uint32_t)n;
	memcpy(buf + base + 20, &v, 4);
	v = slen;
	memcpy(buf + base + 24, &v, 4);
	for (i = 0; i < (size_t)n; i++) {
		char *ent = buf + base + 48 + i * 24;
		int32_t flags = 0x0303;
		/* offsets are from the start of the new header */
		uint32_t k = offs[i][0] - base, val = offs[i][1] - base;

		memcpy(ent, &flags, 4);
		memcpy(ent + 4, &k, 4);
		memcpy(ent + 8, &val, 4);
	}
	memcpy(buf + off, strings, slen);
	return write_file(path, buf, off + slen);
}

static void test_cache(void)
{
	static struct tk_uobjs l;
	const char *dirs[] = { NULL, NULL };
	char sub[PATH_MAX];
	struct fake_entry e[6];

	CHECK(write_elf(tmp("libfoo.so.1"), self_machine));
	CHECK(symlink("libfoo.so.1", tmp("libfoo.so")) == 0);
	CHECK(write_elf(tmp("libfoo3.so"), self_machine));
	CHECK(write_elf(tmp("libfoo.so.2"), self_machine == EM_AARCH64 ? EM_X86_64 : EM_AARCH64));
	e[0] = (struct fake_entry){ "libfoo.so.1", tmp("libfoo.so.1") };
	e[1] = (struct fake_entry){ "libfoo.so", tmp("libfoo.so") };
	e[2] = (struct fake_entry){ "libfoo3.so", tmp("libfoo3.so") };
	e[3] = (struct fake_entry){ "libfoo.so.2", tmp("libfoo.so.2") };
	e[4] = (struct fake_entry){ "libfoo.so.9", tmp("libfoo.so.9") };
	e[5] = (struct fake_entry){ "libbar.so.1", tmp("libfoo.so.1") };

	/* Empty fallback directory: whatever is found comes from the cache. */
	snprintf(sub, sizeof(sub), "%s/empty", dir);
	CHECK(mkdir(sub, 0755) == 0);
	dirs[0] = sub;
	for (int old = 0; old < 2; old++) {
		memset(&l, 0, sizeof(l));
		CHECK(write_cache(tmp("ld.so.cache"), e, 6, old, 0));
		/* libfoo.so.1 and libfoo.so are one file; libfoo3.so is another
		 * library; .2 is for another machine; .9 does not exist. */
		CHECK(tk_libs_find(&l, "libfoo.so", 2, tmp("ld.so.cache"), dirs) == 1);
		CHECK(l.n == 1 && same_file(l.obj[0].path, tmp("libfoo.so.1")) && l.obj[0].tags == 2);
	}

	/* Nothing in the cache, a bad cache, or none: the directories. */
	snprintf(sub, sizeof(sub), "%s/std", dir);
	CHECK(mkdir(sub, 0755) == 0);
	CHECK(write_elf(tmp("std/libfoo.so.5"), self_machine));
	CHECK(write_elf(tmp("std/libfoo.so.6"), self_machine == EM_AARCH64 ? EM_X86_64 : EM_AARCH64));
	CHECK(write_elf(tmp("std/libfoobar.so.1"), self_machine));
	dirs[0] = sub;
	memset(&l, 0, sizeof(l));
	CHECK(write_cache(tmp("ld.so.cache"), e + 5, 1, false, 0));
	CHECK(tk_libs_find(&l, "libfoo.so", 1, tmp("ld.so.cache"), dirs) == 1);
	CHECK(l.n == 1 && !strcmp(l.obj[0].path, tmp("std/libfoo.so.5")));
	memset(&l, 0, sizeof(l));
	CHECK(write_cache(tmp("ld.so.cache"), e, 6, false, 0x7fffffff));
	CHECK(tk_libs_find(&l, "libfoo.so", 1, tmp("ld.so.cache"), dirs) == 1);
	CHECK(l.n == 1 && !strcmp(l.obj[0].path, tmp("std/libfoo.so.5")));
	memset(&l, 0, sizeof(l));
	CHECK(write_file(tmp("ld.so.cache"), "garbage", 7));
	CHECK(tk_libs_find(&l, "libfoo.so", 1, tmp("ld.so.cache"), dirs) == 1);
	memset(&l, 0, sizeof(l));
	CHECK(tk_libs_find(&l, "libfoo.so", 1, tmp("no.cache"), dirs) == 1);
	memset(&l, 0, sizeof(l));
	CHECK(tk_libs_find(&l, "libnothing.so", 1, tmp("no.cache"), dirs) == 0);
	CHECK(l.n == 0);
}

/* The cache is a file from disk: whatever its bytes, no crash, no read
 * outside it, and nothing added that is not a file of ours. */
static void test_cache_garbage(void)
{
	static struct tk_uobjs l;
	static char good[1 << 16], bad[1 << 16];
	const char *empty[] = { NULL };
	struct fake_entry e[2];
	ssize_t len;
	int fd, i, r, crashes = 0;

	e[0] = (struct fake_entry){ "libfoo.so.1", tmp("libfoo.so.1") };
	e[1] = (struct fake_entry){ "libfoo.so", tmp("libfoo.so") };
	CHECK(write_cache(tmp("good.cache"), e, 2, true, 0));
	fd = open(tmp("good.cache"), O_RDONLY);
	len = fd < 0 ? -1 : read(fd, good, sizeof(good));
	if (fd >= 0)
		close(fd);
	CHECK(len > 0);
	if (len <= 0)
		return;
	srand(7);
	for (i = 0; i < 3000; i++) {
		size_t n = i % 3 ? (size_t)len : (size_t)(rand() % len);
		int flips = 1 + rand() % 8;

		memcpy(bad, good, len);
		while (flips--)
			bad[rand() % len] = rand();
		if (!write_file(tmp("bad.cache"), bad, n))
			continue;
		memset(&l, 0, sizeof(l));
		r = tk_libs_find(&l, "libfoo.so", 1, tmp("bad.cache"), empty);
		if (r < -4095 || r > 1 || l.n > 1 ||
		    (l.n == 1 && !same_file(l.obj[0].path, tmp("libfoo.so.1"))))
			crashes++;
	}
	CHECK(crashes == 0);
}

/* The file our libc was loaded from, as the loader saw it. */
static int find_libc_cb(struct dl_phdr_info *info, size_t size, void *arg)
{
	const char *slash;

	(void)size;
	if (!info->dlpi_name || !(slash = strrchr(info->dlpi_name, '/')))
		return 0;
	if (!tk_lib_name_match(slash + 1, "libc.so"))
		return 0;
	snprintf(arg, PATH_MAX, "%s", info->dlpi_name);
	return 1;
}

static void test_real(void)
{
	static struct tk_uobjs l;
	char libc[PATH_MAX] = "", prefix[64];
	int i, found = 0;

	dl_iterate_phdr(find_libc_cb, libc);
	CHECK(libc[0] == '/');
	if (libc[0] != '/')
		return;
	printf("libc: %s\n", libc);

	/* As the dynamic linker would find it: the same file. */
	memset(&l, 0, sizeof(l));
	CHECK(tk_libs_find(&l, "libc.so", 1, NULL, NULL) >= 1);
	for (i = 0; i < l.n; i++)
		found += same_file(l.obj[i].path, libc);
	CHECK(found == 1);

	/* As mapped into this process: the same file, through /proc/PID/root. */
	memset(&l, 0, sizeof(l));
	CHECK(tk_libs_mapped(&l, getpid(), "libc.so", 8) == 1);
	snprintf(prefix, sizeof(prefix), "/proc/%d/root/", (int)getpid());
	CHECK(l.n == 1 && !strncmp(l.obj[0].path, prefix, strlen(prefix)));
	CHECK(l.n == 1 && same_file(l.obj[0].path, libc) && l.obj[0].tags == 8);
	CHECK(tk_libs_mapped(&l, getpid(), "libtk_not_mapped.so", 8) == 0);
	CHECK(tk_libs_mapped(&l, 0x7ffffff0, "libc.so", 8) == -ENOENT);
}

/* Map @n files named @stem.N (ELF for this machine or text), as a hostile
 * process could, and see what tk_libs_mapped makes of them. */
static void map_many(const char *stem, int n, bool elf, void **maps)
{
	char name[64];
	int fd;

	for (int i = 0; i < n; i++) {
		snprintf(name, sizeof(name), "%s.%d", stem, i + 1);
		CHECK(elf ? write_elf(tmp(name), self_machine) : write_file(tmp(name), "junk\n", 5));
		fd = open(tmp(name), O_RDONLY);
		maps[i] = fd < 0 ? MAP_FAILED : mmap(NULL, 4096, PROT_READ, MAP_PRIVATE, fd, 0);
		CHECK(maps[i] != MAP_FAILED);
		if (fd >= 0)
			close(fd);
	}
}

static void test_mapped_many(void)
{
	static struct tk_uobjs l;
	void *maps[TK_UOBJ_MAX + 1];

	/* 33 text files named like a library: none is one; all ignored, no error
	 * (once -E2BIG, which made sslsniff -p give up). */
	map_many("libtkjunk.so", TK_UOBJ_MAX + 1, false, maps);
	memset(&l, 0, sizeof(l));
	CHECK(tk_libs_mapped(&l, getpid(), "libtkjunk.so", 1) == 0);
	CHECK(l.n == 0 && l.not_native == TK_UOBJ_MAX + 1 && l.full == 0);
	/* libc still found after them. */
	CHECK(tk_libs_mapped(&l, getpid(), "libc.so", 1) == 1);
	for (int i = 0; i <= TK_UOBJ_MAX; i++)
		if (maps[i] != MAP_FAILED)
			munmap(maps[i], 4096);

	/* 33 ELF files: 32 taken, one counted as left out, still no error. */
	map_many("libtkelf.so", TK_UOBJ_MAX + 1, true, maps);
	memset(&l, 0, sizeof(l));
	CHECK(tk_libs_mapped(&l, getpid(), "libtkelf.so", 1) == TK_UOBJ_MAX);
	CHECK(l.n == TK_UOBJ_MAX && l.full == 1 && l.not_native == 0);
	for (int i = 0; i <= TK_UOBJ_MAX; i++)
		if (maps[i] != MAP_FAILED)
			munmap(maps[i], 4096);
}

static void test_symtab(void)
{
	/* Unit tests are built with -g and not stripped. */
	CHECK(tk_elf_has_symtab("/proc/self/exe") == 1);
	CHECK(write_elf(tmp("bare.so"), self_machine));
	CHECK(tk_elf_has_symtab(tmp("bare.so")) == 0);
	CHECK(write_file(tmp("text2.so"), "text\n", 5));
	CHECK(tk_elf_has_symtab(tmp("text2.so")) == -ENOEXEC);
	CHECK(tk_elf_has_symtab(tmp("missing")) == -ENOENT);
}

int main(void)
{
	char cmd[PATH_MAX + 16];
	ElfW(Ehdr) self;
	int fd = open("/proc/self/exe", O_RDONLY);

	if (fd < 0 || read(fd, &self, sizeof(self)) != sizeof(self) || !mkdtemp(dir)) {
		perror("test_uprobe: setup");
		return 1;
	}
	close(fd);
	self_machine = self.e_machine;
	test_name_match();
	test_add();
	test_native();
	test_cache();
	test_cache_garbage();
	test_real();
	test_mapped_many();
	test_symtab();
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	if (system(cmd))
		fprintf(stderr, "test_uprobe: could not remove %s\n", dir);
	printf("test_uprobe: %d passed, %d failed\n", passed, failed);
	return failed ? 1 : 0;
}
