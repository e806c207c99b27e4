/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* Block devices and their requests, for the block I/O tools: disk names and
 * numbers (from sysfs), and bcc's names for a request's flags (from the
 * kernel's BTF, since their values changed across kernel versions). */
#ifndef TK_DISKS_H
#define TK_DISKS_H

#include <stddef.h>
#include <stdint.h>
#include "devnum.h"

struct btf;

#define TK_DISK_NAME_LEN 32	/* the kernel's DISK_NAME_LEN */

struct tk_disk {
	char name[TK_DISK_NAME_LEN];
	char parent[TK_DISK_NAME_LEN];	/* a partition's disk; "" for a disk */
	uint32_t dev;			/* TK_MKDEV */
};

struct tk_disks {
	struct tk_disk *disk;	/* disks and partitions, sorted by name */
	int n;
};

/* Reads @sys_block (NULL: /sys/block): each entry's "dev" file (MAJOR:MINOR)
 * and its partitions' (subdirectories with a "partition" file). If that
 * directory cannot be read, @proc_partitions (NULL: /proc/partitions), which
 * cannot tell disks from partitions. Replaces what @d held. 0 or -errno. */
int tk_disks_load(struct tk_disks *d, const char *sys_block, const char *proc_partitions);
void tk_disks_free(struct tk_disks *d);

const struct tk_disk *tk_disk_by_name(const struct tk_disks *d, const char *name);
const struct tk_disk *tk_disk_by_dev(const struct tk_disks *d, uint32_t dev);
/* The disk names (not partitions), space-separated, in version order
 * ("loop2 loop10 vda"); ends in "..." when @size is too small. */
void tk_disks_list(const struct tk_disks *d, char *buf, size_t size);

/* bcc's names for a request's cmd_flags: the operation ("Read", "Write",
 * "Flush", ...) after the flags that are set, each with a dash ("Sync-",
 * "FUA-", ...): "Sync-Write". Operation numbers change across kernels (the
 * zone operations were renumbered, REQ_OP_WRITE_SAME went away in 5.18),
 * and so may flag bits, so both come from the kernel's BTF enums rather
 * than from one kernel's values: req_op (req_opf on older kernels) and
 * req_flag_bits. */
#define TK_RQ_MAX_OPS 24
#define TK_RQ_MAX_BITS 16

struct tk_rq_flags {
	uint32_t op_mask;	/* REQ_OP_MASK */
	uint32_t named_mask;	/* op_mask and the flag bits that have a name */
	int nops, nbits;
	struct { uint32_t value; const char *name; } op[TK_RQ_MAX_OPS];
	struct { uint32_t bit; const char *name; } flag[TK_RQ_MAX_BITS];
};

/* From @btf (NULL, or one without the enums: the values of Linux 5.10). */
void tk_rq_flags_init(struct tk_rq_flags *f, const struct btf *btf);
/* The same from the kernel's BTF (the file @btf_path, if not NULL); Linux
 * 5.10's names where there is none. Parsing it costs some 15 ms. */
void tk_rq_flags_load(struct tk_rq_flags *f, const char *btf_path);

/* -d DISK (a name, or /dev/NAME) for the tools that take one: loads @d and
 * returns the disk's number; a usage error (exit 2) for an unknown disk or a
 * partition (requests are per disk), exit 1 if there is no disk list. */
uint32_t tk_disk_arg(struct tk_disks *d, const char *arg);
/* The name of @cmd_flags into @buf (always NUL-terminated); its length. */
size_t tk_rq_flags_name(const struct tk_rq_flags *f, uint32_t cmd_flags, char *buf, size_t size);

#endif
