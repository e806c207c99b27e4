/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
#ifndef TCPCONNECT_H
#define TCPCONNECT_H

#define TCPCONNECT_MAX_PORTS 64		/* -P list entries (a bitmap in the kernel) */

/* One active connection whose SYN was sent. Addresses are in network byte
 * order as the kernel keeps them (IPv4: the first 4 bytes); ports are in
 * host order. */
struct tcpconnect_event {
	__u64 ts_ns;		/* CLOCK_MONOTONIC when the connect sent its SYN */
	__u32 pid;		/* process */
	__u32 tid;
	__u32 uid;
	__u16 lport;		/* -L only; 0: not known (see tcpconnect(8)) */
	__u16 dport;
	__u8 saddr[16];
	__u8 daddr[16];
	__u8 ip;		/* 4 or 6; IPv4-mapped IPv6 connects count as 4 */
	__u8 pad[7];
	char comm[16];
};

/* -c: connects counted per source, destination and destination port. */
struct tcpconnect_key {
	__u8 saddr[16];
	__u8 daddr[16];
	__u16 dport;
	__u8 ip;
	__u8 pad;		/* zeroed: hash keys compare every byte */
};

#endif
