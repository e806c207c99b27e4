/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
#ifndef BINDSNOOP_H
#define BINDSNOOP_H

#define BINDSNOOP_MAX_PORTS 64		/* -P list entries (a bitmap in the kernel) */

/* Socket options set when bind() returned (OPTS column, in this order). */
#define BINDSNOOP_FREEBIND	(1 << 0)	/* F: IP_FREEBIND / IPV6_FREEBIND */
#define BINDSNOOP_TRANSPARENT	(1 << 1)	/* T: IP_TRANSPARENT */
#define BINDSNOOP_NO_PORT	(1 << 2)	/* N: IP_BIND_ADDRESS_NO_PORT */
#define BINDSNOOP_REUSEADDR	(1 << 3)	/* R: SO_REUSEADDR */
#define BINDSNOOP_REUSEPORT	(1 << 4)	/* r: SO_REUSEPORT */

/* Where the address came from. */
#define BINDSNOOP_ADDR_USER	1	/* the caller's sockaddr, read at sys_enter_bind */
#define BINDSNOOP_ADDR_KERNEL	2	/* the kernel's copy, in cgroup/bind4 or bind6 */

/* One bind() on an IPv4 or IPv6 socket, with its result. The address is in
 * network byte order (IPv4: the first 4 bytes), ports in host order. */
struct bindsnoop_event {
	__u64 ts_ns;		/* CLOCK_MONOTONIC at sys_enter_bind */
	__u32 pid;
	__u32 tid;
	__u32 uid;
	__s32 ret;		/* 0 or -errno */
	__u32 ifindex;		/* the socket's bound device (SO_BINDTODEVICE), 0: none */
	__u16 port;		/* bound port (the kernel's choice for 0) on success, else asked */
	__u16 asked_port;	/* the port in the caller's sockaddr */
	__u8 addr[16];
	__u8 ip;		/* 4 or 6: the address family given */
	__u8 opts;		/* BINDSNOOP_* option bits */
	__u16 proto;		/* sk_protocol (IPPROTO_*); 0: not a socket */
	__u16 type;		/* SOCK_STREAM, SOCK_DGRAM, SOCK_RAW...; 0: not a socket */
	__u8 addr_src;		/* BINDSNOOP_ADDR_* */
	__u8 pad;
	char comm[16];
};

#endif
