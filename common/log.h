/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* Diagnostics on stderr. stdout carries data only. */
#ifndef TK_LOG_H
#define TK_LOG_H

#include <stdarg.h>
#include <stdbool.h>

/* Set once by main: the tool's name and how chatty to be (-v count). */
extern const char *tk_prog;
extern int tk_verbose;
/* -j: warnings are also records on stdout, {"type":"warning","message":...},
 * so a log of the run carries them. */
extern bool tk_log_json;

/* "prog: message\n" on stderr; the newline is added here. */
void tk_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Printed only at -v (level 1) or -vv (level 2). */
void tk_info(int level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* "prog: tracing WHAT[ for N s]; Ctrl-C to end" on stderr, once attached:
 * every tool says it is live, whatever it prints later. */
void tk_ready(const char *what, unsigned long long duration_ms);

/* Route libbpf's messages through us: warnings always, debug output only at -vv. */
void tk_libbpf_log_setup(void);

#endif
