/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* Syscall numbers and names of the target architecture (x86_64, arm64),
 * independent of the build host's headers. */
#ifndef TK_SYSCALLS_H
#define TK_SYSCALLS_H

/* Name of syscall @nr ("openat"), or NULL if unknown. */
const char *syscall_name(int nr);
/*
 * Number of the syscall called @name, or -1. Also accepts the few names
 * tracefs uses instead (sys_enter_newstat is stat, sys_enter_umount is umount2).
 */
int syscall_nr(const char *name);
/* One past the highest known syscall number (table size). */
int syscall_table_size(void);

#endif
