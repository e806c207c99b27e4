// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* killsnoop: trace signals sent with kill(), tkill(), tgkill() and
 * pidfd_send_signal(), at their system-call tracepoints: sys_enter saves the
 * arguments by thread, sys_exit reports them with the result. A pidfd is
 * resolved to its pid at entry, through the sender's file table (the file
 * holds the struct pid), in the initial pid namespace. */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>
#include <bpf/bpf_tracing.h>
#include "killsnoop.h"

#define TK_EVENT_MAX_SIZE sizeof(struct killsnoop_event)
#include "events.bpf.h"
#include "fdfile.bpf.h"

const volatile bool targ_failed = false;	/* -x */
const volatile int targ_sig = -1;		/* -s; -1: any */

struct args {
	__s32 tpid;
	__s32 ttgid;
	__s32 sig;
	__u32 call;
};

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 10240);
	__type(key, __u32);
	__type(value, struct args);
} start SEC(".maps");

char LICENSE[] SEC("license") = "GPL";

static __always_inline int save(__s32 tpid, __s32 ttgid, __s32 sig, __u32 call)
{
	__u64 id = bpf_get_current_pid_tgid();
	__u32 tid = (__u32)id;
	struct args a = { .tpid = tpid, .ttgid = ttgid, .sig = sig, .call = call };

	if (targ_sig >= 0 && sig != targ_sig)
		return 0;
	if (!tk_filter_pass(id))
		return 0;
	if (bpf_map_update_elem(&start, &tid, &a, BPF_ANY))
		tk_count_drop();
	return 0;
}

static __always_inline int report(struct trace_event_raw_sys_exit *ctx)
{
	__u64 id = bpf_get_current_pid_tgid();
	__u32 tid = (__u32)id;
	struct args *a = bpf_map_lookup_elem(&start, &tid);
	struct killsnoop_event *e;

	if (!a)
		return 0;
	if (targ_failed && ctx->ret >= 0)
		goto out;
	e = tk_reserve(sizeof(*e));
	if (!e) {
		tk_count_drop();
		goto out;
	}
	e->ts_ns = bpf_ktime_get_ns();
	e->pid = id >> 32;
	e->tid = tid;
	e->uid = (__u32)bpf_get_current_uid_gid();
	e->tpid = a->tpid;
	e->ttgid = a->ttgid;
	e->sig = a->sig;
	e->ret = ctx->ret;
	e->call = a->call;
	e->pad[0] = e->pad[1] = e->pad[2] = 0;
	bpf_get_current_comm(e->comm, sizeof(e->comm));
	tk_submit(ctx, e, sizeof(*e));
out:
	bpf_map_delete_elem(&start, &tid);
	return 0;
}

/* The pid a pidfd refers to (in the initial namespace), or -1. */
static __always_inline __s32 pidfd_pid(int fd)
{
	struct file *f = tk_fd_file(fd);
	struct pid *pid;
	int nr = -1;

	if (!f)
		return -1;
	/* Before pidfs (6.9) the file's private_data; since, its inode's
	 * i_private (private_data is left NULL). */
	pid = BPF_CORE_READ(f, private_data);
	if (!pid)
		pid = BPF_CORE_READ(f, f_inode, i_private);
	if (!pid || bpf_probe_read_kernel(&nr, sizeof(nr), &pid->numbers[0].nr))
		return -1;
	return nr;
}

SEC("tracepoint/syscalls/sys_enter_kill")
int kill_enter(struct trace_event_raw_sys_enter *ctx)
{
	return save(ctx->args[0], 0, ctx->args[1], KILLSNOOP_KILL);
}

SEC("tracepoint/syscalls/sys_enter_tkill")
int tkill_enter(struct trace_event_raw_sys_enter *ctx)
{
	return save(ctx->args[0], 0, ctx->args[1], KILLSNOOP_TKILL);
}

SEC("tracepoint/syscalls/sys_enter_tgkill")
int tgkill_enter(struct trace_event_raw_sys_enter *ctx)
{
	return save(ctx->args[1], ctx->args[0], ctx->args[2], KILLSNOOP_TGKILL);
}

SEC("tracepoint/syscalls/sys_enter_pidfd_send_signal")
int pidfd_enter(struct trace_event_raw_sys_enter *ctx)
{
	int fd = ctx->args[0], sig = ctx->args[1];

	if (targ_sig >= 0 && sig != targ_sig)
		return 0;
	return save(pidfd_pid(fd), fd, sig, KILLSNOOP_PIDFD);
}

SEC("tracepoint/syscalls/sys_exit_kill")
int kill_exit(struct trace_event_raw_sys_exit *ctx)
{
	return report(ctx);
}

SEC("tracepoint/syscalls/sys_exit_tkill")
int tkill_exit(struct trace_event_raw_sys_exit *ctx)
{
	return report(ctx);
}

SEC("tracepoint/syscalls/sys_exit_tgkill")
int tgkill_exit(struct trace_event_raw_sys_exit *ctx)
{
	return report(ctx);
}

SEC("tracepoint/syscalls/sys_exit_pidfd_send_signal")
int pidfd_exit(struct trace_event_raw_sys_exit *ctx)
{
	return report(ctx);
}
