// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* execsnoop: trace exec()s system-wide. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "args.h"
#include "log.h"
#include "loop.h"
#include "output.h"
#include "session.h"
#include "execsnoop.h"
#include "execsnoop.skel.h"

_Static_assert(sizeof(struct execsnoop_event) == 12864, "execsnoop_event layout changed");
_Static_assert(EXECSNOOP_ARGS_OFF == 576, "execsnoop_event header layout changed");

#define MAX_ARGS_LIMIT 1024

static struct env {
	struct tk_opts opts;
	bool time;		/* -T: HH:MM:SS */
	bool timestamp;		/* -t: seconds since start */
	bool print_uid;
	bool failed;
	bool quote;
	bool cwd;
	const char *line;
	long long max_args;
	uint64_t start_ns;
} env = { .max_args = 20 };

static const struct tk_variant variants[] = {
	{ .name = "tp_btf", .progs = { "exec_btf" } },
	{ .name = "raw_tp", .progs = { "exec_raw" } },
	{ .name = "tracepoint", .progs = { "exec_tp" } },
};
#define NVARIANTS (int)(sizeof(variants) / sizeof(variants[0]))

enum { OPT_MAX_ARGS = TK_OPT_TOOL_BASE };

static const char help[] =
"  -T, --time             print a TIME column (HH:MM:SS)\n"
"  -t, --timestamp        print a TIME(s) column (seconds since start)\n"
"  -x, --fails            include failed exec()s\n"
"  -U, --print-uid        print a UID column\n"
"  -q, --quote            quote the arguments (\" inside escaped as \\\")\n"
"  -l, --line LINE        only commands whose argument line contains LINE\n"
"      --max-args N       print at most N arguments (1-1024, default 20)\n"
"  -c, --cwd              print a CWD column (the working directory)\n";

static const char examples[] =
"Examples:\n"
"  execsnoop                 # trace all exec()s\n"
"  execsnoop -x              # failed exec()s too\n"
"  execsnoop -T -U           # with time and uid columns\n"
"  execsnoop -u 1000         # only uid 1000\n"
"  execsnoop -n main         # only commands whose name contains main\n"
"  execsnoop -l tpkg         # only argument lines containing tpkg\n"
"  execsnoop -q --max-args 5 # quoted, at most 5 arguments\n"
"  execsnoop -c --cgroup /sys/fs/cgroup/system.slice   # with the cwd\n"
"  execsnoop -j -d 10        # JSON lines for 10 seconds\n";

static const struct option longopts[] = {
	{ "time", no_argument, NULL, 'T' },
	{ "timestamp", no_argument, NULL, 't' },
	{ "fails", no_argument, NULL, 'x' },
	{ "print-uid", no_argument, NULL, 'U' },
	{ "quote", no_argument, NULL, 'q' },
	{ "line", required_argument, NULL, 'l' },
	{ "max-args", required_argument, NULL, OPT_MAX_ARGS },
	{ "cwd", no_argument, NULL, 'c' },
	{}
};

static void option(int key, const char *arg)
{
	switch (key) {
	case 'T': env.time = true; break;
	case 't': env.timestamp = true; break;
	case 'x': env.failed = true; break;
	case 'U': env.print_uid = true; break;
	case 'q': env.quote = true; break;
	case 'l':
		if (!*arg)
			tk_usage_error("invalid LINE '' (empty)");
		env.line = arg;
		break;
	case OPT_MAX_ARGS:
		env.max_args = tk_arg_int(arg, 1, MAX_ARGS_LIMIT, "number of arguments");
		break;
	case 'c': env.cwd = true; break;
	}
}

static const struct tk_cli cli = {
	.usage = "Usage: execsnoop [OPTION]...\n"
		 "Trace exec()s system-wide: every program started.",
	.shared = TK_OPT_FILTERS | TK_OPT_DURATION,
	.letter = { .tid = '-' },	/* bcc's -t is the timestamp */
	.optstring = "TtxUql:c",
	.longopts = longopts,
	.help = help,
	.examples = examples,
	.variants = variants,
	.nvariants = NVARIANTS,
	.option = option,
};

/* The record's arguments, as NUL-separated strings: the first @max of them
 * into @argv (pointers into e->args; a last one cut off by the record is
 * terminated in @buf), their count returned. *more: arguments (or bytes of
 * the last) left out. */
static int split_args(const struct execsnoop_event *e, char *buf, const char **argv,
		      int max, bool *more)
{
	size_t size = e->args_size < EXECSNOOP_ARGS_MAX ? e->args_size : EXECSNOOP_ARGS_MAX;
	size_t off = 0;
	int n = 0;

	memcpy(buf, e->args, size);
	buf[size] = '\0';
	while (off < size && n < max) {
		argv[n++] = buf + off;
		off += strlen(buf + off) + 1;
	}
	*more = (e->flags & EXECSNOOP_F_TRUNCATED) || off < size || (__u32)n < e->argc;
	return n;
}

static void print_quoted(const char *s)
{
	const char *q;

	putchar('"');
	while ((q = strchr(s, '"'))) {
		tk_print_escaped(stdout, s, q - s);
		fputs("\\\"", stdout);
		s = q + 1;
	}
	tk_print_escaped(stdout, s, strlen(s));
	putchar('"');
}

static bool line_matches(const char **argv, int n)
{
	char line[EXECSNOOP_ARGS_MAX + 1];
	size_t used = 0, len;
	int i;

	for (i = 0; i < n; i++) {
		len = strlen(argv[i]);
		if (used + len + 1 > sizeof(line))
			len = sizeof(line) - used - 1;
		if (i)
			line[used - 1] = ' ';
		memcpy(line + used, argv[i], len);
		used += len;
		line[used++] = '\0';
	}
	return used && strstr(line, env.line);
}

static const char *cwd_path(const struct execsnoop_event *e, size_t size, char *buf, size_t len)
{
	size_t used = 0;
	int i;

	buf[0] = '\0';
	if (size < sizeof(*e) || e->cwd_depth > EXECSNOOP_CWD_DEPTH)
		return buf;
	if (e->cwd_truncated)
		used += snprintf(buf, len, "...");
	for (i = e->cwd_depth - 1; i >= 0 && used < len; i--) {
		if (e->cwd[i][0])
			used += snprintf(buf + used, len - used, "/%.*s",
					 EXECSNOOP_CWD_NAME, e->cwd[i]);
	}
	if (!used)
		snprintf(buf, len, "/");
	return buf;
}

static int print_event(void *ctx, const void *data, size_t size)
{
	const struct execsnoop_event *e = data;
	static char buf[EXECSNOOP_ARGS_MAX + 1];
	static const char *argv[EXECSNOOP_ARGS_MAX / 2 + 1];
	char cwd[EXECSNOOP_CWD_DEPTH * EXECSNOOP_CWD_NAME + 8], clock[16];
	bool more;
	int n, i;
	struct jw w;

	(void)ctx;
	if (size < EXECSNOOP_SMALL_SIZE)
		return 0;
	n = split_args(e, buf, argv, env.max_args, &more);
	if (env.line && !line_matches(argv, n))
		return 0;
	if (env.cwd)
		cwd_path(e, size, cwd, sizeof(cwd));
	if (env.opts.json) {
		jw_event_begin(&w, stdout, "exec", e->ts_ns);
		jw_uint(&w, "pid", e->pid);
		jw_uint(&w, "tid", e->tid);
		jw_uint(&w, "ppid", e->ppid);
		jw_uint(&w, "uid", e->uid);
		jw_str(&w, "comm", e->comm, sizeof(e->comm));
		jw_int(&w, "ret", e->ret);
		jw_str(&w, "filename", e->filename, sizeof(e->filename));
		if (e->flags & EXECSNOOP_F_INTERP)
			jw_str(&w, "interp", e->interp, sizeof(e->interp));
		else
			jw_null(&w, "interp");
		jw_uint(&w, "argc", e->argc);
		jw_array_begin(&w, "args");
		for (i = 0; i < n; i++)
			jw_str(&w, NULL, argv[i], EXECSNOOP_ARGS_MAX);
		jw_array_end(&w);
		jw_bool(&w, "args_truncated", more);
		if (env.cwd)
			jw_str(&w, "cwd", cwd, sizeof(cwd));
		jw_end(&w);
		return 0;
	}
	if (env.time) {
		tk_format_clock(clock, sizeof(clock));
		printf("%-8s ", clock);
	}
	if (env.timestamp)
		printf("%-8.3f ", (e->ts_ns > env.start_ns ? e->ts_ns - env.start_ns : 0) / 1e9);
	if (env.print_uid)
		printf("%-6u ", e->uid);
	tk_print_escaped(stdout, e->comm, sizeof(e->comm));
	printf("%*s %-6u %-6u %3d ", (int)(16 - strnlen(e->comm, sizeof(e->comm))), "",
	       e->pid, e->ppid, e->ret);
	if (env.cwd) {
		tk_print_escaped(stdout, cwd, sizeof(cwd));
		putchar(' ');
	}
	for (i = 0; i < n; i++) {
		if (i)
			putchar(' ');
		if (env.quote)
			print_quoted(argv[i]);
		else
			tk_print_escaped(stdout, argv[i], EXECSNOOP_ARGS_MAX);
	}
	if (more)
		fputs(n ? " ..." : "...", stdout);
	putchar('\n');
	return 0;
}

static void print_header(void)
{
	if (env.opts.json)
		return;
	if (env.time)
		printf("%-8s ", "TIME");
	if (env.timestamp)
		printf("%-8s ", "TIME(s)");
	if (env.print_uid)
		printf("%-6s ", "UID");
	printf("%-16s %-6s %-6s %3s ", "PCOMM", "PID", "PPID", "RET");
	if (env.cwd)
		printf("CWD ");
	printf("ARGS\n");
}

int main(int argc, char **argv)
{
	struct tk_session session = {
		.opts = &env.opts,
		.variants = variants,
		.nvariants = NVARIANTS,
	};
	struct tk_stream stream = { .on_record = print_event };
	struct execsnoop_bpf *skel = NULL;
	int err = 1;

	tk_prog = "execsnoop";
	tk_arg_no_positional(argc, argv, tk_parse_args(&cli, argc, argv, &env.opts));
	tk_session_init(&env.opts);

	skel = TK_OPEN(execsnoop_bpf, &env.opts);
	if (!skel) {
		tk_open_failed(&env.opts);
		goto cleanup;
	}
	session.bpf = TK_BPF_STREAM(skel);
	skel->rodata->targ_failed = env.failed;
	skel->rodata->targ_cwd = env.cwd;
	skel->rodata->targ_max_args = env.max_args;
	/* Room for ~60 large records per CPU (~470 small); --cwd records
	 * are 12 KiB. */
	session.ring_bytes = env.cwd ? 16 << 20 : tk_ring_per_cpu(512 << 10, 16 << 20);
	/* Failed execs need the syscall hooks; successful ones do not. */
	if (!env.failed) {
		bpf_program__set_autoload(skel->progs.execve_enter, false);
		bpf_program__set_autoload(skel->progs.execveat_enter, false);
		bpf_program__set_autoload(skel->progs.execve_exit, false);
		bpf_program__set_autoload(skel->progs.execveat_exit, false);
		bpf_map__set_max_entries(skel->maps.execs, 1);
	}
	if (tk_session_prepare(&session) || tk_session_load_attach(&session))
		goto cleanup;

	print_header();
	tk_ready("exec()s", env.opts.duration_ms);
	env.start_ns = tk_now_ns();
	err = tk_stream_run(&session, &stream);

cleanup:
	tk_session_detach(&session);
	execsnoop_bpf__destroy(skel);
	return err;
}
