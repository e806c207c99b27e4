// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* tcpaccept: passive TCP connections as a process accepts them, with the
 * acceptor's pid and comm and the new socket's addresses and ports.
 *
 * Variant "fentry": fentry on security_sock_graft(sk, parent), which
 * inet_accept() calls (through sock_graft) once inet_csk_accept() has
 * handed it the new sock, in the acceptor. Not fexit on inet_csk_accept, as
 * bcc hooks: that one blocks while the listener waits, and a trampoline (or
 * a kretprobe) attached during the wait does not see that call return, so
 * the first accept of every thread already waiting in accept() when the
 * tool starts -- an idle server's next connection -- was missed (seen in
 * the 6.1 guest). Linux 6.10 also changed inet_csk_accept's arguments
 * (struct proto_accept_arg); security_sock_graft's never changed. It is a
 * function wherever the kernel has CONFIG_SECURITY (every distro kernel);
 * without it the variant is refused and the next one taken.
 * Variant "kprobe": a kprobe on the same function.
 * Variant "tracepoint" (no kprobes, no fentry): syscalls:sys_exit_accept4
 * and sys_exit_accept, in the acceptor's own context: the returned fd is
 * looked up in its file table (task -> files -> fdt -> fd[ret] -> struct
 * socket -> sk), so the attribution is exact. accept through io_uring
 * (IORING_OP_ACCEPT) makes no accept system call, and this variant does not
 * see it (tcpaccept(8), BUGS).
 *
 * All three run in the process that accepts, which is the one reported and
 * the one -p, -u, -n and --cgroup are checked against. */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>
#include <bpf/bpf_tracing.h>
#include "tcpaccept.h"

#define TK_EVENT_MAX_SIZE sizeof(struct tcpaccept_event)
#include "events.bpf.h"
#define TK_SOCK_FILTERS
#include "sockstate.bpf.h"
#include "fdfile.bpf.h"

char LICENSE[] SEC("license") = "GPL";

#ifndef IPPROTO_TCP
#define IPPROTO_TCP 6
#endif

static __always_inline int accepted(void *ctx, struct sock *sk)
{
	__u64 id = bpf_get_current_pid_tgid();
	struct tk_sock_tuple t = {};
	struct tcpaccept_event *e;

	if (!sk || !tk_filter_pass(id))
		return 0;
	/* sk_protocol was a bitfield before 5.6; the probed read takes both. */
	if (BPF_CORE_READ_BITFIELD_PROBED(sk, sk_protocol) != IPPROTO_TCP)
		return 0;
	if (!tk_sk_tuple(sk, &t) || !tk_tuple_wanted(&t))
		return 0;
	e = tk_reserve(sizeof(*e));
	if (!e) {
		tk_count_drop();
		return 0;
	}
	e->ts_ns = bpf_ktime_get_ns();
	e->pid = id >> 32;
	e->tid = (__u32)id;
	e->uid = (__u32)bpf_get_current_uid_gid();
	e->lport = t.sport;
	e->rport = t.dport;
	e->ip = t.ip;
	__builtin_memset(e->pad, 0, sizeof(e->pad));
	__builtin_memcpy(e->laddr, t.saddr, sizeof(e->laddr));
	__builtin_memcpy(e->raddr, t.daddr, sizeof(e->raddr));
	bpf_get_current_comm(e->comm, sizeof(e->comm));
	tk_submit(ctx, e, sizeof(*e));
	return 0;
}

/* --- variants "fentry" and "kprobe": the sock grafted onto its socket ----- */

/* MPTCP grafts its subflows (TCP socks) as it connects and accepts them:
 * those are not the process's connections (the MPTCP socket is, and no
 * variant shows it: tcpaccept(8), BUGS). The field exists with
 * CONFIG_MPTCP (5.6+). */
struct tcp_sock___mptcp {
	u8 is_mptcp:1;
} __attribute__((preserve_access_index));

static __always_inline int grafted(void *ctx, struct sock *sk)
{
	struct tcp_sock___mptcp *tp = (struct tcp_sock___mptcp *)sk;

	if (bpf_core_field_exists(tp->is_mptcp) &&
	    BPF_CORE_READ_BITFIELD_PROBED(sk, sk_protocol) == IPPROTO_TCP &&
	    BPF_CORE_READ_BITFIELD_PROBED(tp, is_mptcp))
		return 0;
	return accepted(ctx, sk);
}

SEC("fentry/security_sock_graft")
int BPF_PROG(security_sock_graft_fentry, struct sock *sk)
{
	return grafted(ctx, sk);
}

SEC("kprobe/security_sock_graft")
int BPF_KPROBE(security_sock_graft_kprobe, struct sock *sk)
{
	return grafted(ctx, sk);
}

/* --- variant "tracepoint": the fd accept(2)/accept4(2) returned ------------ */

static __always_inline int accept_returned(struct trace_event_raw_sys_exit *ctx)
{
	long fd = ctx->ret;
	struct socket *sock;
	struct file *f;

	if (fd < 0)
		return 0;
	f = tk_fd_file(fd);
	if (!f)
		return 0;	/* closed by another thread already */
	sock = BPF_CORE_READ(f, private_data);
	/* Another thread may have put another file at that number since: only
	 * a socket points back at its file. */
	if (!sock || BPF_CORE_READ(sock, file) != f)
		return 0;
	return accepted(ctx, BPF_CORE_READ(sock, sk));
}

SEC("tracepoint/syscalls/sys_exit_accept4")
int accept4_exit_tp(struct trace_event_raw_sys_exit *ctx)
{
	return accept_returned(ctx);
}

SEC("tracepoint/syscalls/sys_exit_accept")
int accept_exit_tp(struct trace_event_raw_sys_exit *ctx)
{
	return accept_returned(ctx);
}
