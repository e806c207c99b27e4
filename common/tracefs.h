/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
#ifndef TK_TRACEFS_H
#define TK_TRACEFS_H

/* The tracefs mount point in use ("/sys/kernel/tracing" or the debugfs one),
 * mounting tracefs at /sys/kernel/tracing if nothing is mounted. NULL, with
 * a message already printed, if that is impossible. */
const char *tk_tracefs(void);

#endif
