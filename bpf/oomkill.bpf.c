// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* oomkill: each victim of the OOM killer, and the task that triggered it,
 * from the oom:mark_victim tracepoint. The OOM killer runs in the context
 * of the task whose allocation or memory cgroup charge failed, so the
 * current task is the trigger.
 *
 * Variants "fentry" and "kprobe" also hook oom_kill_process(oc, message),
 * which calls mark_victim for each task it kills: its struct oom_control
 * holds what the tracepoint lacks, the constraint (a memory cgroup's limit,
 * a cpuset, a memory policy, or none: the whole machine), the memory cgroup
 * whose limit was hit and the pages the OOM killer had to share. It is kept
 * per thread from entry to return, so a victim marked outside it (the
 * trigger itself exiting) gets none of a finished one's. Variant
 * "tracepoint": mark_victim alone. */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>
#include <bpf/bpf_tracing.h>
#include "oomkill.h"

#define TK_EVENT_MAX_SIZE sizeof(struct oomkill_event)
#include "events.bpf.h"

char LICENSE[] SEC("license") = "GPL";

/* What oom_kill_process() was given, per thread, while it runs. */
struct oom_ctx {
	__u64 totalpages;
	__u64 memcg_id;
	__u8 constraint;
	char memcg[OOMKILL_MEMCG_LEN];
};

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 256);
	__type(key, __u32);
	__type(value, struct oom_ctx);
} oom_ctx_by_tid SEC(".maps");

static __always_inline __u8 constraint_of(struct oom_control *oc)
{
	int c = BPF_CORE_READ(oc, constraint);

	if (c == bpf_core_enum_value(enum oom_constraint, CONSTRAINT_NONE))
		return OOMKILL_CONSTRAINT_NONE;
	if (c == bpf_core_enum_value(enum oom_constraint, CONSTRAINT_CPUSET))
		return OOMKILL_CONSTRAINT_CPUSET;
	if (c == bpf_core_enum_value(enum oom_constraint, CONSTRAINT_MEMORY_POLICY))
		return OOMKILL_CONSTRAINT_MEMORY_POLICY;
	if (c == bpf_core_enum_value(enum oom_constraint, CONSTRAINT_MEMCG))
		return OOMKILL_CONSTRAINT_MEMCG;
	return OOMKILL_CONSTRAINT_OTHER;
}

static __always_inline int oom_enter(struct oom_control *oc)
{
	__u32 tid = (__u32)bpf_get_current_pid_tgid();
	struct oom_ctx c = {};
	struct kernfs_node *kn;

	c.totalpages = BPF_CORE_READ(oc, totalpages);
	c.constraint = constraint_of(oc);
	/* NULL for a system-wide OOM */
	kn = BPF_CORE_READ(oc, memcg, css.cgroup, kn);
	if (kn) {
		c.memcg_id = BPF_CORE_READ(kn, id);
		bpf_probe_read_kernel_str(c.memcg, sizeof(c.memcg), BPF_CORE_READ(kn, name));
	}
	bpf_map_update_elem(&oom_ctx_by_tid, &tid, &c, BPF_ANY);
	return 0;
}

static __always_inline int oom_exit(void)
{
	__u32 tid = (__u32)bpf_get_current_pid_tgid();

	bpf_map_delete_elem(&oom_ctx_by_tid, &tid);
	return 0;
}

SEC("fentry/oom_kill_process")
int BPF_PROG(oom_kill_process_fentry, struct oom_control *oc)
{
	return oom_enter(oc);
}

SEC("fexit/oom_kill_process")
int BPF_PROG(oom_kill_process_fexit)
{
	return oom_exit();
}

SEC("kprobe/oom_kill_process")
int BPF_KPROBE(oom_kill_process_kprobe, struct oom_control *oc)
{
	return oom_enter(oc);
}

SEC("kretprobe/oom_kill_process")
int BPF_KRETPROBE(oom_kill_process_kretprobe)
{
	return oom_exit();
}

/* The memory cgroup the current task is in (cgroup v1 or v2): the one whose
 * limit was hit, in a memory cgroup OOM, or one below it. */
static __always_inline void trigger_memcg(struct oomkill_event *e)
{
	struct task_struct *task = (struct task_struct *)bpf_get_current_task();
	struct cgroup_subsys_state *css = NULL;
	struct kernfs_node *kn;
	struct css_set *cs;

	e->memcg[0] = '\0';
	e->memcg_id = 0;
	if (!bpf_core_enum_value_exists(enum cgroup_subsys_id, memory_cgrp_id))
		return;		/* a kernel without CONFIG_MEMCG */
	cs = BPF_CORE_READ(task, cgroups);
	if (!cs)
		return;
	bpf_core_read(&css, sizeof(css),
		      &cs->subsys[bpf_core_enum_value(enum cgroup_subsys_id, memory_cgrp_id)]);
	if (!css)
		return;
	kn = BPF_CORE_READ(css, cgroup, kn);
	if (!kn)
		return;
	e->memcg_id = BPF_CORE_READ(kn, id);
	bpf_probe_read_kernel_str(e->memcg, sizeof(e->memcg), BPF_CORE_READ(kn, name));
}

SEC("tracepoint/oom/mark_victim")
int mark_victim_tp(struct trace_event_raw_mark_victim *ctx)
{
	__u64 id = bpf_get_current_pid_tgid();
	struct oomkill_event *e;
	struct oom_ctx *oc;
	__u32 tid;

	e = tk_reserve(sizeof(*e));
	if (!e) {
		tk_count_drop();
		return 0;
	}
	__builtin_memset(e, 0, sizeof(*e));
	e->ts_ns = bpf_ktime_get_ns();
	e->trigger_pid = id >> 32;
	e->trigger_tid = (__u32)id;
	bpf_get_current_comm(e->trigger_comm, sizeof(e->trigger_comm));
	e->victim_pid = ctx->pid;
	/* "mm: update mark_victim tracepoints fields" (after Linux 6.6; 6.1
	 * has the pid alone) added the victim's name, memory and uid. */
	if (bpf_core_field_exists(ctx->total_vm)) {
		e->has_details = 1;
		e->total_vm_kb = BPF_CORE_READ(ctx, total_vm);
		e->anon_rss_kb = BPF_CORE_READ(ctx, anon_rss);
		e->file_rss_kb = BPF_CORE_READ(ctx, file_rss);
		e->shmem_rss_kb = BPF_CORE_READ(ctx, shmem_rss);
		e->pgtables_kb = BPF_CORE_READ(ctx, pgtables);
		e->victim_uid = BPF_CORE_READ(ctx, uid);
		e->oom_score_adj = BPF_CORE_READ(ctx, oom_score_adj);
		/* __data_loc: the string's offset in the record (low 16 bits) */
		bpf_probe_read_kernel_str(e->victim_comm, sizeof(e->victim_comm),
					  (void *)ctx + (BPF_CORE_READ(ctx, __data_loc_comm) & 0xffff));
	}
	trigger_memcg(e);
	/* The key on the stack: older verifiers take no ring buffer memory. */
	tid = (__u32)id;
	oc = bpf_map_lookup_elem(&oom_ctx_by_tid, &tid);
	if (oc) {
		e->has_oc = 1;
		e->constraint = oc->constraint;
		e->totalpages = oc->totalpages;
		e->oom_memcg_id = oc->memcg_id;
		__builtin_memcpy(e->oom_memcg, oc->memcg, sizeof(e->oom_memcg));
	}
	tk_submit(ctx, e, sizeof(*e));
	return 0;
}
