// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* Unit test for tools/biolatency/disks.c: disk names <-> numbers from a fake sysfs and
 * /proc/partitions, and request flag names from a fake kernel BTF (and
 * without one). Needs no root. Exit status 0 = pass. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <bpf/btf.h>
#include "disks.h"

static int passed, failed;

#define CHECK(cond) do {						\
	if (cond) {							\
		passed++;						\
	} else {							\
		failed++;						\
		fprintf(stderr, "%s:%d: FAIL: %s\n", __FILE__, __LINE__, #cond); \
	}								\
} while (0)

#define CHECK_STR(got, exp) do {					\
	const char *g_ = (got), *e_ = (exp);				\
	if (g_ && !strcmp(g_, e_)) {					\
		passed++;						\
	} else {							\
		failed++;						\
		fprintf(stderr, "%s:%d: FAIL: got '%s', expected '%s'\n",	\
			__FILE__, __LINE__, g_ ? g_ : "(null)", e_);	\
	}								\
} while (0)

static char root[] = "/tmp/tk_disks_XXXXXX";

static void put(const char *rel, const char *text)
{
	char path[512];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", root, rel);
	f = fopen(path, "w");
	if (!f || fputs(text, f) < 0 || fclose(f)) {
		perror(path);
		exit(2);
	}
}

static void dir(const char *rel)
{
	char path[512];

	snprintf(path, sizeof(path), "%s/%s", root, rel);
	if (mkdir(path, 0755)) {
		perror(path);
		exit(2);
	}
}

static void cleanup(void)
{
	char cmd[600];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", root);
	if (system(cmd))
		fprintf(stderr, "test_disks: could not remove %s\n", root);
}

/* ---- disks ---------------------------------------------------------------- */

static void test_sys_block(void)
{
	struct tk_disks d = {};
	char sys[512], list[128];
	const struct tk_disk *k;

	dir("block");
	dir("block/loop0");
	put("block/loop0/dev", "7:0\n");
	dir("block/loop10");
	put("block/loop10/dev", "7:10\n");
	dir("block/loop2");
	put("block/loop2/dev", "7:2\n");
	dir("block/vda");
	put("block/vda/dev", "254:0\n");
	dir("block/vda/vda1");
	put("block/vda/vda1/dev", "254:1\n");
	put("block/vda/vda1/partition", "1\n");
	dir("block/vda/queue");		/* a subdirectory that is no partition */
	dir("block/junk");		/* no dev file: skipped */
	put("block/bad", "x");		/* not a directory: skipped */
	snprintf(sys, sizeof(sys), "%s/block", root);

	CHECK(tk_disks_load(&d, sys, "/nonexistent") == 0);
	CHECK(d.n == 5);
	tk_disks_list(&d, list, sizeof(list));
	CHECK_STR(list, "loop0 loop2 loop10 vda");
	k = tk_disk_by_name(&d, "loop10");
	CHECK(k && k->dev == TK_MKDEV(7, 10) && !k->parent[0]);
	k = tk_disk_by_name(&d, "vda1");
	CHECK(k && k->dev == TK_MKDEV(254, 1));
	CHECK_STR(k ? k->parent : NULL, "vda");
	k = tk_disk_by_dev(&d, TK_MKDEV(254, 0));
	CHECK_STR(k ? k->name : NULL, "vda");
	CHECK(tk_disk_by_name(&d, "nope") == NULL);
	CHECK(tk_disk_by_name(&d, "queue") == NULL);
	CHECK(tk_disk_by_dev(&d, TK_MKDEV(8, 0)) == NULL);
	CHECK(TK_MAJOR(TK_MKDEV(254, 1)) == 254 && TK_MINOR(TK_MKDEV(254, 1)) == 1);
	CHECK(TK_MKDEV(7, 0) == 7u << 20);

	/* Too small for all: whole names, then " ...", never a cut name. */
	tk_disks_list(&d, list, 12);
	CHECK_STR(list, "loop0 ...");
	tk_disks_list(&d, list, 23);
	CHECK_STR(list, "loop0 loop2 loop10 vda");
	tk_disks_list(&d, list, 22);
	CHECK_STR(list, "loop0 loop2 ...");
	tk_disks_list(&d, list, 6);
	CHECK_STR(list, "...");
	tk_disks_list(&d, list, 1);
	CHECK_STR(list, "");

	/* Loading again replaces; a failed load keeps what was there. */
	CHECK(tk_disks_load(&d, "/nonexistent", "/nonexistent") == -ENOENT);
	CHECK(d.n == 5);

	/* A disk whose name ends in a digit: its partitions are DISKpN. */
	dir("block/nvme0n1");
	put("block/nvme0n1/dev", "259:0\n");
	dir("block/nvme0n1/nvme0n1p2");
	put("block/nvme0n1/nvme0n1p2/dev", "259:2\n");
	put("block/nvme0n1/nvme0n1p2/partition", "2\n");
	CHECK(tk_disks_load(&d, sys, "/nonexistent") == 0);
	CHECK(d.n == 7);
	k = tk_disk_by_name(&d, "nvme0n1p2");
	CHECK(k && k->dev == TK_MKDEV(259, 2));
	CHECK_STR(k ? k->parent : NULL, "nvme0n1");
	tk_disks_free(&d);
	CHECK(d.n == 0 && d.disk == NULL);
}

static void test_proc_partitions(void)
{
	struct tk_disks d = {};
	char path[512], list[128];
	const struct tk_disk *k;

	put("partitions",
	    "major minor  #blocks  name\n"
	    "\n"
	    " 254        0  268435456 vda\n"
	    " 254        1  268434432 vda1\n"
	    "   7        0      65536 loop0\n");
	snprintf(path, sizeof(path), "%s/partitions", root);
	CHECK(tk_disks_load(&d, "/nonexistent", path) == 0);
	CHECK(d.n == 3);
	tk_disks_list(&d, list, sizeof(list));
	/* Without sysfs partitions cannot be told from disks. */
	CHECK_STR(list, "loop0 vda vda1");
	k = tk_disk_by_dev(&d, TK_MKDEV(7, 0));
	CHECK_STR(k ? k->name : NULL, "loop0");
	tk_disks_free(&d);
}

/* ---- request flags ------------------------------------------------------- */

static const char *flag_name(const struct tk_rq_flags *f, uint32_t v)
{
	static char buf[256];

	tk_rq_flags_name(f, v, buf, sizeof(buf));
	return buf;
}

#define SYNC (1u << 11)
#define IDLE (1u << 15)
#define FUA (1u << 17)
#define NOWAIT (1u << 21)

static void test_flags_fallback(void)
{
	struct tk_rq_flags f;
	char small[8];

	tk_rq_flags_init(&f, NULL);
	CHECK(f.op_mask == 0xff);
	CHECK_STR(flag_name(&f, 0), "Read");
	CHECK_STR(flag_name(&f, 1), "Write");
	CHECK_STR(flag_name(&f, 1 | SYNC), "Sync-Write");
	CHECK_STR(flag_name(&f, 1 | SYNC | IDLE), "Idle-Sync-Write");
	CHECK_STR(flag_name(&f, 2 | SYNC | FUA | NOWAIT), "NoWait-FUA-Sync-Flush");
	CHECK_STR(flag_name(&f, 9), "WriteZeroes");
	CHECK_STR(flag_name(&f, 4), "Unknown");
	CHECK_STR(flag_name(&f, 10), "ZoneOpen");
	/* A bit without a name (FAILFAST_DEV) is left out, and masked away. */
	CHECK_STR(flag_name(&f, 0 | (1u << 8)), "Read");
	CHECK(!(f.named_mask & (1u << 8)));
	CHECK((f.named_mask & (0xff | SYNC | IDLE | FUA | NOWAIT)) == (0xff | SYNC | IDLE | FUA | NOWAIT));
	CHECK(tk_rq_flags_name(&f, 1 | SYNC, small, sizeof(small)) == 7);
	CHECK_STR(small, "Sync-Wr");
}

static void add_enum(struct btf *b, const char *name, const char *const *names,
		     const int *values, int n)
{
	int i;

	if (btf__add_enum(b, name, 4) < 0) {
		fprintf(stderr, "btf__add_enum failed\n");
		exit(2);
	}
	for (i = 0; i < n; i++)
		btf__add_enum_value(b, names[i], values[i]);
}

static void test_flags_btf(void)
{
	static const char *const op_names[] = {
		"REQ_OP_READ", "REQ_OP_WRITE", "REQ_OP_FLUSH", "REQ_OP_ZONE_OPEN",
		"REQ_OP_ZONE_APPEND", "REQ_OP_LAST",
	};
	static const int op_values[] = { 0, 1, 2, 11, 7, 36 };
	/* An imaginary kernel whose ops are 4 bits and whose flags moved. */
	static const char *const bit_names[] = {
		"__REQ_FAILFAST_DEV", "__REQ_SYNC", "__REQ_FUA", "__REQ_NR_BITS",
	};
	static const int bit_values[] = { 4, 5, 9, 10 };
	struct tk_rq_flags f;
	struct btf *b = btf__new_empty();

	CHECK(b != NULL);
	if (!b)
		return;
	add_enum(b, "req_op", op_names, op_values, 6);
	add_enum(b, "req_flag_bits", bit_names, bit_values, 4);
	tk_rq_flags_init(&f, b);
	CHECK(f.op_mask == 0xf);
	CHECK(f.named_mask == (0xf | 1u << 5 | 1u << 9));
	CHECK_STR(flag_name(&f, 11), "ZoneOpen");	/* 5.10's 11 was ZoneClose */
	CHECK_STR(flag_name(&f, 7), "ZoneAppend");	/* 5.10's 7 was WriteSame */
	CHECK_STR(flag_name(&f, 9), "Unknown");		/* no WRITE_ZEROES here */
	CHECK_STR(flag_name(&f, 1 | 1u << 5), "Sync-Write");
	CHECK_STR(flag_name(&f, 1 | 1u << 9 | 1u << 5), "FUA-Sync-Write");
	CHECK_STR(flag_name(&f, 1 | SYNC), "Write");	/* bit 11 means nothing here */
	btf__free(b);

	/* The older name of the operations' enum. */
	b = btf__new_empty();
	add_enum(b, "req_opf", op_names, op_values, 3);
	tk_rq_flags_init(&f, b);
	CHECK(f.op_mask == 0xff);	/* no req_flag_bits: 5.10's layout */
	CHECK_STR(flag_name(&f, 2 | SYNC), "Sync-Flush");
	CHECK_STR(flag_name(&f, 11), "Unknown");
	btf__free(b);
}

int main(void)
{
	if (!mkdtemp(root)) {
		perror("mkdtemp");
		return 2;
	}
	test_sys_block();
	test_proc_partitions();
	test_flags_fallback();
	test_flags_btf();
	cleanup();
	printf("test_disks: %d passed, %d failed\n", passed, failed);
	return failed ? 1 : 0;
}
