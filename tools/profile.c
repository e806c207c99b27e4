// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* profile: sample stacks on every CPU (or one) at a fixed rate, counted in
 * the kernel by stack, printed at the end as bcc's text, folded stacks, a
 * flame graph (SVG) or JSON. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/syscall.h>
#include <linux/perf_event.h>
#include <bpf/bpf.h>
#include "args.h"
#include "flame.h"
#include "log.h"
#include "loop.h"
#include "output.h"
#include "session.h"
#include "syms.h"
#include "profile.h"
#include "profile.skel.h"

_Static_assert(sizeof(struct profile_key) == 32, "profile_key layout changed");

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
"      --stack-storage-size N  distinct stacks kept (default 16384)\n"
"      --max-stacks N     distinct (process, stack) counts kept (default 10240)\n";

static const char examples[] =
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
"  profile --cgroup /sys/fs/cgroup/unified/app  # only that cgroup\n";

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
	}
}

static const struct tk_cli cli = {
	.usage = "Usage: profile [OPTION]... [DURATION]\n"
		 "Sample stacks on every CPU at a fixed rate, counted in the kernel, and print\n"
		 "them with their counts at the end (DURATION seconds, -d, or Ctrl-C).",
	.shared = TK_OPT_PID | TK_OPT_TID | TK_OPT_CGROUP | TK_OPT_DURATION,
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

/* A perf event on each CPU asked for (cycles if the machine counts them,
 * else the cpu-clock), the program on each. 0, or -1 after saying why. */
static int attach_events(void)
{
	int cpu, first = env.cpu >= 0 ? env.cpu : 0, fd, attached = 0;
	bool hardware = true;

	/* No hardware counter (a VM without a virtual PMU): ENOENT, or
	 * EOPNOTSUPP / ENODEV on some; the software clock works everywhere. */
	fd = open_event(first, true);
	if (fd < 0) {
		hardware = false;
		tk_info(1, "no hardware cycle counter (%s): sampling with the cpu-clock",
			strerror(errno));
	} else {
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

struct entry {
	struct profile_key key;
	__u64 count;
};

struct frame {
	const char *name;	/* "[unknown]" when nothing covers the address */
	uint64_t offset;
	const char *module;	/* NULL: not known */
	char buf[TK_SYMS_MAX_NAME + 16];
};

static struct tk_ksyms *ksyms;
static struct tk_usyms *usyms;
static __u64 ips[PROFILE_MAX_DEPTH];
static struct frame kframes[PROFILE_MAX_DEPTH], uframes[PROFILE_MAX_DEPTH];

static int by_count(const void *a, const void *b)
{
	const struct entry *x = a, *y = b;

	if (x->count != y->count)
		return x->count < y->count ? -1 : 1;
	return x->key.pid < y->key.pid ? -1 : x->key.pid > y->key.pid;
}

static void unknown(struct frame *f, const char *module)
{
	f->offset = 0;
	f->module = module;
	if (module) {
		snprintf(f->buf, sizeof(f->buf), "[unknown] (%s)", module);
		f->name = f->buf;
	} else {
		f->name = "[unknown]";
	}
}

/* The frames of stack @id, innermost first. */
static int read_stack(__s32 id, bool kernel, __u32 pid, struct frame *out)
{
	int i, n = 0;

	if (id < 0 || bpf_map_lookup_elem(bpf_map__fd(skel->maps.stacks), &id, ips))
		return 0;
	for (i = 0; i < PROFILE_MAX_DEPTH && ips[i]; i++, n++) {
		struct frame *f = &out[n];

		if (kernel) {
			const struct tk_ksym *s = ksyms ? tk_ksyms_find(ksyms, ips[i]) : NULL;

			if (!s) {
				unknown(f, NULL);
				continue;
			}
			f->name = s->name;
			f->offset = ips[i] - s->addr;
			f->module = s->module ? s->module : "kernel";
		} else {
			struct tk_usym s = {};

			if (tk_usyms_find(usyms, pid, ips[i], &s) || !s.name) {
				unknown(f, s.module);
				continue;
			}
			f->name = s.name;
			f->offset = s.offset;
			f->module = s.module;
		}
	}
	return n;
}

/* A stack that was asked for but not read: bcc's placeholder. A missing
 * stack (-EFAULT: a kernel thread's user side, a user-mode sample's kernel
 * side) has no frames and no placeholder. */
static bool stack_failed(__s32 id)
{
	return id < 0 && id != -EFAULT;
}

static void print_name(const char *s)
{
	tk_print_escaped(stdout, s, strlen(s));
}

static void print_text(const struct entry *e, int nk, int nu)
{
	int i;

	if (!env.user_only) {
		if (stack_failed(e->key.kernel_stack_id))
			printf("    [Missed Kernel Stack]\n");
		for (i = 0; i < nk; i++) {
			printf("    ");
			print_name(kframes[i].name);
			putchar('\n');
		}
	}
	if (!env.kernel_only) {
		if (nk && (nu || stack_failed(e->key.user_stack_id)))
			printf("    --\n");
		if (stack_failed(e->key.user_stack_id))
			printf("    [Missed User Stack]\n");
		for (i = 0; i < nu; i++) {
			printf("    ");
			print_name(uframes[i].name);
			putchar('\n');
		}
	}
	printf("    %-16s ", "-");
	print_name(e->key.comm);
	printf(" (%u)\n        %llu\n\n", e->key.pid, (unsigned long long)e->count);
}

/* Folded: a ';' or a line break inside a name would split the frame. */
static void print_folded_name(const char *s, bool kernel)
{
	char buf[TK_SYMS_MAX_NAME + 16];
	size_t i, n = strlen(s);

	if (n >= sizeof(buf))
		n = sizeof(buf) - 1;
	for (i = 0; i < n; i++)
		buf[i] = s[i] == ';' ? ':' : (s[i] == '\n' || s[i] == '\r') ? ' ' : s[i];
	buf[n] = 0;
	print_name(buf);
	if (kernel && env.annotate)
		fputs("_[k]", stdout);
}

static void print_folded(const struct entry *e, int nk, int nu)
{
	char comm[sizeof(e->key.comm) + 1] = {};
	int i;

	memcpy(comm, e->key.comm, sizeof(e->key.comm));
	print_folded_name(comm, false);
	if (!env.kernel_only) {
		if (stack_failed(e->key.user_stack_id))
			fputs(";[Missed User Stack]", stdout);
		for (i = nu - 1; i >= 0; i--) {
			putchar(';');
			print_folded_name(uframes[i].name, false);
		}
	}
	if (!env.user_only) {
		if (stack_failed(e->key.kernel_stack_id))
			fputs(";[Missed Kernel Stack]", stdout);
		for (i = nk - 1; i >= 0; i--) {
			putchar(';');
			print_folded_name(kframes[i].name, true);
		}
	}
	printf(" %llu\n", (unsigned long long)e->count);
}

static void json_frames(struct jw *w, const char *key, const struct frame *f, int n)
{
	int i;

	jw_array_begin(w, key);
	for (i = 0; i < n; i++) {
		jw_object_begin(w, NULL);
		jw_str(w, "name", f[i].name, TK_SYMS_MAX_NAME + 16);
		jw_uint(w, "offset", f[i].offset);
		if (f[i].module)
			jw_str(w, "module", f[i].module, TK_SYMS_MAX_NAME);
		else
			jw_null(w, "module");
		jw_object_end(w);
	}
	jw_array_end(w);
}

static void print_json(const struct entry *e, int nk, int nu)
{
	struct jw w;

	jw_begin(&w, stdout);
	jw_str(&w, "type", "stack", 8);
	jw_uint(&w, "pid", e->key.pid);
	if (env.opts.filter.tid)
		jw_uint(&w, "tid", e->key.tid);
	jw_str(&w, "comm", e->key.comm, sizeof(e->key.comm));
	jw_uint(&w, "count", e->count);
	if (!env.user_only) {
		if (stack_failed(e->key.kernel_stack_id))
			jw_int(&w, "kernel_stack_error", e->key.kernel_stack_id);
		json_frames(&w, "kernel_frames", kframes, nk);
	}
	if (!env.kernel_only) {
		if (stack_failed(e->key.user_stack_id))
			jw_int(&w, "user_stack_error", e->key.user_stack_id);
		json_frames(&w, "user_frames", uframes, nu);
	}
	jw_end(&w);
}

/* The flame graph's path of one stack, outermost first: comm, user frames,
 * kernel frames (marked, for their colour). */
static void flame_add(struct tk_flame *fg, const struct entry *e, int nk, int nu)
{
	const char *path[2 * PROFILE_MAX_DEPTH + 3];
	bool kern[2 * PROFILE_MAX_DEPTH + 3];
	char comm[sizeof(e->key.comm) + 1] = {};
	int i, n = 0;

	memcpy(comm, e->key.comm, sizeof(e->key.comm));
	kern[n] = false;
	path[n++] = comm;
	if (!env.kernel_only) {
		if (stack_failed(e->key.user_stack_id)) {
			kern[n] = false;
			path[n++] = "[Missed User Stack]";
		}
		for (i = nu - 1; i >= 0; i--) {
			kern[n] = false;
			path[n++] = uframes[i].name;
		}
	}
	if (!env.user_only) {
		if (stack_failed(e->key.kernel_stack_id)) {
			kern[n] = true;
			path[n++] = "[Missed Kernel Stack]";
		}
		for (i = nk - 1; i >= 0; i--) {
			kern[n] = true;
			path[n++] = kframes[i].name;
		}
	}
	tk_flame_add(fg, path, kern, n, e->count);
}

static __u64 errs_read(__u64 out[PROFILE_NERR])
{
	__u64 *percpu = calloc(libbpf_num_possible_cpus(), sizeof(__u64));
	int fd = bpf_map__fd(skel->maps.errs), cpus = libbpf_num_possible_cpus();
	__u32 i;
	int c;

	memset(out, 0, PROFILE_NERR * sizeof(__u64));
	if (!percpu)
		return 0;
	for (i = 0; i < PROFILE_NERR; i++) {
		if (bpf_map_lookup_elem(fd, &i, percpu))
			continue;
		for (c = 0; c < cpus; c++)
			out[i] += percpu[c];
	}
	free(percpu);
	return out[PROFILE_SAMPLES];
}

/* What the kernel could not read, never dropped silently: a line on stderr,
 * or a record in JSON mode. */
static void report_errs(const __u64 *errs, size_t nstacks)
{
	if (env.opts.json) {
		struct jw w;

		jw_begin(&w, stdout);
		jw_str(&w, "type", "profile", 8);
		jw_str(&w, "event", event_name, 16);
		jw_uint(&w, "hz", env.freq);
		jw_uint(&w, "samples", errs[PROFILE_SAMPLES]);
		jw_uint(&w, "stacks", nstacks);
		jw_uint(&w, "user_stack_missing", errs[PROFILE_USER_EFAULT]);
		jw_uint(&w, "kernel_stack_missing", errs[PROFILE_KERNEL_EFAULT]);
		jw_uint(&w, "stack_collisions", errs[PROFILE_COLLISION]);
		jw_uint(&w, "stack_errors", errs[PROFILE_STACK_OTHER]);
		jw_uint(&w, "counts_full", errs[PROFILE_COUNTS_FULL]);
		jw_end(&w);
		return;
	}
	tk_info(1, "%llu samples in %zu stacks; without a user stack %llu (kernel threads), "
		"without a kernel stack %llu (in user mode)",
		(unsigned long long)errs[PROFILE_SAMPLES], nstacks,
		(unsigned long long)errs[PROFILE_USER_EFAULT],
		(unsigned long long)errs[PROFILE_KERNEL_EFAULT]);
	if (errs[PROFILE_COLLISION] || errs[PROFILE_STACK_OTHER])
		tk_warn("%llu stack traces could not be read: %llu hash collisions, %llu "
			"other errors (a larger --stack-storage-size may help)",
			(unsigned long long)(errs[PROFILE_COLLISION] + errs[PROFILE_STACK_OTHER]),
			(unsigned long long)errs[PROFILE_COLLISION],
			(unsigned long long)errs[PROFILE_STACK_OTHER]);
	if (errs[PROFILE_COUNTS_FULL])
		tk_warn("%llu samples lost: the table of counts was full (raise --max-stacks)",
			(unsigned long long)errs[PROFILE_COUNTS_FULL]);
}

static int report(void *ctx, bool final)
{
	int fd = bpf_map__fd(skel->maps.counts), err = 0;
	struct profile_key key, next, *prev = NULL;
	struct tk_flame *fg = NULL;
	struct entry *entries = NULL, *e;
	size_t n = 0, cap = 0, i;
	__u64 errs[PROFILE_NERR];

	(void)ctx;
	(void)final;
	while (!bpf_map_get_next_key(fd, prev, &next)) {
		key = next;
		prev = &key;
		if (n == cap) {
			cap = cap ? cap * 2 : 256;
			e = realloc(entries, cap * sizeof(*e));
			if (!e) {
				free(entries);
				return -ENOMEM;
			}
			entries = e;
		}
		if (bpf_map_lookup_elem(fd, &key, &entries[n].count))
			continue;
		entries[n++].key = key;
	}
	qsort(entries, n, sizeof(*entries), by_count);
	if (!env.user_only) {
		ksyms = tk_ksyms_load();
		if (!ksyms)
			tk_warn("cannot read /proc/kallsyms: %s: kernel frames are shown as [unknown]",
				strerror(errno));
		else if (tk_ksyms_hidden(ksyms))
			tk_warn("kernel addresses are hidden (kernel.kptr_restrict): kernel "
				"frames are shown as [unknown]");
	}
	if (!env.kernel_only)
		usyms = tk_usyms_new();
	if (env.svg)
		fg = tk_flame_new();
	for (i = 0; i < n; i++) {
		e = &entries[i];
		int nk = env.user_only ? 0 : read_stack(e->key.kernel_stack_id, true, 0, kframes);
		int nu = env.kernel_only || !usyms ? 0 :
			read_stack(e->key.user_stack_id, false, e->key.pid, uframes);

		if (env.opts.json)
			print_json(e, nk, nu);
		else if (env.folded)
			print_folded(e, nk, nu);
		else
			print_text(e, nk, nu);
		if (fg)
			flame_add(fg, e, nk, nu);
	}
	errs_read(errs);
	report_errs(errs, n);
	if (fg) {
		char title[96];

		snprintf(title, sizeof(title), "CPU profile: %s at %lld Hz", event_name, env.freq);
		if (tk_flame_write_svg(fg, env.svg, title, "samples"))
			err = -EIO;
		tk_flame_free(fg);
	}
	free(entries);
	return err;
}

int main(int argc, char **argv)
{
	struct tk_session session = { .opts = &env.opts };
	struct tk_summary summary = { .report = report };
	int err = 1, cpu;

	tk_prog = "profile";
	parse_args(argc, argv);
	tk_session_init(&env.opts);

	event_fds = calloc(ncpu, sizeof(*event_fds));
	event_links = calloc(ncpu, sizeof(*event_links));
	if (!event_fds || !event_links) {
		tk_warn("out of memory");
		goto cleanup;
	}
	for (cpu = 0; cpu < ncpu; cpu++)
		event_fds[cpu] = -1;
	skel = profile_bpf__open_opts(tk_open_opts(&env.opts));
	if (!skel) {
		tk_open_failed(&env.opts);
		goto cleanup;
	}
	session.bpf = TK_BPF_SUMMARY(skel);
	skel->rodata->targ_user = !env.kernel_only;
	skel->rodata->targ_kernel = !env.user_only;
	skel->rodata->targ_per_tid = env.opts.filter.tid != 0;
	skel->rodata->targ_idle = env.idle;
	bpf_map__set_max_entries(skel->maps.stacks, env.stack_storage);
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

		snprintf(what, sizeof(what), "stacks at %lld Hz", env.freq);
		tk_ready(what, env.opts.duration_ms);
	}
	err = tk_summary_run(&session, &summary);

cleanup:
	tk_session_detach(&session);
	if (event_links && !session.detach)
		close_events(NULL);
	profile_bpf__destroy(skel);
	tk_usyms_free(usyms);
	tk_ksyms_free(ksyms);
	free(event_fds);
	free(event_links);
	return err;
}
