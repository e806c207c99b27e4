/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
#ifndef TK_DEVNUM_H
#define TK_DEVNUM_H

#include <stdint.h>

/* The kernel's own device numbers (MKDEV: a 12-bit major over a 20-bit
 * minor), as BPF programs read them from inodes and gendisks -- not the
 * userspace dev_t that stat(2) returns. */
#define TK_MINORBITS 20
#define TK_MKDEV(ma, mi) (((uint32_t)(ma) << TK_MINORBITS) | (uint32_t)(mi))
#define TK_MAJOR(dev) ((uint32_t)(dev) >> TK_MINORBITS)
#define TK_MINOR(dev) ((uint32_t)(dev) & ((1u << TK_MINORBITS) - 1))

#endif
