// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* Unit test for common/ringbuf.c against a real BPF ring buffer: small
 * socket-filter programs, run with BPF_PROG_TEST_RUN, write records of
 * 100, 60 and 180 bytes (and reserve-then-discard 16) into a one-page ring,
 * so records wrap around its end at varying offsets. Every record must come
 * back once, in order, whole, and the discarded ones never. Needs root (to
 * load programs); skipped where there is no bpf(2) (qemu-user). Exit status
 * 0 = pass. */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <linux/bpf.h>
#include <bpf/bpf.h>
#include "ringbuf.h"

static int passed, failed;

#define CHECK(cond, ...) do {						\
	if (cond) {							\
		passed++;						\
	} else {							\
		failed++;						\
		fprintf(stderr, "test_ringbuf.c:%d: FAIL: ", __LINE__);	\
		fprintf(stderr, __VA_ARGS__);				\
		fputc('\n', stderr);					\
	}								\
} while (0)

static const int lens[] = { 100, 60, 180 };	/* the order they are written in */
#define NLENS 3

static struct bpf_insn insn(__u8 code, __u8 dst, __u8 src, __s16 off, __s32 imm)
{
	return (struct bpf_insn){ .code = code, .dst_reg = dst, .src_reg = src, .off = off, .imm = imm };
}

/* A program that writes @len bytes: 8-byte word i of the record holds
 * (len << 8) | i. @len 0: reserve 16 bytes and discard them. */
static int load(int map_fd, int len)
{
	struct bpf_insn p[64];
	int n = 0, words = (len + 7) / 8, i, fd;

	if (len) {
		for (i = 0; i < words; i++)
			p[n++] = insn(BPF_ST | BPF_MEM | BPF_DW, BPF_REG_10, 0,
				      -8 * words + 8 * i, (len << 8) | i);
	}
	p[n++] = insn(BPF_LD | BPF_DW | BPF_IMM, BPF_REG_1, BPF_PSEUDO_MAP_FD, 0, map_fd);
	p[n++] = insn(0, 0, 0, 0, 0);
	if (len) {
		p[n++] = insn(BPF_ALU64 | BPF_MOV | BPF_X, BPF_REG_2, BPF_REG_10, 0, 0);
		p[n++] = insn(BPF_ALU64 | BPF_ADD | BPF_K, BPF_REG_2, 0, 0, -8 * words);
		p[n++] = insn(BPF_ALU64 | BPF_MOV | BPF_K, BPF_REG_3, 0, 0, len);
		p[n++] = insn(BPF_ALU64 | BPF_MOV | BPF_K, BPF_REG_4, 0, 0, 0);
		p[n++] = insn(BPF_JMP | BPF_CALL, 0, 0, 0, BPF_FUNC_ringbuf_output);
	} else {
		p[n++] = insn(BPF_ALU64 | BPF_MOV | BPF_K, BPF_REG_2, 0, 0, 16);
		p[n++] = insn(BPF_ALU64 | BPF_MOV | BPF_K, BPF_REG_3, 0, 0, 0);
		p[n++] = insn(BPF_JMP | BPF_CALL, 0, 0, 0, BPF_FUNC_ringbuf_reserve);
		p[n++] = insn(BPF_JMP | BPF_JEQ | BPF_K, BPF_REG_0, 0, 3, 0);
		p[n++] = insn(BPF_ALU64 | BPF_MOV | BPF_X, BPF_REG_1, BPF_REG_0, 0, 0);
		p[n++] = insn(BPF_ALU64 | BPF_MOV | BPF_K, BPF_REG_2, 0, 0, 0);
		p[n++] = insn(BPF_JMP | BPF_CALL, 0, 0, 0, BPF_FUNC_ringbuf_discard);
	}
	p[n++] = insn(BPF_ALU64 | BPF_MOV | BPF_K, BPF_REG_0, 0, 0, 0);
	p[n++] = insn(BPF_JMP | BPF_EXIT, 0, 0, 0, 0);
	fd = bpf_prog_load(BPF_PROG_TYPE_SOCKET_FILTER, "tk_ring_test", "GPL", p, n, NULL);
	if (fd < 0)
		fprintf(stderr, "test_ringbuf: cannot load a program writing %d: %s\n", len, strerror(errno));
	return fd;
}

static int run(int prog_fd)
{
	char pkt[64] = { 0 };
	LIBBPF_OPTS(bpf_test_run_opts, o, .data_in = pkt, .data_size_in = sizeof(pkt));

	return bpf_prog_test_run_opts(prog_fd, &o);
}

struct seen {
	int n;			/* records delivered */
	int bad;		/* of them, out of order or not whole */
	int stop_at;		/* return -EINTR on delivering this one (-1: never) */
};

static int on_record(void *ctx, void *data, size_t size)
{
	struct seen *s = ctx;
	int len = lens[s->n % NLENS], i;
	uint8_t want[192];

	for (i = 0; i < (len + 7) / 8; i++) {
		uint64_t w = ((uint64_t)len << 8) | i;

		memcpy(want + 8 * i, &w, 8);
	}
	if ((int)size != len || memcmp(data, want, len))
		s->bad++;
	return s->n++ == s->stop_at ? -EINTR : 0;
}

int main(void)
{
	int map_fd, progs[NLENS], discard, i, round, got;
	struct seen s = { .stop_at = -1 };
	struct tk_ring *r;

	if (geteuid()) {
		printf("test_ringbuf: skipped (needs root)\n");
		return 0;
	}
	map_fd = bpf_map_create(BPF_MAP_TYPE_RINGBUF, "tk_ring_test", 0, 0,
				getpagesize(), NULL);
	if (map_fd < 0) {
		/* ENOSYS: no bpf(2) at all (qemu-user, in arm64.sh): nothing to
		 * test there; the guests run the ring for real. */
		if (errno == ENOSYS) {
			printf("# test_ringbuf: SKIP: no bpf(2) here\n");
			printf("test_ringbuf: 0 passed, 0 failed\n");
			return 0;
		}
		fprintf(stderr, "test_ringbuf: no ring buffer map: %s\n", strerror(errno));
		return 1;
	}
	for (i = 0; i < NLENS; i++)
		if ((progs[i] = load(map_fd, lens[i])) < 0)
			return 1;
	if ((discard = load(map_fd, 0)) < 0)
		return 1;
	r = tk_ring_new(map_fd, on_record, &s);
	CHECK(r, "tk_ring_new: %s", strerror(errno));
	if (!r)
		return 1;
	CHECK(tk_ring_consume(r) == 0, "an empty ring: nothing");

	/* 40 rounds of 12 records, a discarded one in the middle of each:
	 * about 1.4 KB a round through a 4 KB ring, wrapping every third. */
	for (round = 0; round < 40; round++) {
		for (i = 0; i < 12; i++) {
			run(progs[i % NLENS]);
			if (i == 5)
				run(discard);
		}
		got = tk_ring_consume(r);
		CHECK(got == 12, "round %d: %d records, want 12", round, got);
	}
	CHECK(s.n == 480 && !s.bad, "480 records back, each whole and in order (%d, %d bad)",
	      s.n, s.bad);

	/* A callback's error stops the reading after its record, which counts
	 * as read; the next call goes on from the one after it. */
	for (i = 0; i < 6; i++)
		run(progs[(s.n + i) % NLENS]);
	s.stop_at = s.n + 2;
	got = tk_ring_consume(r);
	CHECK(got == -EINTR, "the callback's -EINTR is returned (%d)", got);
	got = tk_ring_consume(r);
	CHECK(got == 3 && s.n == 486 && !s.bad, "then the other 3 (%d; %d in all, %d bad)",
	      got, s.n, s.bad);

	/* tk_ring_poll: a wake-up per record written (no flags). */
	run(progs[s.n % NLENS]);
	got = tk_ring_poll(r, 1000);
	CHECK(got == 1, "poll after a write: 1 record (%d)", got);
	got = tk_ring_poll(r, 10);
	CHECK(got == 0, "poll with nothing new: 0 (%d)", got);
	CHECK(!s.bad, "all whole and in order");

	tk_ring_free(r);
	printf("test_ringbuf: %d passed, %d failed\n", passed, failed);
	return failed ? 1 : 0;
}
