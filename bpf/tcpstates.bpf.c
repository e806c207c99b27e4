// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* tcpstates: every TCP state change, from the sock:inet_sock_set_state
 * tracepoint, with the time the socket spent in its previous state (a
 * timestamp per socket, forgotten when it closes).
 *
 * tp_btf would hand over the struct sock itself, but the tracepoint already
 * carries everything printed here (addresses, ports, both states), so the
 * one variant works on every kernel since 4.16. */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include "tcpstates.h"

#define TK_EVENT_MAX_SIZE sizeof(struct tcpstates_event)
#include "events.bpf.h"
#define TK_SOCK_FILTERS
#include "sockstate.bpf.h"


/* When each socket entered its current state, by sock; an entry goes at
 * CLOSE. LRU: the sockets that were open before the tool started and stay
 * open must not fill the table; a socket evicted from it shows 0 ms once,
 * as one first seen does. */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 16384);	/* resized by userspace */
	__type(key, __u64);
	__type(value, __u64);
} since SEC(".maps");

char LICENSE[] SEC("license") = "GPL";

SEC("tracepoint/sock/inet_sock_set_state")
int inet_sock_set_state_tp(struct trace_event_raw_inet_sock_set_state *ctx)
{
	__u64 id, now, sk, *tsp, delta = 0;
	struct tcpstates_event *e;
	struct tk_sock_tuple t = {};

	if (ctx->protocol != IPPROTO_TCP)
		return 0;
	sk = (__u64)ctx->skaddr;
	now = bpf_ktime_get_ns();
	/* The time in the old state is kept whatever the filters say, so a
	 * change that passes them after one that did not still has it. */
	tsp = bpf_map_lookup_elem(&since, &sk);
	if (tsp)
		delta = now - *tsp;
	if (ctx->newstate == TCP_CLOSE)
		bpf_map_delete_elem(&since, &sk);
	else
		bpf_map_update_elem(&since, &sk, &now, BPF_ANY);

	id = bpf_get_current_pid_tgid();
	if (!tk_filter_pass(id))
		return 0;
	if (!tk_sock_wanted(ctx, &t))
		return 0;

	e = tk_reserve(sizeof(*e));
	if (!e) {
		tk_count_drop();
		return 0;
	}
	e->ts_ns = now;
	e->skaddr = sk;
	e->delta_ns = delta;
	e->pid = id >> 32;
	e->tid = (__u32)id;
	e->sport = t.sport;
	e->dport = t.dport;
	e->ip = t.ip;
	e->oldstate = ctx->oldstate;
	e->newstate = ctx->newstate;
	e->pad = 0;
	__builtin_memcpy(e->saddr, t.saddr, sizeof(e->saddr));
	__builtin_memcpy(e->daddr, t.daddr, sizeof(e->daddr));
	bpf_get_current_comm(e->comm, sizeof(e->comm));
	tk_submit(ctx, e, sizeof(*e));
	return 0;
}
