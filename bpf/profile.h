/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
#ifndef PROFILE_H
#define PROFILE_H

#define PROFILE_MAX_DEPTH 127	/* frames of one stack (the kernel's default max) */

/* One count per distinct (process, thread with -L, comm, user stack,
 * kernel stack). A stack id is a stack map key, or a negative errno: no
 * stack read (see profile_err). */
struct profile_key {
	__u32 pid;
	__u32 tid;		/* -L only; 0 otherwise */
	__s32 user_stack_id;
	__s32 kernel_stack_id;
	char comm[16];
};

/* Why a sample lost (part of) its stack, per CPU: reported at the end. */
enum profile_err {
	PROFILE_USER_EFAULT,	/* no user stack: a kernel thread, or unreadable */
	PROFILE_KERNEL_EFAULT,	/* no kernel stack: sampled in user mode */
	PROFILE_COLLISION,	/* -EEXIST: another stack had the same hash */
	PROFILE_STACK_OTHER,	/* any other stack error (-ENOMEM: map full) */
	PROFILE_COUNTS_FULL,	/* the counts map was full: the sample is lost */
	PROFILE_SAMPLES,	/* samples that passed the filters */
	PROFILE_NERR,
};

#endif
