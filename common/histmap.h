/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* Histograms the kernel sums per CPU in a hash map, read for reports: every
 * CPU's copy added up, and what grew since the previous report. The kernel's
 * counters are never reset, so nothing counted between a read and a reset is
 * lost. A value starts with __u64 slots[nslots], count, total_ns (log2 slots,
 * as bpf/log2.bpf.h fills them); what follows (a comm, say) is the tool's,
 * taken from a CPU that counted. (The runs the kernel skipped are reported
 * by common/loop after each summary.) */
#ifndef TK_HISTMAP_H
#define TK_HISTMAP_H

#include <stdbool.h>
#include <stdint.h>
#include <bpf/libbpf.h>
#include "prom.h"

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
	/* For tk_histmap_report, set by the tool: */
	int (*name)(struct tk_hist_growth *g);	/* once per key, before it is
						 * first sorted (may be NULL) */
	int (*cmp)(const void *a, const void *b);	/* qsort of grown[] (or NULL) */
	void (*print)(int n);			/* grown[0..n) */
	bool json;
	/* Filled by tk_histmap_collect. */
	struct tk_hist_growth **grown;
	/* Private. */
	struct tk_hist_growth **all;
	int nall, cap;
	int ncpu;
	size_t key_size, value_size;
	void *percpu;
};

/* 0, or -1 after saying why. @map's values must start with nslots + 2 __u64. */
int tk_histmap_init(struct tk_histmap *m, struct bpf_map *map, int nslots);
/* Read the map: how many keys grew since the last call, in m->grown[]. */
int tk_histmap_collect(struct tk_histmap *m);
/* One summary, as a tk_summary's report (@ctx: the struct tk_histmap): what
 * grew, named, sorted and printed. */
int tk_histmap_report(void *ctx, bool final);
/* A histmap as one Prometheus histogram family (--prometheus, --textfile):
 * every key's histogram since the start, the @top largest by count (0: all)
 * and the rest summed under "other". */
struct tk_histmap_metric {
	const char *name, *help;
	double unit;		/* a slot's unit, in seconds */
	int top;
	int nlabels;
	const char *label[TK_PROM_LABELS];
	/* A key's label values, in label[]'s order (from its g->data). */
	void (*values)(const struct tk_hist_growth *g, char value[][TK_PROM_LABEL_LEN]);
};

struct tk_prom_buf;
/* 0 or -errno. */
int tk_histmap_prom(struct tk_histmap *m, struct tk_prom_buf *b,
		    const struct tk_histmap_metric *mt);
void tk_histmap_free(struct tk_histmap *m);

#endif
