// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* profile: CPU samples by stack, counted in the kernel.
 *
 * A perf event per CPU (cycles, or the cpu-clock where there is no
 * hardware counter) runs this program HZ times a second; it keeps the
 * interrupted task's user and kernel stacks in a stack map and counts the
 * pair in a hash (stacks.bpf.h). Userspace reads both once, at the end. */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include "filter.bpf.h"
#include "stacks.bpf.h"

const volatile bool targ_per_tid = false;	/* -L */
const volatile bool targ_idle = false;		/* -I: the idle task too */

char LICENSE[] SEC("license") = "GPL";

SEC("perf_event")
int do_sample(struct bpf_perf_event_data *ctx)
{
	__u64 id = bpf_get_current_pid_tgid();
	struct tk_stack_key key = {};

	if (!targ_idle && (__u32)id == 0)
		return 0;
	if (!tk_filter_pass(id))
		return 0;
	tk_stack_err(TK_STACK_EVENTS);
	tk_stack_key_current(ctx, &key, id, targ_per_tid);
	tk_stack_count(&key, 1);
	return 0;
}
