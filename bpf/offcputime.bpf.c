// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* offcputime: time blocked off-CPU, by stack, summed in the kernel.
 *
 * sched_switch runs in the task leaving the CPU (prev is current): its
 * user and kernel stacks are read there, with the time and its CPU time so
 * far, and kept by thread id. When that thread is switched in again (it is
 * next), the time it was away is added to the count of (process, comm,
 * stacks) (stacks.bpf.h). Userspace reads the counts once, at the end.
 *
 * A switch back in can go unreported: a kernel may leave out the events
 * of some tasks (seen: a sandbox's kernel reports nothing, sched_switch
 * included, while its agent, PID 1, is current: a switch from the agent
 * to our thread is never seen), or a run of the program may be skipped.
 * The thread's next switch-out then finds its entry still there. Since
 * that entry it has been off the CPU exactly once (any other switch-out
 * would have replaced it) and on it the rest of the time, so the block is
 * the time since less the CPU time since. */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>
#include "offcputime.h"
#define TK_STACK_NERRS OFFCPU_NERR
#include "filter.bpf.h"
#include "stacks.bpf.h"

#define PF_KTHREAD 0x00200000	/* include/linux/sched.h */
#define TASK_DEAD 0x00000080	/* its last switch-out */

const volatile bool targ_per_tid = false;	/* -t */
const volatile bool targ_user_threads = false;	/* -u: user threads only */
const volatile bool targ_kernel_threads = false;	/* -k: kernel threads only */
const volatile __u64 targ_min_ns = 0;		/* -m */
const volatile __u64 targ_max_ns = ~0ULL;	/* -M */
const volatile long long targ_state = OFFCPU_NO_STATE;	/* --state */
/* Tests (TRACEKIT_OFFCPU_DROP_SWITCH_IN=N): every Nth switch back in is
 * taken as unreported, to prove the CPU-time path on real blocks. */
const volatile __u32 targ_drop_in = 0;
__u32 drop_in_count;

struct start {
	__u64 ts;		/* when it left the CPU */
	__u64 oncpu;		/* its CPU time then */
	struct tk_stack_key key;
};

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 1);		/* sized by userspace */
	__type(key, __u32);
	__type(value, struct start);
} start SEC(".maps");

char LICENSE[] SEC("license") = "GPL";

/* 5.14 renamed task_struct's state to __state (and made it unsigned int). */
struct task_struct___pre514 {
	long state;
} __attribute__((preserve_access_index));

static __always_inline long long task_state(struct task_struct *t)
{
	if (bpf_core_field_exists(t->__state))
		return BPF_CORE_READ(t, __state);
	return BPF_CORE_READ((struct task_struct___pre514 *)t, state);
}

/* bcc's --state: 0 is a task switched out runnable (preempted); any other
 * value a mask of the sleep states (1 interruptible, 2 uninterruptible...). */
static __always_inline bool state_wanted(long long s)
{
	if (targ_state == OFFCPU_NO_STATE)
		return true;
	return targ_state ? (s & targ_state) != 0 : s == 0;
}

/* -u/-k, -p/-t/--cgroup...: the threads followed, whatever their state. */
static __always_inline bool thread_followed(struct task_struct *prev, __u64 id)
{
	bool kthread;

	if ((__u32)id == 0)	/* the idle task */
		return false;
	if (targ_user_threads || targ_kernel_threads) {
		kthread = BPF_CORE_READ(prev, flags) & PF_KTHREAD;
		if (targ_user_threads && kthread)
			return false;
		if (targ_kernel_threads && !kthread)
			return false;
	}
	return tk_filter_pass(id);
}

/* The CPU time a thread has had, as the scheduler counts it: brought up to
 * date before sched_switch, when the thread leaving was dequeued or put
 * back (update_curr). */
static __always_inline __u64 task_oncpu_ns(struct task_struct *t)
{
	return BPF_CORE_READ(t, se.sum_exec_runtime);
}

static __always_inline void add_block(const struct tk_stack_key *key, __u64 delta)
{
	if (delta < targ_min_ns || delta > targ_max_ns)
		return;
	tk_stack_err(TK_STACK_EVENTS);
	tk_stack_count(key, delta);
}

static __always_inline int on_switch(void *ctx, struct task_struct *prev,
				     struct task_struct *next)
{
	__u64 id = bpf_get_current_pid_tgid(), now = bpf_ktime_get_ns(), delta, on;
	struct tk_stack_key key;
	long long state;
	struct start *s;
	__u32 tid = (__u32)id;

	/* prev leaves the CPU: where it stopped, and when. */
	if (thread_followed(prev, id)) {
		struct start st = { .ts = now, .oncpu = task_oncpu_ns(prev) };

		s = bpf_map_lookup_elem(&start, &tid);
		if (s) {
			/* Its switch back in was not seen: once off the CPU
			 * since s->ts, on it for the CPU time since. */
			delta = now - s->ts;
			on = st.oncpu - s->oncpu;
			tk_stack_err(OFFCPU_UNSEEN_IN);
			if (on < delta)
				add_block(&s->key, delta - on);
		}
		/* A thread leaving for good is not waited for: its id may
		 * come back as another thread's. */
		state = task_state(prev);
		if (!(state & TASK_DEAD) && state_wanted(state)) {
			tk_stack_key_current(ctx, &st.key, id, targ_per_tid);
			if (bpf_map_update_elem(&start, &tid, &st, BPF_ANY))
				tk_stack_err(OFFCPU_START_FULL);
		} else if (s) {
			bpf_map_delete_elem(&start, &tid);
		}
	}
	/* next comes back: the time it was away. */
	tid = BPF_CORE_READ(next, pid);
	s = bpf_map_lookup_elem(&start, &tid);
	if (!s)
		return 0;
	if (targ_drop_in && ++drop_in_count % targ_drop_in == 0)
		return 0;
	delta = now - s->ts;
	key = s->key;
	bpf_map_delete_elem(&start, &tid);
	add_block(&key, delta);
	return 0;
}

SEC("tp_btf/sched_switch")
int sched_switch_btf(__u64 *ctx)
{
	/* (bool preempt, struct task_struct *prev, struct task_struct *next
	 *  [, unsigned int prev_state since 5.18]) */
	return on_switch(ctx, (struct task_struct *)ctx[1], (struct task_struct *)ctx[2]);
}

SEC("raw_tp/sched_switch")
int sched_switch_raw(struct bpf_raw_tracepoint_args *ctx)
{
	return on_switch(ctx, (struct task_struct *)ctx->args[1],
			 (struct task_struct *)ctx->args[2]);
}
