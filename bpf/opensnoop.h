/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
#ifndef OPENSNOOP_H
#define OPENSNOOP_H

#define OPENSNOOP_PATH_MAX 256		/* as bcc: NAME_MAX + 1 */
/* -F: directory components, one fixed slot per level walked. Fixed slots keep
 * the verifier's states equal across the walk's branches, so it can prune. */
#define OPENSNOOP_DIR_DEPTH 32
#define OPENSNOOP_DIR_NAME 128

/* -f O_RDONLY/O_WRONLY/O_RDWR are access modes, not bits: one bit each here. */
#define OPENSNOOP_ACC(mode) (1u << (mode))

struct opensnoop_event {
	__u64 ts_ns;		/* CLOCK_MONOTONIC at the syscall's return */
	__u64 flags;		/* open flags (64-bit for openat2) */
	__u32 mode;
	__u32 pid;		/* process */
	__u32 tid;
	__u32 uid;
	__s32 ret;		/* fd, or -errno */
	__u16 dir_depth;	/* -F: slots of dir[] used */
	__u8 dir_truncated;	/* -F: the walk stopped before the root */
	__u8 pad;
	char comm[16];
	char path[OPENSNOOP_PATH_MAX];
	/* Only in -F records, for relative paths: the directory the path is
	 * relative to, innermost component first; an empty slot is a mount
	 * point crossed. */
	char dir[OPENSNOOP_DIR_DEPTH][OPENSNOOP_DIR_NAME];
};

/* Without -F a record ends at its path's NUL: it is this short at least, and
 * never longer than the part before dir[]. */
#define OPENSNOOP_MIN_SIZE ((unsigned long)&((struct opensnoop_event *)0)->path[1])
#define OPENSNOOP_SHORT_SIZE ((unsigned long)&((struct opensnoop_event *)0)->dir)

#endif
