/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
#ifndef OOMKILL_H
#define OOMKILL_H

#define OOMKILL_MEMCG_LEN 64

/* struct oom_control's constraint (has_oc only), kernel-independent. */
enum {
	OOMKILL_CONSTRAINT_NONE,	/* the whole machine */
	OOMKILL_CONSTRAINT_CPUSET,
	OOMKILL_CONSTRAINT_MEMORY_POLICY,
	OOMKILL_CONSTRAINT_MEMCG,	/* a memory cgroup's limit */
	OOMKILL_CONSTRAINT_OTHER,	/* one this build does not know */
};

/* One OOM victim, at oom:mark_victim, which runs in the task whose
 * allocation (or memory cgroup charge) ran out: the trigger. */
struct oomkill_event {
	__u64 ts_ns;		/* CLOCK_MONOTONIC */
	/* The victim's memory, in kB (has_details only: the tracepoint of
	 * newer kernels; 6.1's has the victim's pid alone). */
	__u64 total_vm_kb;
	__u64 anon_rss_kb;
	__u64 file_rss_kb;
	__u64 shmem_rss_kb;
	__u64 pgtables_kb;
	__u64 memcg_id;		/* the trigger's memory cgroup: its id (inode) */
	__u32 trigger_pid;
	__u32 trigger_tid;
	__u32 victim_pid;
	__u32 victim_uid;	/* has_details only */
	__s16 oom_score_adj;	/* has_details only */
	__u8 has_details;
	__u8 has_oc;		/* oom_kill_process() was seen (fentry, kprobe) */
	__u8 constraint;	/* has_oc only: OOMKILL_CONSTRAINT_* */
	__u8 pad[3];
	char trigger_comm[16];
	char victim_comm[16];	/* has_details only */
	char memcg[OOMKILL_MEMCG_LEN];	/* that cgroup's directory name */
	/* has_oc only: */
	__u64 totalpages;	/* the pages the OOM killer shared out: the limit */
	__u64 oom_memcg_id;	/* the memory cgroup whose limit was hit; 0: none */
	char oom_memcg[OOMKILL_MEMCG_LEN];
};

#endif
