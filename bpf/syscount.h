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
	char comm[16];
};

#endif
