// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* syscount: count system calls (and their time, with -L) in the kernel,
 * per syscall or per process, in per-CPU maps that userspace sums.
 * Plain counts need only sys_exit: the number is in the saved registers
 * (orig_ax, arm64's syscallno) -- except after rt_sigreturn, which restores
 * the registers of the code the signal interrupted and sets the number to -1,
 * which is therefore counted as rt_sigreturn unless the call failed with
 * ENOSYS (a call of number -1 does that). With -L, sys_enter also remembers
 * the number and the time per task, and sys_exit takes both from there; a
 * sys_exit with no entry seen takes the number from the registers: a syscall
 * that seccomp refused (it never reaches sys_enter) or that was in progress
 * when tracing started. Not counted: a new task's first return to user space,
 * the child's side of fork, vfork, clone and clone3 (0 from one of those),
 * which the parent's return already counts. */
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
/* Entries hang off the task (5.11+ for tracing programs): no hashing and no
 * delete per syscall. Else the hash map below, keyed by thread. */
const volatile bool use_task_storage = false;
/* This architecture's numbers of the calls that return twice (-1: none). */
const volatile __u32 nr_fork = -1, nr_vfork = -1, nr_clone = -1, nr_clone3 = -1;
const volatile __u32 nr_rt_sigreturn = -1;
#define ENOSYS 38

/* The syscall a thread is in, from its sys_enter to its sys_exit. */
struct entry {
	__u64 ts;	/* -L only */
	__u32 nr;
	__u32 live;	/* task storage: 0 once sys_exit has used it */
};

struct {
	__uint(type, BPF_MAP_TYPE_TASK_STORAGE);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, int);
	__type(value, struct entry);
} start_task SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 10240);
	__type(key, __u32);
	__type(value, struct entry);
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

static __always_inline int on_enter(long nr)
{
	__u64 id = bpf_get_current_pid_tgid();
	__u32 tid = (__u32)id;
	struct entry e = {};

	if (!tk_filter_pass(id))
		return 0;
	/* Not counted, in any view: no entry, so sys_exit skips it too. */
	if ((unsigned long)nr >= SYSCOUNT_MAX_NR)
		return 0;
	e.nr = nr;
	e.live = 1;
	if (measure_latency)
		e.ts = bpf_ktime_get_ns();
	if (use_task_storage) {
		struct entry *slot = bpf_task_storage_get(&start_task, bpf_get_current_task_btf(),
							  0, BPF_LOCAL_STORAGE_GET_F_CREATE);

		if (slot)
			*slot = e;
		else
			tk_count_drop();
	} else if (bpf_map_update_elem(&start, &tid, &e, BPF_ANY)) {
		tk_count_drop();
	}
	return 0;
}

static __always_inline bool same_comm(const char *a, const __u64 *b)
{
	return *(const __u64 *)a == b[0] && *(const __u64 *)(a + 8) == b[1];
}

static __always_inline void count_process(__u32 pid, __u64 ns)
{
	struct syscount_proc *v, zero = {};
	__u64 comm[2] = {};	/* char[16], aligned for same_comm() */

	bpf_get_current_comm(comm, sizeof(comm));
	v = bpf_map_lookup_elem(&by_pid, &pid);
	if (!v) {
		__builtin_memcpy(zero.comm, comm, sizeof(comm));
		zero.comm_ns = bpf_ktime_get_ns();
		/* EEXIST from a racing CPU is fine: the lookup below finds it. */
		bpf_map_update_elem(&by_pid, &pid, &zero, BPF_NOEXIST);
		v = bpf_map_lookup_elem(&by_pid, &pid);
		if (!v) {
			tk_count_drop();	/* table full */
			return;
		}
	}
	/* The name the process has now (exec and prctl change it), stamped so
	 * userspace takes the latest of the CPUs' copies. */
	if (!same_comm(v->comm, comm)) {
		__builtin_memcpy(v->comm, comm, sizeof(comm));
		v->comm_ns = bpf_ktime_get_ns();
	}
	v->count++;
	v->total_ns += ns;
}

/* @btf: @regs is the kernel's pointer as tp_btf hands it over, read
 * directly; else (raw_tp) a number, read through a helper. */
static __always_inline __u32 regs_syscall_nr(struct pt_regs *regs, bool btf)
{
#if defined(__TARGET_ARCH_arm64)
	return btf ? regs->syscallno : BPF_CORE_READ(regs, syscallno);
#else
	return btf ? regs->orig_ax : BPF_CORE_READ(regs, orig_ax);
#endif
}

static __always_inline int on_exit(struct pt_regs *regs, long ret, bool btf)
{
	__u64 id = bpf_get_current_pid_tgid(), ns = 0;
	__u32 tid = (__u32)id, nr;
	struct syscount_value *v;
	struct entry *e;

	if (!measure_latency) {
		e = NULL;
	} else if (use_task_storage) {
		e = bpf_task_storage_get(&start_task, bpf_get_current_task_btf(), 0, 0);
		if (e && !e->live)
			e = NULL;
	} else {
		e = bpf_map_lookup_elem(&start, &tid);
	}
	if (e) {
		nr = e->nr;
		if (measure_latency)
			ns = bpf_ktime_get_ns() - e->ts;
		if (use_task_storage)
			e->live = 0;
		else
			bpf_map_delete_elem(&start, &tid);
	} else {
		/* Plain counts; or with -L, its start was not seen: counted,
		 * with no time. */
		if (!tk_filter_pass(id))
			return 0;
		nr = regs_syscall_nr(regs, btf);
		if (nr == (__u32)-1 && ret != -ENOSYS)
			nr = nr_rt_sigreturn;
		if (ret == 0 && (nr == nr_fork || nr == nr_vfork || nr == nr_clone ||
				 nr == nr_clone3))
			return 0;
	}
	if (targ_failed && ret >= 0)
		return 0;
	if (targ_errno && ret != -targ_errno)
		return 0;
	if (nr >= SYSCOUNT_MAX_NR)
		return 0;
	if (by_process) {
		count_process(id >> 32, ns);
		return 0;
	}
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
	return on_enter(id);
}

SEC("tp_btf/sys_exit")
int BPF_PROG(sys_exit_btf, struct pt_regs *regs, long ret)
{
	return on_exit(regs, ret, true);
}

SEC("raw_tp/sys_enter")
int sys_enter_raw(struct bpf_raw_tracepoint_args *ctx)
{
	return on_enter(ctx->args[1]);
}

SEC("raw_tp/sys_exit")
int sys_exit_raw(struct bpf_raw_tracepoint_args *ctx)
{
	return on_exit((struct pt_regs *)ctx->args[0], ctx->args[1], false);
}
