// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* opensnoop: trace open(), openat() and openat2().
 *
 * Variant "tracepoint" uses only the sys_exit_* tracepoints: the arguments
 * are read back from the task's saved user registers (bpf_task_pt_regs,
 * 5.15+), so there is one program run and no map per open, and the path is
 * read after the kernel itself read it -- its page is resident, where a read
 * at entry can fault and come back empty.
 * Variant "tracepoint-enter" (older kernels) saves the arguments at
 * sys_enter_* in a map keyed by thread and reports at sys_exit_*. */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>
#include <bpf/bpf_tracing.h>
#include "opensnoop.h"

#define TK_EVENT_MAX_SIZE sizeof(struct opensnoop_event)
#include "events.bpf.h"
#include "fdfile.bpf.h"
#include "path.bpf.h"

#define AT_FDCWD -100
#define O_ACCMODE 3

const volatile bool targ_failed = false;	/* -x */
const volatile __u32 targ_acc_modes = 0;	/* -f O_RDONLY/O_WRONLY/O_RDWR */
const volatile __u64 targ_flags = 0;		/* -f other flags */
const volatile bool full_path = false;		/* -F */

struct args {
	const char *path;
	__u64 flags;
	__u32 mode;
	__s32 dfd;
};

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 10240);
	__type(key, __u32);
	__type(value, struct args);
} start SEC(".maps");

char LICENSE[] SEC("license") = "GPL";

/* arm64 has the asm-generic syscall table: no open(2), so no
 * sys_{enter,exit}_open tracepoints (tools/opensnoop.c leaves them out too). */
#if defined(__TARGET_ARCH_arm64)
#define HAS_OPEN 0
#else
#define HAS_OPEN 1
#endif

static __always_inline bool flags_pass(__u64 flags)
{
	if (!targ_acc_modes && !targ_flags)
		return true;
	return (targ_acc_modes & OPENSNOOP_ACC(flags & O_ACCMODE)) || (flags & targ_flags);
}

/* Directory a relative path is resolved against (cwd, or the file of @dfd),
 * as components up to the global root, crossing mounts as d_path() does. */
static __always_inline void dir_components(struct opensnoop_event *e, int dfd)
{
	struct task_struct *task = (struct task_struct *)bpf_get_current_task();
	struct path p = {};
	struct file *f = NULL;

	if (dfd == AT_FDCWD) {
		BPF_CORE_READ_INTO(&p, task, fs, pwd);
	} else {
		f = tk_fd_file(dfd);
		if (!f)
			return;
		BPF_CORE_READ_INTO(&p, f, f_path);
	}
	e->dir_truncated = !tk_path_components(&p, &e->dir[0][0], OPENSNOOP_DIR_DEPTH,
					       OPENSNOOP_DIR_NAME, &e->dir_depth);
}

static __always_inline void fill(struct opensnoop_event *e, const struct args *a, long ret,
				 __u64 id)
{
	e->ts_ns = bpf_ktime_get_ns();
	e->flags = a->flags;
	e->mode = a->mode;
	e->pid = id >> 32;
	e->tid = (__u32)id;
	e->uid = (__u32)bpf_get_current_uid_gid();
	e->ret = ret;
	e->dir_depth = 0;
	e->dir_truncated = 0;
	e->pad = 0;
	bpf_get_current_comm(e->comm, sizeof(e->comm));
}

static __always_inline int emit(void *ctx, const struct args *a, long ret, __u64 id)
{
	struct opensnoop_event *e;
	long len;

	if (targ_failed && ret >= 0)
		return 0;
	if (!flags_pass(a->flags))
		return 0;
	if (full_path) {
		/* -F: the directory's components too, a whole record. */
		e = tk_reserve(sizeof(*e));
		if (!e) {
			tk_count_drop();
			return 0;
		}
		fill(e, a, ret, id);
		if (bpf_probe_read_user_str(e->path, sizeof(e->path), a->path) < 0)
			e->path[0] = '\0';
		if (e->path[0] != '/')
			dir_components(e, a->dfd);
		tk_submit(ctx, e, sizeof(*e));
		return 0;
	}
	/* Else the record ends with the path's NUL. */
	e = tk_stage();
	if (!e)
		return 0;
	fill(e, a, ret, id);
	len = bpf_probe_read_user_str(e->path, sizeof(e->path), a->path);
	if (len <= 0) {
		e->path[0] = '\0';
		len = 1;
	}
	if (len > OPENSNOOP_PATH_MAX)
		len = OPENSNOOP_PATH_MAX;
	tk_output(ctx, e, offsetof(struct opensnoop_event, path) + len);
	return 0;
}

/* --- variant "tracepoint": exit only ------------------------------------ */

enum call { CALL_OPEN, CALL_OPENAT, CALL_OPENAT2 };

static __always_inline int exit_only(struct trace_event_raw_sys_exit *ctx, enum call call)
{
	__u64 id = bpf_get_current_pid_tgid();
	struct pt_regs *regs;
	struct open_how how = {};
	struct args a = {};

	if (!tk_filter_pass(id))
		return 0;
	regs = (struct pt_regs *)bpf_task_pt_regs(bpf_get_current_task_btf());
	if (call == CALL_OPEN) {
		a.dfd = AT_FDCWD;
		a.path = (const char *)PT_REGS_PARM1_CORE_SYSCALL(regs);
		a.flags = (__u32)PT_REGS_PARM2_CORE_SYSCALL(regs);
		a.mode = PT_REGS_PARM3_CORE_SYSCALL(regs);
	} else {
		a.dfd = PT_REGS_PARM1_CORE_SYSCALL(regs);
		a.path = (const char *)PT_REGS_PARM2_CORE_SYSCALL(regs);
		if (call == CALL_OPENAT) {
			a.flags = (__u32)PT_REGS_PARM3_CORE_SYSCALL(regs);
			a.mode = PT_REGS_PARM4_CORE_SYSCALL(regs);
		} else {
			bpf_probe_read_user(&how, sizeof(how),
					    (void *)PT_REGS_PARM3_CORE_SYSCALL(regs));
			a.flags = how.flags;
			a.mode = how.mode;
		}
	}
	return emit(ctx, &a, ctx->ret, id);
}

#if HAS_OPEN
SEC("tracepoint/syscalls/sys_exit_open")
int open_exit_tp(struct trace_event_raw_sys_exit *ctx)
{
	return exit_only(ctx, CALL_OPEN);
}
#endif

SEC("tracepoint/syscalls/sys_exit_openat")
int openat_exit_tp(struct trace_event_raw_sys_exit *ctx)
{
	return exit_only(ctx, CALL_OPENAT);
}

SEC("tracepoint/syscalls/sys_exit_openat2")
int openat2_exit_tp(struct trace_event_raw_sys_exit *ctx)
{
	return exit_only(ctx, CALL_OPENAT2);
}

/* --- variant "tracepoint-enter": entry saves, exit reports --------------- */

static __always_inline int save(const char *path, __u64 flags, __u32 mode, int dfd)
{
	__u64 id = bpf_get_current_pid_tgid();
	__u32 tid = (__u32)id;
	struct args a = { .path = path, .flags = flags, .mode = mode, .dfd = dfd };

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

	if (!a)
		return 0;
	emit(ctx, a, ctx->ret, id);
	bpf_map_delete_elem(&start, &tid);
	return 0;
}

#if HAS_OPEN
SEC("tracepoint/syscalls/sys_enter_open")
int open_enter_tp(struct trace_event_raw_sys_enter *ctx)
{
	return save((const char *)ctx->args[0], (__u32)ctx->args[1], ctx->args[2], AT_FDCWD);
}
#endif

SEC("tracepoint/syscalls/sys_enter_openat")
int openat_enter_tp(struct trace_event_raw_sys_enter *ctx)
{
	return save((const char *)ctx->args[1], (__u32)ctx->args[2], ctx->args[3], ctx->args[0]);
}

SEC("tracepoint/syscalls/sys_enter_openat2")
int openat2_enter_tp(struct trace_event_raw_sys_enter *ctx)
{
	struct open_how how = {};

	bpf_probe_read_user(&how, sizeof(how), (void *)ctx->args[2]);
	return save((const char *)ctx->args[1], how.flags, how.mode, ctx->args[0]);
}

#if HAS_OPEN
SEC("tracepoint/syscalls/sys_exit_open")
int open_exit_pair_tp(struct trace_event_raw_sys_exit *ctx)
{
	return report(ctx);
}
#endif

SEC("tracepoint/syscalls/sys_exit_openat")
int openat_exit_pair_tp(struct trace_event_raw_sys_exit *ctx)
{
	return report(ctx);
}

SEC("tracepoint/syscalls/sys_exit_openat2")
int openat2_exit_pair_tp(struct trace_event_raw_sys_exit *ctx)
{
	return report(ctx);
}
