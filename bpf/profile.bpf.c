// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* profile: CPU samples by stack, counted in the kernel.
 *
 * A perf event per CPU (cycles, or the cpu-clock where there is no
 * hardware counter) runs this program HZ times a second; it keeps the
 * interrupted task's user and kernel stacks in a stack map and counts the
 * pair in a hash. Userspace reads both once, at the end. */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include "profile.h"
#include "filter.bpf.h"

#define EFAULT 14
#define EEXIST 17

const volatile bool targ_user = true;		/* not -K */
const volatile bool targ_kernel = true;		/* not -U */
const volatile bool targ_per_tid = false;	/* -L */
const volatile bool targ_idle = false;		/* -I: the idle task too */

struct {
	__uint(type, BPF_MAP_TYPE_STACK_TRACE);
	__uint(max_entries, 1);		/* sized by userspace */
	__type(key, __u32);
	__uint(value_size, PROFILE_MAX_DEPTH * sizeof(__u64));
} stacks SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 1);		/* sized by userspace */
	__type(key, struct profile_key);
	__type(value, __u64);
} counts SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, PROFILE_NERR);
	__type(key, __u32);
	__type(value, __u64);
} errs SEC(".maps");

char LICENSE[] SEC("license") = "GPL";

static __always_inline void count_err(__u32 which)
{
	__u64 *n = bpf_map_lookup_elem(&errs, &which);

	if (n)
		(*n)++;
}

static __always_inline __s32 stack_id(void *ctx, __u64 flags, __u32 efault)
{
	long id = bpf_get_stackid(ctx, &stacks, flags);

	if (id >= 0)
		return id;
	if (id == -EFAULT)
		count_err(efault);
	else if (id == -EEXIST)
		count_err(PROFILE_COLLISION);
	else
		count_err(PROFILE_STACK_OTHER);
	return id;
}

SEC("perf_event")
int do_sample(struct bpf_perf_event_data *ctx)
{
	__u64 id = bpf_get_current_pid_tgid(), one = 1, *n;
	struct profile_key key = {};

	if (!targ_idle && (__u32)id == 0)
		return 0;
	if (!tk_filter_pass(id))
		return 0;
	count_err(PROFILE_SAMPLES);
	key.pid = id >> 32;
	if (targ_per_tid)
		key.tid = (__u32)id;
	bpf_get_current_comm(key.comm, sizeof(key.comm));
	key.user_stack_id = targ_user ? stack_id(ctx, BPF_F_USER_STACK, PROFILE_USER_EFAULT) : -1;
	key.kernel_stack_id = targ_kernel ? stack_id(ctx, 0, PROFILE_KERNEL_EFAULT) : -1;

	n = bpf_map_lookup_elem(&counts, &key);
	if (n) {
		__sync_fetch_and_add(n, 1);
		return 0;
	}
	/* EEXIST: another CPU added it meanwhile; count on that one. */
	if (bpf_map_update_elem(&counts, &key, &one, BPF_NOEXIST)) {
		n = bpf_map_lookup_elem(&counts, &key);
		if (n)
			__sync_fetch_and_add(n, 1);
		else
			count_err(PROFILE_COUNTS_FULL);
	}
	return 0;
}
