// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#include <dlfcn.h>
#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <link.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <signal.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
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

/* libc's path, once test_libc found it. */
static char libc_path[4096];

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
	snprintf(libc_path, sizeof(libc_path), "%s", o.name);
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
	/* A FIFO: refused without waiting for a writer. */
	snprintf(path, sizeof(path), "/tmp/tk_elfsym_f%d", (int)getpid());
	CHECK(mkfifo(path, 0600) == 0);
	alarm(10);
	CHECK(elf_symbol_offset(path, "getpid", &off) == -ENOEXEC);
	alarm(0);
	unlink(path);
}

/* --- hostile files ---------------------------------------------------- */

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

struct crafted {
	unsigned phnum;		/* program headers, @nload of them PT_LOAD */
	unsigned nload;
	unsigned nsyms;		/* .dynsym entries after the null one, all "x" */
	uint64_t sym_value;
	uint64_t dynsym_size;	/* 0: the real size */
	unsigned shnum;		/* 0: the real count (4) */
};

/* An ELF64 file built from @c: program headers, .dynsym, .dynstr,
 * .shstrtab and section headers, in that order. */
static bool write_crafted(const char *path, const struct crafted *c)
{
	static const char dynstr[] = "\0x";
	static const char shstr[] = "\0.dynsym\0.dynstr\0.shstrtab";
	size_t phoff = sizeof(Elf64_Ehdr), symoff = phoff + (size_t)c->phnum * sizeof(Elf64_Phdr);
	size_t nsym = (size_t)c->nsyms + 1, stroff = symoff + nsym * sizeof(Elf64_Sym);
	size_t shstroff = stroff + sizeof(dynstr), shoff = (shstroff + sizeof(shstr) + 7) & ~7ul;
	size_t size = shoff + 4 * sizeof(Elf64_Shdr);
	char *buf = calloc(1, size);
	Elf64_Ehdr *h = (Elf64_Ehdr *)buf;
	Elf64_Phdr *ph = (Elf64_Phdr *)(buf + phoff);
	Elf64_Sym *sym = (Elf64_Sym *)(buf + symoff);
	Elf64_Shdr *sh = (Elf64_Shdr *)(buf + shoff);
	FILE *f;
	bool ok;

	if (!buf)
		return false;
	memcpy(h->e_ident, ELFMAG, SELFMAG);
	h->e_ident[EI_CLASS] = ELFCLASS64;
	h->e_ident[EI_DATA] = __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__ ? ELFDATA2LSB : ELFDATA2MSB;
	h->e_ident[EI_VERSION] = EV_CURRENT;
	h->e_type = ET_DYN;
	h->e_machine = EM_X86_64;
	h->e_version = EV_CURRENT;
	h->e_ehsize = sizeof(*h);
	h->e_phoff = phoff;
	h->e_phentsize = sizeof(Elf64_Phdr);
	h->e_phnum = c->phnum;
	h->e_shoff = shoff;
	h->e_shentsize = sizeof(Elf64_Shdr);
	h->e_shnum = c->shnum ? c->shnum : 4;
	h->e_shstrndx = 3;
	for (unsigned i = 0; i < c->phnum; i++) {
		ph[i].p_type = i < c->nload ? PT_LOAD : PT_NOTE;
		ph[i].p_vaddr = (uint64_t)i << 12;
		ph[i].p_memsz = ph[i].p_filesz = 0x1000;
		ph[i].p_offset = (uint64_t)i << 12;
	}
	for (size_t i = 1; i < nsym; i++) {
		sym[i].st_name = 1;
		sym[i].st_info = ELF64_ST_INFO(STB_GLOBAL, STT_FUNC);
		sym[i].st_shndx = 1;
		sym[i].st_value = c->sym_value;
	}
	memcpy(buf + stroff, dynstr, sizeof(dynstr));
	memcpy(buf + shstroff, shstr, sizeof(shstr));
	sh[1] = (Elf64_Shdr){ .sh_name = 1, .sh_type = SHT_DYNSYM, .sh_offset = symoff,
			      .sh_size = c->dynsym_size ? c->dynsym_size : nsym * sizeof(Elf64_Sym),
			      .sh_link = 2, .sh_info = 1, .sh_entsize = sizeof(Elf64_Sym),
			      .sh_addralign = 8 };
	sh[2] = (Elf64_Shdr){ .sh_name = 9, .sh_type = SHT_STRTAB, .sh_offset = stroff,
			      .sh_size = sizeof(dynstr), .sh_addralign = 1 };
	sh[3] = (Elf64_Shdr){ .sh_name = 17, .sh_type = SHT_STRTAB, .sh_offset = shstroff,
			      .sh_size = sizeof(shstr), .sh_addralign = 1 };
	f = fopen(path, "w");
	ok = f && fwrite(buf, 1, size, f) == size;
	ok = f && !fclose(f) && ok;
	free(buf);
	return ok;
}

/* Hostile sizes: each answered with an error, or an answer, at once. The
 * old reader cost symbols x program headers: the first two files kept it
 * busy for minutes (alarm() below ends the run then). */
static void test_hostile(void)
{
	char path[] = "/tmp/tk_elfsym_h_XXXXXX";
	struct crafted c;
	uint64_t off;
	double t;
	int fd = mkstemp(path);

	CHECK(fd >= 0);
	if (fd < 0)
		return;
	close(fd);
	alarm(20);

	/* The baseline: a well-formed crafted file answers. */
	c = (struct crafted){ .phnum = 2, .nload = 1, .nsyms = 1, .sym_value = 0x10 };
	CHECK(write_crafted(path, &c));
	CHECK(elf_symbol_offset(path, "x", &off) == 0 && off == 0x10);
	CHECK(elf_symbol_offset(path, "y", &off) == -ENOENT);

	/* 65534 program headers, 200000 symbols named as asked for, none in a
	 * segment: refused for the headers alone. */
	c = (struct crafted){ .phnum = 65534, .nload = 65534, .nsyms = 200000,
			      .sym_value = 0xfff0000000 };
	CHECK(write_crafted(path, &c));
	t = now_s();
	CHECK(elf_symbol_offset(path, "x", &off) == -EFBIG);
	CHECK(now_s() - t < 1.0);

	/* 1000 program headers (allowed; one loads) and 1M symbols: linear. */
	c = (struct crafted){ .phnum = 1000, .nload = 1, .nsyms = 1000000,
			      .sym_value = 0xfff0000000 };
	CHECK(write_crafted(path, &c));
	t = now_s();
	CHECK(elf_symbol_offset(path, "x", &off) == -ENOENT);
	printf("1000 phdrs x 1M symbols: %.3f s\n", now_s() - t);
	CHECK(now_s() - t < 2.0);

	/* More PT_LOAD segments than any real file has. */
	c = (struct crafted){ .phnum = 100, .nload = 100, .nsyms = 1, .sym_value = 0x10 };
	CHECK(write_crafted(path, &c));
	CHECK(elf_symbol_offset(path, "x", &off) == -EFBIG);

	/* A symbol table claiming 2^40 bytes, past the end of the file. */
	c = (struct crafted){ .phnum = 2, .nload = 1, .nsyms = 10, .sym_value = 0x10,
			      .dynsym_size = 1ull << 40 };
	CHECK(write_crafted(path, &c));
	CHECK(elf_symbol_offset(path, "x", &off) == -ENOEXEC);

	/* 65000 section headers, the table running far past the file's end. */
	c = (struct crafted){ .phnum = 2, .nload = 1, .nsyms = 10, .sym_value = 0x10,
			      .shnum = 65000 };
	CHECK(write_crafted(path, &c));
	CHECK(elf_symbol_offset(path, "x", &off) < 0);
	alarm(0);
	unlink(path);
}

/* Several names in one pass agree with one at a time. */
static void test_many_names(void)
{
	static const char *const names[] = { "getpid", "tk_no_such_function_xyz", "write" };
	uint64_t offs[3], one;
	unsigned char found[3];

	if (!libc_path[0])
		return;
	CHECK(elf_symbols_offsets(libc_path, names, 3, offs, found) == 2);
	CHECK(found[0] && !found[1] && found[2]);
	CHECK(elf_symbol_offset(libc_path, "getpid", &one) == 0 && one == offs[0]);
	CHECK(elf_symbol_offset(libc_path, "write", &one) == 0 && one == offs[2]);
}

/* A library rewritten (truncated, then written again, as cp does) while it
 * is read: errors, never a SIGBUS. The old reader mapped the file and died
 * here. */
static void test_shrinking(void)
{
	char path[] = "/tmp/tk_elfsym_t_XXXXXX";
	static char data[4 << 20];
	size_t size = 0;
	ssize_t n;
	int fd = mkstemp(path), src = open(libc_path, O_RDONLY), ok = 0, status;
	uint64_t off;
	double end;
	pid_t child;

	if (!libc_path[0])
		return;
	CHECK(fd >= 0 && src >= 0);
	if (fd < 0 || src < 0)
		return;
	while ((n = read(src, data + size, sizeof(data) - size)) > 0)
		size += n;
	close(src);
	CHECK(write(fd, data, size) == (ssize_t)size);
	/* The lookup works on this file when it is whole: before the rewrites
	 * and after them (the writer's last step writes it whole again). */
	CHECK(elf_symbol_offset(path, "getpid", &off) == 0);
	child = fork();
	if (child == 0) {
		end = now_s() + 2.5;
		while (now_s() < end) {
			if (ftruncate(fd, 4096) || pwrite(fd, data, size, 0) != (ssize_t)size)
				_exit(1);
		}
		_exit(0);
	}
	close(fd);
	end = now_s() + 2;
	while (now_s() < end)
		ok += elf_symbol_offset(path, "getpid", &off) == 0;
	CHECK(waitpid(child, &status, 0) == child && WIFEXITED(status) && !WEXITSTATUS(status));
	/* How many lookups met a whole file depends on the machine's load
	 * (none, once, in a CI run with qemu guests beside it): information. */
	printf("shrinking file: %d lookups answered, no SIGBUS\n", ok);
	CHECK(elf_symbol_offset(path, "getpid", &off) == 0);
	unlink(path);
}

int main(void)
{
	test_libc();
	test_self();
	test_errors();
	test_many_names();
	test_hostile();
	test_shrinking();
	printf("test_elfsym: %d passed, %d failed\n", passed, failed);
	return failed ? 1 : 0;
}
