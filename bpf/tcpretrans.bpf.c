// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* tcpretrans: TCP retransmits from the tcp:tcp_retransmit_skb tracepoint
 * (every kernel since 4.15, no kprobes needed), and with -l the tail-loss
 * probes, which have no tracepoint: fentry or kprobe on tcp_send_loss_probe.
 *
 * Both hooks hand over the socket; addresses, ports and state are read from
 * it through CO-RE (sockstate.bpf.h), so every variant reports alike. */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_core_read.h>
#include "tcpretrans.h"

#define TK_EVENT_MAX_SIZE sizeof(struct tcpretrans_event)
#include "events.bpf.h"
#define TK_SOCK_FILTERS
#include "sockstate.bpf.h"

const volatile bool count_mode = false;	/* -c: counts per flow, no records */

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 16384);	/* 1 unless -c */
	__type(key, struct tcpretrans_key);
	__type(value, struct tcpretrans_count);
} counts SEC(".maps");

char LICENSE[] SEC("license") = "GPL";

/* TCP_SKB_CB(skb)->tcp_gso_segs, tcp_skb_pcount(): the segments
 * TcpRetransSegs adds for this skb. */
static __always_inline __u16 skb_segs(const struct sk_buff *skb)
{
	struct tcp_skb_cb *cb = (struct tcp_skb_cb *)&skb->cb[0];
	__u16 segs = BPF_CORE_READ(cb, tcp_gso_segs);

	return segs ? segs : 1;
}

static __always_inline void count(const struct tk_sock_tuple *t, __u8 type, __u16 segs)
{
	struct tcpretrans_key key = {};
	struct tcpretrans_count zero = {}, *c;

	__builtin_memcpy(key.saddr, t->saddr, sizeof(key.saddr));
	__builtin_memcpy(key.daddr, t->daddr, sizeof(key.daddr));
	key.sport = t->sport;
	key.dport = t->dport;
	key.ip = t->ip;
	c = bpf_map_lookup_elem(&counts, &key);
	if (!c) {
		/* Another CPU may have added it meanwhile: fine. */
		bpf_map_update_elem(&counts, &key, &zero, BPF_NOEXIST);
		c = bpf_map_lookup_elem(&counts, &key);
		if (!c) {
			tk_count_drop();	/* the table is full */
			return;
		}
	}
	if (type == TCPRETRANS_TLP) {
		__sync_fetch_and_add(&c->tlps, 1);
	} else {
		__sync_fetch_and_add(&c->retransmits, 1);
		__sync_fetch_and_add(&c->segs, segs);
	}
}

static __always_inline int handle(void *ctx, const struct sock *sk, __u8 type, __u16 segs)
{
	struct tk_sock_tuple t = {};
	struct tcpretrans_event *e;

	if (!sk || !tk_sk_tuple(sk, &t) || !tk_tuple_wanted(&t))
		return 0;
	if (count_mode) {
		count(&t, type, segs);
		return 0;
	}
	e = tk_reserve(sizeof(*e));
	if (!e) {
		tk_count_drop();
		return 0;
	}
	e->ts_ns = bpf_ktime_get_ns();
	e->skaddr = (__u64)sk;
	e->pid = bpf_get_current_pid_tgid() >> 32;
	e->sport = t.sport;
	e->dport = t.dport;
	e->segs = segs;
	e->ip = t.ip;
	e->type = type;
	e->state = BPF_CORE_READ(sk, __sk_common.skc_state);
	__builtin_memset(e->pad, 0, sizeof(e->pad));
	__builtin_memcpy(e->saddr, t.saddr, sizeof(e->saddr));
	__builtin_memcpy(e->daddr, t.daddr, sizeof(e->daddr));
	tk_submit(ctx, e, sizeof(*e));
	return 0;
}

SEC("tracepoint/tcp/tcp_retransmit_skb")
int tcp_retransmit_skb_tp(void *ctx)
{
	const struct sk_buff *skb;
	const struct sock *sk;
	int err;

	sk = tk_retransmit_sk(ctx, &skb, &err);
	/* Where the tracepoint also fires for retransmits that failed
	 * (-EBUSY, -ENOMEM, ...: nothing was sent), only the sent count. */
	if (err)
		return 0;
	return handle(ctx, sk, TCPRETRANS_RETRANSMIT, skb_segs(skb));
}

SEC("fentry/tcp_send_loss_probe")
int BPF_PROG(tcp_send_loss_probe_fentry, struct sock *sk)
{
	return handle(ctx, sk, TCPRETRANS_TLP, 0);
}

SEC("kprobe/tcp_send_loss_probe")
int BPF_KPROBE(tcp_send_loss_probe_kprobe, struct sock *sk)
{
	return handle(ctx, sk, TCPRETRANS_TLP, 0);
}
