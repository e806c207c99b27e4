/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* Where user code lives, for uprobes: the shared libraries the dynamic
 * linker would load (its cache, then the standard directories), the ones a
 * running process has actually mapped, and attaching entry and return
 * programs at a file offset (found with tools/sslsniff/elfsym.h). */
#ifndef TK_UPROBE_H
#define TK_UPROBE_H

#include <limits.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>
#include <bpf/libbpf.h>

#define TK_UOBJ_MAX 32

/* ELF files to attach to, each once. A uprobe belongs to a file (inode), and
 * one library is reachable by several paths (libssl.so and libssl.so.3,
 * /lib and /usr/lib on merged-/usr systems, /proc/PID/root/...): attaching
 * through two of them would report every call twice. */
struct tk_uobj {
	char path[PATH_MAX];
	dev_t dev;
	ino_t ino;
	unsigned int tags;	/* the caller's bits, ORed over every add */
};

struct tk_uobjs {
	int n;
	/* Found by tk_libs_find/tk_libs_mapped but not added: not an ELF file
	 * for this machine (a process may map any file named like a library),
	 * or the list was full. */
	int not_native, full;
	struct tk_uobj obj[TK_UOBJ_MAX];
};

/* Add @path (a file that must exist) with @tags. 1 if added, 0 if the same
 * file was already there (its tags are ORed in), -errno (-E2BIG: full). */
int tk_uobj_add(struct tk_uobjs *l, const char *path, unsigned int tags);

/* Whether file name @name is library @stem ("libssl.so") or a version of it
 * ("libssl.so.3", "libssl.so.1.1"); "libssl3.so" is not. */
bool tk_lib_name_match(const char *name, const char *stem);

/* Add, with @tags, every library named @stem (see tk_lib_name_match) for
 * this machine's ELF class and architecture that the dynamic linker's cache
 * @cache (NULL: /etc/ld.so.cache) lists. If it cannot be read or lists none,
 * look in the standard directories instead (@dirs, NULL-terminated; NULL:
 * /lib/<multiarch>, /usr/lib/<multiarch>, /lib64, /usr/lib64, /lib,
 * /usr/lib, /usr/local/lib). Returns how many files were added, or -errno;
 * files past TK_UOBJ_MAX are counted in l->full, not an error. */
int tk_libs_find(struct tk_uobjs *l, const char *stem, unsigned int tags,
		 const char *cache, const char *const *dirs);

/* Add, with @tags, the libraries named @stem that process @pid has mapped,
 * as paths through /proc/PID/root (so a container's files are the ones
 * found), or through /proc/PID/map_files when the file on disk is no longer
 * the one mapped (deleted or replaced since). Files that are not ELF for
 * this machine are counted in l->not_native, those past TK_UOBJ_MAX in
 * l->full. Returns how many were added, or -errno (-ENOENT: no such
 * process). */
int tk_libs_mapped(struct tk_uobjs *l, pid_t pid, const char *stem, unsigned int tags);

/* 1 if the ELF file @path has a symbol table (.symtab), 0 if it was stripped
 * of it, -ENOEXEC if it is not ELF, other -errno if it cannot be read. */
int tk_elf_has_symtab(const char *path);

/* Whether @path is an ELF file of this machine's class and architecture:
 * 1 yes, 0 no (another architecture, or not ELF), -errno if unreadable. */
int tk_elf_native(const char *path);

/* Links of attached uprobes, destroyed together: libbpf's (perf-event
 * uprobes) and uprobe_multi link fds. */
struct tk_ulinks {
	int n, cap;
	struct bpf_link **link;
	int nfd, fdcap;
	int *fd;
};

/* Whether the kernel has uprobe_multi links (6.6+). Removing a perf-event
 * uprobe waits for grace periods under a lock every removal takes (~60 ms
 * each here: 22 uprobes kept sslsniff 1.4 s in its exit); an uprobe_multi
 * link waits without that lock, so several are removed in parallel. */
bool tk_uprobe_multi_supported(void);

/* Make @prog attach through uprobe_multi links: call before load, and only
 * where tk_uprobe_multi_supported(). */
void tk_uprobe_use_multi(struct bpf_program *prog);

/* Attach @entry at, and @ret (either may be NULL) on return from, the
 * function at file offset @offset of @path, in every process (through
 * uprobe_multi links for programs made so by tk_uprobe_use_multi). Both or
 * neither: on failure nothing stays attached, and -errno is returned. */
int tk_uprobe_attach(struct tk_ulinks *l, struct bpf_program *entry,
		     struct bpf_program *ret, const char *path, uint64_t offset);
void tk_ulinks_destroy(struct tk_ulinks *l);

#endif
