// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#include "hist.h"

#define STARS_MAX 40

static void print_bar(FILE *f, uint64_t val, uint64_t val_max, int width)
{
	int stars = val_max ? (int)((val < val_max ? val : val_max) * width / val_max) : 0;
	int i;

	fputc('|', f);
	for (i = 0; i < width; i++)
		fputc(i < stars ? '*' : ' ', f);
	fputs(val > val_max ? "+|\n" : "|\n", f);
}

static int last_nonzero(const uint64_t *vals, int nvals, uint64_t *max)
{
	int i, last = -1;

	*max = 0;
	for (i = 0; i < nvals; i++) {
		if (vals[i])
			last = i;
		if (vals[i] > *max)
			*max = vals[i];
	}
	return last;
}

void hist_log2_bounds(int slot, uint64_t *low, uint64_t *high)
{
	*low = slot ? 1ULL << slot : 0;
	*high = slot >= 63 ? UINT64_MAX : (1ULL << (slot + 1)) - 1;
}

void hist_print_log2(FILE *f, const uint64_t *vals, int nvals, const char *unit)
{
	uint64_t max, low, high;
	int last = last_nonzero(vals, nvals, &max), i;
	/* Wide values (past 2^32) get wider columns and a shorter bar, as bcc. */
	bool wide = last > 32;
	int width = wide ? 20 : 10;

	if (last < 0)
		return;
	fprintf(f, "%*s%-*s : count    distribution\n", wide ? 15 : 5, "", wide ? 29 : 19, unit);
	for (i = 0; i <= last; i++) {
		hist_log2_bounds(i, &low, &high);
		fprintf(f, "%*llu -> %-*llu : %-8llu ", width, (unsigned long long)low,
			width, (unsigned long long)high, (unsigned long long)vals[i]);
		print_bar(f, vals[i], max, wide ? STARS_MAX / 2 : STARS_MAX);
	}
}

void hist_json_log2(struct jw *w, const char *key, const uint64_t *vals, int nvals,
		    const char *unit)
{
	uint64_t max, low, high, total = 0;
	int last = last_nonzero(vals, nvals, &max), i;

	jw_object_begin(w, key);
	jw_str(w, "unit", unit, 16);
	jw_array_begin(w, "buckets");
	for (i = 0; i <= last; i++) {
		hist_log2_bounds(i, &low, &high);
		total += vals[i];
		jw_object_begin(w, NULL);
		jw_uint(w, "low", low);
		jw_uint(w, "high", high);
		jw_uint(w, "count", vals[i]);
		jw_object_end(w);
	}
	jw_array_end(w);
	jw_uint(w, "total", total);
	jw_object_end(w);
}
