// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* tk_mount: the mount workload. Moves into a mount namespace of its own
 * (private, so nothing it mounts is seen outside it, and nothing is left if
 * it dies), prints "pid PID" and "mntns INODE", waits on a go FIFO, then
 * makes each call below on DIR (an empty directory) and prints one line per
 * call: "CALL ret N" or "CALL ret -1 errno E".
 *
 *   tk_mount [-g GOFILE] [-s SOURCE] DIR
 *     mount(SOURCE (default "tk-src-PID"), DIR, "tmpfs", MS_NOSUID|MS_NODEV, "size=1m,mode=700")
 *     umount2(DIR, 0)
 *     mount("tk-src-PID", DIR/nonexistent, "tmpfs", 0, NULL)   -> ENOENT
 *     fsopen("tmpfs", FSOPEN_CLOEXEC)                            -> fd F
 *     fsconfig(F, FSCONFIG_SET_STRING, "size", "2m", 0)
 *     fsconfig(F, FSCONFIG_CMD_CREATE, NULL, NULL, 0)
 *     fsmount(F, FSMOUNT_CLOEXEC, MOUNT_ATTR_NODEV)             -> fd M
 *     move_mount(M, "", AT_FDCWD, DIR, MOVE_MOUNT_F_EMPTY_PATH)
 *     fspick(AT_FDCWD, DIR, FSPICK_CLOEXEC)                       -> fd P
 *     open_tree(AT_FDCWD, DIR, OPEN_TREE_CLONE|OPEN_TREE_CLOEXEC) -> fd T
 *     mount_setattr(AT_FDCWD, DIR, 0, {MOUNT_ATTR_RDONLY, MOUNT_ATTR_NODEV,
 *                   MS_PRIVATE}, 32)                (ENOSYS before 5.12)
 *     umount2(DIR, MNT_DETACH) */
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>
#include "tk_go.h"

#ifndef FSOPEN_CLOEXEC
#define FSOPEN_CLOEXEC 0x00000001
#endif
#ifndef FSCONFIG_SET_STRING
#define FSCONFIG_SET_STRING 1
#define FSCONFIG_CMD_CREATE 6
#endif
#ifndef FSMOUNT_CLOEXEC
#define FSMOUNT_CLOEXEC 0x00000001
#endif
#ifndef MOUNT_ATTR_NODEV
#define MOUNT_ATTR_NODEV 0x00000004
#endif
#ifndef MOVE_MOUNT_F_EMPTY_PATH
#define MOVE_MOUNT_F_EMPTY_PATH 0x00000004
#endif
#ifndef FSPICK_CLOEXEC
#define FSPICK_CLOEXEC 0x00000001
#endif
#ifndef OPEN_TREE_CLONE
#define OPEN_TREE_CLONE 1
#endif
#ifndef MOUNT_ATTR_RDONLY
#define MOUNT_ATTR_RDONLY 0x00000001
#endif
/* The same numbers on every architecture (they came after 424). */
#define TK_SYS_open_tree 428
#define TK_SYS_fspick 433
#define TK_SYS_mount_setattr 442
#ifndef SYS_fsopen
#define SYS_fsopen 430
#define SYS_fsconfig 431
#define SYS_fsmount 432
#define SYS_move_mount 429
#endif

static long report(const char *what, long ret)
{
	if (ret < 0)
		printf("%s ret -1 errno %d\n", what, errno);
	else
		printf("%s ret %ld\n", what, ret);
	fflush(stdout);
	return ret;
}

int main(int argc, char **argv)
{
	const char *go = NULL, *dir, *source = NULL;
	char src[256], missing[4096];
	struct stat st;
	long fs, mnt, fd;
	/* struct mount_attr: attr_set, attr_clr, propagation, userns_fd */
	unsigned long long attr[4] = { MOUNT_ATTR_RDONLY, MOUNT_ATTR_NODEV, MS_PRIVATE, 0 };
	int c;

	while ((c = getopt(argc, argv, "g:s:")) != -1) {
		switch (c) {
		case 'g': go = optarg; break;
		case 's': source = optarg; break;
		default: return 2;
		}
	}
	if (argc - optind != 1) {
		fprintf(stderr, "usage: tk_mount [-g GOFILE] [-s SOURCE] DIR\n");
		return 2;
	}
	dir = argv[optind];
	if (unshare(CLONE_NEWNS) || mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL)) {
		fprintf(stderr, "tk_mount: private mount namespace: %s\n", strerror(errno));
		return 1;
	}
	if (stat("/proc/self/ns/mnt", &st)) {
		fprintf(stderr, "tk_mount: /proc/self/ns/mnt: %s\n", strerror(errno));
		return 1;
	}
	snprintf(src, sizeof(src), "%s", source ? source : "");
	if (!source)
		snprintf(src, sizeof(src), "tk-src-%d", getpid());
	snprintf(missing, sizeof(missing), "%s/nonexistent", dir);
	printf("pid %d\nmntns %lu\n", getpid(), (unsigned long)st.st_ino);
	fflush(stdout);
	tk_wait_go("tk_mount", go);

	report("mount", mount(src, dir, "tmpfs", MS_NOSUID | MS_NODEV, "size=1m,mode=700"));
	report("umount2", umount2(dir, 0));
	report("mount", mount(src, missing, "tmpfs", 0, NULL));
	fs = report("fsopen", syscall(SYS_fsopen, "tmpfs", FSOPEN_CLOEXEC));
	report("fsconfig", syscall(SYS_fsconfig, fs, FSCONFIG_SET_STRING, "size", "2m", 0));
	report("fsconfig", syscall(SYS_fsconfig, fs, FSCONFIG_CMD_CREATE, NULL, NULL, 0));
	mnt = report("fsmount", syscall(SYS_fsmount, fs, FSMOUNT_CLOEXEC, MOUNT_ATTR_NODEV));
	report("move_mount", syscall(SYS_move_mount, mnt, "", AT_FDCWD, dir,
				     MOVE_MOUNT_F_EMPTY_PATH));
	fd = report("fspick", syscall(TK_SYS_fspick, AT_FDCWD, dir, FSPICK_CLOEXEC));
	if (fd >= 0)
		close((int)fd);
	fd = report("open_tree", syscall(TK_SYS_open_tree, AT_FDCWD, dir,
					 OPEN_TREE_CLONE | O_CLOEXEC));
	if (fd >= 0)
		close((int)fd);
	report("mount_setattr", syscall(TK_SYS_mount_setattr, AT_FDCWD, dir, 0, attr,
					sizeof(attr)));
	report("umount2", umount2(dir, MNT_DETACH));
	printf("done\n");
	return 0;
}
