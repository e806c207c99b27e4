// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* biosnoop: trace block device I/O, one line per request. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <bpf/btf.h>
#include "args.h"
#include "disks.h"
#include "log.h"
#include "loop.h"
#include "output.h"
#include "session.h"
#include "biosnoop.h"
#include "biosnoop.skel.h"

_Static_assert(sizeof(struct biosnoop_event) == 72, "biosnoop_event layout changed");

static struct env {
	struct tk_opts opts;
	const char *disk;
	__u32 disk_dev;
	bool queued;
	uint64_t start_ns;
} env;

/* The insert hook comes first in each: without -Q it is not loaded. */
static const struct tk_variant variants[] = {
	{ .name = "tp_btf",
	  .progs = { "block_rq_insert_btf", "block_getrq_btf", "block_rq_issue_btf",
		     "block_rq_complete_btf" } },
	{ .name = "raw_tp",
	  .progs = { "block_rq_insert_raw", "block_getrq_raw", "block_rq_issue_raw",
		     "block_rq_complete_raw" } },
};
#define NVARIANTS (int)(sizeof(variants) / sizeof(variants[0]))

static const char help[] =
"  -Q, --queued           print a QUE(ms) column: time queued in the kernel\n"
"                         before the issue to the device\n"
"  -d, --disk DISK        only this disk (loop0, vda, ...)\n";

static const char examples[] =
"Examples:\n"
"  biosnoop                  # trace all block I/O\n"
"  biosnoop -Q               # with the time queued in the kernel\n"
"  biosnoop -d vda           # only vda\n"
"  biosnoop -c /sys/fs/cgroup/unified/web   # only I/O made in this cgroup\n"
"  biosnoop -j --duration 10 # JSON lines for 10 seconds\n";

static const struct option longopts[] = {
	{ "queued", no_argument, NULL, 'Q' },
	{ "disk", required_argument, NULL, 'd' },
	{}
};

static struct tk_disks disks;
static struct tk_rq_flags rq_flags;
/* bcc's one-letter codes (the kernel's blk_fill_rwbs()): the operation and
 * flag bits by name from rq_flags, which read their values from the BTF. */
static int op_write = -1, op_wsame = -1, op_read = -1, op_flush = -1, op_discard = -1,
	   op_erase = -1;
static __u32 bit_preflush, bit_fua, bit_rahead, bit_sync, bit_meta;

static void option(int key, const char *arg)
{
	switch (key) {
	case 'Q': env.queued = true; break;
	case 'd': env.disk = arg; break;
	}
}

/* The submitting task is attributed in the kernel; of the task filters only
 * --cgroup applies (-c, as bcc's biosnoop), checked where the task is known. */
static const struct tk_cli cli = {
	.usage = "Usage: biosnoop [OPTION]...\n"
		 "Trace block device I/O: one line per request, at its completion, with\n"
		 "the process that made it and the request's latency.",
	.shared = TK_OPT_CGROUP | TK_OPT_DURATION,
	.letter = { .cgroup = 'c', .duration = '-' },
	.optstring = "Qd:",
	.longopts = longopts,
	.help = help,
	.examples = examples,
	.variants = variants,
	.nvariants = NVARIANTS,
	.option = option,
};

static void flag_codes(void)
{
	int i;

	tk_rq_flags_load(&rq_flags, env.opts.btf_path);
	for (i = 0; i < rq_flags.nops; i++) {
		const char *n = rq_flags.op[i].name;
		int v = rq_flags.op[i].value;

		if (!strcmp(n, "Write"))
			op_write = v;
		else if (!strcmp(n, "WriteSame"))
			op_wsame = v;
		else if (!strcmp(n, "Read"))
			op_read = v;
		else if (!strcmp(n, "Flush"))
			op_flush = v;
		else if (!strcmp(n, "Discard"))
			op_discard = v;
		else if (!strcmp(n, "SecureErase"))
			op_erase = v;
	}
	for (i = 0; i < rq_flags.nbits; i++) {
		const char *n = rq_flags.flag[i].name;
		__u32 b = 1u << rq_flags.flag[i].bit;

		if (!strcmp(n, "PreFlush-"))
			bit_preflush = b;
		else if (!strcmp(n, "FUA-"))
			bit_fua = b;
		else if (!strcmp(n, "ReadAhead-"))
			bit_rahead = b;
		else if (!strcmp(n, "Sync-"))
			bit_sync = b;
		else if (!strcmp(n, "Metadata-"))
			bit_meta = b;
	}
}

static void rwbs(__u32 f, char *buf)
{
	int op = f & rq_flags.op_mask, i = 0;

	if (f & bit_preflush)
		buf[i++] = 'F';
	if (op == op_write || op == op_wsame) {
		buf[i++] = 'W';
	} else if (op == op_discard) {
		buf[i++] = 'D';
	} else if (op == op_erase) {
		buf[i++] = 'D';
		buf[i++] = 'E';
	} else if (op == op_flush) {
		buf[i++] = 'F';
	} else if (op == op_read) {
		buf[i++] = 'R';
	} else {
		buf[i++] = 'N';
	}
	if (f & bit_fua)
		buf[i++] = 'F';
	if (f & bit_rahead)
		buf[i++] = 'A';
	if (f & bit_sync)
		buf[i++] = 'S';
	if (f & bit_meta)
		buf[i++] = 'M';
	buf[i] = '\0';
}

/* Name of disk @dev; a disk that appeared since the table was read makes
 * it read again (once per unknown number). */
static void disk_name(__u32 dev, char *buf, size_t size)
{
	static __u32 missed[16];
	static int nmissed;
	const struct tk_disk *k = tk_disk_by_dev(&disks, dev);
	int i;

	if (!k) {
		for (i = 0; i < nmissed && missed[i] != dev; i++)
			;
		if (i == nmissed) {
			if (nmissed < 16)
				missed[nmissed++] = dev;
			tk_disks_load(&disks, NULL, NULL);
			k = tk_disk_by_dev(&disks, dev);
		}
	}
	if (k)
		snprintf(buf, size, "%s", k->name);
	else
		snprintf(buf, size, "%u:%u", TK_MAJOR(dev), TK_MINOR(dev));
}

static int print_event(void *ctx, const void *data, size_t size)
{
	const struct biosnoop_event *e = data;
	bool queued = env.queued && e->queue_ns != BIOSNOOP_NO_QUEUE;
	char disk[TK_DISK_NAME_LEN], code[16], flags[160];
	int len;
	struct jw w;

	(void)ctx;
	if (size < sizeof(*e))
		return 0;
	if (!env.start_ns) {
		env.start_ns = e->ts_ns;
		/* With the first I/O, not at start: the names' values are in
		 * the kernel's BTF, some milliseconds to parse (freed after). */
		flag_codes();
		tk_btf_release();
	}
	disk_name(e->dev, disk, sizeof(disk));
	rwbs(e->cmd_flags, code);
	if (env.opts.json) {
		tk_rq_flags_name(&rq_flags, e->cmd_flags, flags, sizeof(flags));
		jw_event_begin(&w, stdout, "io", e->ts_ns);
		jw_uint(&w, "pid", e->pid);
		jw_str(&w, "comm", e->comm, sizeof(e->comm));
		jw_str(&w, "disk", disk, sizeof(disk));
		jw_uint(&w, "dev_major", TK_MAJOR(e->dev));
		jw_uint(&w, "dev_minor", TK_MINOR(e->dev));
		jw_str(&w, "rwbs", code, sizeof(code));
		jw_str(&w, "flags", flags, sizeof(flags));
		jw_uint(&w, "cmd_flags", e->cmd_flags);
		jw_int(&w, "sector", (int64_t)e->sector);
		jw_uint(&w, "bytes", e->bytes);
		if (env.queued) {
			if (queued)
				jw_uint(&w, "queue_ns", e->queue_ns);
			else
				jw_null(&w, "queue_ns");
		}
		jw_uint(&w, "lat_ns", e->lat_ns);
		jw_int(&w, "error", e->error);
		jw_end(&w);
		return 0;
	}
	printf("%-11.6f ", (e->ts_ns - env.start_ns) / 1e9);
	tk_print_escaped(stdout, e->comm, 14);
	len = strnlen(e->comm, 14);
	printf("%*s %-7u ", 14 - len, "", e->pid);
	tk_print_escaped(stdout, disk, sizeof(disk));
	len = strnlen(disk, sizeof(disk));
	/* A flush has no sector: -1, as bcc prints it. */
	printf("%*s %-4s %-10lld %-7u ", len < 7 ? 7 - len : 0, "", code,
	       (long long)e->sector, e->bytes);
	if (env.queued) {
		if (queued)
			printf("%7.3f ", e->queue_ns / 1e6);
		else
			printf("%7s ", "-");
	}
	printf("%7.3f\n", e->lat_ns / 1e6);
	return 0;
}

static void print_header(void)
{
	if (env.opts.json)
		return;
	printf("%-11s %-14s %-7s %-7s %-4s %-10s %-7s ",
	       "TIME(s)", "COMM", "PID", "DISK", "T", "SECTOR", "BYTES");
	if (env.queued)
		printf("%7s ", "QUE(ms)");
	printf("%7s\n", "LAT(ms)");
}

int main(int argc, char **argv)
{
	struct tk_session session = {
		.opts = &env.opts,
		.variants = variants,
		.nvariants = NVARIANTS,
		.ring_bytes = 1 << 20,
	};
	struct tk_stream stream = { .on_record = print_event };
	struct biosnoop_bpf *skel = NULL;
	int err = 1;

	tk_prog = "biosnoop";
	tk_arg_no_positional(argc, argv, tk_parse_args(&cli, argc, argv, &env.opts));
	if (env.disk)
		env.disk_dev = tk_disk_arg(&disks, env.disk);
	tk_session_init(&env.opts);

	skel = TK_OPEN(biosnoop_bpf, &env.opts);
	if (!skel) {
		tk_open_failed(&env.opts);
		goto cleanup;
	}
	/* The DISK column's names are read with the first I/O (disk_name()):
	 * not at startup. */
	session.bpf = TK_BPF_STREAM(skel);
	skel->rodata->targ_queued = env.queued;
	skel->rodata->filter_dev = env.disk != NULL;
	skel->rodata->targ_dev = env.disk_dev;
	if (tk_session_prepare(&session))
		goto cleanup;
	/* Without -Q the insert hook has nothing to do: don't pay for it. */
	if (!env.queued)
		bpf_program__set_autoload(bpf_object__find_program_by_name(skel->obj,
					  variants[session.variant].progs[0]), false);
	if (tk_session_load_attach(&session))
		goto cleanup;

	print_header();
	tk_ready("block device I/O", env.opts.duration_ms);
	err = tk_stream_run(&session, &stream);

cleanup:
	tk_session_detach(&session);
	biosnoop_bpf__destroy(skel);
	tk_disks_free(&disks);
	return err;
}
