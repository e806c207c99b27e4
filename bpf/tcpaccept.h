/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
#ifndef TCPACCEPT_H
#define TCPACCEPT_H

#define TCPACCEPT_MAX_PORTS 64		/* -P list entries (a bitmap in the kernel) */

/* One accepted TCP connection. Addresses in network byte order (IPv4: the
 * first 4 bytes); ports in host order. */
struct tcpaccept_event {
	__u64 ts_ns;		/* CLOCK_MONOTONIC of the accept */
	__u32 pid;		/* the acceptor */
	__u32 tid;
	__u32 uid;
	__u16 lport;		/* local: the listener's port */
	__u16 rport;		/* remote: the peer's */
	__u8 ip;		/* 4 or 6; IPv4-mapped IPv6 counts as 4 */
	__u8 pad[7];
	__u8 laddr[16];
	__u8 raddr[16];
	char comm[16];
};

#endif
