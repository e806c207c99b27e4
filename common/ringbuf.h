/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* The reader of a BPF ring buffer (BPF_MAP_TYPE_RINGBUF, 5.8+), in place of
 * libbpf's ring_buffer: the same protocol and the same callback, but the
 * data area is mapped once. libbpf maps it twice in a row, so that a record
 * that wraps around the end reads as one piece; the kernel inserts every
 * page of a ring-buffer mapping when it is made, so that counted the whole
 * ring twice in the process's RSS (and in the OOM killer's view of it) from
 * the first moment: 16 MB for an 8 MB ring. Here a record that wraps is
 * copied into a buffer of its own instead, which the ring's sizes (a power
 * of two, records 8-byte aligned) make rare. */
#ifndef TK_RINGBUF_H
#define TK_RINGBUF_H

#include <stddef.h>

/* As libbpf's ring_buffer_sample_fn: 0 to go on, a negative errno to stop
 * reading (the record counts as read; the call returns that errno). */
typedef int (*tk_ring_fn)(void *ctx, void *data, size_t size);

struct tk_ring;

/* NULL with errno set if the map cannot be mapped. */
struct tk_ring *tk_ring_new(int map_fd, tk_ring_fn fn, void *ctx);
void tk_ring_free(struct tk_ring *r);
/* Readable (EPOLLIN) when the kernel wakes the reader. */
int tk_ring_epoll_fd(const struct tk_ring *r);
/* Every record now in the ring, in order: how many were handed over, or
 * the callback's negative errno. */
int tk_ring_consume(struct tk_ring *r);
/* Wait up to @timeout_ms for a wake-up, then as tk_ring_consume; -errno if
 * the wait failed (-EINTR on a signal). */
int tk_ring_poll(struct tk_ring *r, int timeout_ms);

#endif
