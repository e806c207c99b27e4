// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <bpf/bpf.h>
#include "histmap.h"
#include "log.h"
#include "loop.h"
#include "prom.h"

/* One key: the growth, its key, the value's tail, and what was seen, in one
 * allocation. */
static struct tk_hist_growth *entry_new(const struct tk_histmap *m, const void *key)
{
	size_t head = (sizeof(struct tk_hist_growth) + 7) & ~(size_t)7;
	size_t counters = (2 * m->nslots + 2) * sizeof(uint64_t);
	size_t tail = m->value_size - (m->nslots + 2) * sizeof(uint64_t);
	struct tk_hist_growth *g = calloc(1, head + counters + m->key_size + tail);
	char *p = (char *)g + head;

	if (!g)
		return NULL;
	g->seen = (uint64_t *)p;
	g->now = g->seen + m->nslots + 2;
	memcpy(p + counters, key, m->key_size);
	g->key = p + counters;
	g->extra = p + counters + m->key_size;
	return g;
}

static struct tk_hist_growth *entry_of(struct tk_histmap *m, const void *key)
{
	struct tk_hist_growth *g;
	int i;

	for (i = 0; i < m->nall; i++)
		if (!memcmp(m->all[i]->key, key, m->key_size))
			return m->all[i];
	if (m->nall == m->cap) {
		int cap = m->cap ? m->cap * 2 : 16;
		struct tk_hist_growth **a = realloc(m->all, cap * sizeof(*a));

		if (!a)
			return NULL;
		m->all = a;
		a = realloc(m->grown, cap * sizeof(*a));
		if (!a)
			return NULL;
		m->grown = a;
		m->cap = cap;
	}
	g = entry_new(m, key);
	if (g)
		m->all[m->nall++] = g;
	return g;
}

int tk_histmap_init(struct tk_histmap *m, struct bpf_map *map, int nslots)
{
	memset(m, 0, sizeof(*m));
	m->map = map;
	m->nslots = nslots;
	m->key_size = bpf_map__key_size(map);
	m->value_size = bpf_map__value_size(map);
	m->ncpu = libbpf_num_possible_cpus();
	if (m->ncpu <= 0) {
		tk_warn("cannot count the CPUs: %s", strerror(m->ncpu ? -m->ncpu : EINVAL));
		return -1;
	}
	/* The kernel hands out each CPU's value rounded up to 8 bytes. */
	m->value_size = (m->value_size + 7) & ~(size_t)7;
	m->percpu = calloc(m->ncpu, m->value_size);
	if (!m->percpu) {
		tk_warn("cannot read the histograms: %s", strerror(ENOMEM));
		return -1;
	}
	return 0;
}

int tk_histmap_collect(struct tk_histmap *m)
{
	int fd = bpf_map__fd(m->map), n = 0, cpu, i, nc = m->nslots + 2;
	char key[m->key_size], next[m->key_size];
	size_t tail_size = m->value_size - nc * sizeof(uint64_t);
	void *prev = NULL;
	uint64_t sum[nc];

	while (!bpf_map_get_next_key(fd, prev, next)) {
		struct tk_hist_growth *g;
		const char *tail = NULL;
		uint64_t *now;

		memcpy(key, next, m->key_size);
		prev = key;
		if (bpf_map_lookup_elem(fd, key, m->percpu))
			continue;
		memset(sum, 0, sizeof(sum));
		for (cpu = 0; cpu < m->ncpu; cpu++) {
			const uint64_t *v = (const uint64_t *)((char *)m->percpu + cpu * m->value_size);

			for (i = 0; i < nc; i++)
				sum[i] += v[i];
			if (v[m->nslots])
				tail = (const char *)(v + nc);
		}
		g = entry_of(m, key);
		if (!g)
			return -ENOMEM;
		now = (uint64_t *)g->now;
		for (i = 0; i < m->nslots; i++)
			now[i] = sum[i] - g->seen[i];
		g->count = sum[m->nslots] - g->seen[m->nslots];
		g->total_ns = sum[m->nslots + 1] - g->seen[m->nslots + 1];
		memcpy(g->seen, sum, sizeof(sum));
		if (tail && tail_size)
			memcpy((void *)g->extra, tail, tail_size);
	}
	for (i = 0; i < m->nall; i++)
		if (m->all[i]->count)
			m->grown[n++] = m->all[i];
	return n;
}

/* Name the entries of @list that have no name yet (m->name, once a key). */
static int name_all(struct tk_histmap *m, struct tk_hist_growth **list, int n)
{
	int i, e;

	for (i = 0; i < n && m->name; i++) {
		if (list[i]->data || !list[i]->seen[m->nslots])
			continue;
		e = m->name(list[i]);
		if (e < 0)
			return e;
	}
	return 0;
}

int tk_histmap_report(void *ctx, bool final)
{
	struct tk_histmap *m = ctx;
	int n = tk_histmap_collect(m), e = 0;

	(void)final;
	if (n >= 0)
		e = name_all(m, m->grown, n);
	if (n < 0 || e < 0) {
		tk_warn("reading the histograms failed: %s", strerror(n < 0 ? -n : -e));
		return n < 0 ? n : e;
	}
	if (m->cmp)
		qsort(m->grown, n, sizeof(*m->grown), m->cmp);
	m->print(n);
	return 0;
}

int tk_histmap_prom(struct tk_histmap *m, struct tk_prom_buf *b,
		    const struct tk_histmap_metric *mt)
{
	int nv = m->nslots + 2, n, i, j, k = 0;
	struct tk_prom_label l[TK_PROM_LABELS];
	struct tk_prom_row *rows;
	uint64_t slots[TK_PROM_VALUES];

	if (nv > TK_PROM_VALUES || mt->nlabels > TK_PROM_LABELS)
		return -E2BIG;
	n = tk_histmap_collect(m);
	if (n < 0)
		return n;
	n = name_all(m, m->all, m->nall);
	if (n < 0)
		return n;
	rows = calloc(m->nall ? m->nall : 1, sizeof(*rows));
	if (!rows)
		return -ENOMEM;
	for (i = 0; i < m->nall; i++) {
		const struct tk_hist_growth *g = m->all[i];

		if (!g->seen[m->nslots])
			continue;
		if (mt->values)
			mt->values(g, rows[k].label);
		/* Ranked by count: v[0]. */
		rows[k].v[0] = g->seen[m->nslots];
		rows[k].v[1] = g->seen[m->nslots + 1];
		for (j = 0; j < m->nslots; j++)
			rows[k].v[2 + j] = g->seen[j];
		k++;
	}
	k = tk_prom_top(rows, k, mt->top, nv);
	tk_prom_family(b, mt->name, "histogram", mt->help);
	for (i = 0; i < k; i++) {
		for (j = 0; j < mt->nlabels; j++)
			l[j] = (struct tk_prom_label){ mt->label[j], rows[i].label[j] };
		for (j = 0; j < m->nslots; j++)
			slots[j] = rows[i].v[2 + j];
		tk_prom_hist_log2(b, mt->name, l, mt->nlabels, slots, m->nslots, mt->unit,
				  rows[i].v[1] / 1e9);
	}
	free(rows);
	return 0;
}

void tk_histmap_free(struct tk_histmap *m)
{
	int i;

	for (i = 0; i < m->nall; i++) {
		free(m->all[i]->data);
		free(m->all[i]);
	}
	free(m->all);
	free(m->grown);
	free(m->percpu);
	memset(m, 0, sizeof(*m));
}
