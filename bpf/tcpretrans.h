/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
#ifndef TCPRETRANS_H
#define TCPRETRANS_H

#define TCPRETRANS_MAX_PORTS 64		/* -L and -D list entries */

#define TCPRETRANS_RETRANSMIT 1		/* T> R */
#define TCPRETRANS_TLP 2		/* T> L: a tail-loss probe (-l) */

/* One retransmitted skb, or one tail-loss probe. Addresses in network byte
 * order (IPv4: the first 4 bytes); ports in host order; state as the kernel
 * numbers it (TCP_ESTABLISHED 1 ...). */
struct tcpretrans_event {
	__u64 ts_ns;		/* CLOCK_MONOTONIC */
	__u64 skaddr;		/* the struct sock */
	__u32 pid;		/* the task on the CPU: mostly 0, a timer in softirq */
	__u16 sport;		/* local */
	__u16 dport;		/* remote */
	__u16 segs;		/* TCP segments in the skb (TSO/GSO); 0 for a TLP */
	__u8 ip;		/* 4 or 6; IPv4-mapped IPv6 counts as 4 */
	__u8 type;		/* TCPRETRANS_RETRANSMIT or TCPRETRANS_TLP */
	__u8 state;
	__u8 pad[3];
	__u8 saddr[16];		/* local */
	__u8 daddr[16];		/* remote */
};

/* -c: counted per flow in the kernel. */
struct tcpretrans_key {
	__u8 saddr[16];
	__u8 daddr[16];
	__u16 sport;
	__u16 dport;
	__u8 ip;
	__u8 pad[3];		/* zeroed: hash keys compare every byte */
};

struct tcpretrans_count {
	__u64 retransmits;	/* tracepoint hits (skbs) */
	__u64 segs;		/* segments in them: what TcpRetransSegs counts */
	__u64 tlps;		/* tail-loss probes (-l) */
};

#endif
