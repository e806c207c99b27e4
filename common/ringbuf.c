// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/epoll.h>
#include <sys/mman.h>
#include <linux/bpf.h>
#include <bpf/bpf.h>
#include "ringbuf.h"

/* The map's layout, as the kernel's bpf_ringbuf mmap() offers it: the
 * consumer's position (page 0, the only writable one), the producer's
 * (page 1), then the data area (pages 2.., and again after it, which is
 * what is not mapped here). Each record: a u32 length with the busy and
 * discard bits, a u32 the kernel uses, the record, padding to 8 bytes. */
struct tk_ring {
	int map_fd, epoll_fd;
	size_t page, size;		/* size: the data area, a power of two */
	unsigned long *consumer;
	const unsigned long *producer;
	const uint8_t *data;
	void *copy;			/* a record that wraps, in one piece */
	size_t copy_cap;
	tk_ring_fn fn;
	void *ctx;
};

struct tk_ring *tk_ring_new(int map_fd, tk_ring_fn fn, void *ctx)
{
	struct bpf_map_info info = {};
	__u32 len = sizeof(info);
	struct epoll_event ev = { .events = EPOLLIN };
	struct tk_ring *r;
	void *p;
	int err;

	if (bpf_obj_get_info_by_fd(map_fd, &info, &len))
		return NULL;
	if (info.type != BPF_MAP_TYPE_RINGBUF || !info.max_entries ||
	    (info.max_entries & (info.max_entries - 1))) {
		errno = EINVAL;
		return NULL;
	}
	r = calloc(1, sizeof(*r));
	if (!r)
		return NULL;
	r->map_fd = map_fd;
	r->epoll_fd = -1;
	r->page = sysconf(_SC_PAGESIZE);
	r->size = info.max_entries;
	r->fn = fn;
	r->ctx = ctx;
	p = mmap(NULL, r->page, PROT_READ | PROT_WRITE, MAP_SHARED, map_fd, 0);
	if (p == MAP_FAILED)
		goto fail;
	r->consumer = p;
	p = mmap(NULL, r->page + r->size, PROT_READ, MAP_SHARED, map_fd, r->page);
	if (p == MAP_FAILED)
		goto fail;
	r->producer = p;
	r->data = (const uint8_t *)p + r->page;
	r->epoll_fd = epoll_create1(EPOLL_CLOEXEC);
	if (r->epoll_fd < 0 || epoll_ctl(r->epoll_fd, EPOLL_CTL_ADD, map_fd, &ev))
		goto fail;
	return r;
fail:
	err = errno;
	tk_ring_free(r);
	errno = err;
	return NULL;
}

void tk_ring_free(struct tk_ring *r)
{
	if (!r)
		return;
	if (r->consumer)
		munmap(r->consumer, r->page);
	if (r->producer)
		munmap((void *)r->producer, r->page + r->size);
	if (r->epoll_fd >= 0)
		close(r->epoll_fd);
	free(r->copy);
	free(r);
}

int tk_ring_epoll_fd(const struct tk_ring *r)
{
	return r->epoll_fd;
}

/* The record of @len bytes after the header at @off, in one piece. */
static void *record(struct tk_ring *r, size_t off, uint32_t len)
{
	size_t start = (off + BPF_RINGBUF_HDR_SZ) & (r->size - 1);
	size_t first = r->size - start;

	if (len <= first)
		return (void *)(r->data + start);
	if (len > r->copy_cap) {
		void *p = realloc(r->copy, len);

		if (!p)
			return NULL;
		r->copy = p;
		r->copy_cap = len;
	}
	memcpy(r->copy, r->data + start, first);
	memcpy((uint8_t *)r->copy + first, r->data, len - first);
	return r->copy;
}

int tk_ring_consume(struct tk_ring *r)
{
	unsigned long cons = __atomic_load_n(r->consumer, __ATOMIC_ACQUIRE), prod;
	uint32_t hdr, len;
	int n = 0, err;
	void *rec;
	bool more;

	do {
		more = false;
		prod = __atomic_load_n(r->producer, __ATOMIC_ACQUIRE);
		while (cons < prod) {
			size_t off = cons & (r->size - 1);

			hdr = __atomic_load_n((const uint32_t *)(r->data + off), __ATOMIC_ACQUIRE);
			if (hdr & BPF_RINGBUF_BUSY_BIT)
				return n;	/* still being written: the rest later */
			more = true;
			len = hdr & ~BPF_RINGBUF_DISCARD_BIT;
			err = 0;
			if (!(hdr & BPF_RINGBUF_DISCARD_BIT)) {
				/* Left in the ring if there is no memory to copy
				 * it into: the run ends on -ENOMEM. */
				rec = record(r, off, len);
				if (!rec)
					return -ENOMEM;
				err = r->fn(r->ctx, rec, len);
				if (n < INT32_MAX)
					n++;
			}
			cons += (BPF_RINGBUF_HDR_SZ + len + 7) & ~7UL;
			__atomic_store_n(r->consumer, cons, __ATOMIC_RELEASE);
			if (err < 0)
				return err;
		}
	} while (more);
	return n;
}

int tk_ring_poll(struct tk_ring *r, int timeout_ms)
{
	struct epoll_event ev;

	if (epoll_wait(r->epoll_fd, &ev, 1, timeout_ms) < 0)
		return -errno;
	return tk_ring_consume(r);
}
