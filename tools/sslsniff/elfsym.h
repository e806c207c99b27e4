/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* ELF symbol lookup for attaching uprobes by function name. The files are
 * untrusted (with sslsniff -p, any process can map a file named like a
 * library): they are read with pread, never mapped, so one that shrinks
 * while read is an error and not a SIGBUS, and the work is bounded by the
 * limits below and linear in the file's symbols. */
#ifndef TK_ELFSYM_H
#define TK_ELFSYM_H

#include <stddef.h>
#include <stdint.h>

/* What no real library or program comes near: beyond them a file is
 * refused with -EFBIG. The worst file within them (4M symbols all named as
 * asked for, 64 segments) takes ~1 s here; real libraries take ms. */
#define TK_ELF_MAX_PHDRS 1024		/* program headers (real: ~10) */
#define TK_ELF_MAX_LOADS 64		/* PT_LOAD segments (real: 2 to 5) */
#define TK_ELF_MAX_SECTIONS 16384	/* section headers (real: ~40) */
#define TK_ELF_MAX_SYMS (4u << 20)	/* entries of one symbol table */
#define TK_ELF_MAX_STRTAB (256u << 20)	/* bytes of one string table */

/* File offsets of the function symbols @names[0..@n) in the ELF file @path,
 * in one pass, as uprobes want them: st_value translated through the
 * PT_LOAD segment that contains it (st_value - p_vaddr + p_offset). Looks
 * in .symtab and .dynsym; a plain name also matches versioned ones
 * ("SSL_write" matches "SSL_write@@OPENSSL_3.0.0"), preferring the default
 * version. Only defined STT_FUNC / STT_GNU_IFUNC symbols with nonzero value
 * count. Sets @found[i] (1 found, 0 absent) and @offsets[i].
 * Returns how many were found, or a negative errno: -ENOEXEC if the file
 * is not ELF (or has no loadable segments, or is malformed), -EISDIR for a
 * directory, -EFBIG past a limit above, other -errno on open/read failure
 * (-EIO: the file changed under the reader). */
int elf_symbols_offsets(const char *path, const char *const *names, size_t n,
			uint64_t *offsets, unsigned char *found);

/* One name: 0 and *offset set, -ENOENT if absent, else as above. */
int elf_symbol_offset(const char *path, const char *name, uint64_t *offset);

#endif
