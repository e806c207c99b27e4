/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
#ifndef TCPSTATES_H
#define TCPSTATES_H

#define TCPSTATES_MAX_PORTS 64		/* -L and -D list entries */

/* One TCP state change. Addresses in network byte order (IPv4: the first 4
 * bytes); ports in host order; states as the kernel numbers them
 * (TCP_ESTABLISHED 1 ... TCP_NEW_SYN_RECV 12). */
struct tcpstates_event {
	__u64 ts_ns;		/* CLOCK_MONOTONIC of the change */
	__u64 skaddr;		/* the struct sock */
	__u64 delta_ns;		/* time in oldstate; 0: first change seen */
	__u32 pid;		/* the task on the CPU (can be softirq's host) */
	__u32 tid;
	__u16 sport;		/* local */
	__u16 dport;		/* remote */
	__u8 ip;		/* 4 or 6; IPv4-mapped IPv6 counts as 4 */
	__u8 oldstate;
	__u8 newstate;
	__u8 pad;
	__u8 saddr[16];		/* local */
	__u8 daddr[16];		/* remote */
	char comm[16];
};

#endif
