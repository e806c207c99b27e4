/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* The steps between a parsed command line and attached programs that every
 * tool shares: privileges, open options, filters and delivery knobs written
 * into the object before load, the cgroup filter map after it. */
#ifndef TK_SESSION_H
#define TK_SESSION_H

#include <stddef.h>
#include <stdint.h>
#include <linux/types.h>
#include <bpf/libbpf.h>
#include "../bpf/filter.h"
#include "args.h"
#include "attach.h"

struct tk_setup {
	const struct tk_common *common;
	struct tk_filter filter;		/* comm_len is derived from comm */
	const char *cgroup;			/* --cgroup PATH, or NULL */
	/* Where cgroup programs attach (a cgroup2 directory); NULL: the root. */
	const char *attach_cgroup;
	const struct tk_variant *variants;	/* NULL if the tool has one way to attach */
	int nvariants;
	size_t ring_bytes;			/* streaming tools: ring buffer size (power of 2) */
};

/* Exit 1 with one clear line unless we may load BPF programs. */
void tk_require_privileges(void);
/* After argument parsing, before opening BPF objects: privileges, libbpf's
 * logging, signal handling and stdout buffering, as every tool needs. */
void tk_init_runtime(void);

/* libbpf open options carrying --btf. Valid until the next call. */
const struct bpf_object_open_opts *tk_open_opts(const struct tk_common *c);

/* Before load: filters, event transport (ring or perf buffer), attach variant.
 * Returns the chosen variant's index (0 without variants), or -1 after
 * printing why. */
int tk_prepare(struct bpf_object *obj, const struct tk_setup *s);
/* After load: fills the cgroup filter map. 0 or -1 after printing why. */
int tk_after_load(struct bpf_object *obj, const struct tk_setup *s);
/* One line explaining a failed skeleton load. */
void tk_load_failed(int err);
/* Load the skeleton (X__load), set up the filters that need a loaded
 * object, and attach every auto-attachable program, cgroup programs to
 * @s->attach_cgroup. 0, or -1 after saying what failed. */
int tk_load_attach(struct bpf_object_skeleton *skel, const struct tk_setup *s,
		   struct tk_links **links);

/* A global of the object's .rodata by name, for writing before load. */
void *tk_rodata(struct bpf_object *obj, const char *name, size_t size);

/* Total of the per-CPU tk_drops counter (0 if the object has none). */
uint64_t tk_drops_read(struct bpf_object *obj);

#endif
