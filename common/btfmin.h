/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* The kernel's BTF cut down to what one BPF object's CO-RE relocations can
 * read, made once per kernel and object and kept in a cache.
 *
 * libbpf relocates an object by searching the whole kernel BTF (some
 * 130,000 types) for every relocation's candidates; at start that search
 * and the parse before it are most of a tool's time. Given a BTF holding
 * only the candidates, the members the relocations' access strings walk and
 * the types those members need, libbpf comes to the same instructions
 * (tests/e2e/btfmin.sh compares them) in a fraction of the time. */
#ifndef TK_BTFMIN_H
#define TK_BTFMIN_H

#include <stddef.h>
#include <bpf/btf.h>

/* @kernel minimised for the BPF ELF object @obj (@size bytes): 0 and *@out
 * (the caller's to btf__free), or a negative errno: -ENOTSUP for a
 * relocation kind this does not minimise for (the caller relocates against
 * the whole BTF), -EINVAL for an object it cannot read. */
int tk_btf_minimise(const void *obj, size_t size, const struct btf *kernel, struct btf **out);

/* Where the cache is: $TRACEKIT_BTF_CACHE, else this. TRACEKIT_BTF_CACHE=0
 * (or off, or empty) turns it off: every run relocates against the whole
 * kernel BTF, as libbpf does by default. =memory minimises for each run and
 * writes nothing (a kit run on a machine whose disk is evidence). */
#define TK_BTF_CACHE_DIR "/var/cache/tracekit/btf"

/* A file holding the running kernel's BTF minimised for @obj, named after
 * @name, the object, and the kernel's identity (build ID, version, BTF
 * size): from the cache, or made now from @kernel (called only then) and
 * written there. A cache that is not root's own or is writable by others is
 * not used; without a usable one the BTF is kept in a memfd for this run.
 * NULL when there is none (the cache is off, or something failed: -v says
 * what), and the whole BTF is used. The string is static. */
const char *tk_btf_cached(const char *name, const void *obj, size_t size,
			  const struct btf *(*kernel)(void));

/* The running kernel's BTF id of the type @name of @kind (a BPF_KIND_*),
 * for the attach probes (attach.c): > 0, or 0 when its BTF has no such
 * type, or a negative errno from @kernel, called only when the cache
 * (kernel.KERNEL.ids there) has no answer yet. The kernel's own ids, not
 * a minimised BTF's: only the whole BTF has them. */
int tk_btf_kernel_id(const char *name, int kind, const struct btf *(*kernel)(void));

#endif
