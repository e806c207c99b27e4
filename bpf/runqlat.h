/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
#ifndef RUNQLAT_H
#define RUNQLAT_H

/* log2 slots: in microseconds the last one starts at 2^26 us (67 s) and
 * takes everything slower, as biolatency's. */
#define RUNQLAT_SLOTS 27
#define RUNQLAT_COMM_LEN 16

/* What a histogram is kept per (runqlat.bpf.c's targ_per). */
enum runqlat_per {
	RUNQLAT_ALL = 0,
	RUNQLAT_PID = 1,	/* -P: the process (tgid) */
	RUNQLAT_TID = 2,	/* -L: the thread */
	RUNQLAT_PIDNS = 3,	/* --pidnss: the PID namespace (its inode number) */
};

/* One histogram per key; 0 without -P, -L or --pidnss. */
struct runqlat_key {
	__u32 id;
	__u32 pad;
};

/* Counted per CPU and never reset: userspace reports the growth since its
 * previous report. comm: the task that last added to it (-P, -L, --pidnss). */
struct runqlat_hist {
	__u64 slots[RUNQLAT_SLOTS];
	__u64 count;
	__u64 total_ns;
	char comm[RUNQLAT_COMM_LEN];
};

#endif
