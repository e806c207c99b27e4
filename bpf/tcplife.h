/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
#ifndef TCPLIFE_H
#define TCPLIFE_H

#define TCPLIFE_MAX_PORTS 64		/* -L and -D list entries */

/* How the session's process was learnt (tcplife(8), OWNER). */
enum {
	TCPLIFE_OWNER_NONE = 0,		/* never seen in a process's context */
	TCPLIFE_OWNER_CONNECT = 1,	/* connect(): CLOSE -> SYN_SENT */
	TCPLIFE_OWNER_CLOSE = 2,	/* close()/shutdown() of a passive one */
};

/* One TCP session, reported when it closed. Addresses in network byte
 * order (IPv4: the first 4 bytes); ports in host order. */
struct tcplife_event {
	__u64 ts_ns;		/* CLOCK_MONOTONIC of the close */
	__u64 span_ns;		/* from the SYN (sent or received) to the close */
	__u64 tx_bytes;		/* tcp_sock.bytes_acked: sent and acknowledged */
	__u64 rx_bytes;		/* tcp_sock.bytes_received */
	__u32 pid;		/* the owner (0: none known) */
	__u32 uid;
	__u16 sport;		/* local */
	__u16 dport;		/* remote */
	__u8 ip;		/* 4 or 6; IPv4-mapped IPv6 counts as 4 */
	__u8 owner;		/* TCPLIFE_OWNER_* */
	__u8 active;		/* 1: we connected (SYN_SENT); 0: accepted */
	__u8 pad;
	__u8 saddr[16];		/* local */
	__u8 daddr[16];		/* remote */
	char comm[16];
};

#endif
