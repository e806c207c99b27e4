// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* The benchmark floor for tcpconnect (and tcpaccept): empty programs on the
 * hooks of each of its attach variants. Whatever the tool adds per connect
 * (accept) beyond these is its own work. */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

char LICENSE[] SEC("license") = "GPL";

/* variant "tracepoint"; with -L also tcp_retransmit_skb (which does not
 * fire in a loop of answered connects, but is attached) */
SEC("tracepoint/sock/inet_sock_set_state")
int floor_state(void *ctx) { return 0; }

SEC("tracepoint/tcp/tcp_retransmit_skb")
int floor_retransmit(void *ctx) { return 0; }

/* variant "fentry" */
SEC("fexit/tcp_v4_connect")
int floor_v4_fexit(void *ctx) { return 0; }

SEC("fexit/tcp_v6_connect")
int floor_v6_fexit(void *ctx) { return 0; }

/* variant "kprobe" */
SEC("kprobe/tcp_v4_connect")
int floor_v4_kprobe(void *ctx) { return 0; }

SEC("kretprobe/tcp_v4_connect")
int floor_v4_kretprobe(void *ctx) { return 0; }

SEC("kprobe/tcp_v6_connect")
int floor_v6_kprobe(void *ctx) { return 0; }

SEC("kretprobe/tcp_v6_connect")
int floor_v6_kretprobe(void *ctx) { return 0; }

/* tcpaccept's variants: "tracepoint", "fentry", "kprobe" */
SEC("tracepoint/syscalls/sys_exit_accept4")
int floor_accept4_exit(void *ctx) { return 0; }

SEC("tracepoint/syscalls/sys_exit_accept")
int floor_accept_exit(void *ctx) { return 0; }

SEC("fentry/security_sock_graft")
int floor_accept_fentry(void *ctx) { return 0; }

SEC("kprobe/security_sock_graft")
int floor_accept_kprobe(void *ctx) { return 0; }
