/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* Diagnostics on stderr. stdout carries data only. */
#ifndef TK_LOG_H
#define TK_LOG_H

#include <stdarg.h>

/* Set once by main: the tool's name and how chatty to be (-v count). */
extern const char *tk_prog;
extern int tk_verbose;

/* "prog: message\n" on stderr; the newline is added here. */
void tk_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Printed only at -v (level 1) or -vv (level 2). */
void tk_info(int level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* "prog: tracing WHAT; Ctrl-C to end" once attached, at verbosity @level
 * (0: always, for tools that print nothing until the end). */
void tk_ready(int level, const char *what);

/* Route libbpf's messages through us: warnings always, debug output only at -vv. */
void tk_libbpf_log_setup(void);

#endif
