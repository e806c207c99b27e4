// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* opensnoop: trace open(), openat() and openat2() system-wide. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "args.h"
#include "log.h"
#include "loop.h"
#include "output.h"
#include "session.h"
#include "opensnoop.h"
#include "opensnoop.skel.h"

_Static_assert(sizeof(struct opensnoop_event) == 4408, "opensnoop_event layout changed");

static struct env {
	struct tk_opts opts;
	bool timestamp;
	bool print_uid;
	bool failed;
	bool extended;
	bool full_path;
	__u32 acc_modes;
	__u64 flags;
	uint64_t start_ns;
} env;

/* arm64 (the asm-generic syscall table) has no open(2): the BPF object has
 * no programs for it there. */
#if defined(__aarch64__)
#define OPEN_PROG(name)
#else
#define OPEN_PROG(name) name,
#endif

static const struct tk_variant variants[] = {
	{ .name = "tracepoint",
	  .progs = { OPEN_PROG("open_exit_tp") "openat_exit_tp", "openat2_exit_tp" },
	  .helpers = { BPF_FUNC_task_pt_regs, BPF_FUNC_get_current_task_btf } },
	{ .name = "tracepoint-enter",
	  .progs = { OPEN_PROG("open_enter_tp") "openat_enter_tp", "openat2_enter_tp",
		     OPEN_PROG("open_exit_pair_tp") "openat_exit_pair_tp", "openat2_exit_pair_tp" } },
};
#define NVARIANTS (int)(sizeof(variants) / sizeof(variants[0]))

static const char help[] =
"  -x, --failed           only failed opens\n"
"  -f, --flag FLAG        only opens with this flag (O_WRONLY, O_CREAT, ...);\n"
"                         repeat for any of several\n"
"  -T, --timestamp        print a time column (seconds since start)\n"
"  -U, --print-uid        print a UID column\n"
"  -e, --extended-fields  print FLAGS and MODE columns\n"
"  -F, --full-path        print relative paths in full (opener's cwd or dirfd)\n";

static const char examples[] =
"Examples:\n"
"  opensnoop                 # trace all opens\n"
"  opensnoop -T -U           # with time and uid columns\n"
"  opensnoop -x              # only failed opens\n"
"  opensnoop -p 181          # only PID 181\n"
"  opensnoop -n nginx        # only processes whose name contains nginx\n"
"  opensnoop -f O_WRONLY -f O_RDWR   # only opens for writing\n"
"  opensnoop -e -F           # flags, mode and full paths\n"
"  opensnoop -j -d 10        # JSON lines for 10 seconds\n";

static const struct option longopts[] = {
	{ "failed", no_argument, NULL, 'x' },
	{ "flag", required_argument, NULL, 'f' },
	{ "timestamp", no_argument, NULL, 'T' },
	{ "print-uid", no_argument, NULL, 'U' },
	{ "extended-fields", no_argument, NULL, 'e' },
	{ "full-path", no_argument, NULL, 'F' },
	{}
};

static const struct { const char *name; int acc; __u64 bit; } open_flags[] = {
	{ "O_RDONLY", O_RDONLY, 0 }, { "O_WRONLY", O_WRONLY, 0 }, { "O_RDWR", O_RDWR, 0 },
	{ "O_CREAT", -1, O_CREAT }, { "O_EXCL", -1, O_EXCL }, { "O_NOCTTY", -1, O_NOCTTY },
	{ "O_TRUNC", -1, O_TRUNC }, { "O_APPEND", -1, O_APPEND },
	{ "O_NONBLOCK", -1, O_NONBLOCK }, { "O_DSYNC", -1, O_DSYNC },
	{ "O_ASYNC", -1, O_ASYNC }, { "O_DIRECT", -1, O_DIRECT },
	{ "O_LARGEFILE", -1, 0100000 }, { "O_DIRECTORY", -1, O_DIRECTORY },
	{ "O_NOFOLLOW", -1, O_NOFOLLOW }, { "O_NOATIME", -1, O_NOATIME },
	{ "O_CLOEXEC", -1, O_CLOEXEC }, { "O_SYNC", -1, 04000000 },
	{ "O_PATH", -1, O_PATH }, { "O_TMPFILE", -1, 020000000 },
};

static void parse_flag(const char *arg)
{
	size_t i;

	for (i = 0; i < sizeof(open_flags) / sizeof(open_flags[0]); i++) {
		if (strcasecmp(arg, open_flags[i].name) &&
		    strcasecmp(arg, open_flags[i].name + 2))
			continue;
		if (open_flags[i].acc >= 0)
			env.acc_modes |= OPENSNOOP_ACC(open_flags[i].acc);
		else
			env.flags |= open_flags[i].bit;
		return;
	}
	tk_usage_error("invalid FLAG '%s' (O_RDONLY, O_WRONLY, O_CREAT, ...)", arg);
}

static void option(int key, const char *arg)
{
	switch (key) {
	case 'x': env.failed = true; break;
	case 'f': parse_flag(arg); break;
	case 'T': env.timestamp = true; break;
	case 'U': env.print_uid = true; break;
	case 'e': env.extended = true; break;
	case 'F': env.full_path = true; break;
	}
}

static const struct tk_cli cli = {
	.usage = "Usage: opensnoop [OPTION]...\n"
		 "Trace open(), openat() and openat2() system-wide.",
	.shared = TK_OPT_FILTERS | TK_OPT_DURATION,
	.optstring = "xf:TUeF",
	.longopts = longopts,
	.help = help,
	.examples = examples,
	.variants = variants,
	.nvariants = NVARIANTS,
	.option = option,
};

/* The path as the user should see it: with -F, relative paths are joined to
 * the directory components the kernel collected (innermost first). */
static const char *full_path(const struct opensnoop_event *e, size_t size, char *buf, size_t len)
{
	size_t used = 0;
	int i;

	if (size < sizeof(*e) || e->path[0] == '/' || e->dir_depth > OPENSNOOP_DIR_DEPTH)
		return e->path;
	if (e->dir_truncated)
		used += snprintf(buf, len, "...");
	for (i = e->dir_depth - 1; i >= 0 && used < len; i--) {
		if (e->dir[i][0])
			used += snprintf(buf + used, len - used, "/%.*s",
					 OPENSNOOP_DIR_NAME, e->dir[i]);
	}
	if (used < len)
		snprintf(buf + used, len - used, "%s%.*s", used ? "/" : "",
			 OPENSNOOP_PATH_MAX, e->path);
	return buf;
}

static int print_event(void *ctx, const void *data, size_t size)
{
	const struct opensnoop_event *e = data;
	char pathbuf[OPENSNOOP_DIR_DEPTH * OPENSNOOP_DIR_NAME + OPENSNOOP_PATH_MAX + 8];
	_Alignas(struct opensnoop_event) char head[OPENSNOOP_SHORT_SIZE];
	const char *path;
	int fd, err;
	struct jw w;

	(void)ctx;
	if (size < OPENSNOOP_MIN_SIZE)
		return 0;
	if (size < OPENSNOOP_SHORT_SIZE) {
		/* Sized to its path: the rest of the fixed part, zeroed. */
		memcpy(head, data, size);
		memset(head + size, 0, sizeof(head) - size);
		e = (const struct opensnoop_event *)head;
	}
	fd = e->ret >= 0 ? e->ret : -1;
	err = e->ret >= 0 ? 0 : -e->ret;
	if (!env.start_ns)
		env.start_ns = e->ts_ns;
	path = full_path(e, size, pathbuf, sizeof(pathbuf));
	if (env.opts.json) {
		jw_event_begin(&w, stdout, "open", e->ts_ns);
		jw_uint(&w, "pid", e->pid);
		jw_uint(&w, "tid", e->tid);
		jw_uint(&w, "uid", e->uid);
		jw_str(&w, "comm", e->comm, sizeof(e->comm));
		jw_int(&w, "fd", fd);
		jw_int(&w, "err", err);
		jw_uint(&w, "flags", e->flags);
		jw_uint(&w, "mode", e->mode);
		jw_str(&w, "path", path, sizeof(pathbuf));
		jw_end(&w);
		return 0;
	}
	if (env.timestamp)
		printf("%-14.6f ", (e->ts_ns - env.start_ns) / 1e9);
	if (env.print_uid)
		printf("%-6u ", e->uid);
	printf("%-6u ", e->pid);
	tk_print_escaped(stdout, e->comm, sizeof(e->comm));
	printf("%*s %4d %3d ", (int)(16 - strnlen(e->comm, sizeof(e->comm))), "", fd, err);
	if (env.extended)
		printf("%08llo %04o ", (unsigned long long)e->flags, e->mode);
	tk_print_escaped(stdout, path, sizeof(pathbuf));
	putchar('\n');
	return 0;
}

static void print_header(void)
{
	if (env.opts.json)
		return;
	if (env.timestamp)
		printf("%-14s ", "TIME(s)");
	if (env.print_uid)
		printf("%-6s ", "UID");
	printf("%-6s %-16s %4s %3s ", "PID", "COMM", "FD", "ERR");
	if (env.extended)
		printf("%-8s %-4s ", "FLAGS", "MODE");
	printf("PATH\n");
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
	struct opensnoop_bpf *skel = NULL;
	int err = 1;

	tk_prog = "opensnoop";
	tk_arg_no_positional(argc, argv, tk_parse_args(&cli, argc, argv, &env.opts));
	tk_session_init(&env.opts);

	skel = TK_OPEN(opensnoop_bpf, &env.opts);
	if (!skel) {
		tk_open_failed(&env.opts);
		goto cleanup;
	}
	session.bpf = TK_BPF_STREAM(skel);
	skel->rodata->targ_failed = env.failed;
	skel->rodata->targ_acc_modes = env.acc_modes;
	skel->rodata->targ_flags = env.flags;
	skel->rodata->full_path = env.full_path;
	if (env.full_path)
		session.ring_bytes = 8 << 20;	/* -F records are 15 times larger */
	if (tk_session_prepare(&session) || tk_session_load_attach(&session))
		goto cleanup;

	print_header();
	tk_ready("open(), openat() and openat2()", env.opts.duration_ms);
	err = tk_stream_run(&session, &stream);

cleanup:
	tk_session_detach(&session);
	opensnoop_bpf__destroy(skel);
	return err;
}
