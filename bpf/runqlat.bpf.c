// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* runqlat: run-queue latency as log2 histograms, summed in the kernel.
 *
 * A task is queued when it is woken (sched_wakeup, sched_wakeup_new) or when
 * it leaves the CPU still runnable (preempted: sched_switch's prev); it stops
 * waiting when sched_switch puts it on a CPU (next). The time in between
 * goes into a per-CPU histogram keyed by what -P, -L or --pidnss ask for.
 *
 * Wakeups run in the waker's context and sched_switch in prev's, so the
 * task a latency belongs to is never the current one where it is measured,
 * and the filters (-p, --tid, --cgroup) are about that task. -p and --tid
 * are checked against the woken task's own ids; --cgroup (and the pid
 * filters in a PID namespace) can only be asked of the current task. So with
 * a filter the latency is kept with its task until the task leaves the CPU:
 * that sched_switch runs in its context, where tk_filter_pass() sees its
 * cgroup, its namespace and its ids. A latency is then counted when its task
 * next leaves the CPU, not when it got there. */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>
#include <bpf/bpf_tracing.h>
#include "runqlat.h"
#include "filter.bpf.h"
#include "drops.bpf.h"
#include "log2.bpf.h"

#define TASK_RUNNING 0

const volatile bool targ_ms = false;		/* -m */
const volatile __u32 targ_per = RUNQLAT_ALL;	/* -P, -L, --pidnss */
/* The waits hang off the tasks (tp_btf, 5.11+): no map to preallocate, and
 * nothing left behind by a task that exits waiting. Else the hash below. */
const volatile bool use_task_storage = false;

/* A task's wait: when it was queued (0: it is not), and with a filter the
 * latency it last had plus 1, until it leaves the CPU (0: none). */
struct wait {
	__u64 queued;
	__u64 waited;
	__u32 key;	/* its histogram's, taken when it got the CPU */
	__u32 pad;
};

struct {
	__uint(type, BPF_MAP_TYPE_TASK_STORAGE);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, int);
	__type(value, struct wait);
} wait_task SEC(".maps");

/* By tid. Deleted when the task gets a CPU (with a filter: when it leaves
 * it, not runnable), and when it leaves one asleep (a wakeup of a task still
 * running leaves an entry behind otherwise), so it holds about the tasks
 * waiting now (and with a filter those running). In task storage the same
 * moments zero the entry instead. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 10240);
	__type(key, __u32);
	__type(value, struct wait);
} start SEC(".maps");

/* Per CPU: sched_switch runs on every CPU all the time. Sized by userspace. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_HASH);
	__uint(max_entries, 1);
	__type(key, struct runqlat_key);
	__type(value, struct runqlat_hist);
} hists SEC(".maps");

static struct runqlat_hist zero_hist;

char LICENSE[] SEC("license") = "GPL";

/* Before 5.14 (commit 2f064a59a11f, "sched: Change task_struct::state") the
 * state was `long state`. */
struct task_struct___o {
	volatile long state;
} __attribute__((preserve_access_index));

static __always_inline long task_state(struct task_struct *t)
{
	if (bpf_core_field_exists(t->__state))
		return BPF_CORE_READ(t, __state);
	return BPF_CORE_READ((struct task_struct___o *)t, state);
}

/* The PID namespace the task's pids live in (task_active_pid_ns): the one of
 * its struct pid's deepest level. An exiting thread lets go of its pid before
 * its last runs (release_task, when nobody waits for it): its process's main
 * thread, which stays until reaped, has the same namespace. */
static __always_inline __u32 task_pidns(struct task_struct *t)
{
	struct pid *pid = BPF_CORE_READ(t, thread_pid);
	struct pid_namespace *ns = NULL;
	unsigned int level;

	if (!pid)
		pid = BPF_CORE_READ(t, group_leader, thread_pid);
	if (!pid)
		return 0;
	level = BPF_CORE_READ(pid, level);
	bpf_probe_read_kernel(&ns, sizeof(ns), (void *)pid +
			      bpf_core_field_offset(struct pid, numbers) +
			      level * bpf_core_type_size(struct upid) +
			      bpf_core_field_offset(struct upid, ns));
	if (!ns)
		return 0;
	return BPF_CORE_READ(ns, ns.inum);
}

/* The histogram @t's latencies go to; read while it is alive and running
 * (an exiting task lets go of its pid, and with it its namespace). */
static __always_inline __u32 key_of(struct task_struct *t)
{
	if (targ_per == RUNQLAT_PID)
		return BPF_CORE_READ(t, tgid);
	if (targ_per == RUNQLAT_TID)
		return BPF_CORE_READ(t, pid);
	if (targ_per == RUNQLAT_PIDNS)
		return task_pidns(t);
	return 0;
}

static __always_inline void account(struct task_struct *t, __u32 id, __u64 ns)
{
	struct runqlat_key key = { .id = id };
	struct runqlat_hist *h;
	__u64 slot;

	h = bpf_map_lookup_elem(&hists, &key);
	if (!h) {
		/* EEXIST from a racing CPU is fine: the lookup below finds it. */
		bpf_map_update_elem(&hists, &key, &zero_hist, BPF_NOEXIST);
		h = bpf_map_lookup_elem(&hists, &key);
		if (!h) {
			tk_count_drop();	/* table full */
			return;
		}
	}
	slot = tk_log2_slot(targ_ms ? ns / 1000000 : ns / 1000, RUNQLAT_SLOTS);
	/* Per CPU, and sched_switch does not nest in itself: no atomics. */
	h->slots[slot]++;
	h->count++;
	h->total_ns += ns;
	/* -P: the process's name, its main thread's (not the last thread's). */
	if (targ_per == RUNQLAT_PID)
		t = BPF_CORE_READ(t, group_leader);
	if (targ_per != RUNQLAT_ALL)
		bpf_probe_read_kernel_str(h->comm, sizeof(h->comm), t->comm);
}

/* @btf: the task pointers are tp_btf's, which task storage takes; raw_tp's
 * are plain numbers to the verifier. */
#define BY_TASK(btf) ((btf) && use_task_storage)

static __always_inline struct wait *wait_of(struct task_struct *t, __u32 tid, bool btf)
{
	if (BY_TASK(btf))
		return bpf_task_storage_get(&wait_task, t, 0, 0);
	return bpf_map_lookup_elem(&start, &tid);
}

/* @w (of @tid) holds nothing any more. */
static __always_inline void wait_done(struct wait *w, __u32 tid, bool btf)
{
	if (BY_TASK(btf)) {
		w->queued = 0;
		w->waited = 0;
	} else {
		bpf_map_delete_elem(&start, &tid);
	}
}

/* @t (@tid) is queued from @now on: a wakeup, or a preemption. */
static __always_inline void queue(struct task_struct *t, struct wait *w, __u32 tid, __u64 now,
				  bool btf)
{
	struct wait fresh = { .queued = now };

	/* In place if there is one: it may hold a latency not counted yet (the
	 * wakeup of a task still running). */
	if (w) {
		w->queued = now;
	} else if (BY_TASK(btf)) {
		w = bpf_task_storage_get(&wait_task, t, 0, BPF_LOCAL_STORAGE_GET_F_CREATE);
		if (w)
			w->queued = now;
		else
			tk_count_drop();	/* no memory */
	} else if (bpf_map_update_elem(&start, &tid, &fresh, BPF_ANY)) {
		tk_count_drop();	/* more tasks waiting than the map holds */
	}
}

static __always_inline int on_wakeup(struct task_struct *p, bool btf)
{
	__u32 tid = BPF_CORE_READ(p, pid);

	if (!tid)
		return 0;	/* the idle task */
	/* -p and --tid on the woken task, where its ids are the kernel's (in a
	 * PID namespace they are checked when it runs; see the top). */
	if (!tk_config.filter.pidns_ino) {
		if (tk_config.filter.tgid && BPF_CORE_READ(p, tgid) != tk_config.filter.tgid)
			return 0;
		if (tk_config.filter.tid && tid != tk_config.filter.tid)
			return 0;
	}
	queue(p, wait_of(p, tid, btf), tid, bpf_ktime_get_ns(), btf);
	return 0;
}

static __always_inline int on_switch(bool preempt, struct task_struct *prev,
				     struct task_struct *next, bool btf)
{
	__u32 prev_tid = BPF_CORE_READ(prev, pid), next_tid = BPF_CORE_READ(next, pid);
	__u64 now = bpf_ktime_get_ns();
	bool deferred = tk_filter_any();
	struct wait *w;
	__u32 key;
	__s64 delta;

	if (prev_tid) {
		w = wait_of(prev, prev_tid, btf);
		/* prev is current: the task whose latency waits here. */
		if (deferred && w && w->waited) {
			if (tk_filter_pass(bpf_get_current_pid_tgid()))
				account(prev, w->key, w->waited - 1);
			w->waited = 0;
		}
		/* Preempted, still runnable: queued again from now. */
		if (preempt || task_state(prev) == TASK_RUNNING)
			on_wakeup(prev, btf);
		else if (w)
			wait_done(w, prev_tid, btf);
	}
	if (!next_tid)
		return 0;
	w = wait_of(next, next_tid, btf);
	if (!w || !w->queued)
		return 0;	/* filtered out, or queued before we started */
	delta = (__s64)(now - w->queued);
	if (deferred) {
		w->queued = 0;
		w->waited = (delta > 0 ? delta : 0) + 1;	/* 0 is none */
		/* Kept from its last run if it has none now: an exiting main
		 * thread its parent reaped before its last run has no pid. */
		key = key_of(next);
		if (key || targ_per != RUNQLAT_PIDNS)
			w->key = key;
		return 0;
	}
	wait_done(w, next_tid, btf);
	if (delta >= 0)
		account(next, key_of(next), delta);
	return 0;
}

SEC("tp_btf/sched_wakeup")
int BPF_PROG(sched_wakeup_btf, struct task_struct *p)
{
	return on_wakeup(p, true);
}

SEC("tp_btf/sched_wakeup_new")
int BPF_PROG(sched_wakeup_new_btf, struct task_struct *p)
{
	return on_wakeup(p, true);
}

SEC("tp_btf/sched_switch")
int BPF_PROG(sched_switch_btf, bool preempt, struct task_struct *prev, struct task_struct *next)
{
	return on_switch(preempt, prev, next, true);
}

SEC("raw_tp/sched_wakeup")
int BPF_PROG(sched_wakeup_raw, struct task_struct *p)
{
	return on_wakeup(p, false);
}

SEC("raw_tp/sched_wakeup_new")
int BPF_PROG(sched_wakeup_new_raw, struct task_struct *p)
{
	return on_wakeup(p, false);
}

SEC("raw_tp/sched_switch")
int BPF_PROG(sched_switch_raw, bool preempt, struct task_struct *prev, struct task_struct *next)
{
	return on_switch(preempt, prev, next, false);
}
