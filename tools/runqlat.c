// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* runqlat: run-queue (scheduler) latency as histograms, summed in the kernel. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <bpf/bpf.h>
#include "args.h"
#include "hist.h"
#include "histmap.h"
#include "log.h"
#include "loop.h"
#include "output.h"
#include "prom.h"
#include "session.h"
#include "runqlat.h"
#include "runqlat.skel.h"

_Static_assert(sizeof(struct runqlat_key) == 8, "runqlat_key layout changed");
_Static_assert(sizeof(struct runqlat_hist) == (RUNQLAT_SLOTS + 2) * 8 + RUNQLAT_COMM_LEN,
	       "runqlat_hist layout changed");

static struct env {
	struct tk_opts opts;
	uint64_t interval_ms;
	long long count;
	bool timestamp;
	bool millis;
	bool per_pid;
	bool per_tid;
	bool per_pidns;
} env;

static const struct tk_variant variants[] = {
	{ .name = "tp_btf",
	  .progs = { "sched_wakeup_btf", "sched_wakeup_new_btf", "sched_switch_btf" } },
	{ .name = "raw_tp",
	  .progs = { "sched_wakeup_raw", "sched_wakeup_new_raw", "sched_switch_raw" } },
};
#define NVARIANTS (int)(sizeof(variants) / sizeof(variants[0]))

enum {
	OPT_PIDNSS = TK_OPT_TOOL_BASE,
};

static const char help[] =
"  -T, --timestamp        print the time of day with each summary\n"
"  -m, --milliseconds     histograms in milliseconds (default microseconds)\n"
"  -P, --pids             one histogram per process\n"
"  -L, --tids             one histogram per thread\n"
"      --pidnss           one histogram per PID namespace\n";

static const char examples[] =
"Metrics (--prometheus, --textfile), counted from the start:\n"
"  tracekit_runqueue_latency_seconds   histogram (_bucket{le}, _sum, _count) of\n"
"                                      run-queue latency, with labels pid and\n"
"                                      comm (-P), tid and comm (-L) or pidns\n"
"                                      (--pidnss)\n"
"\n"
"Examples:\n"
"  runqlat                   # one histogram of all run-queue latency, at Ctrl-C\n"
"  runqlat 1 5               # a histogram every second, 5 times\n"
"  runqlat -mT 1             # every second, in milliseconds, with the time\n"
"  runqlat -p 185            # only the threads of process 185\n"
"  runqlat --cgroup /sys/fs/cgroup/unified/web   # only tasks in that cgroup\n"
"  runqlat -P                # one histogram per process\n"
"  runqlat -L                # one histogram per thread\n"
"  runqlat --pidnss          # one histogram per PID namespace (container)\n"
"  runqlat -j 5              # JSON, every 5 seconds\n"
"  runqlat -P --prometheus 127.0.0.1:9902   # serve histograms per process\n";

static const struct option longopts[] = {
	{ "timestamp", no_argument, NULL, 'T' },
	{ "milliseconds", no_argument, NULL, 'm' },
	{ "pids", no_argument, NULL, 'P' },
	{ "tids", no_argument, NULL, 'L' },
	{ "pidnss", no_argument, NULL, OPT_PIDNSS },
	{}
};

static void option(int key, const char *arg)
{
	(void)arg;
	switch (key) {
	case 'T': env.timestamp = true; break;
	case 'm': env.millis = true; break;
	case 'P': env.per_pid = true; break;
	case 'L': env.per_tid = true; break;
	case OPT_PIDNSS: env.per_pidns = true; break;
	}
}

/* -L is bcc's per-thread histograms here, so the thread filter is long only. */
static const struct tk_cli cli = {
	.usage = "Usage: runqlat [OPTION]... [INTERVAL [COUNT]]\n"
		 "Summarise run-queue latency (the time runnable tasks wait for a CPU) as\n"
		 "histograms, counted in the kernel: every INTERVAL seconds (COUNT times),\n"
		 "or once at the end.",
	.shared = TK_OPT_PID | TK_OPT_TID | TK_OPT_CGROUP | TK_OPT_DURATION | TK_OPT_PROM,
	.letter = { .tid = '-' },
	.optstring = "TmPL",
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

	if (env.per_pid + env.per_tid + env.per_pidns > 1)
		tk_usage_error("-P, -L and --pidnss cannot be used together");
	tk_arg_interval_count(argc, argv, first, &env.interval_ms, &env.count);
}

static __u32 per(void)
{
	if (env.per_pid)
		return RUNQLAT_PID;
	if (env.per_tid)
		return RUNQLAT_TID;
	if (env.per_pidns)
		return RUNQLAT_PIDNS;
	return RUNQLAT_ALL;
}

/* Histograms a run may need: one, or one per task (namespace) seen. The map
 * is preallocated, per CPU, so it is also held to a memory budget; keys
 * beyond it are counted as lost. */
static __u32 hist_entries(int ncpu)
{
	const size_t budget = 16 << 20;
	size_t want = per() == RUNQLAT_ALL ? 1 : per() == RUNQLAT_PIDNS ? 256 : 8192, fit;

	fit = budget / (sizeof(struct runqlat_hist) * ncpu);
	if (fit < 64)
		fit = 64;
	return want < fit ? want : fit;
}

/* ---- reports -------------------------------------------------------------- */

static struct runqlat_bpf *skel;
static struct tk_histmap hists;

static const char *const per_label[] = {
	[RUNQLAT_PID] = "pid", [RUNQLAT_TID] = "tid", [RUNQLAT_PIDNS] = "pidns",
};

static __u32 id_of(const struct tk_hist_growth *g)
{
	return ((const struct runqlat_key *)g->key)->id;
}

static int by_id(const void *a, const void *b)
{
	__u32 x = id_of(*(struct tk_hist_growth *const *)a);
	__u32 y = id_of(*(struct tk_hist_growth *const *)b);

	return x < y ? -1 : x > y;
}

/* The comm, as the kernel had it: untrusted, escaped for the terminal. */
static void comm_of(const struct tk_hist_growth *g, char *buf, size_t size)
{
	char comm[RUNQLAT_COMM_LEN + 1] = {};

	memcpy(comm, g->extra, RUNQLAT_COMM_LEN);
	tk_escape(buf, size, comm, strlen(comm));
}

static void print_text(int n)
{
	const char *unit = env.millis ? "msecs" : "usecs";
	char tbuf[16], comm[4 * RUNQLAT_COMM_LEN + 1];
	int i;

	/* bcc's layout: a blank line, the time, then each histogram under its
	 * "pid = N COMM" line. */
	putchar('\n');
	if (env.timestamp) {
		tk_format_clock(tbuf, sizeof(tbuf));
		printf("%-8s\n", tbuf);
	}
	for (i = 0; i < n; i++) {
		const struct tk_hist_growth *g = hists.grown[i];

		if (per() != RUNQLAT_ALL) {
			comm_of(g, comm, sizeof(comm));
			printf("\n%s = %u %s\n", per_label[per()], id_of(g), comm);
		}
		hist_print_log2(stdout, g->now, RUNQLAT_SLOTS, unit);
	}
}

static void print_json(int n)
{
	const char *unit = env.millis ? "msecs" : "usecs";
	char comm[RUNQLAT_COMM_LEN + 1];
	struct jw w;
	int i;

	jw_summary_begin(&w, stdout, "histograms");
	jw_str(&w, "unit", unit, 8);
	jw_array_begin(&w, "histograms");
	for (i = 0; i < n; i++) {
		const struct tk_hist_growth *g = hists.grown[i];

		jw_object_begin(&w, NULL);
		if (per() != RUNQLAT_ALL) {
			memcpy(comm, g->extra, RUNQLAT_COMM_LEN);
			comm[RUNQLAT_COMM_LEN] = 0;
			jw_uint(&w, per_label[per()], id_of(g));
			jw_str(&w, "comm", comm, RUNQLAT_COMM_LEN);
		}
		jw_uint(&w, "count", g->count);
		jw_uint(&w, "total_ns", g->total_ns);
		hist_json_log2(&w, "hist", g->now, RUNQLAT_SLOTS, unit);
		jw_object_end(&w);
	}
	jw_array_end(&w);
	jw_end(&w);
}

static void print(int n)
{
	if (env.opts.json)
		print_json(n);
	else
		print_text(n);
}

/* ---- metrics (--prometheus, --textfile) ----------------------------------- */

/* Label values in the order render_metrics names them: the id, its comm. */
static void label_values(const struct tk_hist_growth *g, char v[][TK_PROM_LABEL_LEN])
{
	char comm[RUNQLAT_COMM_LEN + 1] = {};

	snprintf(v[0], TK_PROM_LABEL_LEN, "%u", id_of(g));
	memcpy(comm, g->extra, RUNQLAT_COMM_LEN);
	snprintf(v[1], TK_PROM_LABEL_LEN, "%s", comm);
}

static int render_metrics(void *ctx, struct tk_prom_buf *b)
{
	struct tk_histmap_metric mt = {
		.name = "tracekit_runqueue_latency_seconds",
		.help = "Time runnable tasks waited for a CPU (run-queue latency).",
		.unit = env.millis ? 1e-3 : 1e-6,
		.top = env.opts.prom_top,
		.values = label_values,
	};

	(void)ctx;
	if (per() != RUNQLAT_ALL)
		mt.label[mt.nlabels++] = per_label[per()];
	if (per() == RUNQLAT_PID || per() == RUNQLAT_TID)
		mt.label[mt.nlabels++] = "comm";
	return tk_histmap_prom(&hists, b, &mt);
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

	tk_prog = "runqlat";
	parse_args(argc, argv);
	prom = tk_prom_open(&env.opts, render_metrics, NULL);
	tk_session_init(&env.opts);

	skel = TK_OPEN(runqlat_bpf, &env.opts);
	if (!skel) {
		tk_open_failed(&env.opts);
		goto cleanup;
	}
	if (tk_histmap_init(&hists, skel->maps.hists, RUNQLAT_SLOTS))
		goto cleanup;
	hists.cmp = by_id;
	hists.print = print;
	hists.json = env.opts.json;
	session.bpf = TK_BPF_SUMMARY(skel);
	skel->rodata->targ_ms = env.millis;
	skel->rodata->targ_per = per();
	bpf_map__set_max_entries(skel->maps.hists, hist_entries(hists.ncpu));
	if (tk_session_prepare(&session))
		goto cleanup;
	/* Only tp_btf hands the programs task pointers task storage takes. */
	skel->rodata->use_task_storage =
		tk_task_storage(skel->maps.wait_task, skel->maps.start,
				!strcmp(variants[session.variant].name, "tp_btf"), "waits");
	if (tk_session_load_attach(&session))
		goto cleanup;

	tk_ready(prom ? "run queue latency, serving metrics" :
		 env.interval_ms ? "run queue latency, printing each interval" :
		 "run queue latency", env.opts.duration_ms);
	summary.interval_ms = env.interval_ms;
	summary.count = env.count;
	tk_prom_summary(prom, &summary);
	err = tk_summary_run(&session, &summary);

cleanup:
	tk_session_detach(&session);
	runqlat_bpf__destroy(skel);
	tk_prom_close(prom);
	tk_histmap_free(&hists);
	return err;
}
