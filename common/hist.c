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

void hist_print_linear(FILE *f, const uint64_t *vals, int nvals,
		       uint64_t base, uint64_t step, const char *unit)
{
	uint64_t max;
	int last = last_nonzero(vals, nvals, &max), first, i;

	if (last < 0)
		return;
	for (first = 0; !vals[first]; first++)
		;
	fprintf(f, "     %-13s : count     distribution\n", unit);
	for (i = first; i <= last; i++) {
		fprintf(f, "        %-10llu : %-8llu ", (unsigned long long)(base + i * step),
			(unsigned long long)vals[i]);
		print_bar(f, vals[i], max, STARS_MAX);
	}
}

static void json_buckets(struct jw *w, const char *key, const uint64_t *vals, int nvals,
			 const char *unit, bool log2, uint64_t base, uint64_t step)
{
	uint64_t max, low, high, total = 0;
	int last = last_nonzero(vals, nvals, &max), i;

	jw_key(w, key);
	fprintf(w->f, "{\"unit\":\"%s\",\"buckets\":[", unit);
	for (i = 0; i <= last; i++) {
		if (log2) {
			hist_log2_bounds(i, &low, &high);
		} else {
			low = base + i * step;
			high = low + step - 1;
		}
		total += vals[i];
		fprintf(w->f, "%s{\"low\":%llu,\"high\":%llu,\"count\":%llu}", i ? "," : "",
			(unsigned long long)low, (unsigned long long)high,
			(unsigned long long)vals[i]);
	}
	fprintf(w->f, "],\"total\":%llu}", (unsigned long long)total);
}

void hist_json_log2(struct jw *w, const char *key, const uint64_t *vals, int nvals,
		    const char *unit)
{
	json_buckets(w, key, vals, nvals, unit, true, 0, 1);
}

void hist_json_linear(struct jw *w, const char *key, const uint64_t *vals, int nvals,
		      uint64_t base, uint64_t step, const char *unit)
{
	json_buckets(w, key, vals, nvals, unit, false, base, step);
}
