/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* Everything the kernel saw but could not deliver or record is counted here
 * (per CPU, so no atomics) and reported by common/. Silent loss is a bug. */
#ifndef TK_DROPS_BPF_H
#define TK_DROPS_BPF_H

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u64);
} tk_drops SEC(".maps");

static __always_inline void tk_count_drop(void)
{
	__u32 zero = 0;
	__u64 *n = bpf_map_lookup_elem(&tk_drops, &zero);

	if (n)
		(*n)++;
}

#endif
