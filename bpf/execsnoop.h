/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
#ifndef EXECSNOOP_H
#define EXECSNOOP_H

#define EXECSNOOP_PATH_MAX 256
/* The argument strings, back to back with their NULs, as the kernel laid them
 * out for the new program. Most command lines fit the small record; longer
 * ones take the large one; what does not fit either is marked truncated. */
#define EXECSNOOP_ARGS_SMALL 512
#define EXECSNOOP_ARGS_MAX 8192
/* Failed execs: the arguments are read one by one from the caller's argv,
 * at most this many, each at most EXECSNOOP_ARG_CHUNK - 1 bytes. */
#define EXECSNOOP_FAIL_ARGS 64
#define EXECSNOOP_ARG_CHUNK 512
/* --cwd: directory components, innermost first, one fixed slot per level
 * (as opensnoop -F). */
#define EXECSNOOP_CWD_DEPTH 32
#define EXECSNOOP_CWD_NAME 128

#define EXECSNOOP_F_TRUNCATED 1	/* args[] holds less than the exec had */
#define EXECSNOOP_F_INTERP 2	/* interp[] is what the kernel ran */
#define EXECSNOOP_F_FAILED 4	/* from sys_exit_execve(at): args from the caller */

struct execsnoop_event {
	__u64 ts_ns;		/* CLOCK_MONOTONIC when the exec took effect / failed */
	__u32 pid;		/* process (after the exec) */
	__u32 tid;		/* thread that called exec (its id before the exec) */
	__u32 ppid;
	__u32 uid;
	__s32 ret;		/* 0, or -errno */
	__u32 argc;		/* arguments the exec had */
	__u32 args_len;		/* bytes of argument strings the exec had */
	__u32 args_size;	/* bytes of them in args[] */
	__u16 cwd_depth;	/* --cwd: slots of cwd[] used */
	__u8 cwd_truncated;	/* --cwd: the walk stopped before the root */
	__u8 flags;		/* EXECSNOOP_F_* */
	__u32 pad;
	char comm[16];
	char filename[EXECSNOOP_PATH_MAX];	/* the path exec was given */
	char interp[EXECSNOOP_PATH_MAX];	/* the program the kernel ran (#!) */
	char args[EXECSNOOP_ARGS_MAX];
	char cwd[EXECSNOOP_CWD_DEPTH][EXECSNOOP_CWD_NAME];	/* --cwd only */
};

#define EXECSNOOP_ARGS_OFF ((unsigned long)&((struct execsnoop_event *)0)->args)
#define EXECSNOOP_SMALL_SIZE (EXECSNOOP_ARGS_OFF + EXECSNOOP_ARGS_SMALL)
#define EXECSNOOP_LARGE_SIZE ((unsigned long)&((struct execsnoop_event *)0)->cwd)

#endif
