// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* execsnoop: trace exec()s.
 *
 * A successful exec is reported at sched:sched_process_exec, once per exec,
 * when the new program is in place: its arguments are read from the new
 * image's own memory (mm->arg_start..arg_end, laid out and faulted in by the
 * kernel a moment before), in one bounded copy, so they are exactly what the
 * new program sees -- for a #! script, the interpreter first. One program
 * run per exec, no map. The variants differ only in how that tracepoint is
 * reached: tp_btf and raw_tp also see the linux_binprm (the interpreter the
 * kernel ran), the plain tracepoint only the path exec was given.
 *
 * Failed execs (-x) never get there: sys_enter_execve(at) saves the
 * caller's filename and argv pointers by thread, and sys_exit_execve(at)
 * reports the failure, reading them back (the caller's memory is intact
 * when an exec fails). Those four programs load only with -x. */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>
#include <bpf/bpf_tracing.h>
#include "execsnoop.h"

#define TK_EVENT_MAX_SIZE sizeof(struct execsnoop_event)
#include "events.bpf.h"
#include "path.bpf.h"

const volatile bool targ_failed = false;	/* -x: failed execs too */
const volatile bool targ_cwd = false;		/* --cwd */
const volatile __u32 targ_max_args = 20;	/* --max-args */

struct exec_args {
	const char *filename;
	const char *const *argv;
};

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 10240);
	__type(key, __u32);
	__type(value, struct exec_args);
} execs SEC(".maps");

char LICENSE[] SEC("license") = "GPL";

/* The current task's working directory as components up to the global root. */
static __always_inline void cwd_components(struct execsnoop_event *e)
{
	struct task_struct *task = (struct task_struct *)bpf_get_current_task();
	struct path p = {};

	BPF_CORE_READ_INTO(&p, task, fs, pwd);
	e->cwd_truncated = !tk_path_components(&p, &e->cwd[0][0], EXECSNOOP_CWD_DEPTH,
					       EXECSNOOP_CWD_NAME, &e->cwd_depth);
}

static __always_inline void fill_common(struct execsnoop_event *e, __u64 id, __u32 tid)
{
	struct task_struct *task = (struct task_struct *)bpf_get_current_task();

	e->ts_ns = bpf_ktime_get_ns();
	e->pid = id >> 32;
	e->tid = tid;
	e->ppid = BPF_CORE_READ(task, real_parent, tgid);
	e->uid = (__u32)bpf_get_current_uid_gid();
	e->ret = 0;
	e->argc = 0;
	e->args_len = 0;
	e->args_size = 0;
	e->cwd_depth = 0;
	e->cwd_truncated = 0;
	e->flags = 0;
	e->pad = 0;
	e->filename[0] = '\0';
	e->interp[0] = '\0';
	bpf_get_current_comm(e->comm, sizeof(e->comm));
	if (targ_cwd)
		cwd_components(e);
}

/* --- success: sched_process_exec ---------------------------------------- */

/* The new image's argument strings into args[], at most @cap - 1 bytes (@cap
 * a power of 2, constant after inlining: the mask bounds the copy for the
 * verifier). The last byte of the area is the final NUL, so a copy one
 * short of it loses nothing. */
static __always_inline void image_args(struct execsnoop_event *e, unsigned long start,
				       __u32 len, __u32 cap)
{
	__u32 n = len;

	if (n >= cap)
		n = cap - 1;
	/* Else the compiler drops the mask, and the verifier loses the bound. */
	barrier_var(n);
	n &= cap - 1;
	if (n && bpf_probe_read_user(e->args, n, (const void *)start))
		n = 0;
	e->args_size = n;
	if (n + 1 < len)
		e->flags |= EXECSNOOP_F_TRUNCATED;
}

static __always_inline void exec_names(struct execsnoop_event *e, struct linux_binprm *bprm,
				       const char *tp_filename)
{
	const char *interp;

	if (!bprm) {
		bpf_probe_read_kernel_str(e->filename, sizeof(e->filename), tp_filename);
		return;
	}
	bpf_probe_read_kernel_str(e->filename, sizeof(e->filename), BPF_CORE_READ(bprm, filename));
	interp = BPF_CORE_READ(bprm, interp);
	if (interp && bpf_probe_read_kernel_str(e->interp, sizeof(e->interp), interp) > 0)
		e->flags |= EXECSNOOP_F_INTERP;
}

static __always_inline int handle_exec(void *ctx, __u32 old_pid, struct linux_binprm *bprm,
				       const char *tp_filename)
{
	__u64 id = bpf_get_current_pid_tgid();
	struct task_struct *task;
	struct execsnoop_event *e;
	unsigned long start, end, stack;
	long argc = 0;
	__u32 len;

	/* -x: the exit of this exec finds nothing to report. (Its thread id
	 * may have changed: an exec from another thread takes the leader's.) */
	if (targ_failed)
		bpf_map_delete_elem(&execs, &old_pid);
	if (!tk_filter_pass(id))
		return 0;
	task = (struct task_struct *)bpf_get_current_task();
	start = BPF_CORE_READ(task, mm, arg_start);
	end = BPF_CORE_READ(task, mm, arg_end);
	stack = BPF_CORE_READ(task, mm, start_stack);
	len = end > start && end - start < (1u << 30) ? end - start : 0;

	/* Constant sizes in each branch keep the verifier happy. */
	if (!targ_cwd && len <= EXECSNOOP_ARGS_SMALL) {
		e = tk_reserve(EXECSNOOP_SMALL_SIZE);
		if (!e) {
			tk_count_drop();
			return 0;
		}
		fill_common(e, id, old_pid);
		exec_names(e, bprm, tp_filename);
		image_args(e, start, len, EXECSNOOP_ARGS_SMALL);
	} else if (!targ_cwd) {
		e = tk_reserve(EXECSNOOP_LARGE_SIZE);
		if (!e) {
			tk_count_drop();
			return 0;
		}
		fill_common(e, id, old_pid);
		exec_names(e, bprm, tp_filename);
		image_args(e, start, len, EXECSNOOP_ARGS_MAX);
	} else {
		e = tk_reserve(sizeof(*e));
		if (!e) {
			tk_count_drop();
			return 0;
		}
		fill_common(e, id, old_pid);
		exec_names(e, bprm, tp_filename);
		image_args(e, start, len, EXECSNOOP_ARGS_MAX);
	}
	/* argc sits at the top of the new stack, below argv[]. */
	bpf_probe_read_user(&argc, sizeof(argc), (const void *)stack);
	e->argc = argc > 0 && argc < (1 << 24) ? argc : 0;
	e->args_len = len;
	if (targ_cwd)
		tk_submit(ctx, e, sizeof(*e));
	else if (len <= EXECSNOOP_ARGS_SMALL)
		tk_submit(ctx, e, EXECSNOOP_SMALL_SIZE);
	else
		tk_submit(ctx, e, EXECSNOOP_LARGE_SIZE);
	return 0;
}

SEC("tp_btf/sched_process_exec")
int BPF_PROG(exec_btf, struct task_struct *p, pid_t old_pid, struct linux_binprm *bprm)
{
	return handle_exec(ctx, old_pid, bprm, NULL);
}

SEC("raw_tp/sched_process_exec")
int BPF_PROG(exec_raw, struct task_struct *p, pid_t old_pid, struct linux_binprm *bprm)
{
	return handle_exec(ctx, old_pid, bprm, NULL);
}

SEC("tracepoint/sched/sched_process_exec")
int exec_tp(struct trace_event_raw_sched_process_exec *ctx)
{
	const char *filename = (const char *)ctx + (ctx->__data_loc_filename & 0xffff);

	return handle_exec(ctx, ctx->old_pid, NULL, filename);
}

/* --- failure (-x): sys_enter saves, sys_exit reports --------------------- */

static __always_inline int save(const char *filename, const char *const *argv)
{
	__u64 id = bpf_get_current_pid_tgid();
	__u32 tid = (__u32)id;
	struct exec_args a = { .filename = filename, .argv = argv };

	if (!tk_filter_pass(id))
		return 0;
	if (bpf_map_update_elem(&execs, &tid, &a, BPF_ANY))
		tk_count_drop();
	return 0;
}

/* The caller's argv, one string after the other, as the image would have
 * them. */
static __always_inline void caller_args(struct execsnoop_event *e, const char *const *argv)
{
	const char *p;
	__u32 off = 0;
	long n;
	int i;

	for (i = 0; i < EXECSNOOP_FAIL_ARGS; i++) {
		p = NULL;
		if (bpf_probe_read_user(&p, sizeof(p), &argv[i])) {
			e->flags |= EXECSNOOP_F_TRUNCATED;
			break;
		}
		if (!p)
			break;
		if (i > targ_max_args || off > EXECSNOOP_ARGS_MAX - EXECSNOOP_ARG_CHUNK) {
			e->flags |= EXECSNOOP_F_TRUNCATED;
			break;
		}
		n = bpf_probe_read_user_str(&e->args[off], EXECSNOOP_ARG_CHUNK, p);
		if (n <= 0) {
			e->flags |= EXECSNOOP_F_TRUNCATED;
			break;
		}
		off += n;
		e->argc++;
		if (n == EXECSNOOP_ARG_CHUNK) {
			/* the string may go on: show what we have, marked */
			e->flags |= EXECSNOOP_F_TRUNCATED;
			break;
		}
	}
	if (i == EXECSNOOP_FAIL_ARGS)
		e->flags |= EXECSNOOP_F_TRUNCATED;
	e->args_size = off;
	e->args_len = off;
}

static __always_inline int report(struct trace_event_raw_sys_exit *ctx)
{
	__u64 id = bpf_get_current_pid_tgid();
	__u32 tid = (__u32)id;
	struct exec_args *a = bpf_map_lookup_elem(&execs, &tid);
	struct execsnoop_event *e;

	if (!a)
		return 0;
	if (ctx->ret >= 0)
		goto out;
	if (targ_cwd)
		e = tk_reserve(sizeof(*e));
	else
		e = tk_reserve(EXECSNOOP_LARGE_SIZE);
	if (!e) {
		tk_count_drop();
		goto out;
	}
	fill_common(e, id, tid);
	e->ret = ctx->ret;
	e->flags = EXECSNOOP_F_FAILED;
	if (bpf_probe_read_user_str(e->filename, sizeof(e->filename), a->filename) < 0)
		e->filename[0] = '\0';
	caller_args(e, a->argv);
	tk_submit(ctx, e, targ_cwd ? sizeof(*e) : EXECSNOOP_LARGE_SIZE);
out:
	bpf_map_delete_elem(&execs, &tid);
	return 0;
}

SEC("tracepoint/syscalls/sys_enter_execve")
int execve_enter(struct trace_event_raw_sys_enter *ctx)
{
	return save((const char *)ctx->args[0], (const char *const *)ctx->args[1]);
}

SEC("tracepoint/syscalls/sys_enter_execveat")
int execveat_enter(struct trace_event_raw_sys_enter *ctx)
{
	return save((const char *)ctx->args[1], (const char *const *)ctx->args[2]);
}

SEC("tracepoint/syscalls/sys_exit_execve")
int execve_exit(struct trace_event_raw_sys_exit *ctx)
{
	return report(ctx);
}

SEC("tracepoint/syscalls/sys_exit_execveat")
int execveat_exit(struct trace_event_raw_sys_exit *ctx)
{
	return report(ctx);
}
