// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* The floor for execsnoop, exitsnoop, killsnoop (and offcputime): empty programs on their
 * hooks. Whatever a tool adds per event beyond these is its own work. */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

char LICENSE[] SEC("license") = "GPL";

SEC("tp_btf/sched_process_exec")
int floor_exec_btf(void *ctx) { return 0; }

SEC("raw_tp/sched_process_exec")
int floor_exec_raw(void *ctx) { return 0; }

SEC("tracepoint/sched/sched_process_exec")
int floor_exec_tp(void *ctx) { return 0; }

SEC("tp_btf/sched_process_exit")
int floor_exit_btf(void *ctx) { return 0; }

SEC("raw_tp/sched_process_exit")
int floor_exit_raw(void *ctx) { return 0; }

SEC("tracepoint/sched/sched_process_exit")
int floor_exit_tp(void *ctx) { return 0; }

SEC("tracepoint/syscalls/sys_enter_kill")
int floor_kill_enter(void *ctx) { return 0; }

SEC("tracepoint/syscalls/sys_exit_kill")
int floor_kill_exit(void *ctx) { return 0; }

/* bindsnoop: the bind system-call tracepoints (both variants) and, for
 * variant "cgroup", the cgroup bind hooks (1: allow). */
SEC("tracepoint/syscalls/sys_enter_bind")
int floor_bind_enter(void *ctx) { return 0; }

SEC("tracepoint/syscalls/sys_exit_bind")
int floor_bind_exit(void *ctx) { return 0; }

SEC("cgroup/bind4")
int floor_bind4(void *ctx) { return 1; }

SEC("cgroup/bind6")
int floor_bind6(void *ctx) { return 1; }

/* offcputime's floor (tests/bench/offcputime.sh). */
SEC("tp_btf/sched_switch")
int floor_switch_btf(void *ctx) { return 0; }

SEC("raw_tp/sched_switch")
int floor_switch_raw(void *ctx) { return 0; }
