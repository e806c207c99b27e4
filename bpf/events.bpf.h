/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* Streaming records to userspace. A ring buffer where the kernel has one
 * (5.8+), else a perf buffer: common/ retypes tk_events before load, and the
 * tk_ringbuf() branches below become constants the verifier prunes. (The
 * perf buffer can be forced where there is a ring, TRACEKIT_PERF_BUFFER=1,
 * so that the path old kernels take is tested on new ones.)
 *
 * Waking the reader for every record is what makes tracing expensive (~2.3 us
 * per record here, against ~0.19 us without), so records are submitted
 * without a wake-up until tk_config.wakeup_bytes are queued; the reader also
 * polls on a short timeout, which bounds latency when traffic is light. The
 * record that takes the queue past wakeup_bytes wakes the reader, not every
 * record after it: each forced wake-up is a self-interrupt (irq_work), and
 * one per record while the reader drains cost ~115 ns a record here
 * (tests/bench/README.md). Two CPUs reserving at the crossing can both miss
 * it, so past twice wakeup_bytes every record wakes the reader again.
 *
 * Define TK_EVENT_MAX_SIZE (the largest record) before including this. */
#ifndef TK_EVENTS_BPF_H
#define TK_EVENTS_BPF_H

#include <bpf/bpf_core_read.h>
#include "filter.bpf.h"
#include "drops.bpf.h"

#ifndef TK_EVENT_MAX_SIZE
#error "define TK_EVENT_MAX_SIZE before including events.bpf.h"
#endif

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 1 << 20);	/* resized by common/ */
} tk_events SEC(".maps");

/* Staging area for perf-buffer kernels, which copy the record on output. */
struct tk_heap_slot {
	__u8 data[TK_EVENT_MAX_SIZE];
};

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct tk_heap_slot);
} tk_heap SEC(".maps");

/* Space for one record, or NULL. The caller tests it once and counts a NULL
 * as a drop: `if (!e) { tk_count_drop(); return 0; }`. (Were it tested here
 * as well, the compiler may emit both tests; 6.1's verifier does not carry a
 * ring-buffer record's non-NULL state from one test to the next, walks the
 * second test's NULL branch, where the record is never submitted, and
 * rejects the program: "Unreleased reference".) */
static __always_inline bool tk_ringbuf(void)
{
	return bpf_core_type_exists(struct bpf_ringbuf) && !tk_config.perf_buffer;
}

static __always_inline void *tk_reserve(__u32 size)
{
	__u32 zero = 0;

	if (tk_ringbuf())
		return bpf_ringbuf_reserve(&tk_events, size, 0);
	return bpf_map_lookup_elem(&tk_heap, &zero);
}

/* The ring bytes a @size-byte record takes: its 8-byte header, padded to 8. */
static __always_inline __u64 tk_ring_bytes(__u32 size)
{
	return (size + 8 + 7) & ~7UL;
}

/* The wake-up flag for a record that brings the ring's queued bytes (its
 * own included) to @queued. */
static __always_inline __u64 tk_wakeup(__u64 queued, __u32 size)
{
	__u64 wake = tk_config.wakeup_bytes;

	if (!wake || queued >= 2 * wake ||
	    (queued >= wake && queued - wake < tk_ring_bytes(size)))
		return BPF_RB_FORCE_WAKEUP;
	return BPF_RB_NO_WAKEUP;
}

static __always_inline void tk_submit(void *ctx, void *rec, __u32 size)
{
	if (tk_ringbuf()) {
		/* Queued bytes, this record's included. (A tool that submits
		 * less than it reserved may miss the crossing: the backstop
		 * wakes the reader then.) */
		__u64 queued = bpf_ringbuf_query(&tk_events, BPF_RB_AVAIL_DATA);

		bpf_ringbuf_submit(rec, tk_wakeup(queued, size));
	} else if (bpf_perf_event_output(ctx, &tk_events, BPF_F_CURRENT_CPU, rec, size)) {
		tk_count_drop();
	}
}

/* Records whose size varies (a path, a string) are built in the per-CPU
 * staging slot and copied out at the size they use: a reservation has a
 * fixed size, and writing a whole one costs more than copying what is used
 * (opensnoop: a 30-byte path in a 312-byte record; tests/bench/README.md),
 * and takes more of the ring. tk_stage() is the slot, or NULL (never, in
 * practice); tk_output() sends @size bytes of it and counts a failure as a
 * drop. Only for programs that never interrupt one another on a CPU:
 * kprobes and tracepoints (the kernel runs one of those at a time per CPU),
 * not raw tracepoints or fentry, where an interrupt's program can run
 * inside a process's and would reuse its slot. */
static __always_inline void *tk_stage(void)
{
	__u32 zero = 0;

	return bpf_map_lookup_elem(&tk_heap, &zero);
}

static __always_inline void tk_output(void *ctx, void *rec, __u32 size)
{
	if (size > TK_EVENT_MAX_SIZE)
		size = TK_EVENT_MAX_SIZE;
	if (tk_ringbuf()) {
		__u64 queued = bpf_ringbuf_query(&tk_events, BPF_RB_AVAIL_DATA) +
			       tk_ring_bytes(size);

		if (bpf_ringbuf_output(&tk_events, rec, size, tk_wakeup(queued, size)))
			tk_count_drop();
	} else if (bpf_perf_event_output(ctx, &tk_events, BPF_F_CURRENT_CPU, rec, size)) {
		tk_count_drop();
	}
}

/* For a record reserved but not wanted after all. */
static __always_inline void tk_discard(void *rec)
{
	if (tk_ringbuf())
		bpf_ringbuf_discard(rec, BPF_RB_NO_WAKEUP);
}

#endif
