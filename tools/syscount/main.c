// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* syscount: summarise system calls by syscall or by process. */
#include <errno.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include "args.h"
#include "errnos.h"
#include "log.h"
#include "loop.h"
#include "output.h"
#include "prom.h"
#include "session.h"
#include "syscalls.h"
#include "syscount.h"
#include "syscount.skel.h"

_Static_assert(sizeof(struct syscount_value) == 16, "syscount_value layout changed");
_Static_assert(sizeof(struct syscount_proc) == 40, "syscount_proc layout changed");

static struct env {
	struct tk_opts opts;
	uint64_t interval_ms;
	long long top;
	bool failed;
	int errno_filter;
	bool latency;
	bool millis;
	bool by_process;
} env = { .top = 10 };

static const struct tk_variant variants[] = {
	{ .name = "tp_btf", .progs = { "sys_enter_btf", "sys_exit_btf" } },
	{ .name = "raw_tp", .progs = { "sys_enter_raw", "sys_exit_raw" } },
};
#define NVARIANTS (int)(sizeof(variants) / sizeof(variants[0]))

static const char help[] =
"  -i, --interval SECS    print a summary every SECS seconds\n"
"  -T, --top N            print the top N rows (default 10; 0: all)\n"
"  -x, --failures         only failed syscalls\n"
"  -e, --errno ERRNO      only syscalls failing with ERRNO (ENOENT or 2)\n"
"  -L, --latency          also total time spent in each\n"
"  -m, --milliseconds     time in milliseconds (default microseconds)\n"
"  -P, --process          count by process, not by syscall\n"
"  -l, --list             list the syscall names known and exit\n";

static const char examples[] =
"Metrics (--prometheus, --textfile), counted from the start:\n"
"  tracekit_syscalls_total{syscall=\"read\"}      calls\n"
"  tracekit_syscall_failures_total{syscall}     -x, -e: failed calls (-e: and\n"
"                                               errno=\"ENOENT\")\n"
"  tracekit_syscall_latency_seconds_total{...}  -L: time spent in them\n"
"  With -P the label is comm (processes summed by name), not syscall.\n"
"\n"
"Examples:\n"
"  syscount                  # count syscalls until Ctrl-C\n"
"  syscount -p 1216          # only PID 1216\n"
"  syscount -i 1 -d 10       # a summary every second, for 10 seconds\n"
"  syscount -x -P            # failed syscalls, by process\n"
"  syscount -e ENOENT        # syscalls failing with ENOENT\n"
"  syscount -L -m -T 5       # top 5 by time spent, in milliseconds\n"
"  syscount -c /sys/fs/cgroup/unified/app   # only that cgroup\n"
"  syscount -L --prometheus 127.0.0.1:9900   # serve the counts to Prometheus\n";

static const struct option longopts[] = {
	{ "interval", required_argument, NULL, 'i' },
	{ "top", required_argument, NULL, 'T' },
	{ "failures", no_argument, NULL, 'x' },
	{ "errno", required_argument, NULL, 'e' },
	{ "latency", no_argument, NULL, 'L' },
	{ "milliseconds", no_argument, NULL, 'm' },
	{ "process", no_argument, NULL, 'P' },
	{ "list", no_argument, NULL, 'l' },
	{}
};

static void list_syscalls(void)
{
	int nr;

	for (nr = 0; nr < syscall_table_size(); nr++)
		if (syscall_name(nr))
			printf("%3d %s\n", nr, syscall_name(nr));
	exit(0);
}

static void option(int key, const char *arg)
{
	switch (key) {
	case 'i': env.interval_ms = tk_arg_seconds(arg, "interval"); break;
	case 'T': env.top = tk_arg_int(arg, 0, 1000000, "TOP"); break;
	case 'x': env.failed = true; break;
	case 'e':
		env.errno_filter = errno_parse(arg);
		if (env.errno_filter < 0)
			tk_usage_error("invalid ERRNO '%s'", arg);
		break;
	case 'L': env.latency = true; break;
	case 'm': env.millis = true; break;
	case 'P': env.by_process = true; break;
	case 'l': list_syscalls(); break;
	}
}

static const struct tk_cli cli = {
	.usage = "Usage: syscount [OPTION]...\n"
		 "Summarise system calls by syscall or by process, counted in the kernel.",
	.shared = TK_OPT_FILTERS | TK_OPT_DURATION | TK_OPT_PROM,
	.letter = { .cgroup = 'c' },
	.optstring = "i:T:xe:LmPl",
	.longopts = longopts,
	.help = help,
	.examples = examples,
	.variants = variants,
	.nvariants = NVARIANTS,
	.option = option,
};

static void parse_args(int argc, char **argv)
{
	tk_arg_no_positional(argc, argv, tk_parse_args(&cli, argc, argv, &env.opts));
	if (env.millis && !env.latency)
		tk_usage_error("-m needs -L (there is no time to show otherwise)");
}

struct row {
	__u32 key;		/* syscall number or pid */
	__u64 count;
	__u64 total_ns;
	char comm[16];
};

static struct syscount_bpf *skel;
static struct row *rows;
static int nrows, cap_rows;
static void *percpu;
static int ncpu;

static int add_row(__u32 key, __u64 count, __u64 ns, const char *comm)
{
	if (nrows == cap_rows) {
		int cap = cap_rows ? cap_rows * 2 : 256;
		struct row *r = realloc(rows, cap * sizeof(*r));

		if (!r)
			return -ENOMEM;
		rows = r;
		cap_rows = cap;
	}
	rows[nrows].key = key;
	rows[nrows].count = count;
	rows[nrows].total_ns = ns;
	memset(rows[nrows].comm, 0, sizeof(rows[nrows].comm));
	if (comm)
		memcpy(rows[nrows].comm, comm, sizeof(rows[nrows].comm) - 1);
	nrows++;
	return 0;
}

/* Sum the per-CPU counters into rows[]: what they gained since the last
 * reading. They are never zeroed: a call counted on another CPU between
 * reading a slot and writing zeros over it would be lost (prom.sh's
 * --textfile rewrites every 20 ms lost some). */
static int drain_syscalls(void)
{
	static struct { __u64 count, ns; } seen[SYSCOUNT_MAX_NR];
	struct syscount_value *v = percpu;
	int fd = bpf_map__fd(skel->maps.by_syscall);
	__u32 nr;
	int cpu;

	for (nr = 0; nr < SYSCOUNT_MAX_NR; nr++) {
		__u64 count = 0, ns = 0;

		if (bpf_map_lookup_elem(fd, &nr, v))
			continue;
		for (cpu = 0; cpu < ncpu; cpu++) {
			count += v[cpu].count;
			ns += v[cpu].total_ns;
		}
		if (count == seen[nr].count)
			continue;
		count -= seen[nr].count;
		ns -= seen[nr].ns;
		seen[nr].count += count;
		seen[nr].ns += ns;
		if (add_row(nr, count, ns, NULL))
			return -ENOMEM;
	}
	return 0;
}

/* -P: each live process's counters as last read, sorted by pid. The
 * kernel's are never zeroed while the process lives (a call counted between
 * a reading and a delete would be lost); a process that has gone makes no
 * more calls, so its entry is read a last time and deleted (see NOTES in
 * syscount(8) for a pid reused in between). */
struct seen_proc {
	__u32 pid;
	__u64 count, ns;
};
static struct seen_proc *seen_procs;
static size_t nseen;

static int by_seen_pid(const void *a, const void *b)
{
	const struct seen_proc *x = a, *y = b;

	return x->pid < y->pid ? -1 : x->pid > y->pid;
}

static int drain_processes(void)
{
	struct syscount_proc *v = percpu;
	int fd = bpf_map__fd(skel->maps.by_pid);
	__u32 key, next, *prev = NULL, *gone = NULL;
	struct seen_proc *now = NULL, *was, probe;
	size_t nnow = 0, cap = 0, ngone = 0, capgone = 0;
	int cpu, err = 0;

	while (!bpf_map_get_next_key(fd, prev, &next)) {
		__u64 count = 0, ns = 0, comm_ns = 0;
		const char *comm = NULL;
		bool dead;

		key = next;
		prev = &key;
		/* Gone before the reading: nothing can add to it after. */
		dead = kill((pid_t)key, 0) && errno == ESRCH;
		if (bpf_map_lookup_elem(fd, &key, v))
			continue;
		for (cpu = 0; cpu < ncpu; cpu++) {
			count += v[cpu].count;
			ns += v[cpu].total_ns;
			/* The name last seen, on whichever CPU that was. */
			if (v[cpu].comm[0] && (!comm || v[cpu].comm_ns > comm_ns)) {
				comm = v[cpu].comm;
				comm_ns = v[cpu].comm_ns;
			}
		}
		probe.pid = key;
		was = nseen ? bsearch(&probe, seen_procs, nseen, sizeof(*seen_procs),
				      by_seen_pid) : NULL;
		if (was && count >= was->count) {
			count -= was->count;
			ns -= was->ns;
		}
		if (count && add_row(key, count, ns, comm)) {
			err = -ENOMEM;
			break;
		}
		if (dead) {
			if (ngone == capgone) {
				__u32 *g;

				capgone = capgone ? 2 * capgone : 64;
				if (!(g = realloc(gone, capgone * sizeof(*gone)))) {
					err = -ENOMEM;
					break;
				}
				gone = g;
			}
			gone[ngone++] = key;
			continue;
		}
		if (nnow == cap) {
			struct seen_proc *n;

			cap = cap ? 2 * cap : 64;
			if (!(n = realloc(now, cap * sizeof(*now)))) {
				err = -ENOMEM;
				break;
			}
			now = n;
		}
		now[nnow].pid = key;
		now[nnow].count = (was ? was->count : 0) + count;
		now[nnow].ns = (was ? was->ns : 0) + ns;
		nnow++;
	}
	/* Deleted after the walk so the walk itself is not disturbed. */
	for (size_t i = 0; i < ngone; i++)
		bpf_map_delete_elem(fd, &gone[i]);
	free(gone);
	if (err) {
		free(now);
		return err;
	}
	if (nnow)
		qsort(now, nnow, sizeof(*now), by_seen_pid);
	free(seen_procs);
	seen_procs = now;
	nseen = nnow;
	return 0;
}

static int by_count(const void *a, const void *b)
{
	const struct row *x = a, *y = b;

	if (env.latency && x->total_ns != y->total_ns)
		return x->total_ns < y->total_ns ? 1 : -1;
	if (x->count != y->count)
		return x->count < y->count ? 1 : -1;
	return x->key < y->key ? -1 : x->key > y->key;
}

static const char *syscall_label(__u32 nr, char *buf, size_t size)
{
	const char *name = syscall_name(nr);

	if (name)
		return name;
	snprintf(buf, size, "[unknown: %u]", nr);
	return buf;
}

static void print_json(int n)
{
	char label[32];
	struct jw w;
	int i;

	jw_summary_begin(&w, stdout, "summary");
	jw_str(&w, "by", env.by_process ? "process" : "syscall", 8);
	jw_array_begin(&w, "rows");
	for (i = 0; i < n; i++) {
		jw_object_begin(&w, NULL);
		if (env.by_process) {
			jw_uint(&w, "pid", rows[i].key);
			jw_str(&w, "comm", rows[i].comm, sizeof(rows[i].comm));
		} else {
			jw_str(&w, "syscall", syscall_label(rows[i].key, label, sizeof(label)), 32);
			jw_uint(&w, "nr", rows[i].key);
		}
		jw_uint(&w, "count", rows[i].count);
		if (env.latency)
			jw_uint(&w, "total_ns", rows[i].total_ns);
		jw_object_end(&w);
	}
	jw_array_end(&w);
	jw_end(&w);
}

static void print_text(int n)
{
	char tbuf[16], label[32];
	int i;

	if (env.interval_ms) {
		tk_format_clock(tbuf, sizeof(tbuf));
		printf("[%s]\n", tbuf);
	}
	printf("%-22s %8s", env.by_process ? "PID    COMM" : "SYSCALL", "COUNT");
	if (env.latency)
		printf(" %16s", env.millis ? "TIME (ms)" : "TIME (us)");
	putchar('\n');
	for (i = 0; i < n; i++) {
		if (env.by_process) {
			printf("%-6u ", rows[i].key);
			tk_print_escaped(stdout, rows[i].comm, sizeof(rows[i].comm));
			printf("%*s", (int)(15 - strnlen(rows[i].comm, 15)), "");
		} else {
			printf("%-22s", syscall_label(rows[i].key, label, sizeof(label)));
		}
		printf(" %8llu", (unsigned long long)rows[i].count);
		if (env.latency)
			printf(" %16.3f", rows[i].total_ns / (env.millis ? 1e6 : 1e3));
		putchar('\n');
	}
	putchar('\n');
}

static int report(void *ctx, bool final)
{
	int n, err;

	(void)ctx;
	nrows = 0;
	err = env.by_process ? drain_processes() : drain_syscalls();
	if (err) {
		tk_warn("reading counts failed: %s", strerror(-err));
		return err;
	}
	qsort(rows, nrows, sizeof(*rows), by_count);
	n = env.top && env.top < nrows ? env.top : nrows;
	if (env.opts.json) {
		print_json(n);
	} else {
		/* Ctrl-C echoed "^C" on the terminal: start the table below it. */
		if (final && tk_exiting && isatty(STDOUT_FILENO))
			putchar('\n');
		print_text(n);
	}
	return 0;
}

/* ---- metrics (--prometheus, --textfile) ----------------------------------- */

/* The counts since the start: the kernel's are drained at each reading. */
static struct tk_prom_totals totals;

static int render_metrics(void *ctx, struct tk_prom_buf *b)
{
	const char *calls = env.failed || env.errno_filter > 0 ? "tracekit_syscall_failures_total" :
				       "tracekit_syscalls_total";
	struct tk_prom_label l[2] = { { env.by_process ? "comm" : "syscall", NULL }, { "errno", NULL } };
	int nl = env.errno_filter > 0 ? 2 : 1, n, i, err;
	char label[TK_PROM_LABEL_LEN];
	struct tk_prom_row *pr;
	const char *name;

	(void)ctx;
	nrows = 0;
	err = env.by_process ? drain_processes() : drain_syscalls();
	for (i = 0; !err && i < nrows; i++) {
		uint64_t v[2] = { rows[i].count, rows[i].total_ns };

		name = label;
		if (env.by_process)
			tk_escape(label, sizeof(label), rows[i].comm, sizeof(rows[i].comm));
		else
			name = syscall_label(rows[i].key, label, sizeof(label));
		err = tk_prom_totals_add(&totals, &name, 1, v, 2);
	}
	if (err || (n = tk_prom_totals_top(&totals, env.opts.prom_top, 2, &pr)) < 0)
		return err ? err : -ENOMEM;
	l[1].value = env.errno_filter > 0 ? errno_name(env.errno_filter) : NULL;
	tk_prom_family(b, calls, "counter", env.failed || env.errno_filter > 0 ?
		       "Failed system calls traced by syscount." :
		       "System calls traced by syscount.");
	for (i = 0; i < n; i++) {
		l[0].value = pr[i].label[0];
		tk_prom_sample(b, calls, l, nl, pr[i].v[0]);
	}
	if (env.latency) {
		tk_prom_family(b, "tracekit_syscall_latency_seconds_total", "counter",
			       "Time spent in the system calls traced by syscount.");
		for (i = 0; i < n; i++) {
			l[0].value = pr[i].label[0];
			tk_prom_sample(b, "tracekit_syscall_latency_seconds_total", l, nl, pr[i].v[1] / 1e9);
		}
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

	tk_prog = "syscount";
	parse_args(argc, argv);
	prom = tk_prom_open(&env.opts, render_metrics, NULL);
	tk_session_init(&env.opts);

	ncpu = libbpf_num_possible_cpus();
	percpu = calloc(ncpu > 0 ? ncpu : 1, sizeof(struct syscount_proc));
	skel = TK_OPEN(syscount_bpf, &env.opts);
	if (!skel) {
		tk_open_failed(&env.opts);
		goto cleanup;
	}
	if (!percpu) {
		tk_warn("out of memory");
		goto cleanup;
	}
	session.bpf = TK_BPF_SUMMARY(skel);
	skel->rodata->targ_failed = env.failed;
	skel->rodata->targ_errno = env.errno_filter > 0 ? env.errno_filter : 0;
	skel->rodata->measure_latency = env.latency;
	skel->rodata->by_process = env.by_process;
	skel->rodata->nr_fork = syscall_nr("fork");
	skel->rodata->nr_vfork = syscall_nr("vfork");
	skel->rodata->nr_clone = syscall_nr("clone");
	skel->rodata->nr_clone3 = syscall_nr("clone3");
	skel->rodata->nr_rt_sigreturn = syscall_nr("rt_sigreturn");
	if (tk_session_prepare(&session))
		goto cleanup;
	/* Plain counts come from sys_exit alone (bpf/syscount.bpf.c). */
	if (!env.latency) {
		bpf_program__set_autoload(skel->progs.sys_enter_btf, false);
		bpf_program__set_autoload(skel->progs.sys_enter_raw, false);
	}
	/* -L's start times: by task where the kernel can (common/attach.h). */
	skel->rodata->use_task_storage =
		tk_task_storage(skel->maps.start_task, skel->maps.start, env.latency,
				env.latency ? "-L start times" : NULL);
	if (!env.latency)
		bpf_map__set_max_entries(skel->maps.start, 1);
	if (!env.by_process)
		bpf_map__set_max_entries(skel->maps.by_pid, 1);
	if (tk_session_load_attach(&session))
		goto cleanup;

	tk_ready(prom ? "syscalls, serving metrics" :
		 env.interval_ms ? "syscalls, printing each interval" : "syscalls",
		 env.opts.duration_ms);
	summary.interval_ms = env.interval_ms;
	tk_prom_summary(prom, &summary);
	err = tk_summary_run(&session, &summary);

cleanup:
	tk_session_detach(&session);
	syscount_bpf__destroy(skel);
	tk_prom_close(prom);
	free(percpu);
	free(rows);
	tk_prom_totals_free(&totals);
	return err;
}
