/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* The TCP tools on sock:inet_sock_set_state (tcpstates, tcplife) and
 * tcpaccept: the socket's addresses and ports as the tracepoint (or the
 * sock) carries them, IPv4-mapped IPv6 folded into IPv4, and the -L/-D (-P)
 * port bitmaps. */
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

/* The socket of a state change: false for families other than IPv4/IPv6.
 * The tracepoint fills its IPv4 fields from inet_saddr/inet_daddr for every
 * socket, so a mapped IPv6 socket (connected to, or accepted from, an IPv4
 * peer) is reported as IPv4 from those. */
static __always_inline bool
tk_sock_tuple(const struct trace_event_raw_inet_sock_set_state *ctx, struct tk_sock_tuple *t)
{
	/* The arrays are read with a probe: the verifier refuses loads through
	 * a pointer into the context. */
	if (ctx->family == AF_INET6) {
		BPF_CORE_READ_INTO(&t->saddr, ctx, saddr_v6);
		BPF_CORE_READ_INTO(&t->daddr, ctx, daddr_v6);
		t->ip = 6;
		if (tk_v4_mapped(t->daddr) ||
		    (tk_v6_unspecified(t->daddr) && tk_v4_mapped(t->saddr)))
			t->ip = 4;
	} else if (ctx->family == AF_INET) {
		t->ip = 4;
	} else {
		return false;
	}
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

/* The addresses and ports of @sk itself (tcpaccept's new socket, which no
 * tracepoint hands over), folded as tk_sock_tuple folds the tracepoint's. */
static __always_inline bool tk_sk_tuple(struct sock *sk, struct tk_sock_tuple *t)
{
	__u16 family = BPF_CORE_READ(sk, __sk_common.skc_family);

	if (family == AF_INET6) {
		BPF_CORE_READ_INTO(&t->saddr, sk, __sk_common.skc_v6_rcv_saddr);
		BPF_CORE_READ_INTO(&t->daddr, sk, __sk_common.skc_v6_daddr);
		t->ip = tk_v4_mapped(t->daddr) ? 4 : 6;
	} else if (family == AF_INET) {
		t->ip = 4;
	} else {
		return false;
	}
	/* A mapped IPv6 socket has its IPv4 addresses in the IPv4 fields too. */
	if (t->ip == 4)
		tk_tuple_v4(t, BPF_CORE_READ(sk, __sk_common.skc_rcv_saddr),
			    BPF_CORE_READ(sk, __sk_common.skc_daddr));
	t->sport = BPF_CORE_READ(sk, __sk_common.skc_num);
	t->dport = bpf_ntohs(BPF_CORE_READ(sk, __sk_common.skc_dport));
	return true;
}

/* @port is in the -L/-D bitmap @bits. */
static __always_inline bool tk_port_in(const volatile __u64 *bits, __u16 port)
{
	return bits[port / 64] & (1ULL << (port % 64));
}

#ifdef TK_SOCK_FILTERS
/* The -4/-6 and -L/-D filters of the tools that report every socket's state
 * changes (tcpstates, tcplife), and tcpaccept's -4/-6 and -P, set by
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
