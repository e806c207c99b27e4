/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* Histograms the kernel sums per CPU in a hash map, read for reports: every
 * CPU's copy added up, and what grew since the previous report. The kernel's
 * counters are never reset, so nothing counted between a read and a reset is
 * lost. A value starts with __u64 slots[nslots], count, total_ns (log2 slots,
 * as bpf/log2.bpf.h fills them); what follows (a comm, say) is the tool's,
 * taken from a CPU that counted. */
#ifndef TK_HISTMAP_H
#define TK_HISTMAP_H

#include <stdint.h>
#include <bpf/libbpf.h>

struct tk_hist_growth {
	const void *key;	/* the map's key */
	const uint64_t *now;	/* the slots' growth since the last report */
	uint64_t count;		/* growth of count and total_ns */
	uint64_t total_ns;
	const void *extra;	/* the value's bytes after total_ns */
	void *data;		/* the tool's (free()d with the table) */
	uint64_t *seen;		/* slots, count, total_ns up to the last report */
};

struct tk_histmap {
	struct bpf_map *map;
	int nslots;
	/* Filled by tk_histmap_collect. */
	struct tk_hist_growth **grown;
	/* Private. */
	struct tk_hist_growth **all;
	int nall, cap;
	int ncpu;
	size_t key_size, value_size;
	void *percpu;
};

/* 0, or -errno. */
int tk_histmap_init(struct tk_histmap *m, struct bpf_map *map, int nslots);
/* Read the map: how many keys grew since the last call, in m->grown[]. */
int tk_histmap_collect(struct tk_histmap *m);
void tk_histmap_free(struct tk_histmap *m);

#endif
