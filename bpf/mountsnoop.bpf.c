// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* mountsnoop: trace mount(2), umount2(2) and the new mount API (fsopen,
 * fsconfig, fsmount, move_mount, fspick, open_tree; mount_setattr where the
 * kernel has it, 5.12+: its programs are not in a variant's list, so a
 * kernel without it keeps the rest).
 *
 * Variant "tracepoint" uses only the sys_exit_* tracepoints: the arguments
 * are read back from the task's saved user registers (bpf_task_pt_regs,
 * 5.15+), so there is one program per call, not two -- which also halves
 * the time the tool takes to detach at its end (each syscall tracepoint
 * program takes some 40 ms to come off). It cannot time the call.
 * Variant "tracepoint-enter" (older kernels) saves the arguments by thread
 * at sys_enter_* and reports at sys_exit_*; "tracepoint-legacy" does that
 * for mount and umount alone, on kernels without the new mount API (5.2).
 * Strings are read at the exit, after the kernel itself read them, so their
 * pages are resident. */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>
#include <bpf/bpf_tracing.h>
#include "mountsnoop.h"

#define TK_EVENT_MAX_SIZE sizeof(struct mountsnoop_event)
#include "events.bpf.h"

/* fsconfig(2) commands whose value is a string */
#define FSCONFIG_SET_STRING 1
#define FSCONFIG_SET_PATH 3
#define FSCONFIG_SET_PATH_EMPTY 4

struct args {
	__u64 ts;		/* entry time; 0: not known */
	__u64 a[5];
	__u32 call;
	__u32 pad;
};

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 10240);
	__type(key, __u32);
	__type(value, struct args);
} start SEC(".maps");

char LICENSE[] SEC("license") = "GPL";

static __always_inline int save(struct trace_event_raw_sys_enter *ctx, __u32 call, int nargs)
{
	__u64 id = bpf_get_current_pid_tgid();
	__u32 tid = (__u32)id;
	struct args a = {};

	if (!tk_filter_pass(id))
		return 0;
	a.ts = bpf_ktime_get_ns();
	a.call = call;
	/* One by one (the verifier refuses a context pointer moved by a loop),
	 * and only those the call has: a program that reads past the end of
	 * a tracepoint's record cannot be attached to it (EACCES). */
	a.a[0] = ctx->args[0];
	a.a[1] = ctx->args[1];
	if (nargs > 2)
		a.a[2] = ctx->args[2];
	if (nargs > 3)
		a.a[3] = ctx->args[3];
	if (nargs > 4)
		a.a[4] = ctx->args[4];
	if (bpf_map_update_elem(&start, &tid, &a, BPF_ANY))
		tk_count_drop();
	return 0;
}

/* Read a user string into @buf; a string that fills it may have been cut. */
static __always_inline void str(char *buf, __u32 size, __u64 uptr, __u8 *trunc, __u8 bit)
{
	long n;

	if (!uptr) {
		buf[0] = '\0';
		return;
	}
	n = bpf_probe_read_user_str(buf, size, (const void *)uptr);
	if (n < 0)
		buf[0] = '\0';
	else if (n == size)
		*trunc |= bit;
}

static __always_inline void emit(struct trace_event_raw_sys_exit *ctx, const struct args *a,
				 __u64 id)
{
	struct task_struct *task;
	struct mountsnoop_event *e;
	__u8 trunc = 0;

	e = tk_reserve(sizeof(*e));
	if (!e) {
		tk_count_drop();
		return;
	}
	e->ts_ns = bpf_ktime_get_ns();
	e->delta_ns = a->ts ? e->ts_ns - a->ts : 0;
	e->ret = ctx->ret;
	e->pid = id >> 32;
	e->tid = (__u32)id;
	e->uid = (__u32)bpf_get_current_uid_gid();
	e->call = a->call;
	e->flags = 0;
	e->fd = 0;
	e->fd2 = 0;
	e->attr = 0;
	e->has_attr = 0;
	e->attr_set = e->attr_clr = e->propagation = 0;
	__builtin_memset(e->pad, 0, sizeof(e->pad));
	task = (struct task_struct *)bpf_get_current_task();
	e->mnt_ns = BPF_CORE_READ(task, nsproxy, mnt_ns, ns.inum);
	bpf_get_current_comm(e->comm, sizeof(e->comm));
	e->source[0] = e->target[0] = e->fstype[0] = e->key[0] = e->data[0] = '\0';
	switch (a->call) {
	case MS_CALL_MOUNT:
		str(e->source, sizeof(e->source), a->a[0], &trunc, MS_TRUNC_SOURCE);
		str(e->target, sizeof(e->target), a->a[1], &trunc, MS_TRUNC_TARGET);
		str(e->fstype, sizeof(e->fstype), a->a[2], &trunc, MS_TRUNC_FSTYPE);
		e->flags = a->a[3];
		str(e->data, sizeof(e->data), a->a[4], &trunc, MS_TRUNC_DATA);
		break;
	case MS_CALL_UMOUNT:
		str(e->target, sizeof(e->target), a->a[0], &trunc, MS_TRUNC_TARGET);
		e->flags = a->a[1];
		break;
	case MS_CALL_FSOPEN:
		str(e->fstype, sizeof(e->fstype), a->a[0], &trunc, MS_TRUNC_FSTYPE);
		e->flags = a->a[1];
		break;
	case MS_CALL_FSCONFIG:
		e->fd = a->a[0];
		e->flags = a->a[1];
		str(e->key, sizeof(e->key), a->a[2], &trunc, MS_TRUNC_KEY);
		if (a->a[1] == FSCONFIG_SET_STRING || a->a[1] == FSCONFIG_SET_PATH ||
		    a->a[1] == FSCONFIG_SET_PATH_EMPTY)
			str(e->data, sizeof(e->data), a->a[3], &trunc, MS_TRUNC_DATA);
		e->fd2 = a->a[4];
		break;
	case MS_CALL_FSMOUNT:
		e->fd = a->a[0];
		e->flags = a->a[1];
		e->attr = a->a[2];
		break;
	case MS_CALL_MOVE_MOUNT:
		e->fd = a->a[0];
		str(e->source, sizeof(e->source), a->a[1], &trunc, MS_TRUNC_SOURCE);
		e->fd2 = a->a[2];
		str(e->target, sizeof(e->target), a->a[3], &trunc, MS_TRUNC_TARGET);
		e->flags = a->a[4];
		break;
	case MS_CALL_FSPICK:
	case MS_CALL_OPEN_TREE:
		e->fd = a->a[0];
		str(e->target, sizeof(e->target), a->a[1], &trunc, MS_TRUNC_TARGET);
		e->flags = a->a[2];
		break;
	case MS_CALL_MOUNT_SETATTR:
		e->fd = a->a[0];
		str(e->target, sizeof(e->target), a->a[1], &trunc, MS_TRUNC_TARGET);
		e->flags = a->a[2];
		/* struct mount_attr's first three fields (its size is a[4]) */
		if (a->a[3] && a->a[4] >= 3 * sizeof(__u64)) {
			__u64 ma[3];

			if (!bpf_probe_read_user(ma, sizeof(ma), (const void *)a->a[3])) {
				e->has_attr = 1;
				e->attr_set = ma[0];
				e->attr_clr = ma[1];
				e->propagation = ma[2];
			}
		}
		break;
	}
	e->truncated = trunc;
	tk_submit(ctx, e, sizeof(*e));
}

/* --- variant "tracepoint": exit only ------------------------------------ */

static __always_inline int exit_only(struct trace_event_raw_sys_exit *ctx, __u32 call)
{
	__u64 id = bpf_get_current_pid_tgid();
	struct pt_regs *regs;
	struct args a = {};

	if (!tk_filter_pass(id))
		return 0;
	regs = (struct pt_regs *)bpf_task_pt_regs(bpf_get_current_task_btf());
	a.call = call;
	a.a[0] = PT_REGS_PARM1_CORE_SYSCALL(regs);
	a.a[1] = PT_REGS_PARM2_CORE_SYSCALL(regs);
	a.a[2] = PT_REGS_PARM3_CORE_SYSCALL(regs);
	a.a[3] = PT_REGS_PARM4_CORE_SYSCALL(regs);
	a.a[4] = PT_REGS_PARM5_CORE_SYSCALL(regs);
	emit(ctx, &a, id);
	return 0;
}

#define EXIT_ONLY(name, call)						\
SEC("tracepoint/syscalls/sys_exit_" #name)				\
int name##_exit_only_tp(struct trace_event_raw_sys_exit *ctx)		\
{									\
	return exit_only(ctx, call);					\
}

EXIT_ONLY(mount, MS_CALL_MOUNT)
EXIT_ONLY(umount, MS_CALL_UMOUNT)
EXIT_ONLY(fsopen, MS_CALL_FSOPEN)
EXIT_ONLY(fsconfig, MS_CALL_FSCONFIG)
EXIT_ONLY(fsmount, MS_CALL_FSMOUNT)
EXIT_ONLY(move_mount, MS_CALL_MOVE_MOUNT)
EXIT_ONLY(fspick, MS_CALL_FSPICK)
EXIT_ONLY(open_tree, MS_CALL_OPEN_TREE)
EXIT_ONLY(mount_setattr, MS_CALL_MOUNT_SETATTR)

/* --- variants "tracepoint-enter", "tracepoint-legacy": entry saves ------- */

static __always_inline int report(struct trace_event_raw_sys_exit *ctx)
{
	__u64 id = bpf_get_current_pid_tgid();
	__u32 tid = (__u32)id;
	struct args *a;

	a = bpf_map_lookup_elem(&start, &tid);
	if (!a)
		return 0;
	emit(ctx, a, id);
	bpf_map_delete_elem(&start, &tid);
	return 0;
}

#define PAIR(name, call, nargs)						\
SEC("tracepoint/syscalls/sys_enter_" #name)				\
int name##_enter_tp(struct trace_event_raw_sys_enter *ctx)		\
{									\
	return save(ctx, call, nargs);						\
}									\
SEC("tracepoint/syscalls/sys_exit_" #name)				\
int name##_exit_tp(struct trace_event_raw_sys_exit *ctx)		\
{									\
	return report(ctx);						\
}

PAIR(mount, MS_CALL_MOUNT, 5)
PAIR(umount, MS_CALL_UMOUNT, 2)
PAIR(fsopen, MS_CALL_FSOPEN, 2)
PAIR(fsconfig, MS_CALL_FSCONFIG, 5)
PAIR(fsmount, MS_CALL_FSMOUNT, 3)
PAIR(move_mount, MS_CALL_MOVE_MOUNT, 5)
PAIR(fspick, MS_CALL_FSPICK, 3)
PAIR(open_tree, MS_CALL_OPEN_TREE, 3)
PAIR(mount_setattr, MS_CALL_MOUNT_SETATTR, 5)
