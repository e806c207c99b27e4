/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* The one filter every tool runs first, from read-only data set before load:
 * the verifier sees the constants and prunes the checks that are off. */
#ifndef TK_FILTER_BPF_H
#define TK_FILTER_BPF_H

#include "filter.h"
#include "drops.bpf.h"

const volatile struct tk_config tk_config = {
	.filter = { .uid = TK_NO_UID },
};

struct {
	__uint(type, BPF_MAP_TYPE_CGROUP_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u32);
} tk_cgroup_map SEC(".maps");

static __always_inline bool tk_comm_match(void)
{
	char comm[TK_COMM_LEN];
	__u32 len = tk_config.filter.comm_len;
	int i, j;

	bpf_get_current_comm(comm, sizeof(comm));
	for (i = 0; i < TK_COMM_LEN; i++) {
		for (j = 0; j < TK_COMM_LEN - 1 && j < len; j++) {
			if (i + j >= TK_COMM_LEN - 1 || comm[i + j] != tk_config.filter.comm[j])
				break;
		}
		if (j == len)
			return true;
		if (!comm[i])
			break;
	}
	return false;
}

/* Some filter on the process is set (-p/-t/-u/-n/--cgroup): for tools that
 * check it against a task learnt earlier, not the current one. */
static __always_inline bool tk_filter_any(void)
{
	return tk_config.filter.tgid || tk_config.filter.tid ||
	       tk_config.filter.uid != TK_NO_UID || tk_config.filter.cgroup ||
	       tk_config.filter.comm_len;
}

/* True if the current task passes -p/-t/-u/-n/--cgroup and is not us. */
static __always_inline bool tk_filter_pass(__u64 pid_tgid)
{
	__u32 tgid = pid_tgid >> 32, tid = (__u32)pid_tgid;

	/* Inside a pid namespace (a container, unshare -p) the tool's own pid
	 * and -p/-t are pids there, and the kernel's are the initial
	 * namespace's: compare the current task's pids in the tool's
	 * namespace (bpf_get_ns_current_pid_tgid, 5.7). A task outside that
	 * namespace (or in one nested in it) has no match there: it is not
	 * the tool, and not the -p/-t asked for. On the initial namespace the
	 * branch is on read-only data, and the verifier drops it. */
	if (tk_config.filter.pidns_ino) {
		struct bpf_pidns_info ns = {};

		if (bpf_get_ns_current_pid_tgid(tk_config.filter.pidns_dev,
						tk_config.filter.pidns_ino, &ns, sizeof(ns))) {
			ns.pid = 0;
			ns.tgid = 0;
		}
		tgid = ns.tgid;
		tid = ns.pid;
		if (!tgid && (tk_config.filter.tgid || tk_config.filter.tid))
			return false;
	}
	/* A tracer reporting its own reads and writes of the results is noise. */
	if (tgid && tgid == tk_config.filter.self_tgid)
		return false;
	if (tk_config.filter.tgid && tgid != tk_config.filter.tgid)
		return false;
	if (tk_config.filter.tid && tid != tk_config.filter.tid)
		return false;
	if (tk_config.filter.uid != TK_NO_UID &&
	    (__u32)bpf_get_current_uid_gid() != tk_config.filter.uid)
		return false;
	if (tk_config.filter.cgroup && !bpf_current_task_under_cgroup(&tk_cgroup_map, 0))
		return false;
	if (tk_config.filter.comm_len && !tk_comm_match())
		return false;
	return true;
}

#endif
