/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* Flame graphs: stacks with counts merged into a tree, written as one
 * self-contained interactive SVG (its own small script: hover shows a
 * frame and its share, click zooms, a search box highlights matches), so
 * no Perl, Python or network is needed where the tool runs. Shared by the
 * stack tools of issue 18 (profile, offcputime). */
#ifndef TK_FLAME_H
#define TK_FLAME_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

struct tk_flame;

struct tk_flame *tk_flame_new(void);
/* One stack, outermost frame first, seen @count times; @kernel[i] marks the
 * kernel's frames (their own colour). 0, or -ENOMEM. */
int tk_flame_add(struct tk_flame *fg, const char *const *path, const bool *kernel, int n,
		 uint64_t count);
uint64_t tk_flame_total(const struct tk_flame *fg);
/* Off-CPU colours: blues (user) and violets (kernel), flamegraph.pl's
 * convention for time spent blocked, instead of the warm CPU palette. */
void tk_flame_cold(struct tk_flame *fg);
/* The SVG to @f; @unit names what is counted ("samples", "us"). */
void tk_flame_svg(const struct tk_flame *fg, FILE *f, const char *title, const char *unit);
/* The same to the file @path: 0, or -1 after saying why. */
int tk_flame_write_svg(const struct tk_flame *fg, const char *path, const char *title,
		       const char *unit);
void tk_flame_free(struct tk_flame *fg);

#endif
