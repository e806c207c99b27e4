/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* The kernel half of the stack tools: a stack map, a hash of counts by
 * tk_stack_key, the per-CPU reasons for lost stacks. Userspace sizes the
 * maps and reads them once, at the end (common/stacks). */
#ifndef TK_STACKS_BPF_H
#define TK_STACKS_BPF_H

#include "stackkey.h"

#ifndef TK_STACK_NERRS		/* a tool with reasons of its own sets it higher */
#define TK_STACK_NERRS TK_STACK_NERR
#endif

#define TK_EFAULT 14
#define TK_EEXIST 17

const volatile bool targ_user = true;		/* not -K */
const volatile bool targ_kernel = true;		/* not -U */

struct {
	__uint(type, BPF_MAP_TYPE_STACK_TRACE);
	__uint(max_entries, 1);		/* sized by userspace */
	__type(key, __u32);
	__uint(value_size, TK_STACK_MAX_DEPTH * sizeof(__u64));
} stacks SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 1);		/* sized by userspace */
	__type(key, struct tk_stack_key);
	__type(value, __u64);
} counts SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, TK_STACK_NERRS);
	__type(key, __u32);
	__type(value, __u64);
} errs SEC(".maps");

static __always_inline void tk_stack_err(__u32 which)
{
	__u64 *n = bpf_map_lookup_elem(&errs, &which);

	if (n)
		(*n)++;
}

static __always_inline __s32 tk_stack_id(void *ctx, __u64 flags, __u32 efault)
{
	long id = bpf_get_stackid(ctx, &stacks, flags);

	if (id >= 0)
		return id;
	if (id == -TK_EFAULT)
		tk_stack_err(efault);
	else if (id == -TK_EEXIST)
		tk_stack_err(TK_STACK_COLLISION);
	else
		tk_stack_err(TK_STACK_OTHER);
	return id;
}

/* The current task's key: its process (and thread if @per_tid), comm, and
 * the stacks asked for (-1 for a side left out). */
static __always_inline void tk_stack_key_current(void *ctx, struct tk_stack_key *key,
						 __u64 pid_tgid, bool per_tid)
{
	key->pid = pid_tgid >> 32;
	key->tid = per_tid ? (__u32)pid_tgid : 0;
	bpf_get_current_comm(key->comm, sizeof(key->comm));
	key->user_stack_id = targ_user ?
		tk_stack_id(ctx, BPF_F_USER_STACK, TK_STACK_USER_EFAULT) : -1;
	key->kernel_stack_id = targ_kernel ? tk_stack_id(ctx, 0, TK_STACK_KERNEL_EFAULT) : -1;
}

/* Add @n to @key's count; a full table is counted, not silent. */
static __always_inline void tk_stack_count(const struct tk_stack_key *key, __u64 n)
{
	__u64 *v = bpf_map_lookup_elem(&counts, key);

	if (v) {
		__sync_fetch_and_add(v, n);
		return;
	}
	/* EEXIST: another CPU added it meanwhile; count on that one. */
	if (bpf_map_update_elem(&counts, key, &n, BPF_NOEXIST)) {
		v = bpf_map_lookup_elem(&counts, key);
		if (v)
			__sync_fetch_and_add(v, n);
		else
			tk_stack_err(TK_STACK_COUNTS_FULL);
	}
}

#endif
