/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* Strict command-line parsing. Every parser checks the whole string, errno and
 * range, and on bad input prints one line naming the value, then
 * "Try 'prog --help'.", and exits 2 -- before any BPF is loaded. */
#ifndef TK_ARGS_H
#define TK_ARGS_H

#include <getopt.h>
#include <stdio.h>
#include <linux/types.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#ifndef TK_VERSION
#define TK_VERSION "0.0.0"
#endif

#include "filter.h"

struct tk_variant;

/* Options every tool shares, filled in by tk_parse_args. */
struct tk_opts {
	bool json;
	const char *attach;		/* --attach=VARIANT, or NULL for auto */
	const char *btf_path;		/* --btf FILE, or NULL */
	struct tk_filter filter;	/* -p -t -u -n (comm_len and the rest: session) */
	const char *cgroup;		/* --cgroup PATH, or NULL */
	uint64_t duration_ms;		/* -d SECS; 0: until a signal */
	const char *prometheus;		/* --prometheus ADDR:PORT (prom.h), or NULL */
	const char *textfile;		/* --textfile PATH, or NULL */
	int prom_top;			/* --prom-top N: label values kept; 0: all */
};

/* The shared options a tool offers (bits of tk_cli.shared). -j -v -h -V and
 * --btf are always there; --attach whenever the tool has variants. */
enum {
	TK_OPT_PID = 1 << 0,		/* -p, --pid PID */
	TK_OPT_TID = 1 << 1,		/* -t, --tid TID */
	TK_OPT_UID = 1 << 2,		/* -u, --uid UID */
	TK_OPT_COMM = 1 << 3,		/* -n, --name/--comm COMM */
	TK_OPT_CGROUP = 1 << 4,		/* --cgroup PATH */
	TK_OPT_DURATION = 1 << 5,	/* -d, --duration SECS */
	TK_OPT_PROM = 1 << 6,		/* --prometheus, --textfile, --prom-top (prom.h) */
	TK_OPT_FILTERS = TK_OPT_PID | TK_OPT_TID | TK_OPT_UID | TK_OPT_COMM | TK_OPT_CGROUP,
};

/* Tools number their long-only options from here (above any letter and
 * the shared options' own keys). */
#define TK_OPT_TOOL_BASE 0x200

/* A tool's command line: its own options, and which shared ones it has. */
struct tk_cli {
	const char *usage;		/* "Usage: X [OPTION]...\nWhat it does.\n" */
	unsigned shared;		/* TK_OPT_* */
	/* Short letters of shared options where bcc gives the tool another
	 * one: 0 keeps the usual (p t u n, none for --cgroup, d); '-' leaves
	 * the option long only. */
	struct { char pid, tid, uid, comm, cgroup, duration; } letter;
	const char *optstring;		/* the tool's own short options */
	const struct option *longopts;	/* the tool's own long options, {} ended */
	const char *help;		/* the tool's own --help lines */
	const char *examples;		/* "Examples:\n  ..." */
	const struct tk_variant *variants;	/* for --attach; NULL: no such option */
	int nvariants;
	/* Called for each of the tool's own options, with optarg. */
	void (*option)(int key, const char *arg);
};

/* Parse argv: shared options into @o, the tool's through cli->option.
 * Exits 0 for -h/-V, 2 on a usage error. Returns the index of the first
 * positional argument. */
int tk_parse_args(const struct tk_cli *cli, int argc, char **argv, struct tk_opts *o);
/* The --help text (exposed for tests). */
void tk_print_help(const struct tk_cli *cli, FILE *f);

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
/* Options that cannot go together, declared as data: when both *a and *b
 * are set, usage error @msg. */
struct tk_conflict {
	const bool *a, *b;
	const char *msg;
};
void tk_arg_conflicts(const struct tk_conflict *c, size_t n);
#define TK_ARG_CONFLICTS(table) tk_arg_conflicts(table, sizeof(table) / sizeof(table[0]))

/* No positional arguments allowed beyond @first. */
void tk_arg_no_positional(int argc, char **argv, int first);

#endif
