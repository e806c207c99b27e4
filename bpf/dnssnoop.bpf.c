// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* dnssnoop: DNS messages on the wire, attributed to processes, without
 * kprobes.
 *
 * Variant "cgroup": cgroup_skb egress/ingress programs on a cgroup2
 * directory (the root by default) see every UDP datagram and TCP segment
 * of the sockets below it, whole (egress runs before fragmentation, ingress
 * after reassembly). Packet hooks cannot say which process a packet belongs
 * to -- ingress runs in softirq, on whatever task was interrupted -- so the
 * cgroup socket hooks, which do run in the caller's context (socket(),
 * connect(), sendmsg(), recvmsg()), record the caller under the socket's
 * cookie, and the packet hooks look the cookie up.
 * Variant "socket": where there are no cgroup2 hooks, a socket filter on an
 * AF_PACKET socket sees the packets of every interface; it has no socket to
 * go by, so userspace attributes packets by local port.
 *
 * Either way only the transport payload's first DNSSNOOP_DATA bytes are
 * copied out; all DNS parsing happens in userspace (common/dns.c), where a
 * malformed message cannot hurt. */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>
#include <bpf/bpf_endian.h>
#include "dnssnoop.h"

#define TK_EVENT_MAX_SIZE sizeof(struct dnssnoop_event)
#include "events.bpf.h"

#define ETH_P_IP 0x0800
#define ETH_P_IPV6 0x86DD
#define AF_INET 2
#define AF_INET6 10
#define SOCK_STREAM 1
#define SOCK_DGRAM 2
#define PACKET_HOST 0
#define PACKET_BROADCAST 1
#define PACKET_MULTICAST 2
#define PACKET_OUTGOING 4
#define IP_OFFSET_MASK 0x1fff

/* -P: DNS ports, as a bitmap. */
const volatile __u64 targ_ports[DNSSNOOP_PORT_WORDS] = {};

/* Socket cookie -> who last used the socket. LRU: sockets close without
 * telling us, so old entries must make room by themselves. */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 16384);
	__type(key, __u64);
	__type(value, struct dnssnoop_owner);
} owners SEC(".maps");

char LICENSE[] SEC("license") = "GPL";

static __always_inline bool port_wanted(__u16 port)
{
	return targ_ports[port / 64] & (1ULL << (port % 64));
}

/* --- attribution: the socket hooks run in the caller's context ---------- */

static __always_inline void remember_owner(__u64 cookie)
{
	struct dnssnoop_owner o = {};
	__u64 id = bpf_get_current_pid_tgid();
	struct task_struct *task;

	if (!cookie || (__u32)(id >> 32) == tk_config.filter.self_tgid)
		return;
	o.pid = id >> 32;
	o.tid = (__u32)id;
	o.uid = (__u32)bpf_get_current_uid_gid();
	/* The process's name, not the thread's: resolvers send from worker
	 * threads ("isc-net-0000" in dig), and -n dig should still match. */
	task = (struct task_struct *)bpf_get_current_task();
	if (BPF_CORE_READ_STR_INTO(&o.comm, task, group_leader, comm) <= 0)
		bpf_get_current_comm(o.comm, sizeof(o.comm));
	bpf_map_update_elem(&owners, &cookie, &o, BPF_ANY);
}

/* Every new inet socket: the port it will talk to is not known yet. */
SEC("cgroup/sock_create")
int dns_sock_create(struct bpf_sock *sk)
{
	if ((sk->family == AF_INET || sk->family == AF_INET6) &&
	    (sk->type == SOCK_DGRAM || sk->type == SOCK_STREAM))
		remember_owner(bpf_get_socket_cookie(sk));
	return 1;	/* allow: we only watch */
}

/* connect/sendmsg to a DNS port, recvmsg from one: sockets opened before
 * we started, or inherited by another process, get their current user. */
static __always_inline int addr_hook(struct bpf_sock_addr *ctx)
{
	if (port_wanted(bpf_ntohs((__u16)ctx->user_port)))
		remember_owner(bpf_get_socket_cookie(ctx));
	return 1;	/* allow: we only watch */
}

SEC("cgroup/connect4")
int dns_connect4(struct bpf_sock_addr *ctx)
{
	return addr_hook(ctx);
}

SEC("cgroup/connect6")
int dns_connect6(struct bpf_sock_addr *ctx)
{
	return addr_hook(ctx);
}

SEC("cgroup/sendmsg4")
int dns_sendmsg4(struct bpf_sock_addr *ctx)
{
	return addr_hook(ctx);
}

SEC("cgroup/sendmsg6")
int dns_sendmsg6(struct bpf_sock_addr *ctx)
{
	return addr_hook(ctx);
}

SEC("cgroup/recvmsg4")
int dns_recvmsg4(struct bpf_sock_addr *ctx)
{
	return addr_hook(ctx);
}

SEC("cgroup/recvmsg6")
int dns_recvmsg6(struct bpf_sock_addr *ctx)
{
	return addr_hook(ctx);
}

/* --- packets --------------------------------------------------------------- */

struct l4 {
	__u32 off;		/* transport payload, from the network header */
	__u32 len;		/* its length, as the headers claim */
	__u16 sport, dport;
	__u8 ip, proto;
	__u8 saddr[16], daddr[16];
};

/* Offsets are from the network header in both variants: cgroup_skb data
 * starts there, and so does an AF_PACKET SOCK_DGRAM socket's. Not
 * bpf_skb_load_bytes_relative(): it reads only the linear part, and a TCP
 * segment's payload is usually in page fragments. */
static __always_inline int load(struct __sk_buff *skb, __u32 off, void *to, __u32 len)
{
	return bpf_skb_load_bytes(skb, off, to, len);
}

static __always_inline bool parse(struct __sk_buff *skb, struct l4 *p)
{
	__u32 l4len;

	if (skb->protocol == bpf_htons(ETH_P_IP)) {
		struct iphdr iph;
		__u32 ihl;

		if (load(skb, 0, &iph, sizeof(iph)))
			return false;
		/* Only a datagram's first fragment has the transport header
		 * (only the socket filter sees fragments at all). */
		if (iph.frag_off & bpf_htons(IP_OFFSET_MASK))
			return false;
		ihl = iph.ihl * 4;
		if (ihl < sizeof(iph) || bpf_ntohs(iph.tot_len) < ihl)
			return false;
		p->ip = 4;
		p->proto = iph.protocol;
		p->off = ihl;
		l4len = bpf_ntohs(iph.tot_len) - ihl;
		__builtin_memcpy(p->saddr, &iph.saddr, 4);
		__builtin_memcpy(p->daddr, &iph.daddr, 4);
	} else if (skb->protocol == bpf_htons(ETH_P_IPV6)) {
		struct ipv6hdr ip6;

		if (load(skb, 0, &ip6, sizeof(ip6)))
			return false;
		/* Extension headers are not followed: DNS does not use them. */
		p->ip = 6;
		p->proto = ip6.nexthdr;
		p->off = sizeof(ip6);
		l4len = bpf_ntohs(ip6.payload_len);
		__builtin_memcpy(p->saddr, &ip6.saddr, 16);
		__builtin_memcpy(p->daddr, &ip6.daddr, 16);
	} else {
		return false;
	}

	if (p->proto == IPPROTO_UDP) {
		struct udphdr uh;

		if (load(skb, p->off, &uh, sizeof(uh)) || bpf_ntohs(uh.len) < sizeof(uh))
			return false;
		p->sport = bpf_ntohs(uh.source);
		p->dport = bpf_ntohs(uh.dest);
		p->len = bpf_ntohs(uh.len) - sizeof(uh);
		p->off += sizeof(uh);
	} else if (p->proto == IPPROTO_TCP) {
		struct tcphdr th;
		__u32 doff;

		if (load(skb, p->off, &th, sizeof(th)))
			return false;
		doff = th.doff * 4;
		if (doff < sizeof(th) || l4len < doff)
			return false;
		p->sport = bpf_ntohs(th.source);
		p->dport = bpf_ntohs(th.dest);
		p->len = l4len - doff;
		p->off += doff;
	} else {
		return false;
	}
	return true;
}

static __always_inline void packet(struct __sk_buff *skb, bool egress, __u64 cookie)
{
	struct dnssnoop_event *e;
	struct dnssnoop_owner *o;
	struct l4 p = {};
	__u64 cap, avail, n;

	if (!parse(skb, &p) || !p.len)
		return;		/* not UDP/TCP, or a bare ACK/SYN/FIN */
	/* The client's side of DNS: queries leave for a DNS port, answers
	 * arrive from one. (A local server's side would show each exchange
	 * twice.) */
	if (!port_wanted(egress ? p.dport : p.sport))
		return;
	e = tk_reserve(sizeof(*e));
	if (!e) {
		tk_count_drop();
		return;
	}
	e->ts_ns = bpf_ktime_get_ns();
	e->cookie = cookie;
	o = cookie ? bpf_map_lookup_elem(&owners, &cookie) : NULL;
	if (o)
		e->owner = *o;
	else
		__builtin_memset(&e->owner, 0, sizeof(e->owner));
	e->sport = p.sport;
	e->dport = p.dport;
	e->len = p.len > 0xffff ? 0xffff : p.len;
	e->kind = DNSSNOOP_PACKET;
	e->ip = p.ip;
	e->proto = p.proto;
	e->egress = egress;
	__builtin_memset(e->pad, 0, sizeof(e->pad));
	__builtin_memcpy(e->saddr, p.saddr, 16);
	__builtin_memcpy(e->daddr, p.daddr, 16);
	/* The headers may claim more than the packet has. 64-bit all the
	 * way, so the verifier sees the bounds on the register passed. */
	cap = p.len;
	avail = skb->len > p.off ? (__u64)(skb->len - p.off) : 0;
	if (cap > avail)
		cap = avail;
	if (cap > DNSSNOOP_DATA)
		cap = DNSSNOOP_DATA;
	/* The length goes in as (cap - 1) + 1, bounded below the barrier:
	 * older verifiers (6.1) learn no lower bound from a test of cap
	 * against 0, and the helper takes no zero length. cap 0 wraps. */
	n = cap - 1;
	asm volatile("" : "+r"(n));
	if (n >= DNSSNOOP_DATA || load(skb, p.off, e->data, n + 1))
		cap = 0;
	e->caplen = cap;
	tk_submit(skb, e, sizeof(*e));
}

/* cgroup_skb programs must return 1, or the packet is dropped. */
SEC("cgroup_skb/egress")
int dns_egress(struct __sk_buff *skb)
{
	packet(skb, true, bpf_get_socket_cookie(skb));
	return 1;
}

SEC("cgroup_skb/ingress")
int dns_ingress(struct __sk_buff *skb)
{
	packet(skb, false, bpf_get_socket_cookie(skb));
	return 1;
}

/* On an AF_PACKET socket: the return value is how much of the packet that
 * socket gets, and 0 keeps its queue empty -- we never read it. On
 * loopback every packet passes twice, outgoing then incoming; the
 * direction rule in packet() keeps exactly one of the two. */
SEC("socket")
int dns_packet(struct __sk_buff *skb)
{
	__u32 t = skb->pkt_type;

	if (t == PACKET_OUTGOING)
		packet(skb, true, 0);
	else if (t == PACKET_HOST || t == PACKET_BROADCAST || t == PACKET_MULTICAST)
		packet(skb, false, 0);
	return 0;
}

/* Never attached: userspace runs it (BPF_PROG_TEST_RUN) a few times a
 * second, so that the event loop hears the clock even when no DNS traffic
 * comes, and reports queries that got no answer in time. A tick is not an
 * event: one that finds the buffer full is skipped (the next comes soon),
 * not counted as lost, or every stall of the reader would report more
 * messages lost than were sent. */
SEC("socket")
int dns_tick(struct __sk_buff *skb)
{
	struct dnssnoop_event *e = tk_reserve(sizeof(*e));

	if (!e)
		return 0;
	__builtin_memset(e, 0, offsetof(struct dnssnoop_event, data));
	e->ts_ns = bpf_ktime_get_ns();
	e->kind = DNSSNOOP_TICK;
	if (tk_ringbuf())
		tk_submit(skb, e, sizeof(*e));
	else
		bpf_perf_event_output(skb, &tk_events, BPF_F_CURRENT_CPU, e, sizeof(*e));
	return 0;
}
