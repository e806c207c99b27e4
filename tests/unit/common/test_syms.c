// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* Unit test for common/syms.c, against truths that are not its own: the
 * loader's addresses (dladdr, the address of a function of this program),
 * /proc/kallsyms read by the test, a perf map and an anonymous executable
 * mapping the test makes, a stripped copy of this program with its debug
 * file made by objcopy, and hostile inputs (truncated ELF, junk lines).
 * Exit status 0 = pass. */
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include "syms.h"

static int passed, failed;

#define CHECK(cond) check((cond), #cond, __LINE__)
static void check(int ok, const char *what, int line)
{
	if (ok) {
		passed++;
		return;
	}
	failed++;
	fprintf(stderr, "test_syms.c:%d: FAIL: %s\n", line, what);
}

__attribute__((used, noinline)) int tk_syms_test_target(int x)
{
	return x * 3 + 1;
}

static void test_kallsyms_text(void)
{
	static const char text[] =
		"ffffffff81000000 T _stext\n"
		"ffffffff81000100 t helper\n"
		"ffffffff81002000 D some_data\n"
		"ffffffff81001000 W weak_fn\n"
		"ffffffffc0000000 t mod_fn\t[tkmod]\n"
		"ffffffffc0000100 T mod_fn2\t[tkmod]\n"
		"junk line\n"
		"\n";
	FILE *f = fmemopen((void *)text, sizeof(text) - 1, "r");
	struct tk_ksyms *ks = tk_ksyms_parse(f);
	const struct tk_ksym *s;

	fclose(f);
	CHECK(ks != NULL);
	CHECK(tk_ksyms_count(ks) == 5);		/* text only */
	CHECK(!tk_ksyms_hidden(ks));
	s = tk_ksyms_find(ks, 0xffffffff81000105ULL);
	CHECK(s && !strcmp(s->name, "helper") && s->addr == 0xffffffff81000100ULL && !s->module);
	s = tk_ksyms_find(ks, 0xffffffff81001fffULL);	/* sorted: weak_fn came later */
	CHECK(s && !strcmp(s->name, "weak_fn"));
	s = tk_ksyms_find(ks, 0xffffffffc0000180ULL);
	CHECK(s && !strcmp(s->name, "mod_fn2") && s->module && !strcmp(s->module, "tkmod"));
	CHECK(tk_ksyms_find(ks, 0xffffffff80000000ULL) == NULL);
	tk_ksyms_free(ks);

	static const char hidden[] = "0000000000000000 T _stext\n0000000000000000 t a\n";
	f = fmemopen((void *)hidden, sizeof(hidden) - 1, "r");
	ks = tk_ksyms_parse(f);
	fclose(f);
	CHECK(ks && tk_ksyms_hidden(ks) && !tk_ksyms_find(ks, 0x1000));
	tk_ksyms_free(ks);
}

/* The running kernel's: a symbol the test reads itself is found again. */
static void test_kallsyms_real(void)
{
	struct tk_ksyms *ks = tk_ksyms_load();
	const struct tk_ksym *s;
	char line[512], name[256], type;
	unsigned long long addr = 0;
	FILE *f;

	CHECK(ks != NULL);
	if (!ks || tk_ksyms_hidden(ks)) {
		fprintf(stderr, "test_syms: kernel addresses hidden here; real lookup skipped\n");
		tk_ksyms_free(ks);
		return;
	}
	f = fopen("/proc/kallsyms", "r");
	while (f && fgets(line, sizeof(line), f))
		if (sscanf(line, "%llx %c %255s", &addr, &type, name) == 3 &&
		    !strcmp(name, "schedule") && (type == 'T' || type == 't'))
			break;
	if (f)
		fclose(f);
	s = tk_ksyms_find(ks, addr + 4);
	CHECK(s && !strcmp(s->name, "schedule") && s->addr == addr);
	tk_ksyms_free(ks);
}

/* This program (PIE: a load bias) and libc (a shared library). */
static void test_user_self(void)
{
	struct tk_usyms *u = tk_usyms_new();
	struct tk_usym r;
	Dl_info dl;
	uintptr_t a = (uintptr_t)&tk_syms_test_target + 3;
	uintptr_t g = (uintptr_t)&getpid + 1;

	CHECK(tk_syms_test_target(1) == 4);
	CHECK(tk_usyms_find(u, getpid(), a, &r) == 0);
	CHECK(r.name && !strcmp(r.name, "tk_syms_test_target") && r.offset == 3);
	CHECK(r.module && !strcmp(r.module, "test_syms"));
	/* libc: the symbol the loader says is there, at the same address */
	CHECK(dladdr((void *)g, &dl) && dl.dli_saddr);
	CHECK(tk_usyms_find(u, getpid(), g, &r) == 0);
	CHECK(r.name && g - r.offset == (uintptr_t)dl.dli_saddr);
	CHECK(r.module && strstr(dl.dli_fname, r.module));
	/* an address no mapping holds */
	CHECK(tk_usyms_find(u, getpid(), 16, &r) == -ENOENT && !r.name && !r.module);
	tk_usyms_free(u);
}

/* JIT code: an anonymous executable mapping named by a perf map. */
static void test_perfmap(void)
{
	struct tk_usyms *u = tk_usyms_new();
	char path[64];
	struct tk_usym r;
	void *code = mmap(NULL, 8192, PROT_READ | PROT_EXEC, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	FILE *f;

	CHECK(code != MAP_FAILED);
	snprintf(path, sizeof(path), "/tmp/perf-%d.map", getpid());
	f = fopen(path, "w");
	CHECK(f != NULL);
	if (!f)
		return;
	fprintf(f, "%" PRIxPTR " 100 LazyCompile:*jit_fn app.js:1\n", (uintptr_t)code);
	fprintf(f, "garbage\n%" PRIxPTR " 10\n", (uintptr_t)code + 0x200);
	fprintf(f, "%" PRIxPTR " 40 second\n", (uintptr_t)code + 0x100);
	fclose(f);
	CHECK(tk_usyms_find(u, getpid(), (uintptr_t)code + 0x10, &r) == 0);
	CHECK(r.name && !strcmp(r.name, "LazyCompile:*jit_fn app.js:1") && r.offset == 0x10);
	CHECK(r.module && !strcmp(r.module, "[perf-map]"));
	CHECK(tk_usyms_find(u, getpid(), (uintptr_t)code + 0x120, &r) == 0 &&
	      !strcmp(r.name, "second") && r.offset == 0x20);
	/* past every entry: the mapping, no name */
	CHECK(tk_usyms_find(u, getpid(), (uintptr_t)code + 0x1000, &r) == -ENOENT &&
	      !r.name && r.module && !strcmp(r.module, "[anon]"));
	unlink(path);
	munmap(code, 8192);
	tk_usyms_free(u);
}

static void test_gone(void)
{
	struct tk_usyms *u = tk_usyms_new();
	struct tk_usym r;
	pid_t pid = fork();

	if (pid == 0)
		_exit(0);
	waitpid(pid, NULL, 0);
	CHECK(tk_usyms_find(u, pid, 0x400000, &r) == -ESRCH);
	tk_usyms_free(u);
}

/* A stripped copy of this program and its debug file, by build-id. */
static void test_debug_file(void)
{
	char dir[] = "/tmp/tk_syms_XXXXXX", cmd[2048], dbg[512], bin[512], self[512];
	struct tk_elf_syms *es;
	const char *id, *name, *oc;
	uint64_t off, vaddr;
	int fd;

	if (!mkdtemp(dir)) {
		CHECK(0);
		return;
	}
	/* This program's path as it sees it: under qemu-user, /proc/PID/exe
	 * read by another process is qemu itself. */
	ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);

	if (n <= 0) {
		CHECK(0);
		return;
	}
	self[n] = '\0';
	snprintf(bin, sizeof(bin), "%s/stripped", dir);
	/* OBJCOPY: one that reads this program's architecture (cross builds). */
	oc = getenv("OBJCOPY") ? getenv("OBJCOPY") : "objcopy";
	snprintf(cmd, sizeof(cmd),
		 "%.64s --only-keep-debug '%s' %s/full.debug && "
		 "%.64s --strip-all '%s' %s", oc, self, dir, oc, self, bin);
	if (system(cmd)) {
		fprintf(stderr, "test_syms: objcopy failed: debug-file test skipped\n");
		CHECK(0);
		return;
	}
	fd = open(bin, O_RDONLY);
	es = fd >= 0 ? tk_elf_syms_load(fd) : NULL;
	close(fd);
	CHECK(es && !tk_elf_syms_has_symtab(es));
	id = es ? tk_elf_syms_build_id(es) : "";
	CHECK(strlen(id) == 40);		/* gcc's default: sha1 */
	/* this program's own address of the function, as an ELF vaddr */
	Dl_info dl;
	CHECK(dladdr((void *)&tk_syms_test_target, &dl));
	vaddr = (uintptr_t)&tk_syms_test_target - (uintptr_t)dl.dli_fbase;
	CHECK(!es || !tk_elf_syms_find(es, vaddr, &off) ||
	      strcmp(tk_elf_syms_find(es, vaddr, &off), "tk_syms_test_target"));
	snprintf(dbg, sizeof(dbg), "%s/full.debug", dir);
	fd = open(dbg, O_RDONLY);
	CHECK(es && fd >= 0 && tk_elf_syms_add_debug(es, fd) == 0);
	close(fd);
	name = es ? tk_elf_syms_find(es, vaddr + 2, &off) : NULL;
	CHECK(name && !strcmp(name, "tk_syms_test_target") && off == 2);
	tk_elf_syms_free(es);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	if (system(cmd))
		fprintf(stderr, "test_syms: could not remove %s\n", dir);
}

/* Every prefix of this program's file: an error or a table, never a crash. */
static void test_truncated(void)
{
	struct stat st;
	char *buf;
	int fd = open("/proc/self/exe", O_RDONLY), ok = 1;
	size_t step;

	CHECK(fd >= 0 && !fstat(fd, &st));
	buf = malloc(st.st_size);
	CHECK(buf && read(fd, buf, st.st_size) == st.st_size);
	close(fd);
	step = st.st_size / 97 + 1;
	for (size_t len = 0; len < (size_t)st.st_size; len += step) {
		int m = memfd_create("tk_syms", MFD_CLOEXEC);
		struct tk_elf_syms *es;

		if (m < 0 || write(m, buf, len) != (ssize_t)len) {
			ok = 0;
			break;
		}
		es = tk_elf_syms_load(m);
		if (!es && errno != ENOEXEC && errno != EFBIG)
			ok = 0;
		tk_elf_syms_free(es);
		close(m);
	}
	CHECK(ok);
	free(buf);
}

static void test_lines(void)
{
	char l1[] = "7f0000000000-7f0000001000 r-xp 00002000 fd:01 1234   /usr/lib/x (deleted)\n";
	char l2[] = "7f0000000000-7f0000001000 rw-p 00000000 00:00 0\n";
	char l3[] = "zzzz-7f0000001000 r-xp 0 0:0 0 x\n";
	char l4[] = "1000-0800 r-xp 0 0:0 0 x\n";
	char p1[] = "7f00 20 a name with spaces\n", p2[] = "7f00 20\n", p3[] = "xyz 1 a\n";
	uint64_t s, z;
	const char *n;
	struct tk_map m;

	CHECK(tk_map_parse(l1, &m) && m.start == 0x7f0000000000ULL && m.pgoff == 0x2000 &&
	      m.exec && m.dev_major == 0xfd && m.ino == 1234 &&
	      !strcmp(m.path, "/usr/lib/x (deleted)"));
	CHECK(tk_map_parse(l2, &m) && !m.exec && !strcmp(m.path, ""));
	CHECK(!tk_map_parse(l3, &m));
	CHECK(!tk_map_parse(l4, &m));
	CHECK(tk_perfmap_parse(p1, &s, &z, &n) && s == 0x7f00 && z == 0x20 &&
	      !strcmp(n, "a name with spaces"));
	CHECK(!tk_perfmap_parse(p2, &s, &z, &n));
	CHECK(!tk_perfmap_parse(p3, &s, &z, &n));
}

int main(void)
{
	test_kallsyms_text();
	test_kallsyms_real();
	test_user_self();
	test_perfmap();
	test_gone();
	test_debug_file();
	test_truncated();
	test_lines();
	printf("test_syms: %d passed, %d failed\n", passed, failed);
	return failed ? 1 : 0;
}
