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

/* Every key seen: what was reported up to the last report, and the growth
 * since then. The kernel's counters are never reset (see biolatency.h). */
struct tally {
	struct biolatency_key key;
	struct biolatency_hist seen;
	struct biolatency_hist now;	/* growth since the last report */
	char disk[TK_DISK_NAME_LEN];
	char flags[160];
};

static struct biolatency_bpf *skel;
static struct tally *tallies, **shown;
static int ntallies, cap_tallies;
static struct biolatency_hist *percpu;
static int ncpu;
static __u64 misses_reported;

static struct tally *tally_of(const struct biolatency_key *key)
{
	struct tally *t;
	int i;

	for (i = 0; i < ntallies; i++)
		if (tallies[i].key.dev == key->dev && tallies[i].key.flags == key->flags)
			return &tallies[i];
	if (ntallies == cap_tallies) {
		int cap = cap_tallies ? cap_tallies * 2 : 16;
		struct tally **s = realloc(shown, cap * sizeof(*s));

		if (!s)
			return NULL;
		shown = s;
		t = realloc(tallies, cap * sizeof(*t));
		if (!t)
			return NULL;
		tallies = t;
		cap_tallies = cap;
	}
	t = &tallies[ntallies++];
	memset(t, 0, sizeof(*t));
	t->key = *key;
	return t;
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

/* Sum the CPUs of every histogram and note what grew since the last report.
 * Returns how many grew, in shown[]. */
static int collect(void)
{
	int fd = bpf_map__fd(skel->maps.hists), n = 0, cpu, i;
	struct biolatency_key key, next, *prev = NULL;
	bool reloaded = false;
	struct tally *t;

	while (!bpf_map_get_next_key(fd, prev, &next)) {
		struct biolatency_hist sum = {};

		key = next;
		prev = &key;
		if (bpf_map_lookup_elem(fd, &key, percpu))
			continue;
		for (cpu = 0; cpu < ncpu; cpu++) {
			for (i = 0; i < BIOLATENCY_SLOTS; i++)
				sum.slots[i] += percpu[cpu].slots[i];
			sum.count += percpu[cpu].count;
			sum.total_ns += percpu[cpu].total_ns;
		}
		t = tally_of(&key);
		if (!t)
			return -ENOMEM;
		for (i = 0; i < BIOLATENCY_SLOTS; i++)
			t->now.slots[i] = sum.slots[i] - t->seen.slots[i];
		t->now.count = sum.count - t->seen.count;
		t->now.total_ns = sum.total_ns - t->seen.total_ns;
		t->seen = sum;
	}
	for (i = 0; i < ntallies; i++) {
		t = &tallies[i];
		if (!t->now.count)
			continue;
		if (env.per_disk && !t->disk[0])
			disk_name(t->key.dev, t->disk, sizeof(t->disk), &reloaded);
		if (env.per_flag && !t->flags[0])
			tk_rq_flags_name(&rq_flags, t->key.flags, t->flags, sizeof(t->flags));
		shown[n++] = t;
	}
	return n;
}

/* hist.c counts in uint64_t, the BPF side in __u64: the same bits, but two
 * types to C (unsigned long and unsigned long long). */
static const uint64_t *slots_of(const struct biolatency_hist *h, uint64_t *out)
{
	int i;

	for (i = 0; i < BIOLATENCY_SLOTS; i++)
		out[i] = h->slots[i];
	return out;
}

static int by_disk_then_flags(const void *a, const void *b)
{
	const struct tally *x = *(const struct tally *const *)a, *y = *(const struct tally *const *)b;
	int c = strverscmp(x->disk, y->disk);

	if (c)
		return c;
	return x->key.flags < y->key.flags ? -1 : x->key.flags > y->key.flags;
}

static void print_text(int n)
{
	const char *unit = env.millis ? "msecs" : "usecs";
	__u64 div = env.millis ? 1000000 : 1000;
	uint64_t slots[BIOLATENCY_SLOTS];
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
		const struct biolatency_hist *h = &shown[i]->now;

		if (env.per_disk || env.per_flag) {
			putchar('\n');
			if (env.per_disk)
				printf("disk = %s", shown[i]->disk);
			if (env.per_disk && env.per_flag)
				putchar('\t');
			if (env.per_flag)
				printf("flags = %s", shown[i]->flags);
			putchar('\n');
		}
		hist_print_log2(stdout, slots_of(h, slots), BIOLATENCY_SLOTS, unit);
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
	uint64_t slots[BIOLATENCY_SLOTS];
	struct jw w;
	int i;

	jw_summary_begin(&w, stdout, "histograms");
	jw_str(&w, "unit", unit, 8);
	jw_array_begin(&w, "histograms");
	for (i = 0; i < n; i++) {
		const struct biolatency_hist *h = &shown[i]->now;

		jw_object_begin(&w, NULL);
		if (env.per_disk)
			jw_str(&w, "disk", shown[i]->disk, sizeof(shown[i]->disk));
		if (env.per_flag)
			jw_str(&w, "flags", shown[i]->flags, sizeof(shown[i]->flags));
		jw_uint(&w, "count", h->count);
		jw_uint(&w, "total_ns", h->total_ns);
		hist_json_log2(&w, "hist", slots_of(h, slots), BIOLATENCY_SLOTS, unit);
		jw_object_end(&w);
	}
	jw_array_end(&w);
	jw_end(&w);
}

/* A program the kernel found already running on the same CPU (a completion
 * interrupting a completion) is skipped; the kernel counts those per program,
 * and they are requests we did not time. */
static void report_misses(void)
{
	struct bpf_program *prog;
	__u64 misses = 0;

	bpf_object__for_each_program(prog, skel->obj) {
		struct bpf_prog_info info = {};
		__u32 len = sizeof(info);

		if (bpf_program__fd(prog) >= 0 &&
		    !bpf_obj_get_info_by_fd(bpf_program__fd(prog), &info, &len))
			misses += info.recursion_misses;
	}
	if (misses > misses_reported) {
		tk_report_lost(misses - misses_reported, env.opts.json);
		misses_reported = misses;
	}
}

static int report(void *ctx, bool final)
{
	int n;

	(void)ctx;
	(void)final;
	n = collect();
	if (n < 0) {
		tk_warn("reading the histograms failed: %s", strerror(-n));
		return n;
	}
	qsort(shown, n, sizeof(*shown), by_disk_then_flags);
	if (env.opts.json)
		print_json(n);
	else
		print_text(n);
	report_misses();
	return 0;
}

/* ---- metrics (--prometheus, --textfile) ----------------------------------- */

#define HIST_METRIC "tracekit_block_io_latency_seconds"

_Static_assert(BIOLATENCY_SLOTS + 2 <= TK_PROM_VALUES, "a histogram does not fit a tk_prom_row");

static int render_metrics(void *ctx, struct tk_prom_buf *b)
{
	struct tk_prom_label l[2];
	uint64_t slots[BIOLATENCY_SLOTS];
	struct tk_prom_row *pr;
	int n, nl, i, j;

	(void)ctx;
	n = collect();
	if (n < 0)
		return n;
	if (!(pr = calloc(ntallies ? ntallies : 1, sizeof(*pr))))
		return -ENOMEM;
	for (i = n = 0; i < ntallies; i++) {
		const struct biolatency_hist *h = &tallies[i].seen;

		if (!h->count)
			continue;
		snprintf(pr[n].label[0], sizeof(pr[n].label[0]), "%s", tallies[i].disk);
		snprintf(pr[n].label[1], sizeof(pr[n].label[1]), "%s", tallies[i].flags);
		pr[n].v[0] = h->count;
		pr[n].v[1] = h->total_ns;
		for (j = 0; j < BIOLATENCY_SLOTS; j++)
			pr[n].v[2 + j] = h->slots[j];
		n++;
	}
	n = tk_prom_top(pr, n, env.opts.prom_top, BIOLATENCY_SLOTS + 2);
	tk_prom_family(b, HIST_METRIC, "histogram", env.queued ?
		       "Block device I/O latency from insertion in the queue to completion." :
		       "Block device I/O latency from issue to the device to completion.");
	for (i = 0; i < n; i++) {
		nl = 0;
		if (env.per_disk)
			l[nl++] = (struct tk_prom_label){ "disk", pr[i].label[0] };
		if (env.per_flag)
			l[nl++] = (struct tk_prom_label){ "flags", pr[i].label[1] };
		for (j = 0; j < BIOLATENCY_SLOTS; j++)
			slots[j] = pr[i].v[2 + j];
		tk_prom_hist_log2(b, HIST_METRIC, l, nl, slots, BIOLATENCY_SLOTS,
				  env.millis ? 1e-3 : 1e-6, pr[i].v[1] / 1e9);
	}
	free(pr);
	return 0;
}

int main(int argc, char **argv)
{
	struct tk_session session = {
		.opts = &env.opts,
		.variants = variants,
		.nvariants = NVARIANTS,
	};
	struct tk_summary summary = { .report = report };
	struct tk_prom *prom = NULL;
	int err = 1;

	tk_prog = "biolatency";
	parse_args(argc, argv);
	prom = tk_prom_open(&env.opts, render_metrics, NULL);
	tk_session_init(&env.opts);

	ncpu = libbpf_num_possible_cpus();
	percpu = calloc(ncpu > 0 ? ncpu : 1, sizeof(*percpu));
	skel = biolatency_bpf__open_opts(tk_open_opts(&env.opts));
	if (!skel) {
		tk_open_failed(&env.opts);
		goto cleanup;
	}
	if (!percpu || ncpu <= 0) {
		tk_warn("cannot count the CPUs: %s", strerror(errno));
		goto cleanup;
	}
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
	bpf_map__set_max_entries(skel->maps.hists, hist_entries(ncpu));
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
	free(percpu);
	free(tallies);
	free(shown);
	return err;
}
