// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#include <stdio.h>
#include <string.h>
#include <bpf/libbpf.h>
#include "log.h"
#include "output.h"

int tk_verbose;
bool tk_log_json;

static void vlog(const char *fmt, va_list ap)
{
	char buf[1024];

	vsnprintf(buf, sizeof(buf), fmt, ap);
	/* One write per message so lines from concurrent writers do not interleave. */
	fprintf(stderr, "%s: %s\n", tk_prog, buf);
}

void tk_warn(const char *fmt, ...)
{
	char buf[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	fprintf(stderr, "%s: %s\n", tk_prog, buf);
	if (tk_log_json)
		tk_json_note("warning", buf);
}

void tk_info(int level, const char *fmt, ...)
{
	va_list ap;

	if (tk_verbose < level)
		return;
	va_start(ap, fmt);
	vlog(fmt, ap);
	va_end(ap);
}

void tk_ready(const char *what, unsigned long long duration_ms)
{
	if (duration_ms)
		tk_info(0, "tracing %s for %.6g s; Ctrl-C to end", what, duration_ms / 1000.0);
	else
		tk_info(0, "tracing %s; Ctrl-C to end", what);
}

static int libbpf_print(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	/* libbpf warns about things we handle ourselves (a failed probe of a
	 * variant we then skip); its words are only useful when debugging. */
	if (level != LIBBPF_WARN && tk_verbose < 2)
		return 0;
	if (level == LIBBPF_WARN && tk_verbose < 1)
		return 0;
	fprintf(stderr, "%s: ", tk_prog);
	return vfprintf(stderr, fmt, ap);
}

void tk_libbpf_log_setup(void)
{
	libbpf_set_print(libbpf_print);
}
