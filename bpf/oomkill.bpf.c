// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* oomkill: each victim of the OOM killer, and the task that triggered it,
 * from the oom:mark_victim tracepoint. The OOM killer runs in the context
 * of the task whose allocation or memory cgroup charge failed, so the
 * current task is the trigger. */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>
#include "oomkill.h"

#define TK_EVENT_MAX_SIZE sizeof(struct oomkill_event)
#include "events.bpf.h"

char LICENSE[] SEC("license") = "GPL";

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
	tk_submit(ctx, e, sizeof(*e));
	return 0;
}
