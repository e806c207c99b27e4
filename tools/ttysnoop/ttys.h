/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* Terminals: which character devices are terminals, and the names ps(1)
 * gives them ("pts/3", "tty1", "ttyS0", "console"). Device numbers are the
 * kernel's own encoding, as BPF programs see them. */
#ifndef TK_TTYS_H
#define TK_TTYS_H

#include <stddef.h>
#include <stdint.h>
#include "devnum.h"

/* Unix98 pty slaves: UNIX98_PTY_SLAVE_MAJOR and the seven after it. */
#define TK_PTS_MAJOR_FIRST 136
#define TK_PTS_MAJOR_LAST 143

/* The name of terminal @dev into @buf (always NUL-terminated): 0, or
 * -ENOENT if @dev is not a terminal. Pty slaves have no sysfs entry and are
 * named by number; every other terminal is a device of class tty in sysfs
 * (@sysfs, NULL: /sys), except ptmx, the master side, which is no terminal.
 * Without sysfs, the fixed numbers of ttyN, ttySN, tty and console. */
int tk_tty_name(const char *sysfs, uint32_t dev, char *buf, size_t size);

/* Sets the bit of every terminal's major below @nmajors in @bits (which it
 * clears first): the pty slave majors and the majors of class tty's devices
 * in sysfs, ptmx aside; without sysfs, majors 4 and 5 (ttyN, ttySN, tty,
 * console). With @sysfs NULL, the kernel's list of terminal drivers is read
 * instead if it can be (tk_tty_majors_proc: one read, not one per device).
 * Returns the number of bits set. */
int tk_tty_majors(const char *sysfs, uint64_t *bits, int nmajors);

/* The same from the kernel's list of terminal drivers (@drivers:
 * /proc/tty/drivers), pty masters aside: the number of bits set, or a
 * negative errno if it cannot be read. */
int tk_tty_majors_proc(const char *drivers, uint64_t *bits, int nmajors);

#endif
