// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#include <dirent.h>
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <bpf/btf.h>
#include "args.h"
#include "attach.h"
#include "disks.h"
#include "log.h"

/* ---- disks ---------------------------------------------------------------- */

static int add_disk(struct tk_disks *d, int *cap, const char *name, const char *parent,
		    unsigned int major, unsigned int minor)
{
	struct tk_disk *k;

	if (strlen(name) >= TK_DISK_NAME_LEN)
		return 0;	/* longer than the kernel allows: not a disk name */
	if (d->n == *cap) {
		int ncap = *cap ? *cap * 2 : 64;

		k = realloc(d->disk, ncap * sizeof(*k));
		if (!k)
			return -ENOMEM;
		d->disk = k;
		*cap = ncap;
	}
	k = &d->disk[d->n++];
	memset(k, 0, sizeof(*k));
	strcpy(k->name, name);
	if (parent)
		snprintf(k->parent, sizeof(k->parent), "%s", parent);
	k->dev = TK_MKDEV(major, minor);
	return 0;
}

/* "MAJOR:MINOR\n" from @dir/@name/dev. */
static int read_dev(const char *dir, const char *name, unsigned int *major, unsigned int *minor)
{
	char path[512], buf[32];
	FILE *f;
	int ok;

	snprintf(path, sizeof(path), "%s/%s/dev", dir, name);
	f = fopen(path, "re");
	if (!f)
		return -errno;
	ok = fgets(buf, sizeof(buf), f) && sscanf(buf, "%u:%u", major, minor) == 2;
	fclose(f);
	return ok ? 0 : -EINVAL;
}

static int load_partitions_of(struct tk_disks *d, int *cap, const char *sys_block,
			      const char *disk)
{
	char dir[512], path[1024];
	unsigned int major, minor;
	struct dirent *e;
	DIR *dp;
	int err = 0;

	snprintf(dir, sizeof(dir), "%s/%s", sys_block, disk);
	dp = opendir(dir);
	if (!dp)
		return 0;
	while (!err && (e = readdir(dp))) {
		/* The kernel names a partition DISK[p]N (add_partition()): the
		 * disk's other entries (some thirty attributes) need no look. */
		if (strncmp(e->d_name, disk, strlen(disk)))
			continue;
		snprintf(path, sizeof(path), "%s/%s/partition", dir, e->d_name);
		if (access(path, F_OK) || read_dev(dir, e->d_name, &major, &minor))
			continue;
		err = add_disk(d, cap, e->d_name, disk, major, minor);
	}
	closedir(dp);
	return err;
}

static int load_sys_block(struct tk_disks *d, int *cap, const char *sys_block)
{
	unsigned int major, minor;
	struct dirent *e;
	DIR *dp = opendir(sys_block);
	int err = 0;

	if (!dp)
		return -errno;
	while (!err && (e = readdir(dp))) {
		if (e->d_name[0] == '.' || read_dev(sys_block, e->d_name, &major, &minor))
			continue;
		err = add_disk(d, cap, e->d_name, NULL, major, minor);
		if (!err)
			err = load_partitions_of(d, cap, sys_block, e->d_name);
	}
	closedir(dp);
	return err;
}

static int load_proc_partitions(struct tk_disks *d, int *cap, const char *path)
{
	char line[256], name[128];
	unsigned int major, minor;
	unsigned long long blocks;
	FILE *f = fopen(path, "re");
	int err = 0;

	if (!f)
		return -errno;
	/* "major minor  #blocks  name", a blank line, then one line each. */
	while (!err && fgets(line, sizeof(line), f)) {
		if (sscanf(line, "%u %u %llu %127s", &major, &minor, &blocks, name) == 4)
			err = add_disk(d, cap, name, NULL, major, minor);
	}
	fclose(f);
	return err;
}

static int by_name(const void *a, const void *b)
{
	return strverscmp(((const struct tk_disk *)a)->name, ((const struct tk_disk *)b)->name);
}

int tk_disks_load(struct tk_disks *d, const char *sys_block, const char *proc_partitions)
{
	struct tk_disks fresh = {};
	int cap = 0, err;

	err = load_sys_block(&fresh, &cap, sys_block ? sys_block : "/sys/block");
	/* No sysfs (a chroot, a minimal container): the kernel's own list. */
	if (err && err != -ENOMEM) {
		tk_disks_free(&fresh);
		cap = 0;
		err = load_proc_partitions(&fresh, &cap,
					   proc_partitions ? proc_partitions : "/proc/partitions");
	}
	if (err) {
		tk_disks_free(&fresh);
		return err;
	}
	if (fresh.n)
		qsort(fresh.disk, fresh.n, sizeof(*fresh.disk), by_name);
	tk_disks_free(d);
	*d = fresh;
	return 0;
}

void tk_disks_free(struct tk_disks *d)
{
	free(d->disk);
	d->disk = NULL;
	d->n = 0;
}

const struct tk_disk *tk_disk_by_name(const struct tk_disks *d, const char *name)
{
	int i;

	for (i = 0; i < d->n; i++)
		if (!strcmp(d->disk[i].name, name))
			return &d->disk[i];
	return NULL;
}

const struct tk_disk *tk_disk_by_dev(const struct tk_disks *d, uint32_t dev)
{
	int i;

	for (i = 0; i < d->n; i++)
		if (d->disk[i].dev == dev)
			return &d->disk[i];
	return NULL;
}

void tk_disks_list(const struct tk_disks *d, char *buf, size_t size)
{
	size_t used = 0, len;
	bool cut = false;
	char *space;
	int i;

	if (!size)
		return;
	buf[0] = '\0';
	for (i = 0; i < d->n && !cut; i++) {
		if (d->disk[i].parent[0])
			continue;
		len = strlen(d->disk[i].name) + (used ? 1 : 0);
		if (used + len >= size) {
			cut = true;
			break;
		}
		used += snprintf(buf + used, size - used, "%s%s", used ? " " : "",
				 d->disk[i].name);
	}
	if (!cut)
		return;
	/* Drop whole names from the end until " ..." fits. */
	while (used && used + 4 >= size) {
		space = strrchr(buf, ' ');
		used = space ? (size_t)(space - buf) : 0;
		buf[used] = '\0';
	}
	if (used + 4 < size)
		strcpy(buf + used, used ? " ..." : "...");
}

/* ---- request flags ------------------------------------------------------- */

/* Linux 5.10's values, for a kernel whose BTF lacks the enums. */
static const struct { const char *enumerator; const char *name; uint32_t value; } ops[] = {
	{ "REQ_OP_READ", "Read", 0 },
	{ "REQ_OP_WRITE", "Write", 1 },
	{ "REQ_OP_FLUSH", "Flush", 2 },
	{ "REQ_OP_DISCARD", "Discard", 3 },
	{ "REQ_OP_SECURE_ERASE", "SecureErase", 5 },
	{ "REQ_OP_ZONE_RESET", "ZoneReset", 6 },
	{ "REQ_OP_WRITE_SAME", "WriteSame", 7 },
	{ "REQ_OP_ZONE_RESET_ALL", "ZoneResetAll", 8 },
	{ "REQ_OP_WRITE_ZEROES", "WriteZeroes", 9 },
	{ "REQ_OP_ZONE_OPEN", "ZoneOpen", 10 },
	{ "REQ_OP_ZONE_CLOSE", "ZoneClose", 11 },
	{ "REQ_OP_ZONE_FINISH", "ZoneFinish", 12 },
	{ "REQ_OP_ZONE_APPEND", "ZoneAppend", 13 },
	{ "REQ_OP_SCSI_IN", "SCSIIn", 32 },
	{ "REQ_OP_SCSI_OUT", "SCSIOut", 33 },
	{ "REQ_OP_DRV_IN", "DrvIn", 34 },
	{ "REQ_OP_DRV_OUT", "DrvOut", 35 },
};

/* In the order bcc's libbpf-tools biolatency prints them. */
static const struct { const char *enumerator; const char *name; uint32_t bit; } flags[] = {
	{ "__REQ_NOWAIT", "NoWait-", 21 },
	{ "__REQ_BACKGROUND", "Background-", 20 },
	{ "__REQ_RAHEAD", "ReadAhead-", 19 },
	{ "__REQ_PREFLUSH", "PreFlush-", 18 },
	{ "__REQ_FUA", "FUA-", 17 },
	{ "__REQ_INTEGRITY", "Integrity-", 16 },
	{ "__REQ_IDLE", "Idle-", 15 },
	{ "__REQ_NOMERGE", "NoMerge-", 14 },
	{ "__REQ_PRIO", "Priority-", 13 },
	{ "__REQ_META", "Metadata-", 12 },
	{ "__REQ_SYNC", "Sync-", 11 },
};

#define N(a) (sizeof(a) / sizeof((a)[0]))

/* The enum named @name in @btf (either kind), or NULL. */
static const struct btf_type *find_enum(const struct btf *btf, const char *name)
{
	int id;

	if (!btf)
		return NULL;
	id = btf__find_by_name_kind(btf, name, BTF_KIND_ENUM);
	if (id < 0)
		id = btf__find_by_name_kind(btf, name, BTF_KIND_ENUM64);
	return id < 0 ? NULL : btf__type_by_id(btf, id);
}

/* Value of enumerator @name of @t: 0 and *value, or -ENOENT. */
static int enum_value(const struct btf *btf, const struct btf_type *t, const char *name,
		      uint64_t *value)
{
	int i;

	for (i = 0; i < btf_vlen(t); i++) {
		if (btf_is_enum(t)) {
			const struct btf_enum *e = btf_enum(t) + i;

			if (strcmp(btf__name_by_offset(btf, e->name_off), name))
				continue;
			*value = (uint32_t)e->val;
		} else {
			const struct btf_enum64 *e = btf_enum64(t) + i;

			if (strcmp(btf__name_by_offset(btf, e->name_off), name))
				continue;
			*value = btf_enum64_value(e);
		}
		return 0;
	}
	return -ENOENT;
}

void tk_rq_flags_init(struct tk_rq_flags *f, const struct btf *btf)
{
	const struct btf_type *op_enum = find_enum(btf, "req_op");
	const struct btf_type *bit_enum = find_enum(btf, "req_flag_bits");
	uint64_t v, op_bits = 8;
	size_t i;

	memset(f, 0, sizeof(*f));
	if (!op_enum)
		op_enum = find_enum(btf, "req_opf");
	/* The flag bits start right above the operation: REQ_OP_BITS. */
	if (bit_enum && !enum_value(btf, bit_enum, "__REQ_FAILFAST_DEV", &v) && v && v < 32)
		op_bits = v;
	f->op_mask = (1u << op_bits) - 1;
	/* A kernel that has the enum has exactly the operations it lists: an
	 * old number for one it lacks would name another operation. */
	for (i = 0; i < N(ops) && f->nops < TK_RQ_MAX_OPS; i++) {
		v = ops[i].value;
		if (op_enum && enum_value(btf, op_enum, ops[i].enumerator, &v))
			continue;
		f->op[f->nops].value = v;
		f->op[f->nops++].name = ops[i].name;
	}
	f->named_mask = f->op_mask;
	for (i = 0; i < N(flags) && f->nbits < TK_RQ_MAX_BITS; i++) {
		v = flags[i].bit;
		if (bit_enum && enum_value(btf, bit_enum, flags[i].enumerator, &v))
			continue;
		if (v < op_bits || v >= 32)
			continue;
		f->flag[f->nbits].bit = v;
		f->flag[f->nbits++].name = flags[i].name;
		f->named_mask |= 1u << v;
	}
}

size_t tk_rq_flags_name(const struct tk_rq_flags *f, uint32_t cmd_flags, char *buf, size_t size)
{
	const char *op = "Unknown";
	size_t used = 0;
	int i;

	if (!size)
		return 0;
	buf[0] = '\0';
	for (i = 0; i < f->nbits; i++)
		if (cmd_flags & (1u << f->flag[i].bit) && used < size)
			used += snprintf(buf + used, size - used, "%s", f->flag[i].name);
	for (i = 0; i < f->nops; i++)
		if ((cmd_flags & f->op_mask) == f->op[i].value)
			op = f->op[i].name;
	if (used < size)
		used += snprintf(buf + used, size - used, "%s", op);
	return used < size ? used : size - 1;
}

void tk_rq_flags_load(struct tk_rq_flags *f, const char *btf_path)
{
	struct btf *btf = tk_btf(btf_path);

	if (!btf)
		tk_info(1, "no kernel BTF to name the I/O flags (%s): using Linux 5.10's",
			strerror(errno));
	tk_rq_flags_init(f, btf);
}

uint32_t tk_disk_arg(struct tk_disks *d, const char *arg)
{
	const char *name = strncmp(arg, "/dev/", 5) ? arg : arg + 5;
	const struct tk_disk *k;
	char list[400];
	int err;

	err = tk_disks_load(d, NULL, NULL);
	if (err) {
		tk_warn("cannot list the disks (/sys/block, /proc/partitions): %s", strerror(-err));
		exit(1);
	}
	k = tk_disk_by_name(d, name);
	if (!k) {
		tk_disks_list(d, list, sizeof(list));
		tk_usage_error("unknown disk '%s' (disks: %s)", arg, list[0] ? list : "none");
	}
	/* Requests are the whole disk's: a partition's number never matches. */
	if (k->parent[0])
		tk_usage_error("'%s' is a partition: requests are per disk (try -d %s)",
			       arg, k->parent);
	return k->dev;
}
