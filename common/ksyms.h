/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* Kernel symbols from /proc/kallsyms, for turning kernel stack addresses into
 * names and names into addresses. */
#ifndef TK_KSYMS_H
#define TK_KSYMS_H

#include <stddef.h>
#include <stdint.h>

struct ksym {
	uint64_t addr;
	const char *name;
	const char *module;	/* NULL for vmlinux */
};

struct ksyms;

/* Load and sort /proc/kallsyms (or @path if non-NULL, for tests). Lines with
 * address 0 (kptr_restrict) are skipped, so an unprivileged load succeeds with
 * no symbols. NULL with errno set on failure (EINVAL for a malformed line). */
struct ksyms *ksyms_load(const char *path);
void ksyms_free(struct ksyms *ks);

/* Number of symbols loaded. */
size_t ksyms_count(const struct ksyms *ks);

/* The symbol containing @addr (greatest addr <= @addr), or NULL. Of several
 * symbols at one address, the first in file order. */
const struct ksym *ksyms_lookup(const struct ksyms *ks, uint64_t addr);

/* The symbol called @name (first match; vmlinux before modules), or NULL. */
const struct ksym *ksyms_by_name(const struct ksyms *ks, const char *name);

#endif
