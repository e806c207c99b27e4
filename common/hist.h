/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* Histograms in bcc's look, and their JSON form. */
#ifndef TK_HIST_H
#define TK_HIST_H

#include <stdint.h>
#include <stdio.h>
#include "output.h"

/* log2 buckets: slot i holds values in [2^i, 2^(i+1)-1], slot 0 also holds 0;
 * the same slots bpf/log2.bpf.h fills in the kernel. */
void hist_log2_bounds(int slot, uint64_t *low, uint64_t *high);
void hist_print_log2(FILE *f, const uint64_t *vals, int nvals, const char *unit);

/* "key":{"unit":U,"buckets":[{"low":L,"high":H,"count":C},...]} up to the last
 * non-empty bucket, into an open JSON object. */
void hist_json_log2(struct jw *w, const char *key, const uint64_t *vals, int nvals,
		    const char *unit);

#endif
