/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* Stacks counted in the kernel, shared by the stack tools (profile,
 * offcputime): the key of one count and why a stack could be missing. */
#ifndef TK_STACKKEY_H
#define TK_STACKKEY_H

#define TK_STACK_MAX_DEPTH 127	/* frames of one stack (the kernel's default max) */

/* One stack, innermost frame first; the frames past its end are 0. */
struct tk_stack {
	__u64 ips[TK_STACK_MAX_DEPTH];
};

/* One count per distinct (process, thread when asked, comm, user stack,
 * kernel stack). A stack id is a key of the stacks map (a hash of the
 * frames, >= 0), or a negative errno: no stack kept (see tk_stack_err). */
struct tk_stack_key {
	__u32 pid;
	__u32 tid;		/* per thread only (profile -L, offcputime -t); 0 otherwise */
	__s64 user_stack_id;
	__s64 kernel_stack_id;
	char comm[16];
};
/* No padding: the key is hashed as bytes, on both sides. */
_Static_assert(sizeof(struct tk_stack_key) == 40, "tk_stack_key layout changed");

/* Why (part of) a stack was lost, per CPU: reported at the end. A tool's
 * own reasons follow TK_STACK_NERR. */
enum tk_stack_err {
	TK_STACK_USER_EFAULT,	/* no user stack: a kernel thread, or unreadable */
	TK_STACK_KERNEL_EFAULT,	/* no kernel stack: sampled in user mode */
	TK_STACK_FULL,		/* -E2BIG: the stacks map was full */
	TK_STACK_OTHER,		/* any other stack error (-ENOMEM) */
	TK_STACK_COUNTS_FULL,	/* the counts map was full: the event is lost */
	TK_STACK_EVENTS,	/* events (samples, blocks) that passed the filters */
	TK_STACK_NERR,
};

#endif
