/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* Attach selection. A tool lists its variants in preference order, each with
 * the BPF programs that make it up; the first variant whose every program
 * the running kernel accepts -- found by loading and attaching a minimal
 * program of the same type on the same hook -- is kept, and the programs of
 * the others are switched off before load. */
#ifndef TK_ATTACH_H
#define TK_ATTACH_H

#include <stdbool.h>
#include <bpf/libbpf.h>

#define TK_VARIANT_MAX_PROGS 8

struct tk_variant {
	const char *name;	/* what --attach= takes: "fentry", "kprobe", "tracepoint", "raw_tp" */
	const char *progs[TK_VARIANT_MAX_PROGS];	/* program names, NULL-terminated */
	/* BPF helpers (enum bpf_func_id) the programs call beyond the basics, 0-ended */
	int helpers[4];
};

/* For option parsing: exits 2 unless @name is one of the variants. */
void tk_variant_check(const struct tk_variant *v, int n, const char *name);

/* Choose among @v[0..n-1] (only @forced if non-NULL) and disable the programs
 * of the rest. Returns the chosen index, or -1 after saying why none can work. */
int tk_attach_select(struct bpf_object *obj, const struct tk_variant *v, int n,
		     const char *forced);

/* Why a program of @prog's type and hook cannot run here: 0 if it can, else a
 * negative errno with a human reason in @why. Exposed for tests. */
int tk_probe_program(const struct bpf_program *prog, char *why, size_t why_size);

/* Attach every program that will load and is auto-attachable; on failure
 * says which hook failed and why, and returns a negative errno. */
struct tk_links;
int tk_attach_all(struct bpf_object *obj, struct tk_links **links);
void tk_detach_all(struct tk_links *links);

#endif
