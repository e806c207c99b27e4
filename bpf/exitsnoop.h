/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
#ifndef EXITSNOOP_H
#define EXITSNOOP_H

struct exitsnoop_event {
	__u64 ts_ns;		/* CLOCK_MONOTONIC at the exit */
	__u64 start_ns;		/* CLOCK_MONOTONIC when the task (-T) or the
				 * process (its leader) started */
	__u32 pid;
	__u32 tid;		/* the thread that exited (the last one, per process) */
	__u32 ppid;
	__u32 uid;
	__s32 exit_code;	/* as wait(2): (code << 8), or signal | 0x80 if core dumped */
	__u32 pad;
	char comm[16];
};

#endif
