// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* exitsnoop: trace process (or thread) exits system-wide. */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "args.h"
#include "log.h"
#include "loop.h"
#include "output.h"
#include "session.h"
#include "exitsnoop.h"
#include "exitsnoop.skel.h"

_Static_assert(sizeof(struct exitsnoop_event) == 56, "exitsnoop_event layout changed");

static struct env {
	struct tk_opts opts;
	bool timestamp;
	bool failed;
	bool threads;
	bool print_uid;
} env;

static const struct tk_variant variants[] = {
	{ .name = "tp_btf", .progs = { "exit_btf" } },
	{ .name = "raw_tp", .progs = { "exit_raw" } },
	{ .name = "tracepoint", .progs = { "exit_tp" } },
};
#define NVARIANTS (int)(sizeof(variants) / sizeof(variants[0]))

static const char help[] =
"  -t, --timestamp        print a TIME column (HH:MM:SS)\n"
"  -x, --failed           only exits with a non-zero code or by a signal\n"
"  -T, --threaded         every thread's exit, not only each process's\n"
"      --per-thread       the same as -T\n"
"  -U, --print-uid        print a UID column\n";

static const char examples[] =
"Examples:\n"
"  exitsnoop                 # trace all process exits\n"
"  exitsnoop -x              # only failed exits (code or signal)\n"
"  exitsnoop -t -T           # every thread's exit, with time\n"
"  exitsnoop -p 181          # only PID 181\n"
"  exitsnoop --cgroup /sys/fs/cgroup/system.slice   # one cgroup\n"
"  exitsnoop -j -d 10        # JSON lines for 10 seconds\n";

enum { OPT_PER_THREAD = TK_OPT_TOOL_BASE };

static const struct option longopts[] = {
	{ "timestamp", no_argument, NULL, 't' },
	{ "failed", no_argument, NULL, 'x' },
	{ "threaded", no_argument, NULL, 'T' },
	{ "per-thread", no_argument, NULL, OPT_PER_THREAD },
	{ "print-uid", no_argument, NULL, 'U' },
	{}
};

static void option(int key, const char *arg)
{
	(void)arg;
	switch (key) {
	case 't': env.timestamp = true; break;
	case 'x': env.failed = true; break;
	case 'T': case OPT_PER_THREAD: env.threads = true; break;
	case 'U': env.print_uid = true; break;
	}
}

static const struct tk_cli cli = {
	.usage = "Usage: exitsnoop [OPTION]...\n"
		 "Trace process exits system-wide: age, exit code or the signal that\n"
		 "killed it.",
	.shared = TK_OPT_FILTERS | TK_OPT_DURATION,
	.letter = { .tid = '-' },	/* bcc's -t is the timestamp */
	.optstring = "txTU",
	.longopts = longopts,
	.help = help,
	.examples = examples,
	.variants = variants,
	.nvariants = NVARIANTS,
	.option = option,
};

/* Two threads of a process exiting at once on two CPUs can both find the
 * process's live count at 0 when their tracepoint runs (it comes after the
 * count is taken down, on kernels without its group_dead argument): the
 * process is shown once, for the first of them. */
static bool seen_before(const struct exitsnoop_event *e)
{
	static struct { __u32 pid; __u64 start_ns; } recent[64];
	static unsigned int next;
	unsigned int i;

	for (i = 0; i < sizeof(recent) / sizeof(recent[0]); i++)
		if (recent[i].pid == e->pid && recent[i].start_ns == e->start_ns)
			return true;
	recent[next % 64].pid = e->pid;
	recent[next % 64].start_ns = e->start_ns;
	next++;
	return false;
}

static int print_event(void *ctx, const void *data, size_t size)
{
	const struct exitsnoop_event *e = data;
	int sig = e->exit_code & 0x7f, core = !!(e->exit_code & 0x80);
	int code = (e->exit_code >> 8) & 0xff;
	double age = (e->ts_ns > e->start_ns ? e->ts_ns - e->start_ns : 0) / 1e9;
	const char *name;
	char clock[16];
	struct jw w;

	(void)ctx;
	if (size < sizeof(*e) || (!env.threads && seen_before(e)))
		return 0;
	name = sig ? sigabbrev_np(sig) : NULL;
	if (env.opts.json) {
		jw_event_begin(&w, stdout, "exit", e->ts_ns);
		jw_uint(&w, "pid", e->pid);
		jw_uint(&w, "tid", e->tid);
		jw_uint(&w, "ppid", e->ppid);
		jw_uint(&w, "uid", e->uid);
		jw_str(&w, "comm", e->comm, sizeof(e->comm));
		jw_uint(&w, "age_ns", e->ts_ns > e->start_ns ? e->ts_ns - e->start_ns : 0);
		jw_int(&w, "exit_status", e->exit_code);
		if (sig) {
			jw_null(&w, "code");
			jw_int(&w, "signal", sig);
			if (name)
				jw_str(&w, "signal_name", name, 16);
			else
				jw_null(&w, "signal_name");
		} else {
			jw_int(&w, "code", code);
			jw_null(&w, "signal");
			jw_null(&w, "signal_name");
		}
		jw_bool(&w, "core_dumped", core);
		jw_end(&w);
		return 0;
	}
	if (env.timestamp) {
		tk_format_clock(clock, sizeof(clock));
		printf("%-8s ", clock);
	}
	if (env.print_uid)
		printf("%-6u ", e->uid);
	tk_print_escaped(stdout, e->comm, sizeof(e->comm));
	printf("%*s %-7u %-7u %-7u %-7.2f ", (int)(16 - strnlen(e->comm, sizeof(e->comm))), "",
	       e->pid, e->ppid, e->tid, age);
	if (!sig)
		printf(code ? "code %d" : "0", code);
	else
		printf("signal %d (%s)", sig, name ? name : "?");
	if (core)
		printf(", core dumped");
	putchar('\n');
	return 0;
}

static void print_header(void)
{
	if (env.opts.json)
		return;
	if (env.timestamp)
		printf("%-8s ", "TIME");
	if (env.print_uid)
		printf("%-6s ", "UID");
	printf("%-16s %-7s %-7s %-7s %-7s %s\n", "PCOMM", "PID", "PPID", "TID", "AGE(s)",
	       "EXIT_CODE");
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
	struct exitsnoop_bpf *skel = NULL;
	int err = 1;

	tk_prog = "exitsnoop";
	tk_arg_no_positional(argc, argv, tk_parse_args(&cli, argc, argv, &env.opts));
	tk_session_init(&env.opts);

	skel = TK_OPEN(exitsnoop_bpf, &env.opts);
	if (!skel) {
		tk_open_failed(&env.opts);
		goto cleanup;
	}
	session.bpf = TK_BPF_STREAM(skel);
	skel->rodata->targ_threads = env.threads;
	skel->rodata->targ_failed = env.failed;
	if (tk_session_prepare(&session) || tk_session_load_attach(&session))
		goto cleanup;

	print_header();
	tk_ready(env.threads ? "thread exits" : "process exits", env.opts.duration_ms);
	err = tk_stream_run(&session, &stream);

cleanup:
	tk_session_detach(&session);
	exitsnoop_bpf__destroy(skel);
	return err;
}
