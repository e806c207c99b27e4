// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <bpf/bpf.h>
#include "log.h"
#include "loop.h"
#include "output.h"
#include "session.h"

#define POLL_MS 100		/* bounds latency to the screen when traffic is light */
#define LOST_REPORT_NS 1000000000ULL

volatile sig_atomic_t tk_exiting;

static void on_signal(int sig)
{
	if (tk_exiting) {
		/* Second request: the user means it. */
		signal(sig, SIG_DFL);
		raise(sig);
	}
	tk_exiting = 1;
}

void tk_signals_init(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	/* SA_RESTART, so a write of output that a signal interrupts is resumed
	 * rather than failing with EINTR (and dropping what stdio held). The
	 * waits that must end on a signal, epoll_wait() and clock_nanosleep(),
	 * are never restarted (signal(7)). */
	sa.sa_flags = SA_RESTART;
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
}

uint64_t tk_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

void tk_report_lost(uint64_t n, bool json)
{
	if (!n)
		return;
	if (json) {
		printf("{\"type\":\"lost\",\"count\":%llu}\n", (unsigned long long)n);
	} else {
		fflush(stdout);
		tk_warn("%llu event%s lost", (unsigned long long)n, n == 1 ? "" : "s");
	}
}

/* Drops counted in the kernel plus those the perf buffer reported. */
struct lost_state {
	struct bpf_object *obj;
	uint64_t perf_lost;
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
	total = tk_drops_read(ls->obj) + ls->perf_lost;
	if (total > ls->reported) {
		tk_report_lost(total - ls->reported, ls->json);
		ls->reported = total;
	}
}

/* 0 on, 1 stop normally (reader gone counts as normal), -1 failure. */
static int output_state(void)
{
	if (tk_output_flush())
		return 0;
	if (errno == EPIPE)
		return 1;
	tk_warn("writing output failed: %s", strerror(errno));
	return -1;
}

struct stream_ctx {
	const struct tk_stream *s;
	struct lost_state lost;
	int stop;		/* first TK_STOP or error from the record callback */
};

static int ring_cb(void *ctx, void *data, size_t size)
{
	struct stream_ctx *sc = ctx;
	int err = sc->s->on_record(sc->s->ctx, data, size);

	if (err && !sc->stop)
		sc->stop = err;
	return err;
}

static void perf_cb(void *ctx, int cpu, void *data, __u32 size)
{
	struct stream_ctx *sc = ctx;

	(void)cpu;
	if (!sc->stop)
		ring_cb(ctx, data, size);
}

static void perf_lost_cb(void *ctx, int cpu, __u64 n)
{
	struct stream_ctx *sc = ctx;

	(void)cpu;
	sc->lost.perf_lost += n;
}

int tk_stream_run(const struct tk_stream *s)
{
	struct bpf_map *map = bpf_object__find_map_by_name(s->obj, "tk_events");
	struct stream_ctx sc = { .s = s };
	struct ring_buffer *rb = NULL;
	struct perf_buffer *pb = NULL;
	uint64_t end = s->duration_ms ? tk_now_ns() + s->duration_ms * 1000000ULL : 0;
	uint64_t tick_ns = s->on_tick ? s->tick_ms * 1000000ULL : 0;
	uint64_t next_tick = tick_ns ? tk_now_ns() + tick_ns : 0;
	int err = 0, out = 0, timeout;

	sc.lost.obj = s->obj;
	sc.lost.json = s->json;
	sc.lost.last_ns = tk_now_ns();
	if (!map) {
		tk_warn("BPF object has no tk_events map");
		return 1;
	}
	if (bpf_map__type(map) == BPF_MAP_TYPE_RINGBUF)
		rb = ring_buffer__new(bpf_map__fd(map), ring_cb, &sc, NULL);
	else
		pb = perf_buffer__new(bpf_map__fd(map), 64, perf_cb, perf_lost_cb, &sc, NULL);
	if (!rb && !pb) {
		tk_warn("cannot set up the event buffer: %s", strerror(errno));
		return 1;
	}

	while (!tk_exiting && !sc.stop && !out) {
		timeout = POLL_MS;
		if (end) {
			uint64_t now = tk_now_ns();

			if (now >= end)
				break;
			if ((end - now) / 1000000 < (uint64_t)timeout)
				timeout = (end - now) / 1000000 + 1;
		}
		if (next_tick) {
			uint64_t now = tk_now_ns();

			timeout = now >= next_tick ? 0 :
				  (next_tick - now) / 1000000 < (uint64_t)timeout ?
				  (int)((next_tick - now) / 1000000) + 1 : timeout;
		}
		/* Records are submitted without wake-ups below the fill threshold,
		 * so a quiet poll still has to look at the buffer. */
		if (rb) {
			err = ring_buffer__poll(rb, timeout);
			if (err >= 0 || err == -EINTR)
				err = ring_buffer__consume(rb);
		} else {
			err = perf_buffer__poll(pb, timeout);
		}
		if (err < 0 && err != -EINTR && !sc.stop) {
			tk_warn("reading events failed: %s", strerror(-err));
			break;
		}
		err = 0;
		/* The tick comes after the records the poll delivered, on this
		 * thread: the tool's state needs no lock. */
		if (next_tick && !sc.stop && tk_now_ns() >= next_tick) {
			int terr = s->on_tick(s->ctx);

			if (terr)
				sc.stop = terr;
			next_tick = tk_now_ns() + tick_ns;
		}
		out = output_state();
		report_new_losses(&sc.lost, false);
	}

	/* Whatever the kernel already produced is delivered before we go. */
	if (!sc.stop && !out) {
		if (rb)
			ring_buffer__consume(rb);
		else
			perf_buffer__consume(pb);
	}
	if (s->on_end && !out && (!sc.stop || sc.stop == TK_STOP)) {
		int eerr = s->on_end(s->ctx);

		if (eerr && !sc.stop)
			sc.stop = eerr;
	}
	if (!out)
		report_new_losses(&sc.lost, true);
	if (!out)
		out = output_state();
	ring_buffer__free(rb);
	perf_buffer__free(pb);
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

int tk_summary_run(const struct tk_summary *s)
{
	struct lost_state lost = { .obj = s->obj, .json = s->json };
	uint64_t start = tk_now_ns(), next, end, now;
	long long printed = 0;
	int err = 0, out = 0;

	end = s->duration_ms ? start + s->duration_ms * 1000000ULL : UINT64_MAX;
	next = s->interval_ms ? start + s->interval_ms * 1000000ULL : UINT64_MAX;
	for (;;) {
		sleep_until(next < end ? next : end);
		now = tk_now_ns();
		if (tk_exiting || now >= end) {
			/* What was counted since the last report is not thrown away. */
			err = s->report(s->ctx, true);
			break;
		}
		if (now < next)
			continue;
		printed++;
		err = s->report(s->ctx, s->count && printed >= s->count);
		if (err || (s->count && printed >= s->count))
			break;
		if ((out = output_state()))
			break;
		report_new_losses(&lost, true);
		next += s->interval_ms * 1000000ULL;
	}
	if (!out) {
		report_new_losses(&lost, true);
		out = output_state();
	}
	if (out < 0 || (err && err != TK_STOP))
		return 1;
	return 0;
}
