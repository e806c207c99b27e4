/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
#ifndef BIOLATENCY_H
#define BIOLATENCY_H

/* log2 slots of a histogram: in microseconds the last one starts at 2^26 us
 * (67 s) and takes everything slower, as bcc's biolatency. */
#define BIOLATENCY_SLOTS 27

/* One histogram per key. Fields the options do not ask for stay 0, so
 * without -D and -F there is exactly one key. */
struct biolatency_key {
	__u32 dev;		/* -D: the disk, as the kernel's MKDEV(major, minor) */
	__u32 flags;		/* -F: cmd_flags, masked to the bits that are named */
};

/* Counted per CPU and never reset: userspace reports the growth since its
 * previous report, so nothing counted between a read and a reset is lost. */
struct biolatency_hist {
	__u64 slots[BIOLATENCY_SLOTS];
	__u64 count;
	__u64 total_ns;
};

#endif
