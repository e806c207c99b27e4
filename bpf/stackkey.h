/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* Stacks counted in the kernel, shared by the stack tools (profile,
 * offcputime): the key of one count and why a stack could be missing. */
#ifndef TK_STACKKEY_H
#define TK_STACKKEY_H

#define TK_STACK_MAX_DEPTH 127	/* frames of one stack (the kernel's default max) */

/* One count per distinct (process, thread when asked, comm, user stack,
 * kernel stack). A stack id is a stack map key, or a negative errno: no
 * stack read (see tk_stack_err). */
struct tk_stack_key {
	__u32 pid;
	__u32 tid;		/* per thread only (profile -L, offcputime -t); 0 otherwise */
	__s32 user_stack_id;
	__s32 kernel_stack_id;
	char comm[16];
};

/* Why (part of) a stack was lost, per CPU: reported at the end. A tool's
 * own reasons follow TK_STACK_NERR. */
enum tk_stack_err {
	TK_STACK_USER_EFAULT,	/* no user stack: a kernel thread, or unreadable */
	TK_STACK_KERNEL_EFAULT,	/* no kernel stack: sampled in user mode */
	TK_STACK_COLLISION,	/* -EEXIST: another stack had the same hash */
	TK_STACK_OTHER,		/* any other stack error (-ENOMEM: map full) */
	TK_STACK_COUNTS_FULL,	/* the counts map was full: the event is lost */
	TK_STACK_EVENTS,	/* events (samples, blocks) that passed the filters */
	TK_STACK_NERR,
};

#endif
