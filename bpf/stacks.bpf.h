/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* The kernel half of the stack tools: the stacks seen, a hash of counts by
 * tk_stack_key, the per-CPU reasons for lost stacks. Userspace sizes the
 * maps and reads them once, at the end (common/stacks).
 *
 * The stacks are kept in a plain hash by a 63-bit hash of their frames,
 * not in a stack map: a stack map is always preallocated (16 MB at 16384
 * stacks of 127 frames, ~24 ms to create on a fresh VM) and keeps one
 * stack per bucket of its own 32-bit hash, so two stacks meeting in a
 * bucket lose the second. A plain hash fills as stacks come where the
 * kernel allows it (tk_maps_on_demand, 6.1+), and two different stacks
 * share an id only if their 63-bit hashes are equal. */
#ifndef TK_STACKS_BPF_H
#define TK_STACKS_BPF_H

#include "stackkey.h"

#ifndef TK_STACK_NERRS		/* a tool with reasons of its own sets it higher */
#define TK_STACK_NERRS TK_STACK_NERR
#endif

#define TK_EFAULT 14
#define TK_EEXIST 17
#define TK_E2BIG 7

const volatile bool targ_user = true;		/* not -K */
const volatile bool targ_kernel = true;		/* not -U */

/* The kernel stacks and the user stacks, each in a map of its own: where
 * maps fill as entries come, the kernel's allocator keeps only one entry
 * of this size ready on each CPU at the start, and refills after the
 * program has run; a run that keeps two new stacks takes one from each. */
struct tk_stacks_map {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 1);		/* sized by userspace (tk_stacks_size) */
	__type(key, __s64);		/* the frames' hash (tk_stack_hash) */
	__type(value, struct tk_stack);
};
struct tk_stacks_map kstacks SEC(".maps");
struct tk_stacks_map ustacks SEC(".maps");

/* Where a stack is read before it is hashed: one per CPU (the programs
 * that use it do not nest on a CPU). */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct tk_stack);
} stack_buf SEC(".maps");

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

/* The first @n bytes of @st's frames, hashed (a multiply-xorshift round
 * per frame, murmur3's finaliser at the end), with the top bit clear: a
 * negative id is an errno. */
static __always_inline __s64 tk_stack_hash(const struct tk_stack *st, long n)
{
	__u64 h = 0x9e3779b97f4a7c15ULL ^ n;
	int i;

	for (i = 0; i < TK_STACK_MAX_DEPTH; i++) {
		if (i * sizeof(__u64) >= n)
			break;
		h = (h ^ st->ips[i]) * 0xff51afd7ed558ccdULL;
		h ^= h >> 32;
	}
	h ^= h >> 33;
	h *= 0xc4ceb9fe1a85ec53ULL;
	h ^= h >> 33;
	return h & 0x7fffffffffffffffULL;
}

/* The current stack (@flags: BPF_F_USER_STACK or 0), kept in @map: its
 * id, or a negative errno counted in errs (@efault: no stack of that side,
 * as for a kernel thread's user stack). */
static __always_inline __s64 tk_stack_id(void *ctx, void *map, __u64 flags, __u32 efault)
{
	__u32 zero = 0;
	struct tk_stack *st = bpf_map_lookup_elem(&stack_buf, &zero);
	long n, err;
	__s64 id;

	if (!st)
		return -TK_EFAULT;
	/* Bytes written; the rest of the buffer is zeroed. */
	n = bpf_get_stack(ctx, st->ips, sizeof(st->ips), flags);
	if (n <= 0) {
		if (n == 0 || n == -TK_EFAULT) {
			tk_stack_err(efault);
			return -TK_EFAULT;
		}
		tk_stack_err(TK_STACK_OTHER);
		return n;
	}
	id = tk_stack_hash(st, n);
	if (bpf_map_lookup_elem(map, &id))
		return id;
	/* EEXIST: another CPU kept it meanwhile. */
	err = bpf_map_update_elem(map, &id, st, BPF_NOEXIST);
	if (!err || err == -TK_EEXIST)
		return id;
	tk_stack_err(err == -TK_E2BIG ? TK_STACK_FULL : TK_STACK_OTHER);
	return err;
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
		tk_stack_id(ctx, &ustacks, BPF_F_USER_STACK, TK_STACK_USER_EFAULT) : -1;
	key->kernel_stack_id = targ_kernel ?
		tk_stack_id(ctx, &kstacks, 0, TK_STACK_KERNEL_EFAULT) : -1;
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
