/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* Symbol resolution for addresses in stacks: the kernel's from
 * /proc/kallsyms, a process's from its mappings (/proc/PID/maps), the ELF
 * files behind them (.symtab and .dynsym, or a debug file found by build-id
 * under /usr/lib/debug/.build-id/) and JIT maps (/tmp/perf-PID.map).
 *
 * Everything read here is untrusted: any process can map any file, write
 * any perf map, and rename itself. ELF files are read with pread (never
 * mapped: one that shrinks is an error, not a SIGBUS), within the limits of
 * elfsym-like bounds below; maps and perf maps are parsed line by line with
 * bounded lengths. An ELF file is loaded once per run, whichever process
 * maps it (the cache key is its device, inode, size and mtime). */
#ifndef TK_SYMS_H
#define TK_SYMS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/* Bounds past which an input is refused or cut (real files stay far below). */
#define TK_SYMS_MAX_FUNCS (4u << 20)	/* function symbols of one ELF file */
#define TK_SYMS_MAX_STRTAB (256u << 20)	/* bytes of one string table */
#define TK_SYMS_MAX_SECTIONS 16384
#define TK_SYMS_MAX_LOADS 64		/* PT_LOAD segments kept */
#define TK_SYMS_MAX_MAPS 65536		/* mappings of one process */
#define TK_SYMS_MAX_PERFMAP (1u << 20)	/* lines of one perf map */
#define TK_SYMS_MAX_NAME 1024		/* bytes of a name from a perf map */

/* --- kernel ---------------------------------------------------------------- */

struct tk_ksym {
	uint64_t addr;
	const char *name;
	const char *module;	/* NULL: the kernel itself */
};

struct tk_ksyms;

/* /proc/kallsyms. NULL with errno set on failure. */
struct tk_ksyms *tk_ksyms_load(void);
/* The same from @f (kallsyms' format), for tests. */
struct tk_ksyms *tk_ksyms_parse(FILE *f);
/* The text symbol at or below @addr (its offset is addr - sym->addr); NULL
 * below the first one, or when addresses are hidden. */
const struct tk_ksym *tk_ksyms_find(const struct tk_ksyms *ks, uint64_t addr);
/* Every address read as 0: kptr_restrict hides them from this reader. */
bool tk_ksyms_hidden(const struct tk_ksyms *ks);
size_t tk_ksyms_count(const struct tk_ksyms *ks);
void tk_ksyms_free(struct tk_ksyms *ks);

/* --- user ------------------------------------------------------------------ */

struct tk_usym {
	const char *name;	/* NULL: no symbol covers the address */
	uint64_t offset;	/* from the symbol's start */
	const char *module;	/* the file's base name, "[perf-map]", "[vdso]", ...;
				 * NULL: no mapping holds the address */
};

struct tk_usyms;

struct tk_usyms *tk_usyms_new(void);
void tk_usyms_free(struct tk_usyms *u);
/* Resolve @addr in process @pid (its maps are read at the first look and
 * kept). 0 with @out->name set; -ENOENT with what is known in @out (the
 * module, without a symbol); -ESRCH: the process is gone (its maps were
 * never read). The strings live until tk_usyms_forget(@pid) or
 * tk_usyms_free. */
int tk_usyms_find(struct tk_usyms *u, int pid, uint64_t addr, struct tk_usym *out);
/* Read @pid's maps again at its next look (after an exec). */
void tk_usyms_forget(struct tk_usyms *u, int pid);
/* Where debug files are looked up by build-id (default
 * "/usr/lib/debug/.build-id"), for tests. */
void tk_usyms_debug_dir(struct tk_usyms *u, const char *dir);

/* --- the parts, exposed for tests and the fuzz target ----------------------- */

/* An ELF file's functions and loadable segments. */
struct tk_elf_syms;
/* From an open file (read with pread). NULL with errno: ENOEXEC (not ELF,
 * or malformed), EFBIG (past a bound above), or a read error. */
struct tk_elf_syms *tk_elf_syms_load(int fd);
/* Add the symbols of a debug file (its .symtab; same addresses). */
int tk_elf_syms_add_debug(struct tk_elf_syms *es, int fd);
/* The function holding virtual address @vaddr (or the nearest below it,
 * for symbols without a size): its name and offset. NULL if none. */
const char *tk_elf_syms_find(const struct tk_elf_syms *es, uint64_t vaddr, uint64_t *offset);
/* The virtual address at file offset @off (through the PT_LOAD holding it). */
bool tk_elf_syms_offset_to_vaddr(const struct tk_elf_syms *es, uint64_t off, uint64_t *vaddr);
/* The GNU build-id as lower-case hex, "" if none. */
const char *tk_elf_syms_build_id(const struct tk_elf_syms *es);
bool tk_elf_syms_has_symtab(const struct tk_elf_syms *es);
size_t tk_elf_syms_count(const struct tk_elf_syms *es);
void tk_elf_syms_free(struct tk_elf_syms *es);

/* One line of /proc/PID/maps: true and the fields set if it is one. @path
 * points into @line ("" for an anonymous mapping). */
struct tk_map {
	uint64_t start, end, pgoff, ino;
	unsigned int dev_major, dev_minor;
	bool exec;
	const char *path;
};
bool tk_map_parse(char *line, struct tk_map *m);

/* One line of a perf map ("START SIZE NAME", hex): true and the fields set. */
bool tk_perfmap_parse(char *line, uint64_t *start, uint64_t *size, const char **name);

#endif
