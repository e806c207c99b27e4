// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* biosnoop: one record per block I/O request, at its completion.
 *
 * Who asked for a request: block_getrq fires when a bio gets its request, in
 * the submitting task's context (the later insert, issue and completion
 * often run in a kworker or in interrupt context), so the task is kept by
 * bio there and taken over by the request at insert or issue, through
 * rq->bio. The flush the block layer makes for an fsync has no bio of its
 * own: it is credited to the last task that asked that disk for a flush.
 * Requests no bio was seen for (a bio front-merged into a queued request)
 * are credited to the task that inserts or issues them.
 *
 * block_rq_insert (with -Q) and block_rq_issue stage the request in a hash
 * map keyed by its pointer; block_rq_complete sends the record and deletes
 * the stage. The hooks are tp_btf, or raw_tp where that is missing. */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>
#include "biosnoop.h"

#define TK_EVENT_MAX_SIZE sizeof(struct biosnoop_event)
#include "events.bpf.h"
#include "block.bpf.h"

#define MINORBITS 20	/* the kernel's dev_t: MKDEV(ma, mi) = ma << 20 | mi */

const volatile bool targ_queued = false;	/* -Q */
const volatile bool filter_dev = false;		/* -d */
const volatile __u32 targ_dev = 0;		/* -d: MKDEV(major, minor) */

struct who {
	__u32 pid;
	__u32 pad;
	char comm[16];
};

struct stage {
	__u64 insert_ns;	/* 0: not seen inserted */
	__u64 issue_ns;		/* 0: not issued yet */
	__u64 sector;
	__u32 bytes;
	__u32 pad;
	struct who who;
};

/* A bio that got a request, and who submitted it. LRU: a bio whose request
 * is never seen here (another disk under -d) must not fill the map. */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 10240);
	__type(key, __u64);		/* struct bio * */
	__type(value, struct who);
} bio_who SEC(".maps");

/* Per disk, the last task that submitted a bio asking for a flush. */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 1024);
	__type(key, __u64);		/* struct gendisk * */
	__type(value, struct who);
} flusher SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 10240);	/* requests in flight at once */
	__type(key, __u64);		/* struct request * */
	__type(value, struct stage);
} start SEC(".maps");

char LICENSE[] SEC("license") = "GPL";

/* Before 5.17 (commit f3fa33acca9f) the disk hung off the request; since
 * then it is reached through the queue (d152c682f03c, 5.15). */
struct request___rq_disk {
	struct gendisk *rq_disk;
} __attribute__((preserve_access_index));

static __always_inline struct gendisk *rq_disk(struct request *rq)
{
	if (bpf_core_field_exists(((struct request___rq_disk *)rq)->rq_disk))
		return BPF_CORE_READ((struct request___rq_disk *)rq, rq_disk);
	return BPF_CORE_READ(rq, q, disk);
}

/* Before 5.12 (commit 309dca309fc3, "block: store a block_device pointer in
 * struct bio") a bio named its disk directly. */
struct bio___bi_disk {
	struct gendisk *bi_disk;
} __attribute__((preserve_access_index));

static __always_inline struct gendisk *bio_disk(struct bio *bio)
{
	if (bpf_core_field_exists(((struct bio___bi_disk *)bio)->bi_disk))
		return BPF_CORE_READ((struct bio___bi_disk *)bio, bi_disk);
	return BPF_CORE_READ(bio, bi_bdev, bd_disk);
}

static __always_inline __u32 rq_dev(struct request *rq)
{
	struct gendisk *disk = rq_disk(rq);

	if (!disk)
		return 0;
	return ((__u32)BPF_CORE_READ(disk, major) << MINORBITS) |
	       (__u32)BPF_CORE_READ(disk, first_minor);
}

/* Only --cgroup of the shared filters: the others name processes, and this
 * is the one place the submitting process is current. (Not through
 * tk_filter_pass(): excluding the tool's own process would lose requests,
 * and the counts would no longer add up to the disk's.) */
static __always_inline bool cgroup_pass(void)
{
	return !tk_config.filter.cgroup || bpf_current_task_under_cgroup(&tk_cgroup_map, 0);
}

static __always_inline int on_getrq(struct bio *bio)
{
	__u64 key = (__u64)bio;
	struct who w = {};

	if (!cgroup_pass())
		return 0;
	w.pid = bpf_get_current_pid_tgid() >> 32;
	bpf_get_current_comm(w.comm, sizeof(w.comm));
	if (bpf_map_update_elem(&bio_who, &key, &w, BPF_ANY))
		tk_count_drop();
	if (BPF_CORE_READ(bio, bi_opf) &
	    (1u << bpf_core_enum_value(enum req_flag_bits, __REQ_PREFLUSH))) {
		key = (__u64)bio_disk(bio);
		bpf_map_update_elem(&flusher, &key, &w, BPF_ANY);
	}
	return 0;
}

/* block_rq_insert (with -Q only) and block_rq_issue. */
static __always_inline int on_start(struct request *rq, bool insert)
{
	__u64 key = (__u64)rq, bio, now, disk;
	struct stage s = {}, *sp;
	struct who *w;

	if (insert && !targ_queued)
		return 0;
	if (filter_dev && rq_dev(rq) != targ_dev)
		return 0;
	now = bpf_ktime_get_ns();
	bio = (__u64)BPF_CORE_READ(rq, bio);
	w = bpf_map_lookup_elem(&bio_who, &bio);
	sp = bpf_map_lookup_elem(&start, &key);
	if (sp) {
		/* Inserted and now issued, or requeued: the same request, and
		 * its process is known -- unless a new bio says otherwise (the
		 * pointer of a request merged into another while queued, now
		 * reused). */
		if (w) {
			sp->who = *w;
			bpf_map_delete_elem(&bio_who, &bio);
		}
		if (insert) {
			sp->insert_ns = now;
			sp->issue_ns = 0;
		} else {
			sp->issue_ns = now;
			sp->sector = BPF_CORE_READ(rq, __sector);
			sp->bytes = BPF_CORE_READ(rq, __data_len);
		}
		return 0;
	}
	/* The flush request of the flush machinery (REQ_OP_FLUSH, 2 on every
	 * kernel, in the low REQ_OP_BITS = 8 bits) has no bio. */
	if (!w && !bio && (BPF_CORE_READ(rq, cmd_flags) & 0xff) == 2) {
		disk = (__u64)rq_disk(rq);
		w = bpf_map_lookup_elem(&flusher, &disk);
	}
	if (w) {
		s.who = *w;
		bpf_map_delete_elem(&bio_who, &bio);
	} else {
		if (!cgroup_pass())
			return 0;
		s.who.pid = bpf_get_current_pid_tgid() >> 32;
		bpf_get_current_comm(s.who.comm, sizeof(s.who.comm));
	}
	if (insert) {
		s.insert_ns = now;
	} else {
		s.issue_ns = now;
		s.sector = BPF_CORE_READ(rq, __sector);
		s.bytes = BPF_CORE_READ(rq, __data_len);
	}
	if (bpf_map_update_elem(&start, &key, &s, BPF_ANY))
		tk_count_drop();
	return 0;
}

static __always_inline int on_complete(void *ctx, struct request *rq, int error)
{
	__u64 key = (__u64)rq, now = bpf_ktime_get_ns();
	struct biosnoop_event *e;
	struct stage *sp;

	sp = bpf_map_lookup_elem(&start, &key);
	if (!sp)
		return 0;	/* filtered out, or issued before we started */
	if (!sp->issue_ns) {
		/* Completed without an issue (ended while still queued). */
		bpf_map_delete_elem(&start, &key);
		return 0;
	}
	e = tk_reserve(sizeof(*e));
	if (!e) {
		tk_count_drop();
		bpf_map_delete_elem(&start, &key);
		return 0;
	}
	e->ts_ns = now;
	e->lat_ns = now - sp->issue_ns;
	e->queue_ns = sp->insert_ns && sp->insert_ns <= sp->issue_ns ?
		      sp->issue_ns - sp->insert_ns : BIOSNOOP_NO_QUEUE;
	e->sector = sp->sector;
	e->bytes = sp->bytes;
	e->pid = sp->who.pid;
	__builtin_memcpy(e->comm, sp->who.comm, sizeof(e->comm));
	e->dev = rq_dev(rq);
	e->cmd_flags = BPF_CORE_READ(rq, cmd_flags);
	e->error = error;
	e->pad = 0;
	/* Before the submit: the element may be reused as soon as it goes. */
	bpf_map_delete_elem(&start, &key);
	tk_submit(ctx, e, sizeof(*e));
	return 0;
}

SEC("tp_btf/block_getrq")
int block_getrq_btf(__u64 *ctx)
{
	return on_getrq(tk_getrq_bio(ctx));
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
	 * every kernel. */
	return on_complete(ctx, (struct request *)ctx[0], (int)ctx[1]);
}

SEC("raw_tp/block_getrq")
int block_getrq_raw(struct bpf_raw_tracepoint_args *ctx)
{
	return on_getrq(tk_getrq_bio(ctx->args));
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
	return on_complete(ctx, (struct request *)ctx->args[0], (int)ctx->args[1]);
}
