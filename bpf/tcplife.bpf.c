// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* tcplife: each TCP session when it closes, from the sock:inet_sock_set_state
 * tracepoint: who owned it, its addresses and ports, the bytes it moved
 * (tcp_sock's bytes_acked and bytes_received, read through CO-RE at the
 * close) and how long it lived.
 *
 * A session is born at its SYN: CLOSE -> SYN_SENT (connect(), in the
 * caller's context: its owner) or LISTEN -> SYN_RECV (a child of a listener,
 * in softirq: no owner yet). A passive session gets its owner at the first
 * state change its process makes itself, closing or shutting it down
 * (ESTABLISHED -> FIN_WAIT1, CLOSE_WAIT -> LAST_ACK); one that ends without
 * (a reset) has none. The filters on the process (-p, -u, -n, --cgroup) are
 * checked when the owner is learnt, against the owner, not against whatever
 * task was on the CPU at the close.
 *
 * tp_btf would hand over the sock typed, but the byte counters are read with
 * probes from the tracepoint's skaddr just as well, so the one variant works
 * on every kernel since 4.16. */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include "tcplife.h"

#define TK_EVENT_MAX_SIZE sizeof(struct tcplife_event)
#include "events.bpf.h"
#define TK_SOCK_FILTERS
#include "sockstate.bpf.h"


struct session {
	__u64 birth_ns;
	__u32 pid;
	__u32 uid;
	__u8 owner;		/* TCPLIFE_OWNER_* */
	__u8 active;
	__u8 pass;		/* the owner passed the process filters */
	__u8 syn_acked;		/* active, and our SYN was answered */
	__u8 fin_sent;		/* we sent a FIN (FIN_WAIT1 or LAST_ACK) */
	__u8 pad[3];
	char comm[16];
};

/* Open sessions by sock, from the SYN to the close. Not LRU: an evicted
 * session would vanish silently; one that finds the table full is counted
 * as lost instead. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 32768);	/* sessions open at once */
	__type(key, __u64);
	__type(value, struct session);
} sessions SEC(".maps");

char LICENSE[] SEC("license") = "GPL";

static __always_inline void set_owner(struct session *s, __u8 how)
{
	__u64 id = bpf_get_current_pid_tgid();

	s->owner = how;
	s->pid = id >> 32;
	s->uid = (__u32)bpf_get_current_uid_gid();
	s->pass = tk_filter_pass(id);
	bpf_get_current_comm(s->comm, sizeof(s->comm));
}

static __always_inline int born(struct trace_event_raw_inet_sock_set_state *ctx, __u64 sk)
{
	struct session s = {};

	s.birth_ns = bpf_ktime_get_ns();
	s.active = ctx->newstate == TCP_SYN_SENT;
	if (s.active && ctx->oldstate == TCP_CLOSE)
		set_owner(&s, TCPLIFE_OWNER_CONNECT);
	/* A simultaneous open (SYN_SENT -> SYN_RECV) keeps its birth and owner;
	 * any other SYN is a new session on this sock. */
	if (bpf_map_update_elem(&sessions, &sk, &s,
				ctx->oldstate == TCP_SYN_SENT ? BPF_NOEXIST : BPF_ANY) &&
	    !bpf_map_lookup_elem(&sessions, &sk))
		tk_count_drop();	/* table full: this session is lost */
	return 0;
}

/* bytes_acked counts the sequence numbers acknowledged: our SYN (an active
 * open's; a passive one's starts past it) and our FIN once answered. */
static __always_inline __u64 tx_payload(struct tcp_sock *tp, const struct session *s)
{
	__u64 n = BPF_CORE_READ(tp, bytes_acked);

	if (s->syn_acked && n)
		n--;
	if (s->fin_sent && n && BPF_CORE_READ(tp, snd_una) == BPF_CORE_READ(tp, write_seq))
		n--;
	return n;
}

/* Older kernels keep the flags in struct sock's own sk_flags; newer ones in
 * sock_common's skc_flags (where sk_flags is a macro for it). */
struct sock___old {
	unsigned long sk_flags;
} __attribute__((preserve_access_index));

static __always_inline unsigned long sock_flags(struct sock *sk)
{
	if (bpf_core_field_exists(struct sock___old, sk_flags))
		return BPF_CORE_READ((struct sock___old *)sk, sk_flags);
	return BPF_CORE_READ(sk, __sk_common.skc_flags);
}

/* bytes_received counts the peer's FIN too, once it came (tcp_fin() sets
 * SOCK_DONE; nothing else does for TCP, and tcp_disconnect clears it only
 * after the state change to CLOSE). */
static __always_inline __u64 rx_payload(struct tcp_sock *tp)
{
	__u64 n = BPF_CORE_READ(tp, bytes_received);
	unsigned long flags = sock_flags((struct sock *)tp);

	if (n && (flags & (1UL << bpf_core_enum_value(enum sock_flags, SOCK_DONE))))
		n--;
	return n;
}

static __always_inline int closed(struct trace_event_raw_inet_sock_set_state *ctx, __u64 sk)
{
	struct tk_sock_tuple t = {};
	struct tcplife_event *e;
	struct session *sp, s;
	struct tcp_sock *tp = (struct tcp_sock *)sk;
	__u64 now = bpf_ktime_get_ns();

	sp = bpf_map_lookup_elem(&sessions, &sk);
	if (!sp)
		return 0;	/* born before the tool started, or never a session */
	s = *sp;
	bpf_map_delete_elem(&sessions, &sk);
	/* With a process filter only owners known to pass it are reported. */
	if (tk_filter_any() && !s.pass)
		return 0;
	if (!tk_sock_wanted(ctx, &t))
		return 0;

	e = tk_reserve(sizeof(*e));
	if (!e) {
		tk_count_drop();
		return 0;
	}
	e->ts_ns = now;
	e->span_ns = now - s.birth_ns;
	e->tx_bytes = tx_payload(tp, &s);
	e->rx_bytes = rx_payload(tp);
	e->pid = s.pid;
	e->uid = s.uid;
	e->sport = t.sport;
	e->dport = t.dport;
	e->ip = t.ip;
	e->owner = s.owner;
	e->active = s.active;
	e->pad = 0;
	__builtin_memcpy(e->saddr, t.saddr, sizeof(e->saddr));
	__builtin_memcpy(e->daddr, t.daddr, sizeof(e->daddr));
	__builtin_memcpy(e->comm, s.comm, sizeof(e->comm));
	tk_submit(ctx, e, sizeof(*e));
	return 0;
}

SEC("tracepoint/sock/inet_sock_set_state")
int inet_sock_set_state_tp(struct trace_event_raw_inet_sock_set_state *ctx)
{
	__u64 sk = (__u64)ctx->skaddr;
	struct session *sp;
	int old = ctx->oldstate, new = ctx->newstate;

	if (ctx->protocol != IPPROTO_TCP)
		return 0;
	if (new == TCP_SYN_SENT || new == TCP_SYN_RECV)
		return born(ctx, sk);
	if (new == TCP_CLOSE)
		return closed(ctx, sk);
	sp = bpf_map_lookup_elem(&sessions, &sk);
	if (!sp)
		return 0;
	/* The counters count sequence space, and a SYN and a FIN take one
	 * number each: what they add is taken off at the close. */
	if (new == TCP_ESTABLISHED && sp->active)
		sp->syn_acked = 1;
	if (new == TCP_FIN_WAIT1 || new == TCP_LAST_ACK)
		sp->fin_sent = 1;
	/* Closing or shutting down runs in the process that does it. */
	if (((old == TCP_ESTABLISHED && new == TCP_FIN_WAIT1) ||
	     (old == TCP_CLOSE_WAIT && new == TCP_LAST_ACK)) &&
	    sp->owner == TCPLIFE_OWNER_NONE)
		set_owner(sp, TCPLIFE_OWNER_CLOSE);
	return 0;
}
