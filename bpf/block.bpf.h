/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* The block tracepoints' arguments on every kernel (biolatency, biosnoop).
 *
 * Linux 5.11 (commit a54895fa, "block: remove the request_queue to argument
 * request based tracepoints"; backported to 5.10.137, so no version number
 * can tell) changed block_rq_insert and block_rq_issue from
 * (struct request_queue *q, struct request *rq) to (struct request *rq);
 * e8a676d61c07 did the same for block_getrq (q, bio, rw) -> (bio), and
 * Debian 11's 5.10 has the new block_rq_* shapes with the old block_getrq.
 * The kernel's BTF has each tracepoint's prototype as the btf_trace_<name>
 * typedef, and libbpf finds a local flavour of a typedef "existing" only if
 * its function prototype has as many arguments, of compatible kinds -- so
 * these exist exactly on kernels with the new shape. (Compatible kinds: our
 * struct request must be a struct in this object's BTF, not a forward
 * declaration, and it is because the programs read its fields.) A kernel
 * without the typedefs at all predates them (5.5), so has the old shape.
 * The answer is a constant at load time; the verifier drops the other
 * branch, which reads an argument the tracepoint may not have. */
#ifndef TK_BLOCK_BPF_H
#define TK_BLOCK_BPF_H

#include <bpf/bpf_core_read.h>

typedef void (*btf_trace_block_rq_insert___rq_only)(void *, struct request *);
typedef void (*btf_trace_block_rq_issue___rq_only)(void *, struct request *);
typedef void (*btf_trace_block_getrq___bio_only)(void *, struct bio *);

/* args[N] as one load at a constant offset from the context. Written in C,
 * clang merges the two branches below into one load from args + 8 * (0 or
 * 1): a context pointer moved by a register, which the verifier refuses
 * ("dereference of modified ctx ptr R1 off=8 disallowed"; 5.10 reached it,
 * where newer kernels' offset happened to be 0). Each asm is its own load. */
#define TK_CTX_ARG(args, n)                                                    \
	({                                                                     \
		__u64 __v;                                                     \
		asm volatile("%[v] = *(u64 *)(%[a] + %[off])"                  \
			     : [v] "=r"(__v)                                   \
			     : [a] "r"(args), [off] "i"((n) * 8));             \
		__v;                                                           \
	})

static __always_inline struct request *tk_insert_rq(__u64 *args)
{
	if (bpf_core_type_exists(btf_trace_block_rq_insert___rq_only))
		return (struct request *)TK_CTX_ARG(args, 0);
	return (struct request *)TK_CTX_ARG(args, 1);
}

static __always_inline struct request *tk_issue_rq(__u64 *args)
{
	if (bpf_core_type_exists(btf_trace_block_rq_issue___rq_only))
		return (struct request *)TK_CTX_ARG(args, 0);
	return (struct request *)TK_CTX_ARG(args, 1);
}

static __always_inline struct bio *tk_getrq_bio(__u64 *args)
{
	if (bpf_core_type_exists(btf_trace_block_getrq___bio_only))
		return (struct bio *)TK_CTX_ARG(args, 0);
	return (struct bio *)TK_CTX_ARG(args, 1);
}

#endif
