/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
#ifndef MOUNTSNOOP_H
#define MOUNTSNOOP_H

enum mountsnoop_call {
	MS_CALL_MOUNT,
	MS_CALL_UMOUNT,		/* umount2(2); the syscall is "umount" */
	MS_CALL_FSOPEN,
	MS_CALL_FSCONFIG,
	MS_CALL_FSMOUNT,
	MS_CALL_MOVE_MOUNT,
	MS_CALL_FSPICK,
	MS_CALL_OPEN_TREE,
	MS_CALL_MOUNT_SETATTR,	/* 5.12+ */
	MS_NCALLS,
};

#define MOUNTSNOOP_PATH_MAX 256
#define MOUNTSNOOP_FSTYPE_MAX 64
#define MOUNTSNOOP_KEY_MAX 64
#define MOUNTSNOOP_DATA_MAX 512

/* truncated: a string filled its field, so it may have been longer. */
#define MS_TRUNC_SOURCE 1
#define MS_TRUNC_TARGET 2
#define MS_TRUNC_FSTYPE 4
#define MS_TRUNC_KEY 8
#define MS_TRUNC_DATA 16

/* One call, at its return. Which fields a call fills:
 *   mount(source, target, fstype, flags, data)
 *   umount2(target, flags)
 *   fsopen(fstype, flags)
 *   fsconfig(fd, flags = cmd, key, data = value, fd2 = aux)
 *   fsmount(fd, flags, attr)
 *   move_mount(fd, source, fd2, target, flags)
 *   fspick(fd, target = path, flags)
 *   open_tree(fd, target = path, flags)
 *   mount_setattr(fd, target = path, flags, attr_set, attr_clr, propagation:
 *                 the struct mount_attr it was given) */
struct mountsnoop_event {
	__u64 ts_ns;		/* CLOCK_MONOTONIC at the return */
	__u64 delta_ns;		/* time in the call */
	__u64 flags;
	__s64 ret;		/* result, or -errno */
	__u32 pid;
	__u32 tid;
	__u32 uid;
	__u32 call;		/* enum mountsnoop_call */
	__s32 fd;
	__s32 fd2;
	__u32 attr;
	__u32 mnt_ns;		/* the caller's mount namespace (its inode number) */
	__u8 truncated;		/* MS_TRUNC_* */
	__u8 has_attr;		/* mount_setattr: its struct mount_attr was read */
	__u8 pad[6];
	__u64 attr_set;
	__u64 attr_clr;
	__u64 propagation;
	char comm[16];
	char source[MOUNTSNOOP_PATH_MAX];
	char target[MOUNTSNOOP_PATH_MAX];
	char fstype[MOUNTSNOOP_FSTYPE_MAX];
	char key[MOUNTSNOOP_KEY_MAX];
	char data[MOUNTSNOOP_DATA_MAX];
};

#endif
