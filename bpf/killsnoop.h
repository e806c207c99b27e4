/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
#ifndef KILLSNOOP_H
#define KILLSNOOP_H

enum killsnoop_call {
	KILLSNOOP_KILL,
	KILLSNOOP_TKILL,
	KILLSNOOP_TGKILL,
	KILLSNOOP_PIDFD,	/* pidfd_send_signal */
};

struct killsnoop_event {
	__u64 ts_ns;		/* CLOCK_MONOTONIC at the syscall's return */
	__u32 pid;		/* sender */
	__u32 tid;
	__u32 uid;
	__s32 tpid;		/* kill: the pid argument (<= 0: a group, all);
				 * tkill, tgkill: the thread; pidfd: its pid,
				 * or -1 if it could not be resolved */
	__s32 ttgid;		/* tgkill: the thread group; pidfd: the fd */
	__s32 sig;
	__s32 ret;		/* 0, or -errno */
	__u8 call;		/* enum killsnoop_call */
	__u8 pad[3];
	char comm[16];
};

#endif
