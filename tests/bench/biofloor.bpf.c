// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* The benchmark floor for biolatency: empty programs on the block request
 * tracepoints, for each of its attach variants. Whatever biolatency adds per
 * I/O beyond these is its own work. */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

char LICENSE[] SEC("license") = "GPL";

/* variant "tp_btf" */
SEC("tp_btf/block_rq_insert")
int floor_insert_btf(void *ctx) { return 0; }

SEC("tp_btf/block_rq_issue")
int floor_issue_btf(void *ctx) { return 0; }

SEC("tp_btf/block_rq_complete")
int floor_complete_btf(void *ctx) { return 0; }

/* variant "raw_tp" */
SEC("raw_tp/block_rq_insert")
int floor_insert_raw(void *ctx) { return 0; }

SEC("raw_tp/block_rq_issue")
int floor_issue_raw(void *ctx) { return 0; }

SEC("raw_tp/block_rq_complete")
int floor_complete_raw(void *ctx) { return 0; }
