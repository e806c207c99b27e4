// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* biolatency: block device I/O latency as histograms, summed in the kernel. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <bpf/bpf.h>
#include <bpf/btf.h>
#include "args.h"
#include "disks.h"
#include "hist.h"
#include "histmap.h"
#include "log.h"
#include "loop.h"
#include "output.h"
#include "prom.h"
#include "session.h"
#include "biolatency.h"
#include "biolatency.skel.h"

_Static_assert(sizeof(struct biolatency_key) == 8, "biolatency_key layout changed");
_Static_assert(sizeof(struct biolatency_hist) == (BIOLATENCY_SLOTS + 2) * 8,
	       "biolatency_hist layout changed");

static struct env {
	struct tk_opts opts;
	const char *disk;
	__u32 disk_dev;
	uint64_t interval_ms;
	long long count;
	bool timestamp;
	bool millis;
	bool queued;
	bool per_disk;
	bool per_flag;
	bool extension;
} env;

static const struct tk_variant variants[] = {
	/* block_rq_insert first: it is switched off without -Q. */
	{ .name = "tp_btf",
	  .progs = { "block_rq_insert_btf", "block_rq_issue_btf", "block_rq_complete_btf" } },
	{ .name = "raw_tp",
	  .progs = { "block_rq_insert_raw", "block_rq_issue_raw", "block_rq_complete_raw" } },
};
#define NVARIANTS (int)(sizeof(variants) / sizeof(variants[0]))

static const char help[] =
"  -T, --timestamp        print the time of day with each summary\n"
"  -m, --milliseconds     histograms in milliseconds (default microseconds)\n"
"  -Q, --queued           include the time queued in the kernel\n"
"  -D, --disks            one histogram per disk\n"
"  -F, --flags            one histogram per set of I/O flags (Sync-Read, ...)\n"
"  -d, --disk DISK        only this disk (loop0, vda, ...)\n"
"  -e, --extension        also the average, total and count of each histogram\n";

static const char examples[] =
"Metrics (--prometheus, --textfile), counted from the start:\n"
"  tracekit_block_io_latency_seconds   histogram (_bucket{le}, _sum, _count)\n"
"                                      of I/O latency (-Q: queued too), with\n"
"                                      label disk (-D) and flags (-F)\n"
"\n"
"Examples:\n"
"  biolatency                # one histogram of all block I/O, at Ctrl-C\n"
"  biolatency 1 10           # a histogram every second, 10 times\n"
"  biolatency -mT 1          # every second, in milliseconds, with the time\n"
"  biolatency -Q             # include the time queued in the kernel\n"
"  biolatency -D             # one histogram per disk\n"
"  biolatency -F             # one histogram per set of I/O flags\n"
"  biolatency -d vda -e      # only vda, with the average and total\n"
"  biolatency -j 5           # JSON, every 5 seconds\n"
"  biolatency -D --prometheus 127.0.0.1:9901   # serve histograms per disk\n";

static const struct option longopts[] = {
	{ "timestamp", no_argument, NULL, 'T' },
	{ "milliseconds", no_argument, NULL, 'm' },
	{ "queued", no_argument, NULL, 'Q' },
	{ "disks", no_argument, NULL, 'D' },
	{ "flags", no_argument, NULL, 'F' },
	{ "disk", required_argument, NULL, 'd' },
	{ "extension", no_argument, NULL, 'e' },
	{}
};

static struct tk_disks disks;
static struct tk_rq_flags rq_flags;

static void option(int key, const char *arg)
{
	switch (key) {
	case 'T': env.timestamp = true; break;
	case 'm': env.millis = true; break;
	case 'Q': env.queued = true; break;
	case 'D': env.per_disk = true; break;
	case 'F': env.per_flag = true; break;
	case 'd': env.disk = arg; break;
	case 'e': env.extension = true; break;
	}
}

/* Requests complete in interrupt context, not in their submitter's: of the
 * task filters only the cgroup one (checked at insert and issue) applies. */
static const struct tk_cli cli = {
	.usage = "Usage: biolatency [OPTION]... [INTERVAL [COUNT]]\n"
		 "Summarise block device I/O latency as histograms, counted in the kernel:\n"
		 "every INTERVAL seconds (COUNT times), or once at the end.",
	.shared = TK_OPT_CGROUP | TK_OPT_DURATION | TK_OPT_PROM,
	.letter = { .cgroup = 'c', .duration = '-' },
	.optstring = "TmQDFd:e",
	.longopts = longopts,
	.help = help,
	.examples = examples,
	.variants = variants,
	.nvariants = NVARIANTS,
	.option = option,
};

static void parse_args(int argc, char **argv)
{
	int first = tk_parse_args(&cli, argc, argv, &env.opts);

	tk_arg_interval_count(argc, argv, first, &env.interval_ms, &env.count);
	if (env.disk)
		env.disk_dev = tk_disk_arg(&disks, env.disk);
}

/* Histograms a run may need. The map is preallocated, per CPU, so it is also
 * held to a memory budget; keys beyond it are counted as lost. */
static __u32 hist_entries(int ncpu)
{
	const size_t budget = 16 << 20;
	size_t want = 1, fit;

	if (env.per_disk && env.per_flag)
		want = 2048;
	else if (env.per_disk)
		want = 512;
	else if (env.per_flag)
		want = 128;
	fit = budget / (sizeof(struct biolatency_hist) * ncpu);
	if (fit < 64)
		fit = 64;
	return want < fit ? want : fit;
}

/* ---- reports -------------------------------------------------------------- */

/* The names of a histogram's key, made once (tk_hist_growth.data). */
struct names {
	char disk[TK_DISK_NAME_LEN];
	char flags[160];
};

static struct biolatency_bpf *skel;
static struct tk_histmap hists;

static const struct biolatency_key *key_of(const struct tk_hist_growth *g)
{
	return g->key;
}

static const struct names *names_of(const struct tk_hist_growth *g)
{
	return g->data;
}

/* Name of disk @dev; a disk that appeared since the table was read makes
 * it read again, once per report. */
static void disk_name(__u32 dev, char *buf, size_t size, bool *reloaded)
{
	const struct tk_disk *k = tk_disk_by_dev(&disks, dev);

	if (!k && !*reloaded) {
		*reloaded = true;
		tk_disks_load(&disks, NULL, NULL);
		k = tk_disk_by_dev(&disks, dev);
	}
	if (k)
		snprintf(buf, size, "%s", k->name);
	else
		snprintf(buf, size, "%u:%u", TK_MAJOR(dev), TK_MINOR(dev));
}

static bool reloaded;	/* the table of disks, at most once per report */

/* A histogram's key's names, once (tk_histmap's name). */
static int name(struct tk_hist_growth *g)
{
	struct names *nm = calloc(1, sizeof(*nm));

	if (!nm)
		return -ENOMEM;
	g->data = nm;
	if (env.per_disk)
		disk_name(key_of(g)->dev, nm->disk, sizeof(nm->disk), &reloaded);
	if (env.per_flag)
		tk_rq_flags_name(&rq_flags, key_of(g)->flags, nm->flags, sizeof(nm->flags));
	return 0;
}

static int by_disk_then_flags(const void *a, const void *b)
{
	const struct tk_hist_growth *x = *(struct tk_hist_growth *const *)a;
	const struct tk_hist_growth *y = *(struct tk_hist_growth *const *)b;
	int c = strverscmp(names_of(x)->disk, names_of(y)->disk);

	if (c)
		return c;
	return key_of(x)->flags < key_of(y)->flags ? -1 : key_of(x)->flags > key_of(y)->flags;
}

static void print_text(int n)
{
	const char *unit = env.millis ? "msecs" : "usecs";
	__u64 div = env.millis ? 1000000 : 1000;
	char tbuf[16];
	int i;

	/* bcc's layout: a blank line, the time, then each histogram under its
	 * "disk = ..." / "flags = ..." line. */
	putchar('\n');
	if (env.timestamp) {
		tk_format_clock(tbuf, sizeof(tbuf));
		printf("%-8s\n", tbuf);
	}
	for (i = 0; i < n; i++) {
		const struct tk_hist_growth *h = hists.grown[i];

		if (env.per_disk || env.per_flag) {
			putchar('\n');
			if (env.per_disk)
				printf("disk = %s", names_of(h)->disk);
			if (env.per_disk && env.per_flag)
				putchar('\t');
			if (env.per_flag)
				printf("flags = %s", names_of(h)->flags);
			putchar('\n');
		}
		hist_print_log2(stdout, h->now, BIOLATENCY_SLOTS, unit);
		if (env.extension)
			printf("\navg = %llu %s, total: %llu %s, count: %llu\n\n",
			       (unsigned long long)(h->total_ns / (div * h->count)), unit,
			       (unsigned long long)(h->total_ns / div), unit,
			       (unsigned long long)h->count);
	}
}

static void print_json(int n)
{
	const char *unit = env.millis ? "msecs" : "usecs";
	struct jw w;
	int i;

	jw_summary_begin(&w, stdout, "histograms");
	jw_str(&w, "unit", unit, 8);
	jw_array_begin(&w, "histograms");
	for (i = 0; i < n; i++) {
		const struct tk_hist_growth *h = hists.grown[i];

		jw_object_begin(&w, NULL);
		if (env.per_disk)
			jw_str(&w, "disk", names_of(h)->disk, sizeof(names_of(h)->disk));
		if (env.per_flag)
			jw_str(&w, "flags", names_of(h)->flags, sizeof(names_of(h)->flags));
		jw_uint(&w, "count", h->count);
		jw_uint(&w, "total_ns", h->total_ns);
		hist_json_log2(&w, "hist", h->now, BIOLATENCY_SLOTS, unit);
		jw_object_end(&w);
	}
	jw_array_end(&w);
	jw_end(&w);
}

/* A completion interrupting a completion is a request not timed: the
 * kernel's skipped runs are reported as lost (common/loop). */
static void print(int n)
{
	if (env.opts.json)
		print_json(n);
	else
		print_text(n);
	reloaded = false;
}

/* ---- metrics (--prometheus, --textfile) ----------------------------------- */

#define HIST_METRIC "tracekit_block_io_latency_seconds"

/* Label values in the order render_metrics names them. */
static void label_values(const struct tk_hist_growth *g, char v[][TK_PROM_LABEL_LEN])
{
	int n = 0;

	if (env.per_disk)
		snprintf(v[n++], TK_PROM_LABEL_LEN, "%s", names_of(g)->disk);
	if (env.per_flag)
		snprintf(v[n++], TK_PROM_LABEL_LEN, "%s", names_of(g)->flags);
}

static int render_metrics(void *ctx, struct tk_prom_buf *b)
{
	struct tk_histmap_metric mt = {
		.name = HIST_METRIC,
		.help = env.queued ?
			"Block device I/O latency from insertion in the queue to completion." :
			"Block device I/O latency from issue to the device to completion.",
		.unit = env.millis ? 1e-3 : 1e-6,
		.top = env.opts.prom_top,
		.values = label_values,
	};
	int e;

	(void)ctx;
	if (env.per_disk)
		mt.label[mt.nlabels++] = "disk";
	if (env.per_flag)
		mt.label[mt.nlabels++] = "flags";
	e = tk_histmap_prom(&hists, b, &mt);
	reloaded = false;
	return e;
}

int main(int argc, char **argv)
{
	struct tk_session session = {
		.opts = &env.opts,
		.variants = variants,
		.nvariants = NVARIANTS,
	};
	struct tk_summary summary = { .report = tk_histmap_report, .ctx = &hists };
	struct tk_prom *prom = NULL;
	int err = 1;

	tk_prog = "biolatency";
	parse_args(argc, argv);
	prom = tk_prom_open(&env.opts, render_metrics, NULL);
	tk_session_init(&env.opts);

	skel = TK_OPEN(biolatency_bpf, &env.opts);
	if (!skel) {
		tk_open_failed(&env.opts);
		goto cleanup;
	}
	if (tk_histmap_init(&hists, skel->maps.hists, BIOLATENCY_SLOTS))
		goto cleanup;
	hists.name = name;
	hists.cmp = by_disk_then_flags;
	hists.print = print;
	hists.json = env.opts.json;
	session.bpf = TK_BPF_SUMMARY(skel);
	if (env.per_flag) {
		tk_rq_flags_load(&rq_flags, env.opts.btf_path);
		/* Bits without a name would split "Read" into several. */
		skel->rodata->targ_flags_mask = rq_flags.named_mask;
	}
	skel->rodata->targ_queued = env.queued;
	skel->rodata->targ_ms = env.millis;
	skel->rodata->targ_per_disk = env.per_disk;
	skel->rodata->targ_per_flag = env.per_flag;
	skel->rodata->filter_dev = env.disk != NULL;
	skel->rodata->targ_dev = env.disk_dev;
	bpf_map__set_max_entries(skel->maps.hists, hist_entries(hists.ncpu));
	if (tk_session_prepare(&session))
		goto cleanup;
	/* Without -Q the insert hook has nothing to do: don't pay for it. */
	if (!env.queued)
		bpf_program__set_autoload(bpf_object__find_program_by_name(skel->obj,
					  variants[session.variant].progs[0]), false);
	if (tk_session_load_attach(&session))
		goto cleanup;

	tk_ready(prom ? "block device I/O, serving metrics" :
		 env.interval_ms ? "block device I/O, printing each interval" :
		 "block device I/O", env.opts.duration_ms);
	summary.interval_ms = env.interval_ms;
	summary.count = env.count;
	tk_prom_summary(prom, &summary);
	err = tk_summary_run(&session, &summary);

cleanup:
	tk_session_detach(&session);
	biolatency_bpf__destroy(skel);
	tk_prom_close(prom);
	tk_disks_free(&disks);
	tk_histmap_free(&hists);
	return err;
}
