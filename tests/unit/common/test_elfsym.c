// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#include <dlfcn.h>
#include <elf.h>
#include <errno.h>
#include <inttypes.h>
#include <link.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "elfsym.h"

static int passed, failed;

#define CHECK(cond) do {						\
	if (cond) {							\
		passed++;						\
	} else {							\
		failed++;						\
		fprintf(stderr, "%s:%d: FAIL: %s\n", __FILE__, __LINE__, #cond); \
	}								\
} while (0)

/* Resolved from this binary's own .symtab; must stay a real, separate function. */
__attribute__((used, noinline)) int tk_elfsym_test_target(int x)
{
	__asm__ volatile("" : : : "memory");
	return x * 3 + 1;
}

/* The loaded object holding an address, as the dynamic loader sees it. */
struct object {
	uintptr_t addr;		/* in */
	bool found;
	uintptr_t base;		/* dlpi_addr */
	const ElfW(Phdr) *phdr;
	size_t phnum;
	char name[4096];
};

static int find_object_cb(struct dl_phdr_info *info, size_t size, void *arg)
{
	struct object *o = arg;

	(void)size;
	for (size_t i = 0; i < info->dlpi_phnum; i++) {
		const ElfW(Phdr) *ph = &info->dlpi_phdr[i];
		uintptr_t start = info->dlpi_addr + ph->p_vaddr;

		if (ph->p_type != PT_LOAD || o->addr < start || o->addr - start >= ph->p_memsz)
			continue;
		o->found = true;
		o->base = info->dlpi_addr;
		o->phdr = info->dlpi_phdr;
		o->phnum = info->dlpi_phnum;
		snprintf(o->name, sizeof(o->name), "%s", info->dlpi_name ? info->dlpi_name : "");
		return 1;
	}
	return 0;
}

static bool find_object(uintptr_t addr, struct object *o)
{
	memset(o, 0, sizeof(*o));
	o->addr = addr;
	dl_iterate_phdr(find_object_cb, o);
	return o->found;
}

/* The file offset uprobes would need for @addr, worked out from the loader's
 * view of the mapping rather than from the file. */
static bool expected_offset(const struct object *o, uintptr_t addr, uint64_t *off)
{
	uint64_t vaddr = addr - o->base;

	for (size_t i = 0; i < o->phnum; i++) {
		const ElfW(Phdr) *ph = &o->phdr[i];

		if (ph->p_type == PT_LOAD && vaddr >= ph->p_vaddr && vaddr - ph->p_vaddr < ph->p_memsz) {
			*off = vaddr - ph->p_vaddr + ph->p_offset;
			return true;
		}
	}
	return false;
}

static bool in_exec_segment(const struct object *o, uint64_t off)
{
	for (size_t i = 0; i < o->phnum; i++) {
		const ElfW(Phdr) *ph = &o->phdr[i];

		if (ph->p_type == PT_LOAD && (ph->p_flags & PF_X) &&
		    off >= ph->p_offset && off - ph->p_offset < ph->p_filesz)
			return true;
	}
	return false;
}

/* Check elf_symbol_offset(@path, @name) against the loader for @addr. */
static void check_against_loader(const char *path, const char *name, void *addr)
{
	struct object o;
	uint64_t want = 0, got = 0;
	int err;

	CHECK(addr != NULL);
	if (!addr)
		return;
	CHECK(find_object((uintptr_t)addr, &o));
	CHECK(expected_offset(&o, (uintptr_t)addr, &want));
	err = elf_symbol_offset(path, name, &got);
	CHECK(err == 0);
	CHECK(got == want);
	if (err || got != want)
		fprintf(stderr, "  %s in %s: err %d got 0x%" PRIx64 " want 0x%" PRIx64 "\n",
			name, path, err, got, want);
}

static int libc_loaded_cb(struct dl_phdr_info *info, size_t size, void *arg)
{
	(void)size;
	(void)arg;
	return info->dlpi_name && strstr(info->dlpi_name, "/libc.so");
}

static void test_libc(void)
{
	static const char *const funcs[] = { "getpid", "realpath", "pthread_cond_wait" };
	struct object o;
	Dl_info info;
	uint64_t off, old_off;
	void *libc, *getpid_addr, *old_memcpy;
	char path[4096];

	/* A static build of this test still checks /proc/self/exe below. */
	if (!dl_iterate_phdr(libc_loaded_cb, NULL)) {
		printf("skip libc: statically linked\n");
		return;
	}
	/* libc's own scope, so a copy-relocated or PLT address in the executable cannot answer. */
	libc = dlopen("libc.so.6", RTLD_NOW | RTLD_NOLOAD);
	CHECK(libc != NULL);
	if (!libc)
		return;
	getpid_addr = dlsym(libc, "getpid");
	CHECK(getpid_addr != NULL);
	if (!getpid_addr || !find_object((uintptr_t)getpid_addr, &o)) {
		CHECK(0);
		dlclose(libc);
		return;
	}
	snprintf(path, sizeof(path), "%s", o.name);
	CHECK(strstr(path, "libc.so.6") != NULL);
	/* dladdr may name an alias (__getpid), but the address must be a symbol's start. */
	CHECK(dladdr(getpid_addr, &info) && info.dli_saddr == getpid_addr);
	CHECK(info.dli_fname && !strcmp(info.dli_fname, path));
	printf("libc: %s\n", path);

	/* dlsym answers with the default version, as elf_symbol_offset must. */
	for (size_t i = 0; i < sizeof(funcs) / sizeof(funcs[0]); i++)
		check_against_loader(path, funcs[i], dlsym(libc, funcs[i]));

	/* An IFUNC: dlsym would run the resolver, so only check it lands in code. */
	CHECK(elf_symbol_offset(path, "memcpy", &off) == 0);
	CHECK(in_exec_segment(&o, off));
	/* The old memcpy@GLIBC_2.2.5 is a plain FUNC listed before the default
	 * IFUNC; the default must win. */
	old_memcpy = dlvsym(libc, "memcpy", "GLIBC_2.2.5");
	if (old_memcpy && expected_offset(&o, (uintptr_t)old_memcpy, &old_off))
		CHECK(off != old_off);

	CHECK(elf_symbol_offset(path, "tk_no_such_function_xyz", &off) == -ENOENT);
	CHECK(elf_symbol_offset(path, "getpi", &off) == -ENOENT);
	CHECK(elf_symbol_offset(path, "getpid_", &off) == -ENOENT);
	/* Data, not functions. */
	CHECK(elf_symbol_offset(path, "environ", &off) == -ENOENT);
	CHECK(elf_symbol_offset(path, "stdout", &off) == -ENOENT);
	dlclose(libc);
}

static void test_self(void)
{
	uint64_t off;

	check_against_loader("/proc/self/exe", "tk_elfsym_test_target",
			     (void *)(uintptr_t)&tk_elfsym_test_target);
	CHECK(tk_elfsym_test_target(1) == 4);
	CHECK(elf_symbol_offset("/proc/self/exe", "tk_no_such_function_xyz", &off) == -ENOENT);
}

static void test_errors(void)
{
	char path[] = "/tmp/tk_elfsym_XXXXXX";
	static const char text[] = "not an ELF file, just text\n";
	uint64_t off;
	int fd;

	fd = mkstemp(path);
	CHECK(fd >= 0);
	if (fd >= 0) {
		CHECK(write(fd, text, sizeof(text) - 1) == (ssize_t)sizeof(text) - 1);
		close(fd);
		CHECK(elf_symbol_offset(path, "getpid", &off) == -ENOEXEC);
		/* Empty is not ELF either. */
		CHECK(truncate(path, 0) == 0);
		CHECK(elf_symbol_offset(path, "getpid", &off) == -ENOEXEC);
		unlink(path);
	}
	CHECK(elf_symbol_offset("/nonexistent/tk/libfoo.so", "getpid", &off) == -ENOENT);
	CHECK(elf_symbol_offset("/tmp", "getpid", &off) == -EISDIR);
}

int main(void)
{
	test_libc();
	test_self();
	test_errors();
	printf("test_elfsym: %d passed, %d failed\n", passed, failed);
	return failed ? 1 : 0;
}
