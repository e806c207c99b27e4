/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* x86_64 syscall numbers and names, independent of the build host's headers. */
#ifndef TK_SYSCALLS_H
#define TK_SYSCALLS_H

/* Name of x86_64 syscall @nr ("openat"), or NULL if unknown. */
const char *syscall_name(int nr);
/*
 * Number of the syscall called @name, or -1. Also accepts the few names
 * tracefs uses instead (sys_enter_newstat is stat, sys_enter_umount is umount2).
 */
int syscall_nr(const char *name);
/* One past the highest known syscall number (table size). */
int syscall_table_size(void);

#endif
