// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#include <dirent.h>
#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <gelf.h>
#include <libelf.h>
#include <linux/bpf.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include "uprobe.h"

#define LD_SO_CACHE "/etc/ld.so.cache"
/* A cache is a few hundred KiB; anything far larger is not one. */
#define CACHE_MAX_BYTES (64u << 20)

#if defined(__x86_64__)
#define MULTIARCH "x86_64-linux-gnu"
#elif defined(__aarch64__)
#define MULTIARCH "aarch64-linux-gnu"
#elif defined(__riscv) && __riscv_xlen == 64
#define MULTIARCH "riscv64-linux-gnu"
#elif defined(__powerpc64__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
#define MULTIARCH "powerpc64le-linux-gnu"
#elif defined(__s390x__)
#define MULTIARCH "s390x-linux-gnu"
#elif defined(__i386__)
#define MULTIARCH "i386-linux-gnu"
#elif defined(__arm__)
#define MULTIARCH "arm-linux-gnueabihf"
#else
#define MULTIARCH "unknown-linux-gnu"
#endif

static const char *const std_dirs[] = {
	"/lib/" MULTIARCH, "/usr/lib/" MULTIARCH, "/lib64", "/usr/lib64",
	"/lib", "/usr/lib", "/usr/local/lib", NULL,
};

int tk_uobj_add(struct tk_uobjs *l, const char *path, unsigned int tags)
{
	struct stat st;
	int i;

	if (stat(path, &st))
		return -errno;
	if (!S_ISREG(st.st_mode))
		return -ENOEXEC;
	for (i = 0; i < l->n; i++) {
		if (l->obj[i].dev == st.st_dev && l->obj[i].ino == st.st_ino) {
			l->obj[i].tags |= tags;
			return 0;
		}
	}
	if (l->n == TK_UOBJ_MAX)
		return -E2BIG;
	if (strlen(path) >= sizeof(l->obj[0].path))
		return -ENAMETOOLONG;
	strcpy(l->obj[l->n].path, path);
	l->obj[l->n].dev = st.st_dev;
	l->obj[l->n].ino = st.st_ino;
	l->obj[l->n].tags = tags;
	l->n++;
	return 1;
}

bool tk_lib_name_match(const char *name, const char *stem)
{
	size_t n = strlen(stem);

	return !strncmp(name, stem, n) && (name[n] == '\0' || name[n] == '.');
}

/* e_ident's class and data bytes and e_machine: what must agree for a
 * library to be loadable into a process like this one. */
struct elf_kind {
	unsigned char cls, data;
	uint16_t machine;
};

static int read_elf_kind(const char *path, struct elf_kind *k)
{
	unsigned char h[20];
	struct stat st;
	ssize_t n;
	/* O_NONBLOCK: a FIFO named like a library must not hang us in open(). */
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);

	if (fd < 0)
		return -errno;
	if (fstat(fd, &st) || !S_ISREG(st.st_mode)) {
		n = fstat(fd, &st) ? -errno : S_ISDIR(st.st_mode) ? -EISDIR : -ENOEXEC;
		close(fd);
		return n;
	}
	n = pread(fd, h, sizeof(h), 0);
	close(fd);
	if (n < (ssize_t)sizeof(h) || memcmp(h, ELFMAG, SELFMAG))
		return -ENOEXEC;
	k->cls = h[EI_CLASS];
	k->data = h[EI_DATA];
	/* e_machine is at offset 18 in both classes, in the file's byte order. */
	k->machine = h[EI_DATA] == ELFDATA2MSB ? (h[18] << 8 | h[19]) : (h[19] << 8 | h[18]);
	return 0;
}

int tk_elf_native(const char *path)
{
	static struct elf_kind self;
	static int self_err = 1;
	struct elf_kind k;
	int err;

	if (self_err > 0)
		self_err = read_elf_kind("/proc/self/exe", &self);
	err = read_elf_kind(path, &k);
	if (err == -ENOEXEC || err == -EISDIR)
		return 0;
	if (err)
		return err;
	/* Without our own header to compare with, take any ELF file. */
	if (self_err)
		return 1;
	return k.cls == self.cls && k.data == self.data && k.machine == self.machine;
}

/* Add @path if it is a library for this machine: 1 added, 0 not. What
 * cannot be added is counted, never a reason to give up on the rest. */
static int add_native(struct tk_uobjs *l, const char *path, unsigned int tags)
{
	int err;

	if (tk_elf_native(path) != 1) {
		l->not_native++;
		return 0;
	}
	err = tk_uobj_add(l, path, tags);
	if (err == -E2BIG)
		l->full++;
	return err > 0;
}

/* glibc's ld.so.cache (elf/dl-cache.h). The current format ("new", since
 * glibc 2.2) may be preceded by the old one (libc5 era), which glibc wrote
 * as well until 2.32; string offsets are from the start of the new header. */
#define CACHE_MAGIC_NEW "glibc-ld.so.cache1.1"
#define CACHE_MAGIC_OLD "ld.so-1.7.0"

struct cache_header_new {
	char magic[20];		/* "glibc-ld.so.cache" "1.1" */
	uint32_t nlibs;
	uint32_t len_strings;
	uint8_t flags;
	uint8_t pad[3];
	uint32_t extension_offset;
	uint32_t unused[3];
};

struct cache_entry_new {
	int32_t flags;
	uint32_t key;		/* the soname: what programs ask for */
	uint32_t value;		/* the path */
	uint32_t osversion;
	uint64_t hwcap;
};

struct cache_entry_old {
	int32_t flags;
	uint32_t key, value;
};

_Static_assert(sizeof(struct cache_header_new) == 48, "ld.so.cache header");
_Static_assert(sizeof(struct cache_entry_new) == 24, "ld.so.cache entry");

static char *read_file(const char *path, size_t *size)
{
	struct stat st;
	char *buf = NULL;
	size_t got = 0;
	ssize_t n;
	int err, fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return NULL;
	if (fstat(fd, &st))
		goto out;
	if (!S_ISREG(st.st_mode) || st.st_size <= 0 || (uint64_t)st.st_size > CACHE_MAX_BYTES) {
		errno = EINVAL;
		goto out;
	}
	buf = malloc(st.st_size);
	if (!buf)
		goto out;
	while (got < (size_t)st.st_size) {
		n = read(fd, buf + got, st.st_size - got);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		got += n;
	}
	*size = got;
out:
	err = errno;
	close(fd);
	errno = err;
	return buf;
}

/* The string at @off from @base, or NULL if it does not end inside the file. */
static const char *cache_string(const char *file, size_t size, size_t base, uint32_t off)
{
	if (base + off >= size || !memchr(file + base + off, '\0', size - base - off))
		return NULL;
	return file + base + off;
}

/* Offset of the new-format header in @file, or -1. */
static long cache_new_header(const char *file, size_t size)
{
	uint32_t nold;
	size_t off;

	if (size >= sizeof(struct cache_header_new) &&
	    !memcmp(file, CACHE_MAGIC_NEW, strlen(CACHE_MAGIC_NEW)))
		return 0;
	if (size < 16 || memcmp(file, CACHE_MAGIC_OLD, strlen(CACHE_MAGIC_OLD)))
		return -1;
	memcpy(&nold, file + 12, sizeof(nold));
	if (nold > size / sizeof(struct cache_entry_old))
		return -1;
	off = (16 + (size_t)nold * sizeof(struct cache_entry_old) + 7) & ~(size_t)7;
	if (off + sizeof(struct cache_header_new) > size ||
	    memcmp(file + off, CACHE_MAGIC_NEW, strlen(CACHE_MAGIC_NEW)))
		return -1;
	return off;
}

static int find_in_cache(struct tk_uobjs *l, const char *stem, unsigned int tags,
			 const char *path)
{
	struct cache_header_new h;
	struct cache_entry_new e;
	const char *key, *value;
	size_t size = 0, entries;
	char *file = read_file(path, &size);
	long base;
	int added = 0, r;
	uint32_t i;

	if (!file)
		return -errno;
	base = cache_new_header(file, size);
	if (base < 0) {
		free(file);
		return -ENOEXEC;
	}
	memcpy(&h, file + base, sizeof(h));
	entries = base + sizeof(h);
	if (h.nlibs > (size - entries) / sizeof(e)) {
		free(file);
		return -ENOEXEC;
	}
	for (i = 0; i < h.nlibs; i++) {
		memcpy(&e, file + entries + (size_t)i * sizeof(e), sizeof(e));
		key = cache_string(file, size, base, e.key);
		value = cache_string(file, size, base, e.value);
		if (!key || !value || !tk_lib_name_match(key, stem))
			continue;
		r = add_native(l, value, tags);
		if (r < 0) {
			free(file);
			return r;
		}
		added += r;
	}
	free(file);
	return added;
}

static int find_in_dirs(struct tk_uobjs *l, const char *stem, unsigned int tags,
			const char *const *dirs)
{
	char path[PATH_MAX];
	struct dirent *d;
	int added = 0, r;
	DIR *dir;

	for (; *dirs; dirs++) {
		dir = opendir(*dirs);
		if (!dir)
			continue;
		while ((d = readdir(dir))) {
			if (!tk_lib_name_match(d->d_name, stem))
				continue;
			if (snprintf(path, sizeof(path), "%s/%s", *dirs, d->d_name) >= (int)sizeof(path))
				continue;
			r = add_native(l, path, tags);
			if (r < 0) {
				closedir(dir);
				return r;
			}
			added += r;
		}
		closedir(dir);
	}
	return added;
}

int tk_libs_find(struct tk_uobjs *l, const char *stem, unsigned int tags,
		 const char *cache, const char *const *dirs)
{
	int n = find_in_cache(l, stem, tags, cache ? cache : LD_SO_CACHE);

	if (n > 0)
		return n;
	return find_in_dirs(l, stem, tags, dirs ? dirs : std_dirs);
}

static const char *base_name(const char *path)
{
	const char *slash = strrchr(path, '/');

	return slash ? slash + 1 : path;
}

int tk_libs_mapped(struct tk_uobjs *l, pid_t pid, const char *stem, unsigned int tags)
{
	static const char deleted[] = " (deleted)";
	char maps[64], line[PATH_MAX + 128], path[PATH_MAX + 64];
	unsigned long start, end, inode, last_inode = 0;
	unsigned int major, minor, last_major = 0, last_minor = 0;
	unsigned long long off;
	char perms[8], *file;
	struct stat st;
	size_t len;
	int added = 0, pos;
	bool gone;
	FILE *f;

	snprintf(maps, sizeof(maps), "/proc/%d/maps", (int)pid);
	f = fopen(maps, "re");
	if (!f)
		return -errno;
	while (fgets(line, sizeof(line), f)) {
		len = strlen(line);
		if (len && line[len - 1] == '\n')
			line[--len] = '\0';
		pos = 0;
		if (sscanf(line, "%lx-%lx %7s %llx %x:%x %lu %n", &start, &end, perms, &off,
			   &major, &minor, &inode, &pos) < 7 || !pos || !inode)
			continue;
		file = line + pos;
		if (file[0] != '/')
			continue;
		gone = len - pos > strlen(deleted) && !strcmp(line + len - strlen(deleted), deleted);
		if (gone)
			line[len - strlen(deleted)] = '\0';
		if (!tk_lib_name_match(base_name(file), stem))
			continue;
		snprintf(path, sizeof(path), "/proc/%d/root%s", (int)pid, file);
		/* The file at that path now may not be the one mapped (a package
		 * upgrade replaced it): then name the mapping itself. */
		if (gone || stat(path, &st) || st.st_ino != inode)
			snprintf(path, sizeof(path), "/proc/%d/map_files/%lx-%lx", (int)pid, start, end);
		/* A file's mappings are listed together: look at it once. */
		if (inode == last_inode && major == last_major && minor == last_minor)
			continue;
		last_inode = inode;
		last_major = major;
		last_minor = minor;
		added += add_native(l, path, tags);
	}
	fclose(f);
	return added;
}

int tk_elf_has_symtab(const char *path)
{
	Elf_Scn *scn = NULL;
	GElf_Shdr sh;
	int fd, found = 0;
	Elf *elf;

	if (elf_version(EV_CURRENT) == EV_NONE)
		return -ENOSYS;
	/* As tools/sslsniff/elfsym.c: no waiting on a FIFO, no mapping a file that
	 * may shrink under us (SIGBUS). */
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
	if (fd < 0)
		return -errno;
	elf = elf_begin(fd, ELF_C_READ, NULL);
	if (!elf || elf_kind(elf) != ELF_K_ELF) {
		elf_end(elf);
		close(fd);
		return -ENOEXEC;
	}
	while (!found && (scn = elf_nextscn(elf, scn)))
		found = gelf_getshdr(scn, &sh) && sh.sh_type == SHT_SYMTAB;
	elf_end(elf);
	close(fd);
	return found;
}

static int links_reserve(struct tk_ulinks *l, int more)
{
	struct bpf_link **p;
	int cap;

	if (l->n + more <= l->cap)
		return 0;
	cap = l->cap ? l->cap * 2 : 32;
	while (cap < l->n + more)
		cap *= 2;
	p = realloc(l->link, cap * sizeof(*p));
	if (!p)
		return -ENOMEM;
	l->link = p;
	l->cap = cap;
	return 0;
}

/* uprobe_multi (Linux 6.6), which this build's headers may predate: the
 * attach type and the link_create part of union bpf_attr. */
#define TK_BPF_TRACE_UPROBE_MULTI 48
#define TK_BPF_F_UPROBE_MULTI_RETURN 1

struct tk_attr_uprobe_multi {
	__u32 prog_fd, target_fd, attach_type, flags;
	__u64 path, offsets, ref_ctr_offsets, cookies;
	__u32 cnt, multi_flags, pid, pad;
};

static int link_create_uprobe_multi(int prog_fd, const char *path, uint64_t offset, bool ret)
{
	struct tk_attr_uprobe_multi a;
	int fd;

	memset(&a, 0, sizeof(a));
	a.prog_fd = prog_fd;
	a.attach_type = TK_BPF_TRACE_UPROBE_MULTI;
	a.path = (uintptr_t)path;
	a.offsets = (uintptr_t)&offset;
	a.cnt = 1;
	a.multi_flags = ret ? TK_BPF_F_UPROBE_MULTI_RETURN : 0;
	fd = syscall(__NR_bpf, BPF_LINK_CREATE, &a, sizeof(a));
	return fd < 0 ? -errno : fd;
}

bool tk_uprobe_multi_supported(void)
{
	static int supported = -1;
	struct bpf_insn insns[] = {
		{ .code = BPF_ALU64 | BPF_MOV | BPF_K, .dst_reg = BPF_REG_0 },
		{ .code = BPF_JMP | BPF_EXIT },
	};
	LIBBPF_OPTS(bpf_prog_load_opts, opts,
		    .expected_attach_type = TK_BPF_TRACE_UPROBE_MULTI);
	int prog, err;

	if (supported >= 0)
		return supported;
	if (getenv("TRACEKIT_NO_UPROBE_MULTI")) {
		supported = 0;
		return false;
	}
	prog = bpf_prog_load(BPF_PROG_TYPE_KPROBE, NULL, "GPL", insns, 2, &opts);
	if (prog < 0) {
		supported = 0;
		return false;
	}
	/* A kernel with uprobe_multi checks the arguments, then looks the
	 * path up: ENOENT. Older ones refuse the attach type: EINVAL. */
	err = link_create_uprobe_multi(prog, "/nonexistent/tracekit-probe", 0, false);
	if (err >= 0)
		close(err);
	close(prog);
	supported = err == -ENOENT;
	return supported;
}

void tk_uprobe_use_multi(struct bpf_program *prog)
{
	if (prog)
		bpf_program__set_expected_attach_type(prog, TK_BPF_TRACE_UPROBE_MULTI);
}

static bool is_multi(const struct bpf_program *prog)
{
	return prog && (int)bpf_program__expected_attach_type(prog) == TK_BPF_TRACE_UPROBE_MULTI;
}

static int fds_reserve(struct tk_ulinks *l, int more)
{
	int *p, cap;

	if (l->nfd + more <= l->fdcap)
		return 0;
	cap = l->fdcap ? l->fdcap * 2 : 32;
	while (cap < l->nfd + more)
		cap *= 2;
	p = realloc(l->fd, cap * sizeof(*p));
	if (!p)
		return -ENOMEM;
	l->fd = p;
	l->fdcap = cap;
	return 0;
}

static int attach_multi(struct tk_ulinks *l, struct bpf_program *entry,
			struct bpf_program *ret, const char *path, uint64_t offset)
{
	int in = -1, out = -1;

	if (fds_reserve(l, 2))
		return -ENOMEM;
	if (entry) {
		in = link_create_uprobe_multi(bpf_program__fd(entry), path, offset, false);
		if (in < 0)
			return in;
	}
	if (ret) {
		out = link_create_uprobe_multi(bpf_program__fd(ret), path, offset, true);
		if (out < 0) {
			if (in >= 0)
				close(in);
			return out;
		}
	}
	if (in >= 0)
		l->fd[l->nfd++] = in;
	if (out >= 0)
		l->fd[l->nfd++] = out;
	return 0;
}

int tk_uprobe_attach(struct tk_ulinks *l, struct bpf_program *entry,
		     struct bpf_program *ret, const char *path, uint64_t offset)
{
	LIBBPF_OPTS(bpf_uprobe_opts, opts);
	struct bpf_link *in = NULL, *out = NULL;
	int err;

	if (is_multi(entry) || is_multi(ret))
		return attach_multi(l, entry, ret, path, offset);
	if (links_reserve(l, 2))
		return -ENOMEM;
	/* pid -1: every process. A pid here would make it a per-thread perf
	 * event, blind to the process's other threads; pid filters are the
	 * BPF program's job. */
	if (entry) {
		in = bpf_program__attach_uprobe_opts(entry, -1, path, offset, &opts);
		if (!in)
			return errno ? -errno : -EINVAL;
	}
	if (ret) {
		opts.retprobe = true;
		out = bpf_program__attach_uprobe_opts(ret, -1, path, offset, &opts);
		if (!out) {
			err = errno ? -errno : -EINVAL;
			bpf_link__destroy(in);
			return err;
		}
	}
	if (in)
		l->link[l->n++] = in;
	if (out)
		l->link[l->n++] = out;
	return 0;
}

static void *close_fd(void *arg)
{
	close((int)(intptr_t)arg);
	return NULL;
}

/* At most this many removals wait at once. */
#define TK_DETACH_THREADS 64

void tk_ulinks_destroy(struct tk_ulinks *l)
{
	pthread_t t[TK_DETACH_THREADS];
	int i, j, n;

	/* uprobe_multi links: each removal waits for grace periods, but not
	 * under a shared lock, so together they take about as long as one. */
	for (i = 0; i < l->nfd; i += TK_DETACH_THREADS) {
		bool started[TK_DETACH_THREADS] = {};

		n = l->nfd - i < TK_DETACH_THREADS ? l->nfd - i : TK_DETACH_THREADS;
		for (j = 0; j < n; j++) {
			started[j] = !pthread_create(&t[j], NULL, close_fd,
						     (void *)(intptr_t)l->fd[i + j]);
			if (!started[j])
				close(l->fd[i + j]);
		}
		for (j = 0; j < n; j++)
			if (started[j])
				pthread_join(t[j], NULL);
	}
	free(l->fd);
	l->fd = NULL;
	l->nfd = l->fdcap = 0;
	/* Perf-event uprobes: each removal waits for an RCU grace period in
	 * the kernel, under a lock the removals share (measured ~60 ms each
	 * on 6.18), so neither order nor threads shorten this. */
	for (i = 0; i < l->n; i++)
		bpf_link__destroy(l->link[i]);
	free(l->link);
	l->link = NULL;
	l->n = l->cap = 0;
}
