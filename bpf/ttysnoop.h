/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
#ifndef TTYSNOOP_H
#define TTYSNOOP_H

/* -s: bytes of data per record. The ring buffer record is header + SIZE,
 * a constant the verifier reads from .rodata. */
#define TTYSNOOP_DEF_SIZE 256		/* as bcc */
#define TTYSNOOP_MAX_SIZE 16384	/* perf-buffer kernels stage a record in a per-CPU map value: 32 KiB at most */
/* -c: records per write. Every record costs a trip round the kernel's loop,
 * which the verifier walks once per possible iteration. */
#define TTYSNOOP_DEF_COUNT 16		/* as bcc */
#define TTYSNOOP_MAX_COUNT 64
/* writev(2) refuses more segments than this (UIO_MAXIOV). */
#define TTYSNOOP_MAX_SEGS 1024

/* Terminal majors for -a, one bit each (dynamic char majors end at 511). */
#define TTYSNOOP_MAJORS 512
#define TTYSNOOP_MAJOR_WORDS (TTYSNOOP_MAJORS / 64)

#define TTYSNOOP_LAST 1		/* no record of this write follows */
/* The variant saw the write's entry only (fentry, kprobe): total is what it
 * asked to write, not what the terminal took. Without it, total is the
 * write's return value. */
#define TTYSNOOP_UNCONFIRMED 2

/* One record of a write: a write longer than SIZE is split into records of
 * up to SIZE bytes each, sent in order, which userspace joins again by
 * (tid, ts_ns). */
struct ttysnoop_event {
	__u64 ts_ns;		/* when the write began; with tid, names the write */
	__u64 total;		/* bytes written (TTYSNOOP_UNCONFIRMED: asked to) */
	__u32 pid;
	__u32 tid;
	__u32 dev;		/* the terminal written to (kernel MKDEV encoding) */
	__u32 len;		/* bytes in data[] */
	__u16 chunk;		/* index of this record among the write's records */
	__u8 flags;		/* TTYSNOOP_LAST, TTYSNOOP_UNCONFIRMED */
	__u8 pad[5];
	char comm[16];
	char data[];		/* -s SIZE bytes reserved, len used */
};

#endif
