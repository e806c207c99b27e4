/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* The two loops every run ends in, over an attached session: streaming
 * records from the kernel, or printing in-kernel summaries each interval.
 * The loops own the exit flag, EINTR, the duration limit, the drop report
 * and the end of the run: producers detached first, then what the kernel
 * already queued is delivered (within the grace period of signals.h; what a
 * reader too slow for it leaves is counted as lost), so no tool writes them. */
#ifndef TK_LOOP_H
#define TK_LOOP_H

#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "session.h"
#include "signals.h"

/* Return 0 to go on; TK_STOP to end the run normally; another negative errno
 * to end it as a failure. */
#define TK_STOP (-ECANCELED)
typedef int (*tk_record_fn)(void *ctx, const void *data, size_t size);
/* Both loops' wait (see tk_stream.wait, tk_summary.wait); @events_fd is -1
 * in a summary loop. */
typedef void (*tk_wait_fn)(void *ctx, uint64_t deadline, int events_fd);

struct tk_stream {
	tk_record_fn on_record;
	void *ctx;			/* for all three callbacks */
	/* From the loop's own thread, between records, every tick_ms (0: none);
	 * returns as on_record does. */
	int (*on_tick)(void *ctx);
	uint64_t tick_ms;
	/* Once, after the last record, before the loss report (may be NULL). */
	int (*on_end)(void *ctx);
	/* Instead of polling a ring buffer: returns by @deadline (monotonic
	 * ns), or sooner when @events_fd (the ring buffer's epoll fd) is
	 * readable or on a signal; the loop then reads what it holds (prom.h
	 * serves HTTP here). A perf buffer is polled as without it, then this
	 * waits 1 ms with @events_fd -1. NULL: poll the buffer. */
	tk_wait_fn wait;
	void *wait_ctx;
	/* A perf buffer is read CPU by CPU, so one poll's records come in no
	 * useful order (an answer before its query from another CPU). With
	 * @ordered, the records of each poll are delivered in the order of the
	 * u64 stamp at @ts_offset in each (CLOCK_MONOTONIC, as the BPF side
	 * stamped it). A ring buffer holds them in order already. */
	bool ordered;
	size_t ts_offset;
};

/* Deliver records until a signal, -d, TK_STOP or the reader of stdout going
 * away; then detach and drain. Returns the exit status (0 or 1). */
int tk_stream_run(struct tk_session *s, const struct tk_stream *st);

/* @final: last report of the run. Return 0, or TK_STOP / -errno as above. */
typedef int (*tk_report_fn)(void *ctx, bool final);

struct tk_summary {
	tk_report_fn report;
	void *ctx;
	uint64_t interval_ms;		/* 0: one report at the end */
	long long count;		/* reports to print; 0: unlimited */
	/* Instead of sleeping until @deadline (monotonic ns): returns by then,
	 * or sooner on a signal (prom.h serves HTTP here); @events_fd -1.
	 * NULL: sleep. */
	tk_wait_fn wait;
	void *wait_ctx;
};

int tk_summary_run(struct tk_session *s, const struct tk_summary *sum);

/* "N events lost" on stderr, or a {"type":"lost",...} record in JSON mode. */
void tk_report_lost(uint64_t n, bool json);
/* Every event the run has counted as lost so far (what its "lost" reports
 * add up to, or will at the next): the drop counter, records the stream
 * loop could not print, and the runs of the session's programs the kernel
 * skipped, because a program was already running on that CPU (an
 * interrupt's event inside another's) (prom.h's
 * tracekit_lost_events_total). Both loops report them. */
uint64_t tk_lost_events(void);
/* Total of the per-CPU drop counter. */
uint64_t tk_drops_read(struct bpf_map *drops);

/* Move every entry of the hash map @fd into *@rows, @row_size bytes a row:
 * the key at 0 (@key_size bytes), the value at @value_off,
 * growing *@rows (*@cap rows; free() it at the end). Each report then covers
 * the time since the previous one. The number of rows, or -errno. */
int tk_map_drain(int fd, size_t key_size, size_t value_off, size_t row_size,
		 void **rows, int *cap);

/* Monotonic clock in ns. */
uint64_t tk_now_ns(void);

#endif
