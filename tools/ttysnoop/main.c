// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* ttysnoop: watch what is written to a terminal (or to every terminal). */
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <bpf/btf.h>
#include "args.h"
#include "attach.h"
#include "log.h"
#include "loop.h"
#include "output.h"
#include "session.h"
#include "ttys.h"
#include "ttysnoop.h"
#include "ttysnoop.skel.h"

_Static_assert(sizeof(struct ttysnoop_event) == 56, "ttysnoop_event layout changed");

static struct env {
	struct tk_opts opts;
	bool all;
	bool noclear;
	bool raw;			/* --raw: -a passes the bytes through */
	long long size;
	long long count;
	const char *device;		/* DEVICE as a path */
	char device_path[64];		/* "3" made a path */
	char name[64];			/* DEVICE's terminal, as ps(1) names it */
	struct stat st;			/* of DEVICE */
} env = {
	.size = TTYSNOOP_DEF_SIZE,
	.count = TTYSNOOP_DEF_COUNT,
};

static const struct tk_variant variants[] = {
	/* Each program that emits records has a "_loop" twin (bpf_loop, 5.17+):
	 * one of each pair loads (tk_loop_twins). */
	{ .name = "fentry",
	  .progs = { "tty_write_fentry", "redirected_tty_write_fentry",
		     "tty_write_fentry_loop", "redirected_tty_write_fentry_loop" } },
	{ .name = "kprobe",
	  .progs = { "tty_write_kprobe", "redirected_tty_write_kprobe",
		     "tty_write_kprobe_loop", "redirected_tty_write_kprobe_loop" } },
	{ .name = "tracepoint",
	  .progs = { "write_tp", "write_exit_tp", "writev_tp", "writev_exit_tp",
		     "write_exit_tp_loop", "writev_exit_tp_loop" } },
};
#define NVARIANTS (int)(sizeof(variants) / sizeof(variants[0]))

enum { OPT_RAW = TK_OPT_TOOL_BASE };

static const char help[] =
"  -a, --all              watch every terminal; a line naming the terminal\n"
"                         and the writer comes before each write\n"
"  -C, --noclear          do not clear the screen first\n"
"      --raw              with -a: the bytes as written, not escaped\n"
"  -s, --datasize SIZE    bytes per record (default 256, at most 16384)\n"
"  -c, --datacount COUNT  records per write (default 16, at most 64): writes\n"
"                         arrive whole up to SIZE x COUNT bytes\n";

static const char examples[] =
"Examples:\n"
"  ttysnoop 3                # what is written to /dev/pts/3\n"
"  ttysnoop /dev/tty1        # the first virtual console\n"
"  ttysnoop -C /dev/pts/3    # without clearing the screen first\n"
"  ttysnoop -s 1024 -c 64 3  # writes up to 64 KiB arrive whole\n"
"  ttysnoop -a               # every terminal, each write labelled\n"
"  ttysnoop -a -p 181        # every terminal PID 181 writes to\n"
"  ttysnoop -j 3 > pts3.log  # one JSON object per write\n";

static const struct option longopts[] = {
	{ "all", no_argument, NULL, 'a' },
	{ "noclear", no_argument, NULL, 'C' },
	{ "raw", no_argument, NULL, OPT_RAW },
	{ "datasize", required_argument, NULL, 's' },
	{ "datacount", required_argument, NULL, 'c' },
	{}
};

/* DEVICE: what it names, checked here so that a wrong one is a usage error
 * before anything is loaded. */
static void parse_device(const char *arg)
{
	uint32_t rdev;

	env.device = arg;
	if (arg[0] && strspn(arg, "0123456789") == strlen(arg)) {
		snprintf(env.device_path, sizeof(env.device_path), "/dev/pts/%s", arg);
		env.device = env.device_path;
	}
	if (stat(env.device, &env.st))
		tk_usage_error("'%s' is not a terminal: %s", env.device, strerror(errno));
	rdev = TK_MKDEV(major(env.st.st_rdev), minor(env.st.st_rdev));
	if (!S_ISCHR(env.st.st_mode) || tk_tty_name(NULL, rdev, env.name, sizeof(env.name)))
		tk_usage_error("'%s' is not a terminal", env.device);
	/* What these are depends on who writes: no one terminal to watch. */
	if (rdev == TK_MKDEV(5, 0) || rdev == TK_MKDEV(4, 0))
		tk_usage_error("'%s' stands for another terminal, which depends on the writer: "
			       "name that terminal", env.device);
}

static void option(int key, const char *arg)
{
	switch (key) {
	case 'a': env.all = true; break;
	case 'C': env.noclear = true; break;
	case 's': env.size = tk_arg_int(arg, 1, TTYSNOOP_MAX_SIZE, "SIZE"); break;
	case 'c': env.count = tk_arg_int(arg, 1, TTYSNOOP_MAX_COUNT, "COUNT"); break;
	case OPT_RAW: env.raw = true; break;
	}
}

static const struct tk_cli cli = {
	.usage = "Usage: ttysnoop [OPTION]... DEVICE\n"
		 "  or:  ttysnoop -a [OPTION]...\n"
		 "Show what is written to a terminal, byte for byte, as it is written.\n"
		 "DEVICE is a pseudo-terminal number (3) or a terminal's path (/dev/pts/3,\n"
		 "/dev/tty1, /dev/console).",
	.shared = TK_OPT_FILTERS | TK_OPT_DURATION,
	.optstring = "aCs:c:",
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

	if (env.all) {
		if (first < argc)
			tk_usage_error("DEVICE cannot be used with -a (it watches every terminal)");
		return;
	}
	if (first >= argc)
		tk_usage_error("missing DEVICE (a terminal: 3, /dev/pts/3, /dev/tty1; or -a for all)");
	parse_device(argv[first]);
	tk_arg_no_positional(argc, argv, first + 1);
}

/* tty_write() took (file, buf, count, ppos) until Linux 5.11 made it a
 * write_iter method (kiocb, iov_iter); redirected_tty_write() changed with
 * it. The kernel's BTF says which this kernel has; without it, the new. */
static bool tty_write_takes_iter(const char *btf_path)
{
	static const char *const funcs[] = { "tty_write", "redirected_tty_write" };
	struct btf *btf = tk_btf(btf_path);
	const struct btf_type *t;
	bool iter = true;
	size_t i;
	int id;

	if (!btf)
		return iter;
	for (i = 0; i < sizeof(funcs) / sizeof(funcs[0]); i++) {
		id = btf__find_by_name_kind(btf, funcs[i], BTF_KIND_FUNC);
		if (id < 0)
			continue;
		t = btf__type_by_id(btf, btf__type_by_id(btf, id)->type);
		if (!t || !btf_is_func_proto(t) || btf_vlen(t) < 1)
			continue;
		t = btf__type_by_id(btf, btf_params(t)[0].type);
		if (!t || !btf_is_ptr(t))
			continue;
		t = btf__type_by_id(btf, btf__resolve_type(btf, t->type));
		if (!t || !btf_is_struct(t))
			continue;
		iter = !strcmp(btf__name_by_offset(btf, t->name_off), "kiocb");
		break;
	}
	return iter;
}

/* --- writes, joined from their records ----------------------------------- */

#define PENDING_MAX 64
/* A write whose last record has not come after this long lost it. */
#define STALE_NS 1000000000LL

struct pending {
	bool used;
	uint64_t ts_ns, total;
	uint32_t pid, tid, dev;
	uint8_t flags;			/* TTYSNOOP_UNCONFIRMED */
	char comm[16];
	char *data;
	size_t len, cap;
};

static struct pending pending[PENDING_MAX];
static int last_byte = '\n';	/* of the text output so far */
static bool said_unconfirmed;

static const char *terminal_name(uint32_t dev)
{
	static struct { uint32_t dev; char name[64]; } cache[16];
	static int next;
	int i;

	if (!env.all)
		return env.name;
	for (i = 0; i < 16; i++)
		if (cache[i].name[0] && cache[i].dev == dev)
			return cache[i].name;
	i = next++ % 16;
	cache[i].dev = dev;
	if (tk_tty_name(NULL, dev, cache[i].name, sizeof(cache[i].name)))
		snprintf(cache[i].name, sizeof(cache[i].name), "%u:%u", TK_MAJOR(dev), TK_MINOR(dev));
	return cache[i].name;
}

/* -a: every terminal's bytes on this one. Escaped, so that no writer can
 * steer this terminal or forge a label: each line of the write, up to and
 * including its newline (shown as \n), on a line of its own after two
 * spaces; a label is the only line that starts otherwise. */
static void print_escaped_lines(const char *data, size_t len)
{
	const char *nl;
	size_t n;

	while (len) {
		nl = memchr(data, '\n', len);
		n = nl ? (size_t)(nl - data) + 1 : len;
		fputs("  ", stdout);
		/* tk_print_escaped() stops at a NUL: a byte at a time there. */
		while (n) {
			size_t run = strnlen(data, n);

			tk_print_escaped(stdout, data, run);
			if (run < n) {
				fputs("\\x00", stdout);
				run++;
			}
			data += run;
			len -= run;
			n -= run;
		}
		putchar('\n');
	}
}

static void print_write(struct pending *p)
{
	struct jw w;

	if (env.opts.json) {
		jw_event_begin(&w, stdout, "tty", p->ts_ns);
		jw_str(&w, "device", terminal_name(p->dev), 64);
		jw_uint(&w, "pid", p->pid);
		jw_uint(&w, "tid", p->tid);
		jw_str(&w, "comm", p->comm, sizeof(p->comm));
		jw_uint(&w, "length", p->total);
		jw_bytes(&w, "data", p->data, p->len);
		jw_bool(&w, "truncated", p->len < p->total);
		jw_bool(&w, "confirmed", !(p->flags & TTYSNOOP_UNCONFIRMED));
		jw_end(&w);
		return;
	}
	if ((p->flags & TTYSNOOP_UNCONFIRMED) && !said_unconfirmed) {
		tk_warn("this kernel's attach variant sees writes as asked, not as done: "
			"failed and short writes are shown whole");
		said_unconfirmed = true;
	}
	if (env.all) {
		if (last_byte != '\n')
			putchar('\n');
		printf("==> %s %u ", terminal_name(p->dev), p->pid);
		tk_print_escaped(stdout, p->comm, sizeof(p->comm));
		printf(" <==\n");
		last_byte = '\n';
		if (!env.raw) {
			print_escaped_lines(p->data, p->len);
			return;
		}
	}
	/* The bytes as written: mirroring the terminal is the point. */
	if (p->len) {
		fwrite(p->data, 1, p->len, stdout);
		last_byte = (unsigned char)p->data[p->len - 1];
	}
}

static void finish_write(struct pending *p)
{
	print_write(p);
	p->used = false;
	p->len = 0;
}

/* Every write still waiting for records, oldest first. */
static void finish_all(void)
{
	struct pending *oldest;
	int i;

	for (;;) {
		oldest = NULL;
		for (i = 0; i < PENDING_MAX; i++)
			if (pending[i].used && (!oldest || pending[i].ts_ns < oldest->ts_ns))
				oldest = &pending[i];
		if (!oldest)
			return;
		finish_write(oldest);
	}
}

static struct pending *write_of(const struct ttysnoop_event *e)
{
	struct pending *p = NULL, *oldest = NULL;
	int i;

	for (i = 0; i < PENDING_MAX; i++)
		if (pending[i].used && pending[i].tid == e->tid && pending[i].ts_ns == e->ts_ns)
			return &pending[i];
	/* A thread writes once at a time: its earlier write will get no more
	 * records, and neither will one that has waited too long. */
	for (i = 0; i < PENDING_MAX; i++) {
		struct pending *q = &pending[i];

		if (q->used && (q->tid == e->tid || (int64_t)(e->ts_ns - q->ts_ns) > STALE_NS))
			finish_write(q);
	}
	for (i = 0; i < PENDING_MAX; i++) {
		if (!pending[i].used) {
			p = &pending[i];
			break;
		}
		if (!oldest || pending[i].ts_ns < oldest->ts_ns)
			oldest = &pending[i];
	}
	if (!p) {
		finish_write(oldest);
		p = oldest;
	}
	p->used = true;
	p->ts_ns = e->ts_ns;
	p->total = e->total;
	p->pid = e->pid;
	p->tid = e->tid;
	p->dev = e->dev;
	p->flags = e->flags & TTYSNOOP_UNCONFIRMED;
	memcpy(p->comm, e->comm, sizeof(p->comm));
	p->len = 0;
	return p;
}

static int on_record(void *ctx, const void *data, size_t size)
{
	const struct ttysnoop_event *e = data;
	struct pending *p;
	char *grown;
	size_t cap;

	(void)ctx;
	if (size < sizeof(*e) || e->len > size - sizeof(*e))
		return 0;
	p = write_of(e);
	if (p->len + e->len > p->cap) {
		cap = p->cap ? p->cap : 4096;
		while (cap < p->len + e->len)
			cap *= 2;
		grown = realloc(p->data, cap);
		if (!grown) {
			tk_warn("out of memory");
			return -ENOMEM;
		}
		p->data = grown;
		p->cap = cap;
	}
	memcpy(p->data + p->len, e->data, e->len);
	p->len += e->len;
	if (e->flags & TTYSNOOP_LAST)
		finish_write(p);
	return 0;
}

/* Writes whose last record never came (lost, or the run ended first) are
 * shown with what did come. */
static int end_stream(void *ctx)
{
	(void)ctx;
	finish_all();
	return 0;
}

/* Room for a few whole writes of COUNT records in flight. */
static size_t ring_size(void)
{
	return tk_ring_round(8 * env.count * (sizeof(struct ttysnoop_event) + env.size + 8),
			     64u << 20);
}

int main(int argc, char **argv)
{
	struct tk_session session = {
		.opts = &env.opts,
		.variants = variants,
		.nvariants = NVARIANTS,
	};
	/* A writer that moves between CPUs: its writes in the order they
	 * began, also on a perf buffer (read CPU by CPU). */
	struct tk_stream stream = {
		.on_record = on_record, .on_end = end_stream,
		.ordered = true, .ts_offset = offsetof(struct ttysnoop_event, ts_ns),
	};
	struct ttysnoop_bpf *skel = NULL;
	uint64_t majors[TTYSNOOP_MAJOR_WORDS];
	int err = 1, i;

	tk_prog = "ttysnoop";
	parse_args(argc, argv);
	tk_session_init(&env.opts);

	skel = TK_OPEN(ttysnoop_bpf, &env.opts);
	if (!skel) {
		tk_open_failed(&env.opts);
		goto cleanup;
	}
	session.bpf = TK_BPF_STREAM(skel);
	skel->rodata->targ_all = env.all;
	if (env.all) {
		tk_tty_majors(NULL, majors, TTYSNOOP_MAJORS);
		for (i = 0; i < TTYSNOOP_MAJOR_WORDS; i++)
			skel->rodata->tty_majors[i] = majors[i];
	} else {
		skel->rodata->targ_ino = env.st.st_ino;
		skel->rodata->targ_sdev = TK_MKDEV(major(env.st.st_dev), minor(env.st.st_dev));
		skel->rodata->targ_rdev = TK_MKDEV(major(env.st.st_rdev), minor(env.st.st_rdev));
		skel->rodata->targ_pts = major(env.st.st_rdev) >= TK_PTS_MAJOR_FIRST &&
					 major(env.st.st_rdev) <= TK_PTS_MAJOR_LAST;
	}
	skel->rodata->targ_size = env.size;
	skel->rodata->targ_count = env.count;
	session.ring_bytes = ring_size();
	if (tk_session_prepare(&session))
		goto cleanup;
	/* Only the function probes read tty_write()'s arguments: the
	 * tracepoints' runs need not parse the kernel's BTF to ask. */
	if (strcmp(variants[session.variant].name, "tracepoint"))
		skel->rodata->write_iter = tty_write_takes_iter(env.opts.btf_path);
	if (tk_session_load_attach(&session))
		goto cleanup;

	/* Now, not with the first write: the screen is ready when tracing is. */
	/* -a mirrors no one terminal: nothing to clear for. */
	if (!env.all && !env.noclear && !env.opts.json && isatty(STDOUT_FILENO)) {
		fputs("\033[H\033[2J", stdout);
		fflush(stdout);
	}
	tk_ready(env.all ? "writes to every terminal" : "writes to the terminal",
		 env.opts.duration_ms);
	err = tk_stream_run(&session, &stream);

cleanup:
	tk_session_detach(&session);
	ttysnoop_bpf__destroy(skel);
	for (i = 0; i < PENDING_MAX; i++)
		free(pending[i].data);
	return err;
}
