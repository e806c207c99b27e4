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
#include "log.h"

#ifndef CGROUP2_SUPER_MAGIC
#define CGROUP2_SUPER_MAGIC 0x63677270
#endif

void tk_usage_error(const char *fmt, ...)
{
	char buf[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	fprintf(stderr, "%s: %s\nTry '%s --help'.\n", tk_prog, buf, tk_prog);
	exit(2);
}

void tk_common_option(int key, char **argv, struct tk_common *c, const char *help)
{
	const char *arg = optarg, *opt = argv[optind - 1];

	switch (key) {
	case 'j':
		c->json = true;
		return;
	case 'v':
		tk_verbose++;
		return;
	case 'h':
		fputs(help, stdout);
		exit(0);
	case 'V':
		printf("%s (tracekit) %s\n", tk_prog, TK_VERSION);
		exit(0);
	case TK_OPT_BTF:
		if (access(arg, R_OK))
			tk_usage_error("cannot read BTF file '%s': %s", arg, strerror(errno));
		c->btf_path = arg;
		return;
	case ':':
		if (opt[0] == '-' && opt[1] == '-')
			tk_usage_error("option '%s' needs an argument", opt);
		tk_usage_error("option '-%c' needs an argument", optopt);
	case '?':
		if (optopt)
			tk_usage_error("invalid option '-%c'", optopt);
		tk_usage_error("invalid option '%s'", opt);
	}
	tk_usage_error("invalid option '%s'", opt);
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
	if (!s || !*s || ((*s < '0' || *s > '9') && *s != '.'))
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
