// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* exitsnoop: trace process (or, -T, thread) exits at sched:sched_process_exit.
 *
 * The tracepoint fires in the exiting task, once per thread, after do_exit()
 * has set its exit_code and counted it out of signal->live: a process has
 * exited when its last thread does (live reached 0), whichever thread that
 * is -- the leader may have gone long before. The variants differ only in
 * how the tracepoint is reached (tp_btf, raw_tp, the classic tracepoint);
 * everything is read from the current task. One program run per thread exit,
 * no map. */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>
#include <bpf/bpf_tracing.h>
#include "exitsnoop.h"

#define TK_EVENT_MAX_SIZE sizeof(struct exitsnoop_event)
#include "events.bpf.h"

const volatile bool targ_threads = false;	/* -T: every thread */
const volatile bool targ_failed = false;	/* -x: non-zero exits only */

char LICENSE[] SEC("license") = "GPL";

static __always_inline int handle_exit(void *ctx)
{
	__u64 id = bpf_get_current_pid_tgid();
	struct task_struct *task = (struct task_struct *)bpf_get_current_task();
	struct exitsnoop_event *e;
	int code;

	if (!targ_threads && BPF_CORE_READ(task, signal, live.counter) != 0)
		return 0;	/* other threads of the process live on */
	code = BPF_CORE_READ(task, exit_code);
	if (targ_failed && code == 0)
		return 0;
	if (!tk_filter_pass(id))
		return 0;
	e = tk_reserve(sizeof(*e));
	if (!e) {
		tk_count_drop();
		return 0;
	}
	e->ts_ns = bpf_ktime_get_ns();
	if (targ_threads)
		e->start_ns = BPF_CORE_READ(task, start_time);
	else
		e->start_ns = BPF_CORE_READ(task, group_leader, start_time);
	e->pid = id >> 32;
	e->tid = (__u32)id;
	e->ppid = BPF_CORE_READ(task, real_parent, tgid);
	e->uid = (__u32)bpf_get_current_uid_gid();
	e->exit_code = code;
	e->pad = 0;
	bpf_get_current_comm(e->comm, sizeof(e->comm));
	tk_submit(ctx, e, sizeof(*e));
	return 0;
}

SEC("tp_btf/sched_process_exit")
int BPF_PROG(exit_btf, struct task_struct *p)
{
	return handle_exit(ctx);
}

SEC("raw_tp/sched_process_exit")
int BPF_PROG(exit_raw, struct task_struct *p)
{
	return handle_exit(ctx);
}

SEC("tracepoint/sched/sched_process_exit")
int exit_tp(void *ctx)
{
	return handle_exit(ctx);
}
