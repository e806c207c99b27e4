// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* bindsnoop: trace bind() on IPv4 and IPv6 sockets, with the address and
 * port asked for, the port bound (the kernel's choice when 0 was asked), the
 * socket's protocol, options and bound device, and the result.
 *
 * Both variants save the call at syscalls:sys_enter_bind (descriptor and the
 * caller's sockaddr, by thread) and report it at sys_exit_bind for the same
 * thread, reading the socket through CO-RE from the descriptor's file.
 * Variant "cgroup" adds cgroup/bind4 and cgroup/bind6 on the cgroup2 root:
 * they run inside inet_bind()/inet6_bind(), in the caller's context, before
 * the bind, and replace the address read from user memory with the kernel's
 * own copy, the one the bind used (another thread may rewrite the user's
 * buffer meanwhile). They always return 1: the bind goes on as without us.
 * Binds that fail before those hooks (a short address, a bad descriptor)
 * keep the user copy. Variant "tracepoint" is the two tracepoints alone. */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>
#include <bpf/bpf_endian.h>
#include <bpf/bpf_tracing.h>
#include "bindsnoop.h"

#define TK_EVENT_MAX_SIZE sizeof(struct bindsnoop_event)
#include "events.bpf.h"
#include "fdfile.bpf.h"
#include "sockstate.bpf.h"

#define AF_UNSPEC 0
#define S_IFMT 00170000
#define S_IFSOCK 0140000

const volatile bool targ_failed = false;	/* -x */
const volatile __u8 targ_ip = 0;		/* -4 or -6: 4 or 6; 0: both */
const volatile bool filter_ports = false;	/* -P */
const volatile __u64 targ_ports[TK_PORT_WORDS] = {};

/* A bind between its sys_enter and sys_exit, by thread. A plain hash, not
 * an LRU one, so that it costs nothing to create where the kernel fills
 * hash maps as entries come (common/attach.h, tk_maps_on_demand): only a
 * bind whose sys_exit came before the exit program was attached leaves an
 * entry behind, a few at most, each replaced at its thread's next bind. */
struct start {
	struct bindsnoop_event e;
	__s32 fd;
	__u32 pad;
};

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 10240);
	__type(key, __u32);
	__type(value, struct start);
} starts SEC(".maps");

char LICENSE[] SEC("license") = "GPL";

/* --- sys_enter_bind: the call and the caller's sockaddr -------------------- */

SEC("tracepoint/syscalls/sys_enter_bind")
int bind_enter(struct trace_event_raw_sys_enter *ctx)
{
	__u64 id = bpf_get_current_pid_tgid();
	__u32 tid = (__u32)id;
	const void *uaddr = (const void *)ctx->args[1];
	struct sockaddr_in6 sa = {};
	struct start st = {}, *s = &st;

	if (!tk_filter_pass(id))
		return 0;
	/* A sockaddr shorter than IPv6's may end at the end of a page. */
	if (bpf_probe_read_user(&sa, sizeof(sa), uaddr) &&
	    bpf_probe_read_user(&sa, sizeof(struct sockaddr_in), uaddr) &&
	    bpf_probe_read_user(&sa, sizeof(sa.sin6_family), uaddr))
		sa.sin6_family = AF_UNSPEC;	/* EFAULT: known at exit */
	s->fd = (__s32)ctx->args[0];
	s->e.ts_ns = bpf_ktime_get_ns();
	s->e.addr_src = BINDSNOOP_ADDR_USER;
	if (sa.sin6_family == AF_INET) {
		struct sockaddr_in *in = (struct sockaddr_in *)&sa;

		s->e.ip = 4;
		s->e.asked_port = bpf_ntohs(in->sin_port);
		__builtin_memcpy(s->e.addr, &in->sin_addr, 4);
	} else if (sa.sin6_family == AF_INET6) {
		s->e.ip = 6;
		s->e.asked_port = bpf_ntohs(sa.sin6_port);
		__builtin_memcpy(s->e.addr, &sa.sin6_addr, 16);
	}
	/* Other families are left to exit, which knows the socket's: an
	 * AF_UNSPEC bind of an IPv4 socket is INADDR_ANY (inet_bind). */
	if (bpf_map_update_elem(&starts, &tid, s, BPF_ANY))
		tk_count_drop();
	return 0;
}

/* --- variant "cgroup": the address the kernel binds ------------------------ */

static __always_inline int kernel_addr(struct bpf_sock_addr *ctx, __u8 ip)
{
	__u32 tid = (__u32)bpf_get_current_pid_tgid();
	struct start *s = bpf_map_lookup_elem(&starts, &tid);

	if (!s)
		return 1;	/* not ours: filtered, or not from bind(2) */
	s->e.ip = ip;
	s->e.asked_port = bpf_ntohs((__u16)ctx->user_port);
	if (ip == 4) {
		__u32 a = ctx->user_ip4;

		__builtin_memset(s->e.addr, 0, sizeof(s->e.addr));
		__builtin_memcpy(s->e.addr, &a, 4);
	} else {
		__u32 a0 = ctx->user_ip6[0], a1 = ctx->user_ip6[1];
		__u32 a2 = ctx->user_ip6[2], a3 = ctx->user_ip6[3];

		__builtin_memcpy(s->e.addr, &a0, 4);
		__builtin_memcpy(s->e.addr + 4, &a1, 4);
		__builtin_memcpy(s->e.addr + 8, &a2, 4);
		__builtin_memcpy(s->e.addr + 12, &a3, 4);
	}
	s->e.addr_src = BINDSNOOP_ADDR_KERNEL;
	return 1;
}

SEC("cgroup/bind4")
int bind4(struct bpf_sock_addr *ctx)
{
	return kernel_addr(ctx, 4);	/* 1: allow, always; we only watch */
}

SEC("cgroup/bind6")
int bind6(struct bpf_sock_addr *ctx)
{
	return kernel_addr(ctx, 6);
}

/* --- sys_exit_bind: the socket, and the result ----------------------------- */

/* Before 6.6 (commit "inet: set/get simple options locklessly", and its
 * followers) these options were bitfields of struct inet_sock; since, bits
 * of inet_flags, numbered by an anonymous enum (so not relocatable: its
 * values, unchanged since, are written here). */
struct inet_sock___old {
	__u8 freebind: 1;
	__u8 transparent: 1;
	__u8 bind_address_no_port: 1;
} __attribute__((preserve_access_index));

struct inet_sock___new {
	unsigned long inet_flags;
} __attribute__((preserve_access_index));

#define INET_FLAGS_FREEBIND_BIT 11
#define INET_FLAGS_TRANSPARENT_BIT 15
#define INET_FLAGS_BIND_ADDRESS_NO_PORT_BIT 18

static __always_inline __u8 sock_opts(struct sock *sk)
{
	__u8 opts = 0;

	if (BPF_CORE_READ_BITFIELD_PROBED(&sk->__sk_common, skc_reuse))
		opts |= BINDSNOOP_REUSEADDR;
	if (BPF_CORE_READ_BITFIELD_PROBED(&sk->__sk_common, skc_reuseport))
		opts |= BINDSNOOP_REUSEPORT;
	if (bpf_core_field_exists(struct inet_sock___new, inet_flags)) {
		struct inet_sock___new *in = (void *)sk;
		unsigned long f = BPF_CORE_READ(in, inet_flags);

		if (f & (1UL << INET_FLAGS_FREEBIND_BIT))
			opts |= BINDSNOOP_FREEBIND;
		if (f & (1UL << INET_FLAGS_TRANSPARENT_BIT))
			opts |= BINDSNOOP_TRANSPARENT;
		if (f & (1UL << INET_FLAGS_BIND_ADDRESS_NO_PORT_BIT))
			opts |= BINDSNOOP_NO_PORT;
	} else {
		struct inet_sock___old *in = (void *)sk;

		if (BPF_CORE_READ_BITFIELD_PROBED(in, freebind))
			opts |= BINDSNOOP_FREEBIND;
		if (BPF_CORE_READ_BITFIELD_PROBED(in, transparent))
			opts |= BINDSNOOP_TRANSPARENT;
		if (BPF_CORE_READ_BITFIELD_PROBED(in, bind_address_no_port))
			opts |= BINDSNOOP_NO_PORT;
	}
	return opts;
}

/* The sock behind @fd, or NULL if it is not a socket. */
static __always_inline struct sock *fd_sock(long fd, struct socket **sockp)
{
	struct file *f = tk_fd_file(fd);
	struct socket *sock;

	if (!f || (BPF_CORE_READ(f, f_inode, i_mode) & S_IFMT) != S_IFSOCK)
		return NULL;
	sock = BPF_CORE_READ(f, private_data);
	*sockp = sock;
	return sock ? BPF_CORE_READ(sock, sk) : NULL;
}

SEC("tracepoint/syscalls/sys_exit_bind")
int bind_exit(struct trace_event_raw_sys_exit *ctx)
{
	__u64 id = bpf_get_current_pid_tgid();
	__u32 tid = (__u32)id;
	struct socket *sock = NULL;
	struct bindsnoop_event *e;
	struct start *s;
	struct sock *sk;
	__u16 family;

	s = bpf_map_lookup_elem(&starts, &tid);
	if (!s)
		return 0;
	if (targ_failed && ctx->ret == 0)
		goto out;
	sk = fd_sock(s->fd, &sock);
	if (sk) {
		family = BPF_CORE_READ(sk, __sk_common.skc_family);
		if (family != AF_INET && family != AF_INET6)
			goto out;	/* AF_UNIX, AF_NETLINK, AF_PACKET...: not ours */
		if (!s->e.ip)		/* AF_UNSPEC, as inet_bind takes it */
			s->e.ip = family == AF_INET ? 4 : 6;
	} else if (!s->e.ip) {
		goto out;		/* neither socket nor address says IP */
	}
	if (targ_ip && s->e.ip != targ_ip)
		goto out;
	s->e.port = s->e.asked_port;
	if (sk && ctx->ret == 0)
		s->e.port = BPF_CORE_READ(sk, __sk_common.skc_num);
	if (filter_ports && !tk_port_in(targ_ports, s->e.port))
		goto out;
	e = tk_reserve(sizeof(*e));
	if (!e) {
		tk_count_drop();
		goto out;
	}
	__builtin_memcpy(e, &s->e, sizeof(*e));
	e->pid = id >> 32;
	e->tid = tid;
	e->uid = (__u32)bpf_get_current_uid_gid();
	e->ret = ctx->ret;
	if (sk) {
		e->proto = BPF_CORE_READ(sk, sk_protocol);
		e->type = BPF_CORE_READ(sock, type);
		e->ifindex = BPF_CORE_READ(sk, __sk_common.skc_bound_dev_if);
		e->opts = sock_opts(sk);
	}
	bpf_get_current_comm(e->comm, sizeof(e->comm));
	tk_submit(ctx, e, sizeof(*e));
out:
	bpf_map_delete_elem(&starts, &tid);
	return 0;
}
