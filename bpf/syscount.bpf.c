// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* syscount: count system calls (and their time, with -L) in the kernel,
 * per syscall or per process, in per-CPU maps that userspace sums.
 * Without -L only sys_exit is attached: the syscall number is in the saved
 * registers and the result in the tracepoint's second argument. */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>
#include <bpf/bpf_tracing.h>
#include "syscount.h"
#include "filter.bpf.h"
#include "drops.bpf.h"

const volatile bool targ_failed = false;	/* -x */
const volatile __s32 targ_errno = 0;		/* -e */
const volatile bool measure_latency = false;	/* -L */
const volatile bool by_process = false;		/* -P */
/* -L start times hang off the task (5.11+ for tracing programs): no hashing
 * and no delete per syscall. Else the hash map below, keyed by thread. */
const volatile bool use_task_storage = false;

struct {
	__uint(type, BPF_MAP_TYPE_TASK_STORAGE);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, int);
	__type(value, __u64);
} start_task SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 10240);
	__type(key, __u32);
	__type(value, __u64);
} start SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, SYSCOUNT_MAX_NR);
	__type(key, __u32);
	__type(value, struct syscount_value);
} by_syscall SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_HASH);
	__uint(max_entries, 10240);
	__type(key, __u32);
	__type(value, struct syscount_proc);
} by_pid SEC(".maps");

char LICENSE[] SEC("license") = "GPL";

static __always_inline int on_enter(void)
{
	__u64 id = bpf_get_current_pid_tgid(), ts;
	__u32 tid = (__u32)id;

	if (!tk_filter_pass(id))
		return 0;
	ts = bpf_ktime_get_ns();
	if (use_task_storage) {
		__u64 *slot = bpf_task_storage_get(&start_task, bpf_get_current_task_btf(), 0,
						   BPF_LOCAL_STORAGE_GET_F_CREATE);

		if (slot)
			*slot = ts;
		else
			tk_count_drop();
	} else if (bpf_map_update_elem(&start, &tid, &ts, BPF_ANY)) {
		tk_count_drop();
	}
	return 0;
}

static __always_inline void count_process(__u32 pid, __u64 ns)
{
	struct syscount_proc *v, zero = {};

	v = bpf_map_lookup_elem(&by_pid, &pid);
	if (!v) {
		bpf_get_current_comm(zero.comm, sizeof(zero.comm));
		/* EEXIST from a racing CPU is fine: the lookup below finds it. */
		bpf_map_update_elem(&by_pid, &pid, &zero, BPF_NOEXIST);
		v = bpf_map_lookup_elem(&by_pid, &pid);
		if (!v) {
			tk_count_drop();	/* table full */
			return;
		}
	}
	v->count++;
	v->total_ns += ns;
}

static __always_inline int on_exit(struct pt_regs *regs, long ret)
{
	__u64 id = bpf_get_current_pid_tgid(), ns = 0, *tsp;
	__u32 tid = (__u32)id, nr;
	struct syscount_value *v;

	if (measure_latency && use_task_storage) {
		/* The filter already ran at entry: no start time, no count. */
		tsp = bpf_task_storage_get(&start_task, bpf_get_current_task_btf(), 0, 0);
		if (!tsp || !*tsp)
			return 0;
		ns = bpf_ktime_get_ns() - *tsp;
		*tsp = 0;
	} else if (measure_latency) {
		tsp = bpf_map_lookup_elem(&start, &tid);
		if (!tsp)
			return 0;
		ns = bpf_ktime_get_ns() - *tsp;
		bpf_map_delete_elem(&start, &tid);
	} else if (!tk_filter_pass(id)) {
		return 0;
	}
	if (targ_failed && ret >= 0)
		return 0;
	if (targ_errno && ret != -targ_errno)
		return 0;
	if (by_process) {
		count_process(id >> 32, ns);
		return 0;
	}
	nr = BPF_CORE_READ(regs, orig_ax);
	if (nr >= SYSCOUNT_MAX_NR)
		return 0;
	v = bpf_map_lookup_elem(&by_syscall, &nr);
	if (v) {
		v->count++;
		v->total_ns += ns;
	}
	return 0;
}

SEC("tp_btf/sys_enter")
int BPF_PROG(sys_enter_btf, struct pt_regs *regs, long id)
{
	return on_enter();
}

SEC("tp_btf/sys_exit")
int BPF_PROG(sys_exit_btf, struct pt_regs *regs, long ret)
{
	return on_exit(regs, ret);
}

SEC("raw_tp/sys_enter")
int sys_enter_raw(struct bpf_raw_tracepoint_args *ctx)
{
	return on_enter();
}

SEC("raw_tp/sys_exit")
int sys_exit_raw(struct bpf_raw_tracepoint_args *ctx)
{
	return on_exit((struct pt_regs *)ctx->args[0], ctx->args[1]);
}
