/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* Signals and the two loops every tool ends in: streaming records from the
 * kernel, or printing in-kernel summaries each interval. The loops own the
 * exit flag, EINTR, the duration limit, the drop report and the end-of-run
 * drain, so no tool writes them. */
#ifndef TK_LOOP_H
#define TK_LOOP_H

#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <bpf/libbpf.h>

/* Set by SIGINT/SIGTERM; a second such signal kills the tool outright. */
extern volatile sig_atomic_t tk_exiting;
/* SIGINT/SIGTERM set tk_exiting; SIGPIPE is ignored (the write fails with EPIPE
 * and the loop ends quietly with status 0). */
void tk_signals_init(void);

/* Return 0 to go on; TK_STOP to end the run normally; another negative errno
 * to end it as a failure. */
#define TK_STOP (-ECANCELED)
typedef int (*tk_record_fn)(void *ctx, const void *data, size_t size);

struct tk_stream {
	struct bpf_object *obj;		/* with a tk_events map */
	tk_record_fn on_record;
	void *ctx;
	uint64_t duration_ms;		/* -d; 0: until a signal */
	bool json;			/* lost-event reports as JSON records */
	int (*on_tick)(void *ctx);	/* called from the loop thread every tick_ms, between record
					   batches; return 0, TK_STOP, or -errno like on_record */
	uint64_t tick_ms;		/* 0: no ticks */
	int (*on_end)(void *ctx);	/* once, after the final drain, before the loss report */
};

/* Deliver records until a signal, the duration, TK_STOP or the reader of
 * stdout going away; then drain what the kernel already queued. Returns the
 * exit status (0 or 1). */
int tk_stream_run(const struct tk_stream *s);

/* @final: last report of the run. Return 0, or TK_STOP / -errno as above. */
typedef int (*tk_report_fn)(void *ctx, bool final);

struct tk_summary {
	struct bpf_object *obj;
	tk_report_fn report;
	void *ctx;
	uint64_t interval_ms;		/* 0: one report at the end */
	long long count;		/* reports to print; 0: unlimited */
	uint64_t duration_ms;
	bool json;
};

int tk_summary_run(const struct tk_summary *s);

/* "N events lost" on stderr, or a {"type":"lost",...} record in JSON mode. */
void tk_report_lost(uint64_t n, bool json);

/* Monotonic clock in ns. */
uint64_t tk_now_ns(void);

#endif
