/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* The TCP tools on sock:inet_sock_set_state (tcpstates, tcplife) and on a
 * struct sock (tcpaccept's new socket, tcpretrans): the socket's addresses
 * and ports, IPv4-mapped IPv6 folded into IPv4, and the -4/-6 and -L/-D (-P)
 * filters. */
#ifndef TK_SOCKSTATE_BPF_H
#define TK_SOCKSTATE_BPF_H

#include <bpf/bpf_core_read.h>
#include <bpf/bpf_endian.h>

#ifndef AF_INET
#define AF_INET 2
#endif
#ifndef AF_INET6
#define AF_INET6 10
#endif

/* One bit per port: a port list of any length costs one load. */
#define TK_PORT_WORDS (65536 / 64)

/* Addresses in network byte order (IPv4: the first 4 bytes, the rest 0);
 * ports in host order; ip 4 or 6. */
struct tk_sock_tuple {
	__u8 saddr[16];
	__u8 daddr[16];
	__u16 sport;		/* local */
	__u16 dport;		/* remote */
	__u8 ip;
	__u8 pad[3];
};

/* ::ffff:a.b.c.d, an IPv4 peer of an AF_INET6 socket. */
static __always_inline bool tk_v4_mapped(const __u8 *a)
{
	const __u32 *w = (const __u32 *)a;

	return w[0] == 0 && w[1] == 0 && w[2] == bpf_htonl(0xffff);
}

static __always_inline bool tk_v6_unspecified(const __u8 *a)
{
	const __u32 *w = (const __u32 *)a;

	return !(w[0] | w[1] | w[2] | w[3]);
}

/* @t's addresses as IPv4 ones (network byte order), the rest zeroed. */
static __always_inline void tk_tuple_v4(struct tk_sock_tuple *t, __u32 saddr, __u32 daddr)
{
	__builtin_memset(t->saddr, 0, sizeof(t->saddr));
	__builtin_memset(t->daddr, 0, sizeof(t->daddr));
	*(__u32 *)t->saddr = saddr;
	*(__u32 *)t->daddr = daddr;
}

/* t->ip for a socket of @family whose IPv6 addresses (if any) are in @t:
 * false for families other than IPv4/IPv6. */
static __always_inline bool tk_tuple_ip(struct tk_sock_tuple *t, __u16 family)
{
	if (family == AF_INET6) {
		t->ip = 6;
		if (tk_v4_mapped(t->daddr) ||
		    (tk_v6_unspecified(t->daddr) && tk_v4_mapped(t->saddr)))
			t->ip = 4;
		return true;
	}
	t->ip = 4;
	return family == AF_INET;
}

/* The socket of a state change: false for families other than IPv4/IPv6.
 * The tracepoint fills its IPv4 fields from inet_saddr/inet_daddr for every
 * socket, so a mapped IPv6 socket (connected to, or accepted from, an IPv4
 * peer) is reported as IPv4 from those. */
static __always_inline bool
tk_sock_tuple(const struct trace_event_raw_inet_sock_set_state *ctx, struct tk_sock_tuple *t)
{
	__u16 family = ctx->family;

	/* The family is loaded once and kept, and the arrays are read with a
	 * probe: the verifier refuses loads through a moved context pointer,
	 * which is what the compiler makes of a second load. */
	barrier_var(family);
	if (family == AF_INET6) {
		BPF_CORE_READ_INTO(&t->saddr, ctx, saddr_v6);
		BPF_CORE_READ_INTO(&t->daddr, ctx, daddr_v6);
	}
	if (!tk_tuple_ip(t, family))
		return false;
	if (t->ip == 4) {
		__u32 s = 0, d = 0;

		BPF_CORE_READ_INTO(&s, ctx, saddr);
		BPF_CORE_READ_INTO(&d, ctx, daddr);
		tk_tuple_v4(t, s, d);
	}
	t->sport = ctx->sport;
	t->dport = ctx->dport;
	return true;
}

/* The addresses and ports of @sk itself (tcpaccept's new socket, tcpretrans'
 * hooks), read through CO-RE and folded as tk_sock_tuple folds the
 * tracepoint's. */
static __always_inline bool tk_sk_tuple(const struct sock *sk, struct tk_sock_tuple *t)
{
	__u16 family = BPF_CORE_READ(sk, __sk_common.skc_family);

	if (family == AF_INET6) {
		BPF_CORE_READ_INTO(&t->saddr, sk, __sk_common.skc_v6_rcv_saddr);
		BPF_CORE_READ_INTO(&t->daddr, sk, __sk_common.skc_v6_daddr);
	}
	if (!tk_tuple_ip(t, family))
		return false;
	/* A mapped IPv6 socket has its IPv4 addresses in the IPv4 fields too. */
	if (t->ip == 4)
		tk_tuple_v4(t, BPF_CORE_READ(sk, __sk_common.skc_rcv_saddr),
			    BPF_CORE_READ(sk, __sk_common.skc_daddr));
	t->sport = BPF_CORE_READ(sk, __sk_common.skc_num);
	t->dport = bpf_ntohs(BPF_CORE_READ(sk, __sk_common.skc_dport));
	return true;
}

/* tcp:tcp_retransmit_skb (tcpconnect, tcpretrans). Until it got its own
 * event class (6.x, with an err field), it was of class tcp_event_sk_skb;
 * both start with skbaddr and skaddr. Both shapes are declared here, not
 * taken from vmlinux.h: each architecture's header comes from a different
 * kernel (arm64's from 6.1, which has only the old class). */
struct trace_event_raw_tcp_retransmit_skb___new {
	struct trace_entry ent;
	const void *skbaddr;
	const void *skaddr;
	int err;
} __attribute__((preserve_access_index));

struct trace_event_raw_tcp_event_sk_skb___old {
	struct trace_entry ent;
	const void *skbaddr;
	const void *skaddr;
} __attribute__((preserve_access_index));

/* The socket of a tcp_retransmit_skb hit; its skb in @skb and the
 * retransmit's result in @err (0 where the kernel has no err field: it
 * fired only for retransmits that went out), each if not NULL. */
static __always_inline const struct sock *
tk_retransmit_sk(void *ctx, const struct sk_buff **skb, int *err)
{
	struct trace_event_raw_tcp_retransmit_skb___new *n = ctx;
	struct trace_event_raw_tcp_event_sk_skb___old *o = ctx;

	/* Probe reads: the compiler merges the two branches into one load
	 * through a computed context pointer, which the verifier refuses. */
	if (bpf_core_type_exists(struct trace_event_raw_tcp_retransmit_skb___new)) {
		if (skb)
			*skb = BPF_CORE_READ(n, skbaddr);
		if (err)
			*err = bpf_core_field_exists(n->err) ? BPF_CORE_READ(n, err) : 0;
		return BPF_CORE_READ(n, skaddr);
	}
	if (skb)
		*skb = BPF_CORE_READ(o, skbaddr);
	if (err)
		*err = 0;
	return BPF_CORE_READ(o, skaddr);
}

/* @port is in the -L/-D bitmap @bits. */
static __always_inline bool tk_port_in(const volatile __u64 *bits, __u16 port)
{
	return bits[port / 64] & (1ULL << (port % 64));
}

#ifdef TK_SOCK_FILTERS
/* The -4/-6 and -L/-D filters of the tools that report every socket's state
 * changes (tcpstates, tcplife), retransmits (tcpretrans) and tcpaccept's
 * -4/-6 and -P, set by
 * userspace before load. */
const volatile __u8 targ_ip = 0;		/* -4 or -6: 4 or 6; 0: both */
const volatile bool filter_sport = false;	/* -L */
const volatile bool filter_dport = false;	/* -D */
const volatile __u64 targ_sports[TK_PORT_WORDS] = {};
const volatile __u64 targ_dports[TK_PORT_WORDS] = {};

/* A socket's tuple passes -4/-6 and -L/-D (tcpaccept's -P is its -L). */
static __always_inline bool tk_tuple_wanted(const struct tk_sock_tuple *t)
{
	if (targ_ip && targ_ip != t->ip)
		return false;
	if (filter_sport && !tk_port_in(targ_sports, t->sport))
		return false;
	if (filter_dport && !tk_port_in(targ_dports, t->dport))
		return false;
	return true;
}

/* The socket of a state change, if it passes -4/-6 and -L/-D. */
static __always_inline bool
tk_sock_wanted(const struct trace_event_raw_inet_sock_set_state *ctx, struct tk_sock_tuple *t)
{
	return tk_sock_tuple(ctx, t) && tk_tuple_wanted(t);
}
#endif

#endif
