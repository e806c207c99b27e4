/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* The user half of the stack tools (profile, offcputime): the counts by
 * stack that bpf/stacks.bpf.h kept, read once at the end, each stack
 * symbolised through common/syms and printed as bcc's text, folded stacks
 * or JSON, and merged into a flame graph (common/flame); the reasons for
 * lost stacks read and reported. */
#ifndef TK_STACKS_USER_H
#define TK_STACKS_USER_H

#include <stdbool.h>
#include <stdint.h>
#include <linux/types.h>
#include "stackkey.h"

enum tk_stacks_format { TK_STACKS_TEXT, TK_STACKS_FOLDED, TK_STACKS_JSON };

struct tk_stacks_report {
	int kstacks_fd, ustacks_fd;	/* the skeleton's maps of stacks */
	int counts_fd;			/* and of counts */
	bool user, kernel;		/* the sides shown (-U: user only, -K: kernel only) */
	bool tid;			/* JSON: the key's tid (per-thread counts) */
	enum tk_stacks_format format;
	bool annotate;			/* folded: kernel frames end in _[k] */
	bool skip_hook_frames;		/* leave out the innermost kernel frames of
					 * the BPF program and its tracepoint */
	uint64_t divisor;		/* a count is printed as count / divisor (0: 1) */
	const char *value_name;		/* JSON: the count's name ("count", "us") */
	const char *svg;		/* NULL: no flame graph */
	const char *svg_title;
	const char *svg_unit;		/* what a count is ("samples", "us") */
	bool svg_cold;			/* off-CPU colours (blues) */
};

/* What was printed: stacks, and the sum of the printed counts. */
struct tk_stacks_sum {
	size_t stacks;
	uint64_t total;
};

struct bpf_map;

/* Size the maps of kernel stacks (@kstacks) and user stacks (@ustacks) for
 * @storage distinct stacks in all (--stack-storage-size), shared by the
 * sides asked for (@kernel, @user). Before load. */
void tk_stacks_size(struct bpf_map *kstacks, struct bpf_map *ustacks, bool kernel, bool user,
		    long long storage);

/* Print every count, smallest first (bcc's order: the largest ends next
 * to the prompt). 0, or a negative errno (-ENOMEM; -EIO: the SVG). */
int tk_stacks_print(const struct tk_stacks_report *r, struct tk_stacks_sum *sum);

/* The per-CPU counters of @fd (a per-CPU array of @n u64) summed into @out. */
void tk_stacks_errs_read(int fd, uint64_t *out, unsigned int n);

/* The reasons for lost stacks, on stderr (the totals at -v); @events names
 * what is counted ("samples", "blocks"). */
void tk_stacks_errs_warn(const uint64_t *errs, size_t nstacks, const char *events);

/* The same as JSON fields of an open record. */
struct jw;
void tk_stacks_errs_json(struct jw *w, const uint64_t *errs);

#endif
