/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
#ifndef SSLSNIFF_H
#define SSLSNIFF_H

/* The most plaintext one record carries: one TLS record's worth, which is
 * also the most one SSL_read returns. (The perf-buffer fallback stages a
 * record in a per-CPU map, whose values the kernel caps at 32 KiB.) */
#define SSLSNIFF_MAX_BUF 16384
/* Records are reserved in the smallest of these data sizes that holds the
 * capture, so short writes do not each take 16 KiB of the ring buffer. */
#define SSLSNIFF_BUF_SMALL 256
#define SSLSNIFF_BUF_MEDIUM 2048

/* The functions traced. Userspace maps each to its library, its symbol and
 * whether it reads, writes or handshakes. */
enum sslsniff_func {
	SSLSNIFF_SSL_WRITE,
	SSLSNIFF_SSL_READ,
	SSLSNIFF_SSL_WRITE_EX,
	SSLSNIFF_SSL_READ_EX,
	SSLSNIFF_SSL_DO_HANDSHAKE,
	SSLSNIFF_GNUTLS_RECORD_SEND,
	SSLSNIFF_GNUTLS_RECORD_RECV,
	SSLSNIFF_GNUTLS_RECORD_RECV_SEQ,
	SSLSNIFF_GNUTLS_HANDSHAKE,
	SSLSNIFF_PR_WRITE,
	SSLSNIFF_PR_SEND,
	SSLSNIFF_PR_READ,
	SSLSNIFF_PR_RECV,
	SSLSNIFF_NFUNCS,
};

struct sslsniff_event {
	__u64 ts_ns;		/* CLOCK_MONOTONIC at the call's return */
	__u64 lat_ns;		/* time spent in the call */
	__u32 pid;		/* process */
	__u32 tid;
	__u32 uid;
	__u32 len;		/* bytes the call read or wrote (0 for handshakes) */
	__u32 captured;		/* bytes of them in data[] */
	__s32 ret;		/* the call's return value */
	__u8 func;		/* enum sslsniff_func */
	__u8 copy_failed;	/* the caller's buffer could not be read */
	__u8 pad[6];
	char comm[16];
	__u8 data[SSLSNIFF_MAX_BUF];
};

#define SSLSNIFF_HDR_SIZE ((unsigned long)&((struct sslsniff_event *)0)->data)

#endif
