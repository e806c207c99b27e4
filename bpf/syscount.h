/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
#ifndef SYSCOUNT_H
#define SYSCOUNT_H

#define SYSCOUNT_MAX_NR 1024	/* syscall numbers counted per syscall */

struct syscount_value {
	__u64 count;
	__u64 total_ns;		/* -L only */
};

struct syscount_proc {
	__u64 count;
	__u64 total_ns;
	__u64 comm_ns;		/* when this CPU's copy of comm last changed */
	char comm[16];
};

#endif
