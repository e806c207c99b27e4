// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* biolatency: block I/O latency as log2 histograms, summed in the kernel.
 *
 * A request is timed from block_rq_issue (with -Q: from block_rq_insert, when
 * it entered the kernel's queue) to block_rq_complete, in a hash map keyed by
 * the struct request pointer; the completion adds it to a per-CPU histogram
 * keyed by (disk, flags). Nothing is sent to userspace per I/O. */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>
#include "biolatency.h"
#include "filter.bpf.h"
#include "drops.bpf.h"
#include "log2.bpf.h"
#include "block.bpf.h"

#define MINORBITS 20	/* the kernel's dev_t: MKDEV(ma, mi) = ma << 20 | mi */

const volatile bool targ_queued = false;	/* -Q */
const volatile bool targ_ms = false;		/* -m */
const volatile bool targ_per_disk = false;	/* -D */
const volatile bool targ_per_flag = false;	/* -F */
const volatile __u32 targ_flags_mask = 0;	/* -F: REQ_OP_MASK | the named REQ_* bits */
const volatile bool filter_dev = false;		/* -d */
const volatile __u32 targ_dev = 0;		/* -d: MKDEV(major, minor) */

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 10240);	/* requests in flight at once */
	__type(key, __u64);		/* struct request * */
	__type(value, __u64);		/* start time, ns */
} start SEC(".maps");

/* Per CPU: completions run on every CPU, often in interrupt context, and
 * must not contend for one cache line. Sized by userspace to the options. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_HASH);
	__uint(max_entries, 1);
	__type(key, struct biolatency_key);
	__type(value, struct biolatency_hist);
} hists SEC(".maps");

/* In .bss rather than on the stack: 232 bytes of a 512-byte stack. */
static struct biolatency_hist zero_hist;

char LICENSE[] SEC("license") = "GPL";

/* Before 5.17 (commit f3fa33acca9f, "block: remove the ->rq_disk field in
 * struct request") the disk hung off the request itself; since then it is
 * reached through the queue (commit d152c682f03c, "block: add an explicit
 * ->disk backpointer to the request_queue", 5.15). */
struct request___rq_disk {
	struct gendisk *rq_disk;
} __attribute__((preserve_access_index));

static __always_inline __u32 rq_dev(struct request *rq)
{
	struct gendisk *disk;

	if (bpf_core_field_exists(((struct request___rq_disk *)rq)->rq_disk))
		disk = BPF_CORE_READ((struct request___rq_disk *)rq, rq_disk);
	else
		disk = BPF_CORE_READ(rq, q, disk);
	if (!disk)
		return 0;
	return ((__u32)BPF_CORE_READ(disk, major) << MINORBITS) |
	       (__u32)BPF_CORE_READ(disk, first_minor);
}

/* block_rq_insert (with -Q only) and block_rq_issue. */
static __always_inline int on_start(struct request *rq, bool insert)
{
	__u64 key = (__u64)rq, ts;

	/* -Q: a request that was queued is timed from its insert. One that
	 * was not (issued directly, or queued before we started) is timed
	 * from its issue. */
	if (targ_queued && !insert && bpf_map_lookup_elem(&start, &key))
		return 0;
	/* Only --cgroup: the other filters name processes, and the task that
	 * happens to be running when a request is issued (or completes, in
	 * interrupt context) is often not the one that asked for it. That is
	 * also why this does not use tk_filter_pass(): its exclusion of the
	 * tool's own process would drop requests the block layer issues while
	 * we happen to be on the CPU. */
	if (tk_config.filter.cgroup && !bpf_current_task_under_cgroup(&tk_cgroup_map, 0))
		return 0;
	if (filter_dev && rq_dev(rq) != targ_dev)
		return 0;
	ts = bpf_ktime_get_ns();
	/* A request pointer seen before and never completed (a request merged
	 * into another while queued, or one in flight when we started) is
	 * simply overwritten: the requests of a queue are preallocated, so
	 * such entries cannot pile up. */
	if (bpf_map_update_elem(&start, &key, &ts, BPF_ANY))
		tk_count_drop();
	return 0;
}

static __always_inline int on_complete(struct request *rq)
{
	__u64 key = (__u64)rq, now = bpf_ktime_get_ns(), *tsp, ns;
	struct biolatency_key hkey = {};
	struct biolatency_hist *h;
	__s64 delta;
	__u64 slot;

	tsp = bpf_map_lookup_elem(&start, &key);
	if (!tsp)
		return 0;	/* filtered out, or issued before we started */
	/* Read before the delete: the element is reused at once. */
	delta = (__s64)(now - *tsp);
	bpf_map_delete_elem(&start, &key);
	if (delta < 0)
		return 0;
	ns = delta;
	if (targ_per_disk)
		hkey.dev = rq_dev(rq);
	if (targ_per_flag)
		hkey.flags = BPF_CORE_READ(rq, cmd_flags) & targ_flags_mask;
	h = bpf_map_lookup_elem(&hists, &hkey);
	if (!h) {
		/* EEXIST from a racing CPU is fine: the lookup below finds it. */
		bpf_map_update_elem(&hists, &hkey, &zero_hist, BPF_NOEXIST);
		h = bpf_map_lookup_elem(&hists, &hkey);
		if (!h) {
			tk_count_drop();	/* table full */
			return 0;
		}
	}
	slot = tk_log2_slot(targ_ms ? ns / 1000000 : ns / 1000, BIOLATENCY_SLOTS);
	/* Per-CPU, and a program does not nest in itself on one CPU: no atomics. */
	h->slots[slot]++;
	h->count++;
	h->total_ns += ns;
	return 0;
}

SEC("tp_btf/block_rq_insert")
int block_rq_insert_btf(__u64 *ctx)
{
	return on_start(tk_insert_rq(ctx), true);
}

SEC("tp_btf/block_rq_issue")
int block_rq_issue_btf(__u64 *ctx)
{
	return on_start(tk_issue_rq(ctx), false);
}

SEC("tp_btf/block_rq_complete")
int block_rq_complete_btf(__u64 *ctx)
{
	/* (struct request *rq, blk_status_t error, unsigned int nr_bytes) on
	 * every kernel: rq was always first. */
	return on_complete((struct request *)ctx[0]);
}

SEC("raw_tp/block_rq_insert")
int block_rq_insert_raw(struct bpf_raw_tracepoint_args *ctx)
{
	return on_start(tk_insert_rq(ctx->args), true);
}

SEC("raw_tp/block_rq_issue")
int block_rq_issue_raw(struct bpf_raw_tracepoint_args *ctx)
{
	return on_start(tk_issue_rq(ctx->args), false);
}

SEC("raw_tp/block_rq_complete")
int block_rq_complete_raw(struct bpf_raw_tracepoint_args *ctx)
{
	return on_complete((struct request *)ctx->args[0]);
}
