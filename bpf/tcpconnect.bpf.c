// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* tcpconnect: trace active TCP connections, reporting each connect whose SYN
 * was sent (tcp_v4_connect/tcp_v6_connect returned 0: a non-blocking
 * connect() returns EINPROGRESS to the caller, but only after these returned
 * 0, so it is reported like a blocking one).
 *
 * Variant "fentry": fexit on tcp_v4_connect and tcp_v6_connect. An fexit
 * program sees the arguments as well as the return value, so one program run
 * per connect does it all; an fentry program would only add a second.
 * Variant "kprobe": kprobes save the sock per thread, kretprobes report.
 * Variant "tracepoint" (no kprobes, no fentry): sock:inet_sock_set_state on
 * CLOSE -> SYN_SENT, which runs inside connect(), in the caller's context.
 * The local port is chosen only after that transition (inet_hash_connect),
 * so with -L the record waits in `pending`, keyed by sock, until the
 * socket's next state change or its first SYN retransmission, which carry
 * the port; userspace prints what is still waiting when it ends. */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>
#include <bpf/bpf_endian.h>
#include <bpf/bpf_tracing.h>
#include "tcpconnect.h"

#define TK_EVENT_MAX_SIZE sizeof(struct tcpconnect_event)
#include "events.bpf.h"
#include "sockstate.bpf.h"

const volatile bool count_mode = false;		/* -c */
const volatile bool want_lport = false;		/* -L, streaming: "tracepoint" defers */
const volatile __u8 targ_ip = 0;		/* -4 or -6: 4 or 6; 0: both */
const volatile bool filter_ports = false;	/* -P */
const volatile __u64 targ_ports[TK_PORT_WORDS] = {};

/* "kprobe": the sock of each thread inside tcp_v{4,6}_connect. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 10240);
	__type(key, __u32);
	__type(value, __u64);
} sockets SEC(".maps");

/* "tracepoint" with -L: records waiting for their local port, by sock. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 10240);
	__type(key, __u64);
	__type(value, struct tcpconnect_event);
} pending SEC(".maps");

/* -c: a plain hash with atomic adds; connects are not hot enough for
 * per-CPU copies of every key to pay off. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 10240);
	__type(key, struct tcpconnect_key);
	__type(value, __u64);
} counts SEC(".maps");

char LICENSE[] SEC("license") = "GPL";

static __always_inline bool port_pass(__u16 dport)
{
	if (!filter_ports)
		return true;
	return tk_port_in(targ_ports, dport);
}

static __always_inline bool ip_pass(__u8 ip)
{
	return !targ_ip || targ_ip == ip;
}

static __always_inline void fill_task(struct tcpconnect_event *e, __u64 id)
{
	e->ts_ns = bpf_ktime_get_ns();
	e->pid = id >> 32;
	e->tid = (__u32)id;
	e->uid = (__u32)bpf_get_current_uid_gid();
	bpf_get_current_comm(e->comm, sizeof(e->comm));
}

static __always_inline void count(const struct tcpconnect_event *e)
{
	struct tcpconnect_key k = {};
	__u64 zero = 0, *v;

	__builtin_memcpy(k.saddr, e->saddr, sizeof(k.saddr));
	__builtin_memcpy(k.daddr, e->daddr, sizeof(k.daddr));
	k.dport = e->dport;
	k.ip = e->ip;
	v = bpf_map_lookup_elem(&counts, &k);
	if (!v) {
		/* EEXIST from a racing CPU is fine: the lookup below finds it. */
		bpf_map_update_elem(&counts, &k, &zero, BPF_NOEXIST);
		v = bpf_map_lookup_elem(&counts, &k);
		if (!v) {
			tk_count_drop();	/* table full */
			return;
		}
	}
	__sync_fetch_and_add(v, 1);
}

/* Count or stream one connect that passed every filter. */
static __always_inline void report(void *ctx, const struct tcpconnect_event *e)
{
	struct tcpconnect_event *rec;

	if (count_mode) {
		count(e);
		return;
	}
	rec = tk_reserve(sizeof(*rec));
	if (!rec) {
		tk_count_drop();
		return;
	}
	__builtin_memcpy(rec, e, sizeof(*rec));
	tk_submit(ctx, rec, sizeof(*rec));
}

/* --- variants "fentry" and "kprobe": the sock after a successful connect --- */

static __always_inline int connected(void *ctx, struct sock *sk, __u8 ip, __u64 id)
{
	struct tcpconnect_event e = {};

	if (ip == 4) {
		BPF_CORE_READ_INTO((__u32 *)e.saddr, sk, __sk_common.skc_rcv_saddr);
		BPF_CORE_READ_INTO((__u32 *)e.daddr, sk, __sk_common.skc_daddr);
	} else {
		BPF_CORE_READ_INTO(&e.saddr, sk, __sk_common.skc_v6_rcv_saddr);
		BPF_CORE_READ_INTO(&e.daddr, sk, __sk_common.skc_v6_daddr);
		/* Already reported by the nested tcp_v4_connect. */
		if (tk_v4_mapped(e.daddr))
			return 0;
	}
	e.ip = ip;
	e.dport = bpf_ntohs(BPF_CORE_READ(sk, __sk_common.skc_dport));
	e.lport = BPF_CORE_READ(sk, __sk_common.skc_num);
	if (!ip_pass(ip) || !port_pass(e.dport))
		return 0;
	fill_task(&e, id);
	report(ctx, &e);
	return 0;
}

SEC("fexit/tcp_v4_connect")
int BPF_PROG(tcp_v4_connect_fexit, struct sock *sk, struct sockaddr *uaddr, int addr_len,
	     int ret)
{
	__u64 id = bpf_get_current_pid_tgid();

	/* Non-zero: failed before the SYN was queued (no route, no port...). */
	if (ret || !tk_filter_pass(id))
		return 0;
	return connected(ctx, sk, 4, id);
}

SEC("fexit/tcp_v6_connect")
int BPF_PROG(tcp_v6_connect_fexit, struct sock *sk, struct sockaddr *uaddr, int addr_len,
	     int ret)
{
	__u64 id = bpf_get_current_pid_tgid();

	if (ret || !tk_filter_pass(id))
		return 0;
	return connected(ctx, sk, 6, id);
}

static __always_inline int save_sock(struct sock *sk)
{
	__u64 id = bpf_get_current_pid_tgid(), skp = (__u64)sk;
	__u32 tid = (__u32)id;

	if (!tk_filter_pass(id))
		return 0;
	if (bpf_map_update_elem(&sockets, &tid, &skp, BPF_ANY))
		tk_count_drop();
	return 0;
}

static __always_inline int saved_sock_returned(void *ctx, int ret, __u8 ip)
{
	__u64 id = bpf_get_current_pid_tgid(), *skp;
	__u32 tid = (__u32)id;
	struct sock *sk;

	skp = bpf_map_lookup_elem(&sockets, &tid);
	if (!skp)
		return 0;	/* filtered at entry, or the v4 return of a mapped v6 took it */
	sk = (struct sock *)*skp;
	bpf_map_delete_elem(&sockets, &tid);
	if (ret)
		return 0;
	return connected(ctx, sk, ip, id);
}

SEC("kprobe/tcp_v4_connect")
int BPF_KPROBE(tcp_v4_connect_kprobe, struct sock *sk)
{
	return save_sock(sk);
}

SEC("kretprobe/tcp_v4_connect")
int BPF_KRETPROBE(tcp_v4_connect_kretprobe, int ret)
{
	return saved_sock_returned(ctx, ret, 4);
}

SEC("kprobe/tcp_v6_connect")
int BPF_KPROBE(tcp_v6_connect_kprobe, struct sock *sk)
{
	return save_sock(sk);
}

SEC("kretprobe/tcp_v6_connect")
int BPF_KRETPROBE(tcp_v6_connect_kretprobe, int ret)
{
	return saved_sock_returned(ctx, ret, 6);
}

/* --- variant "tracepoint": the socket entering SYN_SENT -------------------- */

static __always_inline int syn_sent(struct trace_event_raw_inet_sock_set_state *ctx)
{
	__u64 id = bpf_get_current_pid_tgid(), sk;
	struct tcpconnect_event e = {};

	if (!tk_filter_pass(id))
		return 0;
	/* The arrays are read with a probe: the verifier refuses loads through
	 * a pointer into the context. */
	if (ctx->family == AF_INET6) {
		BPF_CORE_READ_INTO(&e.daddr, ctx, daddr_v6);
		e.ip = tk_v4_mapped(e.daddr) ? 4 : 6;
	} else if (ctx->family == AF_INET) {
		e.ip = 4;
	} else {
		return 0;
	}
	/* A mapped connect has its IPv4 addresses in the IPv4 fields, where
	 * tcp_v4_connect put them; its IPv6 source is not set yet. */
	if (e.ip == 4) {
		__builtin_memset(e.daddr, 0, sizeof(e.daddr));
		BPF_CORE_READ_INTO((__u32 *)e.saddr, ctx, saddr);
		BPF_CORE_READ_INTO((__u32 *)e.daddr, ctx, daddr);
	} else {
		BPF_CORE_READ_INTO(&e.saddr, ctx, saddr_v6);
	}
	e.dport = ctx->dport;
	e.lport = ctx->sport;	/* 0 unless the socket was bound to a port */
	if (!ip_pass(e.ip) || !port_pass(e.dport))
		return 0;
	fill_task(&e, id);
	if (want_lport && !e.lport) {
		sk = (__u64)ctx->skaddr;
		if (bpf_map_update_elem(&pending, &sk, &e, BPF_ANY))
			tk_count_drop();
		return 0;
	}
	report(ctx, &e);
	return 0;
}

/* The port is known by now; 0 means inet_hash_connect found none, so the
 * connect failed before sending anything and is not reported. */
static __always_inline int port_known(void *ctx, const void *skaddr, __u16 lport)
{
	__u64 sk = (__u64)skaddr;
	struct tcpconnect_event *p, *rec;

	p = bpf_map_lookup_elem(&pending, &sk);
	if (!p)
		return 0;
	if (lport) {
		rec = tk_reserve(sizeof(*rec));
		if (rec) {
			__builtin_memcpy(rec, p, sizeof(*rec));
			rec->lport = lport;
			tk_submit(ctx, rec, sizeof(*rec));
		} else {
			tk_count_drop();
		}
	}
	bpf_map_delete_elem(&pending, &sk);
	return 0;
}

SEC("tracepoint/sock/inet_sock_set_state")
int inet_sock_set_state_tp(struct trace_event_raw_inet_sock_set_state *ctx)
{
	if (ctx->protocol != IPPROTO_TCP)
		return 0;
	if (ctx->oldstate == TCP_CLOSE && ctx->newstate == TCP_SYN_SENT)
		return syn_sent(ctx);
	/* SYN_SENT -> ESTABLISHED (answered), or -> CLOSE (refused, timed out,
	 * closed by the caller, or failed inside connect()). */
	if (want_lport && ctx->oldstate == TCP_SYN_SENT)
		return port_known(ctx, ctx->skaddr, ctx->sport);
	return 0;
}

/* An unanswered SYN is retransmitted after about a second (TCP_TIMEOUT_INIT):
 * the record need not wait for the connect to time out. */
SEC("tracepoint/tcp/tcp_retransmit_skb")
int tcp_retransmit_skb_tp(void *ctx)
{
	const struct sock *sk = tk_retransmit_sk(ctx, NULL, NULL);

	return port_known(ctx, sk, BPF_CORE_READ(sk, __sk_common.skc_num));
}
