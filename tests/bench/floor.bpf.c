// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* The benchmark floor: empty programs on the hooks the tools use. Whatever a
 * tool adds per event beyond these is the tool's own work. */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

char LICENSE[] SEC("license") = "GPL";

/* opensnoop's default variant */
SEC("tracepoint/syscalls/sys_exit_open")
int floor_exit_open(void *ctx) { return 0; }

SEC("tracepoint/syscalls/sys_exit_openat")
int floor_exit_openat(void *ctx) { return 0; }

SEC("tracepoint/syscalls/sys_exit_openat2")
int floor_exit_openat2(void *ctx) { return 0; }

/* syscount: raw_tp, and tp_btf (the variant syscount prefers) */
SEC("raw_tp/sys_enter")
int floor_sys_enter(void *ctx) { return 0; }

SEC("raw_tp/sys_exit")
int floor_sys_exit(void *ctx) { return 0; }

SEC("tp_btf/sys_enter")
int floor_sys_enter_btf(void *ctx) { return 0; }

SEC("tp_btf/sys_exit")
int floor_sys_exit_btf(void *ctx) { return 0; }

/* runqlat's hooks (tests/bench/runqlat.sh) */
SEC("raw_tp/sched_wakeup")
int floor_wakeup(void *ctx) { return 0; }

SEC("raw_tp/sched_wakeup_new")
int floor_wakeup_new(void *ctx) { return 0; }

SEC("raw_tp/sched_switch")
int floor_switch(void *ctx) { return 0; }

SEC("tp_btf/sched_wakeup")
int floor_wakeup_btf(void *ctx) { return 0; }

SEC("tp_btf/sched_wakeup_new")
int floor_wakeup_new_btf(void *ctx) { return 0; }

SEC("tp_btf/sched_switch")
int floor_switch_btf(void *ctx) { return 0; }
