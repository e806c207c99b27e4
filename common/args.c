// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <unistd.h>
#include "args.h"
#include "attach.h"
#include "output.h"
#include "log.h"

#ifndef CGROUP2_SUPER_MAGIC
#define CGROUP2_SUPER_MAGIC 0x63677270
#endif

void tk_usage_error(const char *fmt, ...)
{
	char buf[512], esc[2048];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	/* Messages quote what the user typed: never let it steer the terminal. */
	tk_escape(esc, sizeof(esc), buf, sizeof(buf));
	fprintf(stderr, "%s: %s\nTry '%s --help'.\n", tk_prog, esc, tk_prog);
	exit(2);
}

/* Keys of the shared options that have no letter in a tool. */
enum {
	KEY_ATTACH = 0x100,
	KEY_BTF,
	KEY_PID,
	KEY_TID,
	KEY_UID,
	KEY_COMM,
	KEY_CGROUP,
	KEY_DURATION,
	KEY_PROMETHEUS,
	KEY_TEXTFILE,
	KEY_PROM_TOP,
};

#define TK_PROM_TOP_DEFAULT 50

struct shared_opt {
	unsigned bit;
	int key;		/* when the tool gives it no letter */
	char letter;		/* the usual one; 0: long only */
	const char *name, *alias, *arg, *help;
};

static const struct shared_opt shared_opts[] = {
	{ TK_OPT_PID, KEY_PID, 'p', "pid", NULL, "PID", "only this process" },
	{ TK_OPT_TID, KEY_TID, 't', "tid", NULL, "TID", "only this thread" },
	{ TK_OPT_UID, KEY_UID, 'u', "uid", NULL, "UID", "only this user id" },
	{ TK_OPT_COMM, KEY_COMM, 'n', "name", "comm", "COMM",
	  "only process names containing COMM (--comm too)" },
	{ TK_OPT_CGROUP, KEY_CGROUP, 0, "cgroup", NULL, "PATH",
	  "only tasks in this cgroup2 directory or below" },
	{ TK_OPT_DURATION, KEY_DURATION, 'd', "duration", NULL, "SECS",
	  "trace for SECS seconds, then exit" },
	/* Long only, whatever the tool: no entry in tk_cli.letter. */
	{ TK_OPT_PROM, KEY_PROMETHEUS, 0, "prometheus", NULL, "ADDR:PORT",
	  "serve metrics at http://ADDR:PORT/metrics;\n"
	  "[ADDR6]:PORT too, :PORT is 127.0.0.1:PORT\n"
	  "(port 0: any; -v shows it)" },
	{ TK_OPT_PROM, KEY_TEXTFILE, 0, "textfile", NULL, "PATH",
	  "rewrite PATH with the metrics each interval\n"
	  "(default 15 s), for node exporter" },
	{ TK_OPT_PROM, KEY_PROM_TOP, 0, "prom-top", NULL, "N",
	  "metrics: the N largest label values, the\n"
	  "rest summed as \"other\" (default 50; 0: all)" },
};
#define NSHARED (int)(sizeof(shared_opts) / sizeof(shared_opts[0]))

static char shared_letter(const struct tk_cli *cli, int i)
{
	const char *l = &cli->letter.pid;	/* the letters, in shared_opts' order */
	char c;

	if (i >= (int)sizeof(cli->letter))
		return shared_opts[i].letter;
	c = l[i] ? l[i] : shared_opts[i].letter;

	return c == '-' ? 0 : c;
}

static int shared_key(const struct tk_cli *cli, int i)
{
	char c = shared_letter(cli, i);

	return c ? c : shared_opts[i].key;
}

static void help_line(FILE *f, char letter, const char *name, const char *arg, const char *text)
{
	char left[64];

	if (letter)
		snprintf(left, sizeof(left), "  -%c, --%s%s%s", letter, name, arg ? " " : "",
			 arg ? arg : "");
	else
		snprintf(left, sizeof(left), "      --%s%s%s", name, arg ? " " : "", arg ? arg : "");
	if (strlen(left) > 24)
		fprintf(f, "%s\n%25s", left, "");
	else
		fprintf(f, "%-25s", left);
	/* Further lines of @text under its first. */
	for (; *text; text++) {
		if (*text == '\n')
			fprintf(f, "\n%25s", "");
		else
			fputc(*text, f);
	}
	fputc('\n', f);
}

void tk_print_help(const struct tk_cli *cli, FILE *f)
{
	int i;

	fprintf(f, "%s\n", cli->usage);
	for (i = 0; i < NSHARED; i++) {
		if ((cli->shared & shared_opts[i].bit) &&
		    !(shared_opts[i].bit & (TK_OPT_DURATION | TK_OPT_PROM)))
			help_line(f, shared_letter(cli, i), shared_opts[i].name,
				  shared_opts[i].arg, shared_opts[i].help);
	}
	if (cli->help)
		fputs(cli->help, f);
	for (i = 0; i < NSHARED; i++) {
		if ((cli->shared & shared_opts[i].bit) &&
		    (shared_opts[i].bit & (TK_OPT_DURATION | TK_OPT_PROM)))
			help_line(f, shared_letter(cli, i), shared_opts[i].name,
				  shared_opts[i].arg, shared_opts[i].help);
	}
	if (cli->variants) {
		fputs("      --attach=VARIANT   auto (default)", f);
		for (i = 0; i < cli->nvariants; i++)
			fprintf(f, ", %s", cli->variants[i].name);
		fputc('\n', f);
	}
	fputs("  -j, --json             one JSON object per line\n"
	      "  -v, --verbose          say what is attached (-vv: libbpf debug output)\n"
	      "      --btf FILE         kernel BTF to relocate against (default: the\n"
	      "                         kernel's own, else btf/RELEASE.btf beside the\n"
	      "                         binary, else /usr/lib/tracekit/btf/RELEASE.btf)\n"
	      "  -h, --help             show this help and exit\n"
	      "  -V, --version          show the version and exit\n", f);
	if (cli->examples)
		fprintf(f, "\n%s", cli->examples);
}

/* Raw BTF starts with its magic; a vmlinux ELF file carries a .BTF section. */
static const char *btf_arg(const char *path)
{
	unsigned char magic[4];
	struct stat st;
	int fd;

	fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0)
		tk_usage_error("cannot read BTF file '%s': %s", path, strerror(errno));
	if (fstat(fd, &st) || !S_ISREG(st.st_mode)) {
		close(fd);
		tk_usage_error("BTF file '%s' is not a regular file", path);
	}
	if (read(fd, magic, sizeof(magic)) != (ssize_t)sizeof(magic) ||
	    !((magic[0] == 0x9f && magic[1] == 0xeb) || (magic[0] == 0xeb && magic[1] == 0x9f) ||
	      !memcmp(magic, "\177ELF", 4))) {
		close(fd);
		tk_usage_error("BTF file '%s' is neither BTF nor an ELF file", path);
	}
	close(fd);
	return path;
}

static bool shared_option(const struct tk_cli *cli, int key, const char *arg, struct tk_opts *o)
{
	int i;

	for (i = 0; i < NSHARED; i++) {
		if (!(cli->shared & shared_opts[i].bit) || key != shared_key(cli, i))
			continue;
		switch (shared_opts[i].bit) {
		case TK_OPT_PID: o->filter.tgid = tk_arg_pid(arg, "PID"); break;
		case TK_OPT_TID: o->filter.tid = tk_arg_pid(arg, "TID"); break;
		case TK_OPT_UID: o->filter.uid = tk_arg_uid(arg); break;
		case TK_OPT_COMM: tk_arg_comm(arg, o->filter.comm); break;
		case TK_OPT_CGROUP: o->cgroup = tk_arg_cgroup(arg); break;
		case TK_OPT_DURATION: o->duration_ms = tk_arg_seconds(arg, "duration"); break;
		case TK_OPT_PROM:
			if (shared_opts[i].key == KEY_PROMETHEUS)
				o->prometheus = arg;
			else if (shared_opts[i].key == KEY_TEXTFILE)
				o->textfile = arg;
			else
				o->prom_top = tk_arg_int(arg, 0, 100000, "--prom-top");
			break;
		}
		return true;
	}
	return false;
}

/* getopt's '?': an unknown option, or a long option given "=value" that
 * takes none (getopt then reports the option's key, not a letter). */
static void bad_option(const char *opt, const struct option *longopts)
{
	const char *eq;
	int i;

	if (opt[0] == '-' && opt[1] == '-') {
		eq = strchr(opt, '=');
		for (i = 0; eq && longopts[i].name; i++) {
			if (longopts[i].has_arg == no_argument &&
			    strlen(longopts[i].name) == (size_t)(eq - opt - 2) &&
			    !strncmp(longopts[i].name, opt + 2, eq - opt - 2))
				tk_usage_error("option '--%s' takes no argument", longopts[i].name);
		}
		tk_usage_error("invalid option '%s'", opt);
	}
	if (optopt > 0 && optopt < 0x80 && optopt != '?')
		tk_usage_error("invalid option '-%c'", optopt);
	tk_usage_error("invalid option '%s'", opt);
}

#define MAX_LONGOPTS 64

int tk_parse_args(const struct tk_cli *cli, int argc, char **argv, struct tk_opts *o)
{
	struct option longopts[MAX_LONGOPTS];
	char optstring[128];
	const char *opt;
	int n = 0, i, key;

	memset(o, 0, sizeof(*o));
	o->filter.uid = TK_NO_UID;
	o->prom_top = TK_PROM_TOP_DEFAULT;
	snprintf(optstring, sizeof(optstring), ":%sjvhV", cli->optstring ? cli->optstring : "");
	for (i = 0; cli->longopts && cli->longopts[i].name; i++)
		longopts[n++] = cli->longopts[i];
	for (i = 0; i < NSHARED; i++) {
		char c = shared_letter(cli, i);

		if (!(cli->shared & shared_opts[i].bit))
			continue;
		if (c) {
			/* Two meanings for one letter is a bug in the tool. */
			if (strchr(cli->optstring ? cli->optstring : "", c))
				abort();
			snprintf(optstring + strlen(optstring), sizeof(optstring) - strlen(optstring),
				 "%c:", c);
		}
		longopts[n++] = (struct option){ shared_opts[i].name, required_argument, NULL,
						 shared_key(cli, i) };
		if (shared_opts[i].alias)
			longopts[n++] = (struct option){ shared_opts[i].alias, required_argument,
							 NULL, shared_key(cli, i) };
	}
	if (cli->variants)
		longopts[n++] = (struct option){ "attach", required_argument, NULL, KEY_ATTACH };
	longopts[n++] = (struct option){ "json", no_argument, NULL, 'j' };
	longopts[n++] = (struct option){ "verbose", no_argument, NULL, 'v' };
	longopts[n++] = (struct option){ "help", no_argument, NULL, 'h' };
	longopts[n++] = (struct option){ "version", no_argument, NULL, 'V' };
	longopts[n++] = (struct option){ "btf", required_argument, NULL, KEY_BTF };
	longopts[n] = (struct option){ 0 };

	opterr = 0;
	while ((key = getopt_long(argc, argv, optstring, longopts, NULL)) != -1) {
		opt = argv[optind - 1];
		if (shared_option(cli, key, optarg, o))
			continue;
		switch (key) {
		case 'j':
			o->json = true;
			break;
		case 'v':
			tk_verbose++;
			break;
		case 'h':
			tk_print_help(cli, stdout);
			exit(0);
		case 'V':
			printf("%s (tracekit) %s\n", tk_prog, TK_VERSION);
			exit(0);
		case KEY_BTF:
			o->btf_path = btf_arg(optarg);
			break;
		case KEY_ATTACH:
			tk_variant_check(cli->variants, cli->nvariants, optarg);
			o->attach = strcmp(optarg, "auto") ? optarg : NULL;
			break;
		case ':':
			if (opt[0] == '-' && opt[1] == '-')
				tk_usage_error("option '%s' needs an argument", opt);
			tk_usage_error("option '-%c' needs an argument", optopt);
		case '?':
			bad_option(opt, longopts);
			break;
		default:
			cli->option(key, optarg);
		}
	}
	return optind;
}

long long tk_arg_int(const char *s, long long min, long long max, const char *what)
{
	char *end;
	long long v;

	errno = 0;
	/* strtoll skips leading blanks and accepts a sign; neither belongs in a PID. */
	if (!s || !*s || (*s != '-' && (*s < '0' || *s > '9')))
		tk_usage_error("invalid %s '%s'", what, s ? s : "");
	/* Base 10, or 16 with 0x: "010" is ten, as a user means it, not octal. */
	{
		const char *digits = s + (*s == '-');
		int hex = digits[0] == '0' && (digits[1] == 'x' || digits[1] == 'X');

		if (hex && !digits[2])
			tk_usage_error("invalid %s '%s'", what, s);
		v = strtoll(s, &end, hex ? 16 : 10);
	}
	if (errno || *end)
		tk_usage_error("invalid %s '%s'", what, s);
	if (v < min || v > max)
		tk_usage_error("%s '%s' is out of range (%lld to %lld)", what, s, min, max);
	return v;
}

pid_t tk_arg_pid(const char *s, const char *what)
{
	return (pid_t)tk_arg_int(s, 1, INT_MAX, what);
}

uid_t tk_arg_uid(const char *s)
{
	/* (uid_t)-1 means "no uid" to the kernel, so it cannot be a filter value. */
	return (uid_t)tk_arg_int(s, 0, (long long)UINT_MAX - 1, "UID");
}

uint64_t tk_arg_seconds(const char *s, const char *what)
{
	char *end;
	double v;

	errno = 0;
	/* Decimal only: strtod would take "0x1p3", "1e3" and "inf" too. */
	if (!s || !*s || strspn(s, "0123456789.") != strlen(s))
		tk_usage_error("invalid %s '%s'", what, s ? s : "");
	v = strtod(s, &end);
	if (errno || *end || !isfinite(v))
		tk_usage_error("invalid %s '%s'", what, s);
	if (v < 0.001 || v > 31536000.0)
		tk_usage_error("%s '%s' is out of range (0.001 to 31536000 seconds)", what, s);
	return (uint64_t)(v * 1000.0 + 0.5);
}

void tk_arg_comm(const char *s, char out[16])
{
	size_t n = strlen(s);

	if (n == 0)
		tk_usage_error("empty COMM");
	if (n > 15)
		tk_usage_error("COMM '%s' is longer than 15 characters (the kernel keeps 15)", s);
	memset(out, 0, 16);
	memcpy(out, s, n);
}

const char *tk_arg_cgroup(const char *path)
{
	struct statfs fs;
	struct stat st;

	if (stat(path, &st))
		tk_usage_error("invalid cgroup '%s': %s", path, strerror(errno));
	if (!S_ISDIR(st.st_mode) || statfs(path, &fs) || fs.f_type != CGROUP2_SUPER_MAGIC)
		tk_usage_error("invalid cgroup '%s': not a cgroup2 directory", path);
	return path;
}

void tk_arg_interval_count(int argc, char **argv, int first,
			   uint64_t *interval_ms, long long *count)
{
	if (first < argc)
		*interval_ms = tk_arg_seconds(argv[first++], "interval");
	if (first < argc)
		*count = tk_arg_int(argv[first++], 1, LLONG_MAX, "count");
	if (first < argc)
		tk_usage_error("unexpected argument '%s'", argv[first]);
}

void tk_arg_no_positional(int argc, char **argv, int first)
{
	if (first < argc)
		tk_usage_error("unexpected argument '%s'", argv[first]);
}

void tk_arg_conflicts(const struct tk_conflict *c, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (*c[i].a && *c[i].b)
			tk_usage_error("%s", c[i].msg);
}
