/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* The workload helpers' start signal (tests/e2e/lib.sh: work ... / go NAME):
 * opening the FIFO blocks until the test opens it for writing, so a helper
 * starts its work only once the tool under test is ready: one open(2) and
 * one close(2), no polling, no failed calls to disturb what a tool counts.
 * Without a FIFO (NULL) the work starts at once. */
#ifndef TK_GO_H
#define TK_GO_H

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static inline void tk_wait_go(const char *prog, const char *go)
{
	int fd;

	if (!go)
		return;
	fd = open(go, O_RDONLY);
	if (fd < 0) {
		fprintf(stderr, "%s: go fifo %s: %s\n", prog, go, strerror(errno));
		exit(1);
	}
	close(fd);
}

/* -G K:FIFO, for helpers that act N times: after the first K actions, print
 * "paused" and wait for FIFO as for the go FIFO, so that a test can act
 * between a burst and the rest (release a stalled tracer, say). */
struct tk_pause {
	long after;
	const char *go;
};

static inline void tk_pause_parse(const char *prog, const char *arg, struct tk_pause *p)
{
	char *end;

	p->after = strtol(arg, &end, 10);
	if (end == arg || *end != ':' || !end[1] || p->after < 0) {
		fprintf(stderr, "%s: -G wants K:FIFO, not %s\n", prog, arg);
		exit(2);
	}
	p->go = end + 1;
}

/* Call before action @i (0-based). */
static inline void tk_pause_at(const char *prog, const struct tk_pause *p, long i)
{
	if (!p->go || i != p->after)
		return;
	printf("paused\n");
	fflush(stdout);
	tk_wait_go(prog, p->go);
}

#endif
