/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
#ifndef DNSSNOOP_H
#define DNSSNOOP_H

/* Bytes of each DNS payload copied out: a classic UDP message in full
 * (512 is DNS's own limit without EDNS), the start of a larger one. */
#define DNSSNOOP_DATA 512
#define DNSSNOOP_MAX_PORTS 64		/* -P list entries */
/* -P as a bitmap of all 65536 ports: one load per packet, however long the list. */
#define DNSSNOOP_PORT_WORDS (65536 / 64)

enum dnssnoop_kind {
	DNSSNOOP_PACKET = 1,	/* a UDP datagram or TCP segment to or from a DNS port */
};

/* Who last used a socket, recorded by the cgroup socket hooks, which run in
 * the caller's context (the packet hooks do not: ingress runs in softirq). */
struct dnssnoop_owner {
	__u32 pid;		/* process */
	__u32 tid;		/* the thread that created, connected or sent */
	__u32 uid;
	__u32 pad;
	char comm[16];		/* the process's name (its main thread's), not the thread's */
};

/* One packet. Addresses in network byte order as on the wire (IPv4: the
 * first 4 bytes); ports in host order. */
struct dnssnoop_event {
	__u64 ts_ns;		/* CLOCK_MONOTONIC when the packet passed the hook */
	__u64 cookie;		/* socket cookie; 0: unknown (socket-filter variant) */
	struct dnssnoop_owner owner;	/* pid 0: the kernel could not attribute it */
	__u16 sport;
	__u16 dport;
	__u16 len;		/* transport payload bytes in the packet */
	__u16 caplen;		/* of which copied into data[] */
	__u8 kind;		/* enum dnssnoop_kind */
	__u8 ip;		/* 4 or 6 */
	__u8 proto;		/* IPPROTO_UDP or IPPROTO_TCP */
	__u8 egress;		/* 1: leaving a local socket; 0: arriving at one */
	__u8 pad[4];
	__u8 saddr[16];
	__u8 daddr[16];
	__u8 data[DNSSNOOP_DATA];	/* the transport payload's first bytes */
};

#endif
