/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* Filters every tool applies in the kernel, shared with userspace. */
#ifndef TK_FILTER_H
#define TK_FILTER_H

#define TK_COMM_LEN 16
#define TK_NO_UID 0xffffffffu

struct tk_filter {
	__u32 tgid;		/* process (-p); 0: any */
	__u32 tid;		/* thread (-t); 0: any */
	__u32 uid;		/* real uid (-u); TK_NO_UID: any */
	__u32 self_tgid;	/* the tool itself, never traced (set by common/) */
	__u8 cgroup;		/* only tasks in or under tk_cgroup_map[0] (--cgroup) */
	__u8 comm_len;		/* -n: substring of comm; 0: any */
	__u8 pad[2];
	char comm[TK_COMM_LEN];
	/* The tool's pid namespace (common/pidns.c), when it is not the
	 * initial one: then self_tgid, tgid and tid are pids in it. */
	__u32 pidns_dev;	/* nsfs device (kernel encoding); 0: initial namespace */
	__u32 pidns_ino;
	__u32 pad2;
};

/* Knobs for event delivery, set by common/ before load. */
struct tk_config {
	struct tk_filter filter;
	__u64 wakeup_bytes;	/* wake the reader once this much is queued; 0: every record */
	__u32 perf_buffer;	/* stream through the perf buffer even if there is a ring */
	__u32 pad;
};

#endif
