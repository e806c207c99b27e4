// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#include <errno.h>
#include <stdio.h>
#include <stdio_ext.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <bpf/bpf.h>
#include "log.h"
#include "loop.h"
#include "output.h"
#include "ringbuf.h"

#define POLL_MS 100		/* bounds latency to the screen when traffic is light */
#define LOST_REPORT_NS 1000000000ULL
#define STOP_CONSUMING (-EINTR)	/* from a record callback: leave the buffer for now */

uint64_t tk_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

uint64_t tk_drops_read(struct bpf_map *drops)
{
	static uint64_t *vals;
	static int ncpu;
	uint64_t sum = 0;
	__u32 key = 0;
	int i;

	if (!vals) {
		ncpu = libbpf_num_possible_cpus();
		if (ncpu <= 0 || !(vals = calloc(ncpu, sizeof(*vals))))
			return 0;
	}
	if (bpf_map_lookup_elem(bpf_map__fd(drops), &key, vals))
		return 0;
	for (i = 0; i < ncpu; i++)
		sum += vals[i];
	return sum;
}

/* What the run's loss reports have said and will say: the loop's drop
 * counter, its unprinted records, and the runs of its programs the kernel
 * skipped. */
static struct bpf_map *run_drops;
static struct bpf_object *run_obj;
static uint64_t run_unprinted;

/* Runs of the run's programs the kernel skipped: an event whose program
 * would have started while a BPF tracing program was already running on
 * that CPU (an interrupt's event inside another program, or a timer's
 * retransmit inside a process's open: the kernel allows one at a time per
 * CPU). Counted per program (recursion_misses) by trampolines (fentry,
 * tp_btf) since 5.12 and by tracepoints and kprobes since 6.7; older
 * kernels skip them uncounted. */
static uint64_t prog_misses(void)
{
	struct bpf_program *prog;
	uint64_t misses = 0;

	if (!run_obj)
		return 0;
	bpf_object__for_each_program(prog, run_obj) {
		struct bpf_prog_info info = {};
		__u32 len = sizeof(info);

		if (bpf_program__fd(prog) >= 0 &&
		    !bpf_obj_get_info_by_fd(bpf_program__fd(prog), &info, &len))
			misses += info.recursion_misses;
	}
	return misses;
}

uint64_t tk_lost_events(void)
{
	static uint64_t drops, misses;
	uint64_t d = run_drops ? tk_drops_read(run_drops) : 0, m = prog_misses();

	/* Never backwards, should the map or programs be gone by the last
	 * reading. */
	if (d > drops)
		drops = d;
	if (m > misses)
		misses = m;
	return drops + run_unprinted + misses;
}

void tk_report_lost(uint64_t n, bool json)
{
	if (!n)
		return;
	if (json) {
		struct jw w;

		jw_summary_begin(&w, stdout, "lost");
		jw_uint(&w, "count", n);
		jw_end(&w);
	} else {
		fflush(stdout);
		tk_warn("%llu event%s lost", (unsigned long long)n, n == 1 ? "" : "s");
	}
}

/* The reader of stdout stopped reading and the grace period ran out: what
 * stdio still holds can never be written, and must not block exit(). */
static bool output_stalled(void)
{
	return tk_out_of_time && ferror(stdout);
}

/* The reader of stdout stopped reading: say so, and drop what stdio still
 * holds, so that exit() does not block on it. (The lines in stdio's buffer
 * when the write was given up, at most a buffer's worth, are not in the
 * lost count: they had been handed to stdio.) */
static void abandon_output(void)
{
	if (!output_stalled())
		return;
	tk_warn("output abandoned: the reader of stdout stopped reading");
	__fpurge(stdout);
}

/* Drops counted in the kernel, records consumed after the grace period
 * without being printed, and the runs the kernel skipped. (A perf buffer's
 * own lost-record notices are not added: every failed
 * bpf_perf_event_output() is already in tk_drops.) */
struct lost_state {
	struct bpf_map *drops;
	uint64_t unprinted;
	uint64_t reported;
	uint64_t last_ns;
	bool json;
};

static void report_new_losses(struct lost_state *ls, bool force)
{
	uint64_t now = tk_now_ns(), total;

	if (!force && now - ls->last_ns < LOST_REPORT_NS)
		return;
	ls->last_ns = now;
	run_drops = ls->drops;
	run_unprinted = ls->unprinted;
	total = tk_lost_events();
	if (total > ls->reported) {
		/* In JSON a record, unless stdout can take nothing more. */
		tk_report_lost(total - ls->reported, ls->json && !output_stalled());
		ls->reported = total;
	}
}

/* 0 on, 1 stop normally (reader gone counts as normal), -1 failure. */
static int output_state(void)
{
	if (output_stalled())
		return 1;
	if (tk_output_flush())
		return 0;
	if (errno == EPIPE)
		return 1;
	if (tk_out_of_time && (errno == EINTR || errno == 0))
		return 1;
	tk_warn("writing output failed: %s", strerror(errno));
	return -1;
}

/* One perf-buffer poll's records, copied to be delivered in stamp order. */
struct batch_rec {
	uint64_t ts;
	size_t off;		/* in batch.buf */
	uint32_t size;
	uint32_t seq;		/* arrival: equal stamps keep it */
};

struct batch {
	uint8_t *buf;
	size_t len, cap;
	struct batch_rec *recs;
	size_t n, ncap;
};

struct stream_ctx {
	const struct tk_stream *st;
	struct batch batch;	/* st->ordered on a perf buffer */
	struct lost_state lost;
	int stop;		/* first TK_STOP or error from a callback */
	uint64_t grace_end_ns;	/* the end's drain prints until then */
	uint64_t yield_ns;	/* back to the loop by then: -d's end, the next tick */
	unsigned int since_clock;
};

static int ring_cb(void *ctx, void *data, size_t size)
{
	struct stream_ctx *sc = ctx;
	int err;

	if (sc->stop || tk_out_of_time || (sc->grace_end_ns && tk_now_ns() > sc->grace_end_ns)) {
		sc->lost.unprinted++;
		return 0;
	}
	err = sc->st->on_record(sc->st->ctx, data, size);
	if (err && !sc->stop)
		sc->stop = err;
	/* Under a flood the buffer never empties: a request to end, the end
	 * of -d and a tick are heard between records, not when the producers
	 * pause. (The clock is read every 256 records: about 10 us of them.) */
	if (!err && (tk_exiting ||
		     (sc->yield_ns && !(++sc->since_clock % 256) && tk_now_ns() >= sc->yield_ns)))
		return STOP_CONSUMING;
	return err;
}

/* Keeps a copy of the record for batch_flush; false if it cannot (it is
 * then delivered at once, out of order rather than lost). */
static bool batch_add(struct batch *b, const struct tk_stream *st, const void *data, __u32 size)
{
	uint64_t ts = 0;

	if (b->n == b->ncap) {
		size_t ncap = b->ncap ? 2 * b->ncap : 256;
		struct batch_rec *r = realloc(b->recs, ncap * sizeof(*r));

		if (!r)
			return false;
		b->recs = r;
		b->ncap = ncap;
	}
	if (b->len + size > b->cap) {
		size_t cap = b->cap ? b->cap : 64 << 10;
		uint8_t *buf;

		while (b->len + size > cap)
			cap *= 2;
		buf = realloc(b->buf, cap);
		if (!buf)
			return false;
		b->buf = buf;
		b->cap = cap;
	}
	if (st->ts_offset + sizeof(ts) <= size)
		memcpy(&ts, (const uint8_t *)data + st->ts_offset, sizeof(ts));
	memcpy(b->buf + b->len, data, size);
	b->recs[b->n] = (struct batch_rec){ .ts = ts, .off = b->len, .size = size, .seq = b->n };
	b->len += size;
	b->n++;
	return true;
}

static int rec_cmp(const void *a, const void *b)
{
	const struct batch_rec *x = a, *y = b;

	if (x->ts != y->ts)
		return x->ts < y->ts ? -1 : 1;
	return x->seq < y->seq ? -1 : x->seq > y->seq;
}

/* The poll's records, oldest stamp first. A yield ring_cb asks for (a tick
 * due) waits for the end of the batch. */
static void batch_flush(struct stream_ctx *sc)
{
	struct batch *b = &sc->batch;
	size_t i;

	if (b->n > 1)
		qsort(b->recs, b->n, sizeof(*b->recs), rec_cmp);
	for (i = 0; i < b->n; i++)
		ring_cb(sc, b->buf + b->recs[i].off, b->recs[i].size);
	b->n = 0;
	b->len = 0;
}

static void perf_cb(void *ctx, int cpu, void *data, __u32 size)
{
	struct stream_ctx *sc = ctx;

	(void)cpu;
	if (sc->st->ordered && batch_add(&sc->batch, sc->st, data, size))
		return;
	ring_cb(ctx, data, size);
}

/* perf_buffer__poll (timeout >= 0) or __consume, then the batch it
 * gathered. */
static int perf_read(struct stream_ctx *sc, struct perf_buffer *pb, int timeout)
{
	int err = timeout < 0 ? perf_buffer__consume(pb) : perf_buffer__poll(pb, timeout);

	batch_flush(sc);
	return err;
}

static int callback_result(struct stream_ctx *sc, int err)
{
	if (err && !sc->stop)
		sc->stop = err;
	return err;
}

int tk_stream_run(struct tk_session *s, const struct tk_stream *st)
{
	struct bpf_map *map = s->bpf.events;
	struct stream_ctx sc = { .st = st };
	struct tk_ring *rb = NULL;
	struct perf_buffer *pb = NULL;
	uint64_t now = tk_now_ns();
	uint64_t end = s->opts->duration_ms ? now + s->opts->duration_ms * 1000000ULL : 0;
	uint64_t tick = st->tick_ms ? now + st->tick_ms * 1000000ULL : 0;
	int err = 0, out = 0, timeout;

	sc.lost.drops = run_drops = s->bpf.drops;
	run_obj = s->bpf.skeleton ? *s->bpf.skeleton->obj : NULL;
	sc.lost.json = s->opts->json;
	sc.lost.last_ns = now;
	if (bpf_map__type(map) == BPF_MAP_TYPE_RINGBUF)
		rb = tk_ring_new(bpf_map__fd(map), ring_cb, &sc);
	else
		pb = perf_buffer__new(bpf_map__fd(map), 64, perf_cb, NULL, &sc, NULL);
	if (!rb && !pb) {
		tk_warn("cannot set up the event buffer: %s", strerror(errno));
		return 1;
	}

	while (!tk_exiting && !sc.stop && !out) {
		timeout = POLL_MS;
		now = tk_now_ns();
		if (end && now >= end)
			break;
		if (end && (end - now) / 1000000 < (uint64_t)timeout)
			timeout = (end - now) / 1000000 + 1;
		if (tick && (tick > now ? (tick - now) / 1000000 : 0) < (uint64_t)timeout)
			timeout = tick > now ? (tick - now) / 1000000 + 1 : 0;
		sc.yield_ns = tick && (!end || tick < end) ? tick : end;
		/* Records are submitted without wake-ups below the fill threshold,
		 * so a quiet poll still has to look at the buffer. */
		if (st->wait && rb) {
			st->wait(st->wait_ctx, tk_now_ns() + (uint64_t)timeout * 1000000ULL,
				 tk_ring_epoll_fd(rb));
			err = tk_ring_consume(rb);
		} else if (st->wait) {
			/* A perf buffer is read as each record wakes the reader:
			 * read later in one batch, its per-CPU buffers come in
			 * no useful order (an answer before its query from
			 * another CPU), and polling its fd from outside takes
			 * the readiness libbpf would look for. So its own poll,
			 * then a short wait; the wait's clients are served
			 * within a poll's timeout. */
			err = perf_read(&sc, pb, timeout);
			st->wait(st->wait_ctx, tk_now_ns() + 1000000ULL, -1);
		} else if (rb) {
			err = tk_ring_poll(rb, timeout);
			if (err >= 0 || err == -EINTR)
				err = tk_ring_consume(rb);
		} else {
			err = perf_read(&sc, pb, timeout);
		}
		if (err < 0 && err != -EINTR && !sc.stop) {
			tk_warn("reading events failed: %s", strerror(-err));
			break;
		}
		err = 0;
		if (tick && !sc.stop && (now = tk_now_ns()) >= tick) {
			callback_result(&sc, st->on_tick(st->ctx));
			while (tick <= now)
				tick += st->tick_ms * 1000000ULL;
		}
		out = output_state();
		report_new_losses(&sc.lost, false);
	}

	/* The end: nothing new is produced, and what the kernel already queued
	 * is delivered within the grace period (counted as lost past it). */
	sc.yield_ns = 0;
	tk_signals_ending();
	tk_session_detach(s);
	sc.grace_end_ns = tk_now_ns() + TK_GRACE_MS * 1000000ULL;
	/* A reader that stopped reading: what the kernel queued is counted
	 * (ring_cb prints nothing once out of time), never left uncounted. */
	if (!out || output_stalled()) {
		if (rb) {
			while ((err = tk_ring_consume(rb)) == STOP_CONSUMING)
				;
		} else {
			perf_read(&sc, pb, -1);
		}
		err = 0;
	}
	if (st->on_end && !out && !(sc.stop && sc.stop != TK_STOP) && !output_stalled())
		callback_result(&sc, st->on_end(st->ctx));
	if (out <= 0 || output_stalled())
		report_new_losses(&sc.lost, true);
	if (!out)
		out = output_state();
	abandon_output();
	tk_ring_free(rb);
	perf_buffer__free(pb);
	free(sc.batch.buf);
	free(sc.batch.recs);
	if (err || out < 0 || (sc.stop && sc.stop != TK_STOP))
		return 1;
	return 0;
}

#define SLEEP_SLICE_NS 200000000ULL

/* Sleep until @deadline (monotonic ns) or a signal. A signal that lands
 * between the caller's check of tk_exiting and the sleep itself would not
 * wake it, so no single sleep is longer than a slice. */
static void sleep_until(uint64_t deadline)
{
	uint64_t now = tk_now_ns();
	struct timespec ts;

	if (tk_exiting || now >= deadline)
		return;
	if (deadline - now > SLEEP_SLICE_NS)
		deadline = now + SLEEP_SLICE_NS;
	ts.tv_sec = deadline / 1000000000ULL;
	ts.tv_nsec = deadline % 1000000000ULL;
	clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL);
}

int tk_summary_run(struct tk_session *s, const struct tk_summary *sum)
{
	struct lost_state lost = { .drops = s->bpf.drops, .json = s->opts->json };
	uint64_t start = tk_now_ns(), next, end, now;
	long long printed = 0;
	int err = 0, out = 0;

	run_drops = s->bpf.drops;
	run_obj = s->bpf.skeleton ? *s->bpf.skeleton->obj : NULL;
	end = s->opts->duration_ms ? start + s->opts->duration_ms * 1000000ULL : UINT64_MAX;
	next = sum->interval_ms ? start + sum->interval_ms * 1000000ULL : UINT64_MAX;
	for (;;) {
		if (sum->wait)
			sum->wait(sum->wait_ctx, next < end ? next : end, -1);
		else
			sleep_until(next < end ? next : end);
		now = tk_now_ns();
		if (tk_exiting || now >= end) {
			/* What was counted since the last report is not thrown away. */
			tk_signals_ending();
			tk_session_detach(s);
			err = sum->report(sum->ctx, true);
			break;
		}
		if (now < next)
			continue;
		printed++;
		err = sum->report(sum->ctx, sum->count && printed >= sum->count);
		if (err || (sum->count && printed >= sum->count))
			break;
		if ((out = output_state()))
			break;
		report_new_losses(&lost, true);
		next += sum->interval_ms * 1000000ULL;
	}
	tk_session_detach(s);
	if (out <= 0 || output_stalled())
		report_new_losses(&lost, true);
	if (!out)
		out = output_state();
	abandon_output();
	if (out < 0 || (err && err != TK_STOP))
		return 1;
	return 0;
}

int tk_map_drain(int fd, size_t key_size, size_t value_off, size_t row_size,
		 void **rows, int *cap)
{
	char key[256], next[256], *r;
	void *prev = NULL;
	int i, n = 0, kept = 0;

	if (key_size > sizeof(key))
		return -EINVAL;
	while (!bpf_map_get_next_key(fd, prev, next)) {
		if (n == *cap) {
			int c = *cap ? *cap * 2 : 256;
			void *grown = realloc(*rows, (size_t)c * row_size);

			if (!grown)
				return -ENOMEM;
			*rows = grown;
			*cap = c;
		}
		memcpy((char *)*rows + (size_t)n++ * row_size, next, key_size);
		memcpy(key, next, key_size);
		prev = key;
	}
	/* After the walk, which deleting would disturb. Lookup-and-delete
	 * (5.14+) loses nothing counted between the two; older kernels fall
	 * back to a lookup, then a delete. */
	for (i = 0; i < n; i++) {
		r = (char *)*rows + (size_t)i * row_size;
		if (bpf_map_lookup_and_delete_elem(fd, r, r + value_off)) {
			if (errno == ENOENT || bpf_map_lookup_elem(fd, r, r + value_off))
				continue;
			bpf_map_delete_elem(fd, r);
		}
		if (kept != i)
			memcpy((char *)*rows + (size_t)kept * row_size, r, row_size);
		kept++;
	}
	return kept;
}
