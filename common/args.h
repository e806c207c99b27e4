/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* Strict command-line parsing. Every parser checks the whole string, errno and
 * range, and on bad input prints one line naming the value, then
 * "Try 'prog --help'.", and exits 2 -- before any BPF is loaded. */
#ifndef TK_ARGS_H
#define TK_ARGS_H

#include <getopt.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#ifndef TK_VERSION
#define TK_VERSION "0.0.0"
#endif

/* Long-only options shared by every tool (values above any ASCII letter). */
enum {
	TK_OPT_ATTACH = 0x100,
	TK_OPT_BTF,
	TK_OPT_CGROUP,
	TK_OPT_TOOL_BASE = 0x200,	/* tools number their own long-only options from here */
};

/* Options every tool has; append to a tool's struct option table. */
#define TK_COMMON_LONGOPTS					\
	{ "json", no_argument, NULL, 'j' },			\
	{ "verbose", no_argument, NULL, 'v' },			\
	{ "help", no_argument, NULL, 'h' },			\
	{ "version", no_argument, NULL, 'V' },			\
	{ "btf", required_argument, NULL, TK_OPT_BTF }

/* The matching lines of --help, so every tool words them the same way. */
#define TK_HELP_COMMON							\
	"  -j, --json             one JSON object per line\n"		\
	"  -v, --verbose          say what is attached (-vv: libbpf debug output)\n" \
	"      --btf FILE         kernel BTF to relocate against (default\n"	\
	"                         /sys/kernel/btf/vmlinux)\n"		\
	"  -h, --help             show this help and exit\n"		\
	"  -V, --version          show the version and exit\n"

struct tk_common {
	bool json;
	const char *attach;	/* forced attach variant, or NULL for auto */
	const char *btf_path;	/* --btf, or NULL */
};

/* Handles -j -v -h -V --btf --attach and getopt's errors ('?' and ':', from
 * an optstring starting with ':'), reading optarg/optopt/optind. Exits for -h,
 * -V and errors; for a key that is not a common option, a usage error. */
void tk_common_option(int key, char **argv, struct tk_common *c, const char *help);

/* "prog: <message>" then "Try 'prog --help'." on stderr, exit 2. */
void tk_usage_error(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));

/* Integer in [min, max], decimal (or 0x hex); @what names it in the error. */
long long tk_arg_int(const char *s, long long min, long long max, const char *what);
pid_t tk_arg_pid(const char *s, const char *what);
uid_t tk_arg_uid(const char *s);
/* Positive number of seconds (fractions allowed), returned in milliseconds. */
uint64_t tk_arg_seconds(const char *s, const char *what);
/* Process name as the kernel keeps it: 1 to 15 bytes. */
void tk_arg_comm(const char *s, char out[16]);
/* A cgroup2 directory; returns @path unchanged after checking it. */
const char *tk_arg_cgroup(const char *path);
/* Trailing [interval [count]] for summary tools; interval in seconds. */
void tk_arg_interval_count(int argc, char **argv, int first,
			   uint64_t *interval_ms, long long *count);
/* No positional arguments allowed beyond @first. */
void tk_arg_no_positional(int argc, char **argv, int first);

#endif
