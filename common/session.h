/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* A run's BPF side, from opened skeleton to teardown: the shared options
 * written into the object before load (filters, event transport, attach
 * variant), then load, the cgroup filter map, attach, and detach.
 *
 * The kernel half of the runtime (bpf/filter.bpf.h, drops.bpf.h and, for
 * streaming tools, events.bpf.h) is handed over typed, from the skeleton:
 * TK_BPF_STREAM(skel) or TK_BPF_SUMMARY(skel). A map renamed on one side
 * no longer compiles on the other. */
#ifndef TK_SESSION_H
#define TK_SESSION_H

#include <stddef.h>
#include <stdint.h>
#include <linux/types.h>
#include <bpf/libbpf.h>
#include "filter.h"
#include "args.h"
#include "attach.h"

struct tk_bpf {
	struct bpf_object_skeleton *skeleton;
	struct tk_config *config;	/* in the object's .rodata, until load */
	struct bpf_map *cgroup_map;	/* --cgroup */
	struct bpf_map *drops;		/* per-CPU count of what could not be delivered */
	struct bpf_map *events;		/* streaming tools: ring (or perf) buffer */
	struct bpf_map *heap;		/* streaming tools: perf-buffer staging */
};

#define TK_BPF_SUMMARY(skel) ((struct tk_bpf){				\
	.skeleton = (skel)->skeleton,					\
	/* libbpf hands out the writable .rodata image before load */	\
	.config = (struct tk_config *)&(skel)->rodata->tk_config,	\
	.cgroup_map = (skel)->maps.tk_cgroup_map,			\
	.drops = (skel)->maps.tk_drops,					\
})
#define TK_BPF_STREAM(skel) ((struct tk_bpf){				\
	.skeleton = (skel)->skeleton,					\
	.config = (struct tk_config *)&(skel)->rodata->tk_config,	\
	.cgroup_map = (skel)->maps.tk_cgroup_map,			\
	.drops = (skel)->maps.tk_drops,					\
	.events = (skel)->maps.tk_events,				\
	.heap = (skel)->maps.tk_heap,					\
})

struct tk_session {
	/* Set by the tool before tk_session_prepare. */
	struct tk_bpf bpf;
	const struct tk_opts *opts;
	const struct tk_variant *variants;	/* NULL if there is one way to attach */
	int nvariants;
	size_t ring_bytes;		/* event buffer size (power of 2); 0: as built */
	const char *attach_cgroup;	/* where cgroup programs attach; NULL: the root */
	/* What the tool attached itself (uprobes, a packet socket's filter):
	 * undone with the runtime's own links, before the last drain. */
	void (*detach)(void *ctx);
	void *detach_ctx;
	/* Set by the session. */
	int variant;			/* index of the chosen variant (0 without) */
	struct tk_links *links;
};

/* An event buffer (ring_bytes) of @per_cpu bytes for each online CPU,
 * rounded up to a power of two, from 1 MiB to @max: a burst comes from as
 * many CPUs as there are, and bcc's per-CPU perf buffers give each its own
 * room. The ring is allocated and zeroed at creation and mapped whole into
 * the reader (its RSS), so a fixed size large enough for a big machine
 * costs a small one its start and its memory. */
size_t tk_ring_per_cpu(size_t per_cpu, size_t max);

/* @want bytes rounded up to a power of two, from 1 MiB to @max. */
size_t tk_ring_round(size_t want, size_t max);

/* Where a kernel without BTF of its own may have one, after the kit's. */
#define TK_SYSTEM_BTF_DIR "/usr/lib/tracekit/btf"

/* After parsing, before opening: privileges, kernel BTF, libbpf's logging,
 * signals, stdout. Without --btf and without the kernel's own BTF,
 * o->btf_path is set to the BTF found for the kernel's release
 * (tk_btf_find); -v says which BTF is used. Exits 1 with one line naming
 * what is missing (for BTF: every place looked at). */
void tk_session_init(struct tk_opts *o);

/* The BTF to relocate against: @kernel if readable, else
 * <directory of @exe>/btf/<@release>.btf (the kit's; @exe may be NULL), else
 * @sysdir/<@release>.btf. 0 with the path in @out, or -ENOENT with every
 * path tried in @looked, ", "-separated. Exposed for tests. */
int tk_btf_find(const char *kernel, const char *exe, const char *release, const char *sysdir,
		char *out, size_t size, char *looked, size_t looked_size);

/* libbpf open options carrying --btf, or else the kernel's own BTF
 * minimised for the object (btfmin.h; @elf_bytes is the skeleton's,
 * @name names the cache file). Valid until the next call. */
const struct bpf_object_open_opts *tk_open_opts(const struct tk_opts *o, const char *name,
						 const void *(*elf_bytes)(size_t *size));
/* The skeleton @skel (e.g. opensnoop_bpf) opened with tk_open_opts(). */
#define TK_OPEN(skel, o) skel##__open_opts(tk_open_opts((o), #skel, skel##__elf_bytes))
/* One line for a skeleton that failed to open. */
void tk_open_failed(const struct tk_opts *o);

/* Before load: filters, event transport (ring or perf buffer), attach
 * variant (s->variant). 0, or -1 after saying why. */
int tk_session_prepare(struct tk_session *s);
/* Load, fill the cgroup filter map, attach every auto-attachable program.
 * 0, or -1 after saying what failed. */
int tk_session_load_attach(struct tk_session *s);
/* Detach everything (idempotent); the skeleton is the tool's to destroy. */
void tk_session_detach(struct tk_session *s);

#endif
