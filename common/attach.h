/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* Attach selection. A tool lists its variants in preference order, each with
 * the BPF programs that make it up; the first variant whose every program
 * the running kernel accepts -- found by loading a minimal program of the
 * same type for the same hook, and attaching it where the load alone does
 * not prove the hook works (fentry/fexit, kprobes, raw_tp) -- is kept, and
 * the programs of the others are switched off before load. */
#ifndef TK_ATTACH_H
#define TK_ATTACH_H

#include <stdbool.h>
#include <stdio.h>
#include <bpf/libbpf.h>

#define TK_VARIANT_MAX_PROGS 20

struct tk_variant {
	const char *name;	/* what --attach= takes: "fentry", "kprobe", "tracepoint", "cgroup" */
	const char *progs[TK_VARIANT_MAX_PROGS];	/* program names, NULL-terminated */
	/* BPF helpers (enum bpf_func_id) the programs call beyond the basics, 0-ended */
	int helpers[4];
};

/* For option parsing: exits 2 unless @name is one of the variants. */
/* The BTF the run asks its own questions of: the running kernel's (path
 * NULL) or --btf's file. Parsed once, kept until tk_session_load_attach frees
 * it (libbpf parses its own to relocate); NULL with errno set if none. */
struct btf;
struct btf *tk_btf(const char *path);
void tk_btf_release(void);

/* From now on, tp_btf, fentry and fexit programs load with the kernel
 * BTF id of their attach point found by the attach probes' cache
 * (btfmin.h), not by libbpf, which would parse the whole kernel BTF for it.
 * Before the object is opened; tk_open_opts does it. */
void tk_trace_by_id(void);

void tk_variant_check(const struct tk_variant *v, int n, const char *name);

/* Loop twins: a program named X_loop walks its loop with bpf_loop (5.17+),
 * which the verifier walks as one trip, where its twin X has the loop
 * unrolled by the verifier (every trip walked: tens of milliseconds to load
 * a long one). Of each pair in @obj one loads: X_loop where the kernel has
 * bpf_loop, else X; TRACEKIT_NO_BPF_LOOP=1 (tests) takes X everywhere.
 * Only switches autoload off; no pairs, no probe. */
void tk_loop_twins(struct bpf_object *obj);

/* Per-task state kept from one hook to the next: in task storage,
 * @storage (BPF_MAP_TYPE_TASK_STORAGE, BPF_F_NO_PREALLOC), if @want (the
 * programs that will load can name the task: a BTF pointer, tp_btf's or
 * bpf_get_current_task_btf's) and the kernel has it for tracing programs
 * (5.11+) with lookups that cannot fail under its lock (a 6.2 or later
 * release); else in the hash @hash, by thread. The map left unused is cut to
 * one entry (task storage turned into a hash where the kernel lacks the
 * type), so the object loads and the map costs nothing to create: a
 * preallocated 10,240-entry hash takes milliseconds. No entry to delete
 * either: the storage goes with the task. -v says which, with @what. True
 * for task storage. Before load. */
bool tk_task_storage(struct bpf_map *storage, struct bpf_map *hash, bool want, const char *what);

/* Hash maps (plain and per-CPU) of @obj are filled as entries come, not
 * preallocated at creation, where the kernel allocates their entries with
 * the BPF memory allocator (a 6.1 or later release), safe in any context a
 * program runs in: creating a preallocated 10,240-entry hash takes 2-11 ms
 * here, most of a tool's start over a bare loader, and holds its memory
 * whether used or not. An insert that finds no memory fails as one into a full map does:
 * counted as lost. TRACEKIT_PREALLOC=1 keeps them preallocated. Before load;
 * -v says how many. */
void tk_maps_on_demand(struct bpf_object *obj);

/* Choose among @v[0..n-1] (only @forced if non-NULL) and disable the programs
 * of the rest. @cgroup is where cgroup programs will attach (NULL: the
 * cgroup2 root), for -v. Returns the chosen index, or -1 after saying why
 * none can work. */
int tk_attach_select(struct bpf_object *obj, const struct tk_variant *v, int n,
		     const char *forced, const char *cgroup);

/* Why a program of @prog's type and hook cannot run here: 0 if it can, else a
 * negative errno with a human reason in @why. Cgroup programs are tried on
 * the cgroup2 root with a program that allows everything. Exposed for tests. */
int tk_probe_program(const struct bpf_program *prog, char *why, size_t why_size);

/* Programs that attach to a cgroup (cgroup_skb, cgroup/..., sockops). */
bool tk_is_cgroup_program(const struct bpf_program *prog);

/* Where cgroup2 is mounted ("/sys/fs/cgroup", or "/sys/fs/cgroup/unified"
 * in hybrid setups): the first cgroup2 line of /proc/self/mounts. NULL if
 * nowhere. Looked up once. */
const char *tk_cgroup2_root(void);
/* The same from @mounts (in /proc/PID/mounts form) into @buf: 0, or
 * -ENOENT without a cgroup2 line. Exposed for tests. */
int tk_cgroup2_find(FILE *mounts, char *buf, size_t size);

/* Attach every program that will load and is auto-attachable, cgroup
 * programs to @cgroup (NULL: the cgroup2 root); on failure says which hook
 * (and cgroup) failed and why, and returns a negative errno. Socket filters
 * are left to the tool: they need its socket. */
struct tk_links;
int tk_attach_all_at(struct bpf_object *obj, const char *cgroup, struct tk_links **links);
/* The same with cgroup programs on the cgroup2 root. */
int tk_attach_all(struct bpf_object *obj, struct tk_links **links);
void tk_detach_all(struct tk_links *links);

#endif
