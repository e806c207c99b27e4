// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* profile: sample stacks on every CPU (or one) at a fixed rate, counted in
 * the kernel by stack, printed at the end as bcc's text, folded stacks, a
 * flame graph (SVG) or JSON. */
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/syscall.h>
#include <linux/perf_event.h>
#include <bpf/bpf.h>
#include "args.h"
#include "log.h"
#include "loop.h"
#include "output.h"
#include "prom.h"
#include "session.h"
#include "stacks.h"
#include "profile.skel.h"

static struct env {
	struct tk_opts opts;
	long long freq;
	int cpu;			/* -C; -1: every CPU */
	bool user_only;			/* -U */
	bool kernel_only;		/* -K */
	bool idle;			/* -I */
	bool folded;			/* -f */
	bool annotate;			/* -a */
	const char *svg;		/* --svg FILE */
	enum { EVENT_AUTO, EVENT_CYCLES, EVENT_CLOCK } event;	/* --event */
	long long stack_storage;
	long long max_stacks;
} env = {
	.freq = 49,
	.cpu = -1,
	.stack_storage = 16384,
	.max_stacks = 10240,
};

enum {
	OPT_SVG = TK_OPT_TOOL_BASE,
	OPT_STACK_STORAGE,
	OPT_MAX_STACKS,
	OPT_EVENT,
};

static const char help[] =
"  -F, --frequency HZ     samples per second on each CPU (default 49)\n"
"  -C, --cpu CPU          only this CPU (default: every CPU)\n"
"  -U, --user-stacks-only  user stacks only (no kernel frames)\n"
"  -K, --kernel-stacks-only  kernel stacks only (no user frames)\n"
"  -I, --include-idle     include the idle task (pid 0)\n"
"  -f, --folded           folded stacks (comm;frame;...;frame COUNT)\n"
"  -a, --annotations      with -f: kernel frames end in _[k]\n"
"      --svg FILE         also write an interactive flame graph to FILE\n"
"      --stack-storage-size N  stacks kept, both sides (default 16384)\n"
"      --max-stacks N     distinct (process, stack) counts kept (default 10240)\n"
"      --event EVENT      sample on: cycles, cpu-clock, or auto (default: cycles\n"
"                         where its interrupt is an NMI, x86; else cpu-clock)\n";

static const char examples[] =
"Metrics (--prometheus, --textfile: no stacks), counted from the start:\n"
"  tracekit_cpu_samples_total{comm=\"nginx\"}  samples of that process name\n"
"  tracekit_cpu_samples_lost_total            samples the table had no room for\n"
"\n"
"Examples:\n"
"  profile                  # all CPUs at 49 Hz, user and kernel stacks, until Ctrl-C\n"
"  profile -F 99 -d 10      # 99 Hz for 10 seconds\n"
"  profile -p 185           # only process 185\n"
"  profile -L 185           # only thread 185\n"
"  profile -U               # user stacks only\n"
"  profile -K -C 1          # kernel stacks of CPU 1 only\n"
"  profile -f -d 5 > out.folded  # folded stacks, for flamegraph.pl or speedscope\n"
"  profile -d 5 --svg cpu.svg    # a flame graph to open in a browser\n"
"  profile -j -d 5          # JSON: one object per stack\n"
"  profile --cgroup /sys/fs/cgroup/unified/app  # only that cgroup\n"
"  profile --prometheus 127.0.0.1:9902  # samples by comm, to Prometheus\n";

static const struct option longopts[] = {
	{ "frequency", required_argument, NULL, 'F' },
	{ "cpu", required_argument, NULL, 'C' },
	{ "user-stacks-only", no_argument, NULL, 'U' },
	{ "kernel-stacks-only", no_argument, NULL, 'K' },
	{ "include-idle", no_argument, NULL, 'I' },
	{ "folded", no_argument, NULL, 'f' },
	{ "annotations", no_argument, NULL, 'a' },
	{ "svg", required_argument, NULL, OPT_SVG },
	{ "stack-storage-size", required_argument, NULL, OPT_STACK_STORAGE },
	{ "max-stacks", required_argument, NULL, OPT_MAX_STACKS },
	{ "event", required_argument, NULL, OPT_EVENT },
	{}
};

static int ncpu;

static void option(int key, const char *arg)
{
	switch (key) {
	case 'F': env.freq = tk_arg_int(arg, 1, 100000, "frequency"); break;
	case 'C': env.cpu = tk_arg_int(arg, 0, ncpu - 1, "CPU"); break;
	case 'U': env.user_only = true; break;
	case 'K': env.kernel_only = true; break;
	case 'I': env.idle = true; break;
	case 'f': env.folded = true; break;
	case 'a': env.annotate = true; break;
	case OPT_SVG: env.svg = arg; break;
	case OPT_STACK_STORAGE:
		env.stack_storage = tk_arg_int(arg, 1, 1 << 22, "stack storage size");
		break;
	case OPT_MAX_STACKS: env.max_stacks = tk_arg_int(arg, 1, 1 << 22, "max stacks"); break;
	case OPT_EVENT:
		if (!strcmp(arg, "auto"))
			env.event = EVENT_AUTO;
		else if (!strcmp(arg, "cycles"))
			env.event = EVENT_CYCLES;
		else if (!strcmp(arg, "cpu-clock"))
			env.event = EVENT_CLOCK;
		else
			tk_usage_error("invalid event '%s' (choose from: auto, cycles, cpu-clock)",
				       arg);
		break;
	}
}

static const struct tk_cli cli = {
	.usage = "Usage: profile [OPTION]... [DURATION]\n"
		 "Sample stacks on every CPU at a fixed rate, counted in the kernel, and print\n"
		 "them with their counts at the end (DURATION seconds, -d, or Ctrl-C).",
	.shared = TK_OPT_PID | TK_OPT_TID | TK_OPT_CGROUP | TK_OPT_DURATION | TK_OPT_PROM,
	.letter = { .tid = 'L' },
	.optstring = "F:C:UKIfa",
	.longopts = longopts,
	.help = help,
	.examples = examples,
	.option = option,
};

static void parse_args(int argc, char **argv)
{
	long n = sysconf(_SC_NPROCESSORS_CONF);
	int first;

	ncpu = n > 0 ? (int)n : 1;
	first = tk_parse_args(&cli, argc, argv, &env.opts);
	/* bcc's profile takes the duration as its argument. */
	if (first < argc) {
		if (env.opts.duration_ms)
			tk_usage_error("duration given twice ('%s' and -d)", argv[first]);
		env.opts.duration_ms = tk_arg_seconds(argv[first], "duration");
		tk_arg_no_positional(argc, argv, first + 1);
	}
	if (env.user_only && env.kernel_only)
		tk_usage_error("-U and -K exclude each other");
	if (env.annotate && !env.folded)
		tk_usage_error("-a needs -f");
	if (env.folded && env.opts.json)
		tk_usage_error("-f and -j exclude each other");
	if ((env.opts.prometheus || env.opts.textfile) && (env.folded || env.svg))
		tk_usage_error("-f and --svg cannot go with --prometheus or --textfile "
			       "(the metrics are samples by comm, no stacks)");
	/* Found out now, not after a long profile. */
	if (env.svg) {
		FILE *f = fopen(env.svg, "w");

		if (!f)
			tk_usage_error("cannot write '%s': %s", env.svg, strerror(errno));
		fclose(f);
	}
}

/* ---- perf events ------------------------------------------------------------ */

static struct profile_bpf *skel;
static int *event_fds;
static struct bpf_link **event_links;
static const char *event_name = "cpu-clock";

static int open_event(int cpu, bool hardware)
{
	struct perf_event_attr attr = {
		.size = sizeof(attr),
		.type = hardware ? PERF_TYPE_HARDWARE : PERF_TYPE_SOFTWARE,
		.config = hardware ? PERF_COUNT_HW_CPU_CYCLES : PERF_COUNT_SW_CPU_CLOCK,
		.freq = 1,
		.sample_freq = env.freq,
	};

	return syscall(__NR_perf_event_open, &attr, -1, cpu, -1, PERF_FLAG_FD_CLOEXEC);
}

static void close_events(void *ctx)
{
	int cpu;

	(void)ctx;
	for (cpu = 0; cpu < ncpu; cpu++) {
		/* A perf link owns its event's fd and closes it. */
		if (event_links[cpu])
			bpf_link__destroy(event_links[cpu]);
		else if (event_fds[cpu] >= 0)
			close(event_fds[cpu]);
		event_links[cpu] = NULL;
		event_fds[cpu] = -1;
	}
}

/* auto: the cycle counter where its overflow interrupt is an NMI (x86's
 * perf), which samples code that runs with interrupts off, as the
 * cpu-clock (an hrtimer interrupt) cannot. Elsewhere it is an ordinary
 * interrupt (arm64 without pseudo-NMIs: Debian's arm64 kernels are built
 * without CONFIG_ARM64_PSEUDO_NMI) and sees no more than the clock, and
 * where the PMU is emulated it can see less: qemu's TCG notices a counter's
 * overflow when the CPU changes exception level, so a system call's samples
 * land on the kernel's first instruction with interrupts on or on the user
 * instruction after the svc (measured in the arm64 6.1 guest: 158 of 163
 * samples of a write(2) loop, none in the write path). bcc's profile
 * samples on the cpu-clock everywhere. */
#if defined(__x86_64__) || defined(__i386__)
#define CYCLES_BY_DEFAULT true
#else
#define CYCLES_BY_DEFAULT false
#endif

/* A perf event on each CPU asked for (see CYCLES_BY_DEFAULT, --event), the
 * program on each. 0, or -1 after saying why. */
static int attach_events(void)
{
	int cpu, first = env.cpu >= 0 ? env.cpu : 0, fd, attached = 0;
	bool hardware = env.event == EVENT_CYCLES ||
			(env.event == EVENT_AUTO && CYCLES_BY_DEFAULT);

	if (env.event == EVENT_AUTO && !CYCLES_BY_DEFAULT)
		tk_info(1, "sampling with the cpu-clock: the cycle counter's interrupt is no NMI "
			"here (--event cycles samples on it)");
	/* No hardware counter (a VM without a virtual PMU): ENOENT, or
	 * EOPNOTSUPP / ENODEV on some; the software clock works everywhere. */
	fd = hardware ? open_event(first, true) : -1;
	if (hardware && fd < 0) {
		if (env.event == EVENT_CYCLES) {
			tk_warn("cannot sample on the cycle counter: %s (no hardware counter "
				"here? --event cpu-clock samples on the kernel's clock)",
				strerror(errno));
			return -1;
		}
		hardware = false;
		tk_info(1, "no hardware cycle counter (%s): sampling with the cpu-clock",
			strerror(errno));
	} else if (hardware) {
		close(fd);
		event_name = "cycles";
	}
	if (env.cpu >= 0)
		tk_info(1, "attach: perf event %s at %lld Hz on CPU %d", event_name, env.freq,
			env.cpu);
	else
		tk_info(1, "attach: perf event %s at %lld Hz on every CPU", event_name, env.freq);
	for (cpu = 0; cpu < ncpu; cpu++) {
		if (env.cpu >= 0 && cpu != env.cpu)
			continue;
		fd = open_event(cpu, hardware);
		if (fd < 0) {
			/* An offline CPU: nothing runs there to sample. */
			if (errno == ENODEV && env.cpu < 0)
				continue;
			if (errno == EINVAL)
				tk_warn("cannot open a %s perf event at %lld Hz on CPU %d: %s "
					"(above kernel.perf_event_max_sample_rate?)",
					event_name, env.freq, cpu, strerror(errno));
			else
				tk_warn("cannot open a %s perf event on CPU %d: %s%s", event_name,
					cpu, strerror(errno),
					errno == ENODEV ? " (is that CPU online?)" : "");
			return -1;
		}
		event_fds[cpu] = fd;
		event_links[cpu] = bpf_program__attach_perf_event(skel->progs.do_sample, fd);
		if (!event_links[cpu]) {
			tk_warn("cannot attach to the perf event on CPU %d: %s", cpu,
				strerror(errno));
			return -1;
		}
		attached++;
	}
	if (!attached) {
		tk_warn("no CPU online to sample");
		return -1;
	}
	return 0;
}

/* ---- the report --------------------------------------------------------------- */

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
		.annotate = env.annotate,
		.value_name = "count",
		.svg = env.svg,
		.svg_unit = "samples",
	};
	struct tk_stacks_sum sum;
	uint64_t errs[TK_STACK_NERR];
	char title[96];
	int err;

	(void)ctx;
	(void)final;
	snprintf(title, sizeof(title), "CPU profile: %s at %lld Hz", event_name, env.freq);
	r.svg_title = title;
	err = tk_stacks_print(&r, &sum);
	tk_stacks_errs_read(bpf_map__fd(skel->maps.errs), errs, TK_STACK_NERR);
	/* What the kernel could not read, never dropped silently: a line on
	 * stderr, or a record in JSON mode. */
	if (env.opts.json) {
		struct jw w;

		jw_summary_begin(&w, stdout, "profile");
		jw_str(&w, "event", event_name, 16);
		jw_uint(&w, "hz", env.freq);
		jw_uint(&w, "samples", errs[TK_STACK_EVENTS]);
		jw_uint(&w, "stacks", sum.stacks);
		tk_stacks_errs_json(&w, errs);
		jw_end(&w);
	} else {
		tk_stacks_errs_warn(errs, sum.stacks, "samples");
	}
	return err;
}

/* ---- metrics (--prometheus, --textfile) ----------------------------------- */

/* Samples by comm since the start: the kernel's counts (by process and
 * comm, without stacks) are drained at each reading. */
static struct tk_prom_totals totals;

struct count_row {
	struct tk_stack_key key;
	__u64 count;
};

static int render_metrics(void *ctx, struct tk_prom_buf *b)
{
	static struct count_row *rows;
	static int cap_rows;
	struct tk_prom_label l = { "comm", NULL };
	uint64_t errs[TK_STACK_NERR];
	char comm[TK_PROM_LABEL_LEN];
	const char *name = comm;
	struct tk_prom_row *pr;
	int nrows, n, i, err = 0;

	(void)ctx;
	nrows = tk_map_drain(bpf_map__fd(skel->maps.counts), sizeof(struct tk_stack_key),
			     offsetof(struct count_row, count), sizeof(struct count_row),
			     (void **)&rows, &cap_rows);
	if (nrows < 0)
		return nrows;
	for (i = 0; !err && i < nrows; i++) {
		uint64_t v = rows[i].count;

		tk_escape(comm, sizeof(comm), rows[i].key.comm, sizeof(rows[i].key.comm));
		err = tk_prom_totals_add(&totals, &name, 1, &v, 1);
	}
	if (err || (n = tk_prom_totals_top(&totals, env.opts.prom_top, 1, &pr)) < 0)
		return err ? err : -ENOMEM;
	tk_prom_family(b, "tracekit_cpu_samples_total", "counter",
		       "CPU samples by process name, taken by profile.");
	for (i = 0; i < n; i++) {
		l.value = pr[i].label[0];
		tk_prom_sample(b, "tracekit_cpu_samples_total", &l, 1, pr[i].v[0]);
	}
	free(pr);
	tk_stacks_errs_read(bpf_map__fd(skel->maps.errs), errs, TK_STACK_NERR);
	tk_prom_family(b, "tracekit_cpu_samples_lost_total", "counter",
		       "CPU samples profile's table of counts had no room for.");
	tk_prom_sample(b, "tracekit_cpu_samples_lost_total", NULL, 0, errs[TK_STACK_COUNTS_FULL]);
	return 0;
}

/* The end of an exporter's run: what a run without it says (-v), and
 * losses always. */
static void report_samples(void)
{
	uint64_t errs[TK_STACK_NERR];

	tk_stacks_errs_read(bpf_map__fd(skel->maps.errs), errs, TK_STACK_NERR);
	tk_info(1, "%llu samples", (unsigned long long)errs[TK_STACK_EVENTS]);
	if (errs[TK_STACK_COUNTS_FULL])
		tk_warn("%llu samples lost: the table of counts was full (raise --max-stacks)",
			(unsigned long long)errs[TK_STACK_COUNTS_FULL]);
}

int main(int argc, char **argv)
{
	struct tk_session session = { .opts = &env.opts };
	struct tk_summary summary = { .report = report };
	struct tk_prom *prom = NULL;
	int err = 1, cpu;

	tk_prog = "profile";
	parse_args(argc, argv);
	prom = tk_prom_open(&env.opts, render_metrics, NULL);
	tk_session_init(&env.opts);

	event_fds = calloc(ncpu, sizeof(*event_fds));
	event_links = calloc(ncpu, sizeof(*event_links));
	if (!event_fds || !event_links) {
		tk_warn("out of memory");
		goto cleanup;
	}
	for (cpu = 0; cpu < ncpu; cpu++)
		event_fds[cpu] = -1;
	skel = TK_OPEN(profile_bpf, &env.opts);
	if (!skel) {
		tk_open_failed(&env.opts);
		goto cleanup;
	}
	session.bpf = TK_BPF_SUMMARY(skel);
	/* An exporter counts by process only: no stacks to keep. */
	skel->rodata->targ_user = !env.kernel_only && !prom;
	skel->rodata->targ_kernel = !env.user_only && !prom;
	skel->rodata->targ_per_tid = env.opts.filter.tid != 0;
	skel->rodata->targ_idle = env.idle;
	tk_stacks_size(skel->maps.kstacks, skel->maps.ustacks, skel->rodata->targ_kernel,
		       skel->rodata->targ_user, env.stack_storage);
	bpf_map__set_max_entries(skel->maps.counts, env.max_stacks);
	if (tk_session_prepare(&session))
		goto cleanup;
	if (tk_session_load_attach(&session))
		goto cleanup;
	/* The events are the tool's own attachments: the runtime ends them
	 * with its links, before the report. */
	session.detach = close_events;
	if (attach_events())
		goto cleanup;

	{
		char what[64];

		snprintf(what, sizeof(what), prom ? "samples at %lld Hz, serving metrics" :
			 "stacks at %lld Hz", env.freq);
		tk_ready(what, env.opts.duration_ms);
	}
	tk_prom_summary(prom, &summary);
	err = tk_summary_run(&session, &summary);
	if (prom)
		report_samples();

cleanup:
	tk_session_detach(&session);
	if (event_links && !session.detach)
		close_events(NULL);
	profile_bpf__destroy(skel);
	tk_prom_close(prom);
	tk_prom_totals_free(&totals);
	free(event_fds);
	free(event_links);
	return err;
}
