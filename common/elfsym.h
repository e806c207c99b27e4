/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* ELF symbol lookup for attaching uprobes by function name. */
#ifndef TK_ELFSYM_H
#define TK_ELFSYM_H

#include <stdint.h>

/* File offset of function symbol @name in the ELF file @path, as uprobes want it:
 * st_value translated through the PT_LOAD segment that contains it
 * (st_value - p_vaddr + p_offset). Looks in .symtab and .dynsym; a plain name
 * also matches versioned ones ("SSL_write" matches "SSL_write@@OPENSSL_3.0.0"),
 * preferring the default version. Only defined STT_FUNC / STT_GNU_IFUNC
 * symbols with nonzero value count.
 * Returns 0 and sets *offset, or a negative errno: -ENOENT if the symbol is
 * absent, -ENOEXEC if the file is not ELF (or has no loadable segments), other
 * -errno on open/read failure. */
int elf_symbol_offset(const char *path, const char *name, uint64_t *offset);

#endif
