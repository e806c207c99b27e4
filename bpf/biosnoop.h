/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
#ifndef BIOSNOOP_H
#define BIOSNOOP_H

/* queue_ns of a request that was not seen entering the queue (issued
 * directly, or queued before the tool started; and always without -Q). */
#define BIOSNOOP_NO_QUEUE 0xffffffffffffffffULL

/* One completed block I/O request. */
struct biosnoop_event {
	__u64 ts_ns;		/* CLOCK_MONOTONIC at completion */
	__u64 lat_ns;		/* issue to the driver -> completion */
	__u64 queue_ns;		/* -Q: insert into the queue -> issue */
	__u64 sector;		/* first sector, at issue */
	__u32 bytes;		/* size, at issue */
	__u32 dev;		/* the disk, as the kernel's MKDEV(major, minor) */
	__u32 cmd_flags;	/* operation and REQ_* flags */
	__u32 pid;		/* process the request was made for; 0: unknown */
	__s32 error;		/* blk_status_t at completion; 0: success */
	__u32 pad;
	char comm[16];		/* that process's name */
};

#endif
