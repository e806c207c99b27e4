// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* killsnoop: trace signals sent by kill(), tkill(), tgkill() and
 * pidfd_send_signal() system-wide. */
#include <ctype.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "args.h"
#include "log.h"
#include "loop.h"
#include "output.h"
#include "session.h"
#include "killsnoop.h"
#include "killsnoop.skel.h"

_Static_assert(sizeof(struct killsnoop_event) == 56, "killsnoop_event layout changed");

static struct env {
	struct tk_opts opts;
	bool failed;
	int sig;
} env = { .sig = -1 };

static const struct tk_variant variants[] = {
	{ .name = "tracepoint",
	  .progs = { "kill_enter", "tkill_enter", "tgkill_enter", "pidfd_enter",
		     "kill_exit", "tkill_exit", "tgkill_exit", "pidfd_exit" } },
};
#define NVARIANTS (int)(sizeof(variants) / sizeof(variants[0]))

static const char *const calls[] = { "kill", "tkill", "tgkill", "pidfd_send_signal" };

static const char help[] =
"  -x, --failed           only signals that failed to be sent\n"
"  -s, --signal SIG       only this signal (a number, or a name: KILL, SIGTERM)\n";

static const char examples[] =
"Examples:\n"
"  killsnoop                 # trace all signals sent\n"
"  killsnoop -x              # only failed ones\n"
"  killsnoop -s KILL         # only SIGKILL\n"
"  killsnoop -p 181          # only those PID 181 sends\n"
"  killsnoop -j -d 10        # JSON lines for 10 seconds\n";

static const struct option longopts[] = {
	{ "failed", no_argument, NULL, 'x' },
	{ "signal", required_argument, NULL, 's' },
	{}
};

/* A signal number (0 to 64), or a name with or without SIG, any case. */
static int parse_signal(const char *arg)
{
	const char *name = arg;
	const char *abbrev;
	int s;

	if (isdigit((unsigned char)*arg))
		return tk_arg_int(arg, 0, 64, "signal");
	if (!strncasecmp(name, "SIG", 3))
		name += 3;
	for (s = 1; s < 65; s++) {
		abbrev = sigabbrev_np(s);
		if (abbrev && *name && !strcasecmp(name, abbrev))
			return s;
	}
	tk_usage_error("invalid signal '%s'", arg);
}

static void option(int key, const char *arg)
{
	switch (key) {
	case 'x': env.failed = true; break;
	case 's': env.sig = parse_signal(arg); break;
	}
}

static const struct tk_cli cli = {
	.usage = "Usage: killsnoop [OPTION]...\n"
		 "Trace signals sent with kill(), tkill(), tgkill() and pidfd_send_signal()\n"
		 "system-wide: sender, target, signal, result.",
	.shared = TK_OPT_FILTERS | TK_OPT_DURATION,
	.optstring = "xs:",
	.longopts = longopts,
	.help = help,
	.examples = examples,
	.variants = variants,
	.nvariants = NVARIANTS,
	.option = option,
};

static int print_event(void *ctx, const void *data, size_t size)
{
	const struct killsnoop_event *e = data;
	const char *name = e->sig > 0 ? sigabbrev_np(e->sig) : NULL;
	const char *call = e->call < 4 ? calls[e->call] : "?";
	char clock[16];
	struct jw w;

	(void)ctx;
	if (size < sizeof(*e))
		return 0;
	if (env.opts.json) {
		jw_event_begin(&w, stdout, "kill", e->ts_ns);
		jw_uint(&w, "pid", e->pid);
		jw_uint(&w, "tid", e->tid);
		jw_uint(&w, "uid", e->uid);
		jw_str(&w, "comm", e->comm, sizeof(e->comm));
		jw_str(&w, "syscall", call, 32);
		jw_int(&w, "sig", e->sig);
		if (name)
			jw_str(&w, "signal_name", name, 16);
		else
			jw_null(&w, "signal_name");
		jw_int(&w, "tpid", e->tpid);
		if (e->call == KILLSNOOP_TGKILL)
			jw_int(&w, "ttgid", e->ttgid);
		else if (e->call == KILLSNOOP_PIDFD)
			jw_int(&w, "pidfd", e->ttgid);
		jw_int(&w, "ret", e->ret);
		jw_end(&w);
		return 0;
	}
	tk_format_clock(clock, sizeof(clock));
	printf("%-8s %-7u ", clock, e->pid);
	tk_print_escaped(stdout, e->comm, sizeof(e->comm));
	printf("%*s %-4d %-6d %d\n", (int)(16 - strnlen(e->comm, sizeof(e->comm))), "",
	       e->sig, e->tpid, e->ret);
	return 0;
}

static void print_header(void)
{
	if (!env.opts.json)
		printf("%-8s %-7s %-16s %-4s %-6s %s\n", "TIME", "PID", "COMM", "SIG", "TPID",
		       "RESULT");
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
	struct killsnoop_bpf *skel = NULL;
	int err = 1;

	tk_prog = "killsnoop";
	tk_arg_no_positional(argc, argv, tk_parse_args(&cli, argc, argv, &env.opts));
	tk_session_init(&env.opts);

	skel = TK_OPEN(killsnoop_bpf, &env.opts);
	if (!skel) {
		tk_open_failed(&env.opts);
		goto cleanup;
	}
	session.bpf = TK_BPF_STREAM(skel);
	skel->rodata->targ_failed = env.failed;
	skel->rodata->targ_sig = env.sig;
	if (tk_session_prepare(&session) || tk_session_load_attach(&session))
		goto cleanup;

	print_header();
	tk_ready("kill(), tkill(), tgkill() and pidfd_send_signal()", env.opts.duration_ms);
	err = tk_stream_run(&session, &stream);

cleanup:
	tk_session_detach(&session);
	killsnoop_bpf__destroy(skel);
	return err;
}
