// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* offcputime: the time threads spend blocked off-CPU, by user and kernel
 * stack, summed in the kernel at sched_switch and printed at the end as
 * bcc's text, folded stacks, an off-CPU flame graph (SVG) or JSON. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <bpf/bpf.h>
#include "args.h"
#include "attach.h"
#include "log.h"
#include "loop.h"
#include "output.h"
#include "session.h"
#include "stacks.h"
#include "offcputime.h"
#include "offcputime.skel.h"

static struct env {
	struct tk_opts opts;
	bool user_threads;		/* -u */
	bool kernel_threads;		/* -k */
	bool user_only;			/* -U */
	bool kernel_only;		/* -K */
	bool folded;			/* -f */
	long long min_us, max_us;	/* -m, -M */
	long long state;		/* --state; OFFCPU_NO_STATE: any */
	const char *svg;		/* --svg FILE */
	long long stack_storage;
	long long max_stacks;
	long long max_threads;
	long long drop_in;		/* TRACEKIT_OFFCPU_DROP_SWITCH_IN (tests) */
} env = {
	.min_us = 1,
	.max_us = -1,
	.state = OFFCPU_NO_STATE,
	.stack_storage = 16384,
	.max_stacks = 10240,
	.max_threads = 32768,
};

static const struct tk_variant variants[] = {
	{ .name = "tp_btf", .progs = { "sched_switch_btf" } },
	{ .name = "raw_tp", .progs = { "sched_switch_raw" } },
};
#define NVARIANTS (int)(sizeof(variants) / sizeof(variants[0]))

enum {
	OPT_SVG = TK_OPT_TOOL_BASE,
	OPT_STATE,
	OPT_STACK_STORAGE,
	OPT_MAX_STACKS,
	OPT_MAX_THREADS,
};

static const char help[] =
"  -u, --user-threads-only  user threads only (no kernel threads)\n"
"  -k, --kernel-threads-only  kernel threads only (no user threads)\n"
"  -U, --user-stacks-only  user stacks only (no kernel frames)\n"
"  -K, --kernel-stacks-only  kernel stacks only (no user frames)\n"
"  -m, --min-block-time US  only blocks of at least US microseconds (default 1)\n"
"  -M, --max-block-time US  only blocks of at most US microseconds\n"
"      --state STATE      only threads that left the CPU in STATE: 0 runnable\n"
"                         (preempted), else a mask (1 interruptible sleep,\n"
"                         2 uninterruptible, ...)\n"
"  -f, --folded           folded stacks (comm;frame;...;frame MICROSECONDS)\n"
"      --svg FILE         also write an off-CPU flame graph to FILE\n"
"      --stack-storage-size N  stacks kept, both sides (default 16384)\n"
"      --max-stacks N     distinct (process, stack) totals kept (default 10240)\n"
"      --max-threads N    threads off-CPU at once kept track of (default 32768)\n";

static const char examples[] =
"Examples:\n"
"  offcputime               # time blocked by stack, every thread, until Ctrl-C\n"
"  offcputime 5             # for 5 seconds\n"
"  offcputime -p 185        # only process 185\n"
"  offcputime -t 188        # only thread 188\n"
"  offcputime -u            # user threads only\n"
"  offcputime -k            # kernel threads only\n"
"  offcputime -K -m 1000    # kernel stacks of blocks of 1 ms or more\n"
"  offcputime --state 2     # uninterruptible sleeps only (disk I/O, locks)\n"
"  offcputime -f -d 5 > out.folded  # folded stacks, for flamegraph.pl or speedscope\n"
"  offcputime -d 5 --svg off.svg    # an off-CPU flame graph to open in a browser\n"
"  offcputime -j -d 5       # JSON: one object per stack\n"
"  offcputime --cgroup /sys/fs/cgroup/unified/app  # only that cgroup\n";

static const struct option longopts[] = {
	{ "user-threads-only", no_argument, NULL, 'u' },
	{ "kernel-threads-only", no_argument, NULL, 'k' },
	{ "user-stacks-only", no_argument, NULL, 'U' },
	{ "kernel-stacks-only", no_argument, NULL, 'K' },
	{ "min-block-time", required_argument, NULL, 'm' },
	{ "max-block-time", required_argument, NULL, 'M' },
	{ "state", required_argument, NULL, OPT_STATE },
	{ "folded", no_argument, NULL, 'f' },
	{ "svg", required_argument, NULL, OPT_SVG },
	{ "stack-storage-size", required_argument, NULL, OPT_STACK_STORAGE },
	{ "max-stacks", required_argument, NULL, OPT_MAX_STACKS },
	{ "max-threads", required_argument, NULL, OPT_MAX_THREADS },
	{}
};

/* Microseconds as nanoseconds, without overflow: up to about 584 years. */
#define MAX_US (long long)(~0ULL / 1000 / 2)

static void option(int key, const char *arg)
{
	switch (key) {
	case 'u': env.user_threads = true; break;
	case 'k': env.kernel_threads = true; break;
	case 'U': env.user_only = true; break;
	case 'K': env.kernel_only = true; break;
	case 'm': env.min_us = tk_arg_int(arg, 0, MAX_US, "minimum block time"); break;
	case 'M': env.max_us = tk_arg_int(arg, 0, MAX_US, "maximum block time"); break;
	case OPT_STATE: env.state = tk_arg_int(arg, 0, 0xffffffffLL, "state"); break;
	case 'f': env.folded = true; break;
	case OPT_SVG: env.svg = arg; break;
	case OPT_STACK_STORAGE:
		env.stack_storage = tk_arg_int(arg, 1, 1 << 22, "stack storage size");
		break;
	case OPT_MAX_STACKS: env.max_stacks = tk_arg_int(arg, 1, 1 << 22, "max stacks"); break;
	case OPT_MAX_THREADS:
		env.max_threads = tk_arg_int(arg, 1, 1 << 22, "max threads");
		break;
	}
}

static const struct tk_cli cli = {
	.usage = "Usage: offcputime [OPTION]... [DURATION]\n"
		 "Sum the time threads spend blocked off-CPU by user and kernel stack, in the\n"
		 "kernel, and print the stacks with their totals in microseconds at the end\n"
		 "(DURATION seconds, -d, or Ctrl-C).",
	.shared = TK_OPT_PID | TK_OPT_TID | TK_OPT_CGROUP | TK_OPT_DURATION,
	.optstring = "ukUKm:M:f",
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
	const char *v;

	/* bcc's offcputime takes the duration as its argument. */
	if (first < argc) {
		if (env.opts.duration_ms)
			tk_usage_error("duration given twice ('%s' and -d)", argv[first]);
		env.opts.duration_ms = tk_arg_seconds(argv[first], "duration");
		tk_arg_no_positional(argc, argv, first + 1);
	}
	if (env.user_threads && env.kernel_threads)
		tk_usage_error("-u and -k exclude each other");
	if (env.user_only && env.kernel_only)
		tk_usage_error("-U and -K exclude each other");
	if (env.folded && env.opts.json)
		tk_usage_error("-f and -j exclude each other");
	if (env.max_us >= 0 && env.max_us < env.min_us)
		tk_usage_error("maximum block time %lld us is below the minimum (%lld us)",
			       env.max_us, env.min_us);
	/* For tests: every Nth switch back in taken as unreported (the
	 * kernel program's CPU-time path). */
	if ((v = getenv("TRACEKIT_OFFCPU_DROP_SWITCH_IN")) && *v)
		env.drop_in = tk_arg_int(v, 1, 1 << 30, "TRACEKIT_OFFCPU_DROP_SWITCH_IN");
	/* Found out now, not after a long run. */
	if (env.svg) {
		FILE *f = fopen(env.svg, "w");

		if (!f)
			tk_usage_error("cannot write '%s': %s", env.svg, strerror(errno));
		fclose(f);
	}
}

static struct offcputime_bpf *skel;

static int report(void *ctx, bool final)
{
	struct tk_stacks_report r = {
		.kstacks_fd = bpf_map__fd(skel->maps.kstacks),
		.ustacks_fd = bpf_map__fd(skel->maps.ustacks),
		.counts_fd = bpf_map__fd(skel->maps.counts),
		.user = !env.kernel_only,
		.kernel = !env.user_only,
		.tid = env.opts.filter.tid != 0,
		.format = env.opts.json ? TK_STACKS_JSON : env.folded ? TK_STACKS_FOLDED : TK_STACKS_TEXT,
		.skip_hook_frames = true,
		.divisor = 1000,	/* kept in ns, shown in us */
		.value_name = "us",
		.svg = env.svg,
		.svg_title = "Off-CPU time",
		.svg_unit = "us",
		.svg_cold = true,
	};
	struct tk_stacks_sum sum;
	uint64_t errs[OFFCPU_NERR];
	int err;

	(void)ctx;
	(void)final;
	err = tk_stacks_print(&r, &sum);
	tk_stacks_errs_read(bpf_map__fd(skel->maps.errs), errs, OFFCPU_NERR);
	if (env.opts.json) {
		struct jw w;

		jw_summary_begin(&w, stdout, "offcputime");
		jw_uint(&w, "blocks", errs[TK_STACK_EVENTS]);
		jw_uint(&w, "stacks", sum.stacks);
		jw_uint(&w, "total_us", sum.total);
		tk_stacks_errs_json(&w, errs);
		jw_uint(&w, "threads_full", errs[OFFCPU_START_FULL]);
		jw_uint(&w, "switch_ins_unseen", errs[OFFCPU_UNSEEN_IN]);
		jw_end(&w);
		return err;
	}
	tk_stacks_errs_warn(errs, sum.stacks, "blocks");
	if (errs[OFFCPU_UNSEEN_IN])
		tk_info(0, "%llu switches back in were not reported by the kernel: those blocks "
			"were timed as the time to the next switch-out less the CPU time meanwhile",
			(unsigned long long)errs[OFFCPU_UNSEEN_IN]);
	if (errs[OFFCPU_START_FULL])
		tk_warn("%llu switches out not followed: the table of threads off-CPU was full "
			"(raise --max-threads)", (unsigned long long)errs[OFFCPU_START_FULL]);
	return err;
}

int main(int argc, char **argv)
{
	struct tk_session session = {
		.opts = &env.opts,
		.variants = variants,
		.nvariants = NVARIANTS,
	};
	struct tk_summary summary = { .report = report };
	int err = 1;

	tk_prog = "offcputime";
	parse_args(argc, argv);
	tk_session_init(&env.opts);

	skel = TK_OPEN(offcputime_bpf, &env.opts);
	if (!skel) {
		tk_open_failed(&env.opts);
		goto cleanup;
	}
	session.bpf = TK_BPF_SUMMARY(skel);
	skel->rodata->targ_user = !env.kernel_only;
	skel->rodata->targ_kernel = !env.user_only;
	skel->rodata->targ_per_tid = env.opts.filter.tid != 0;
	skel->rodata->targ_user_threads = env.user_threads;
	skel->rodata->targ_kernel_threads = env.kernel_threads;
	skel->rodata->targ_min_ns = (__u64)env.min_us * 1000;
	skel->rodata->targ_max_ns = env.max_us < 0 ? ~0ULL : (__u64)env.max_us * 1000;
	skel->rodata->targ_state = env.state;
	skel->rodata->targ_drop_in = env.drop_in;
	tk_stacks_size(skel->maps.kstacks, skel->maps.ustacks, skel->rodata->targ_kernel,
		       skel->rodata->targ_user, env.stack_storage);
	bpf_map__set_max_entries(skel->maps.counts, env.max_stacks);
	bpf_map__set_max_entries(skel->maps.start, env.max_threads);
	if (tk_session_prepare(&session))
		goto cleanup;
	if (tk_session_load_attach(&session))
		goto cleanup;

	tk_ready("time blocked off-CPU by stack", env.opts.duration_ms);
	err = tk_summary_run(&session, &summary);

cleanup:
	tk_session_detach(&session);
	offcputime_bpf__destroy(skel);
	return err;
}
