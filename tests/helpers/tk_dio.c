// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* tk_dio: the block I/O workload. Opens DEVICE with O_DIRECT (so each I/O
 * goes to the device, bypassing the page cache: one 4 KiB read or write is
 * one request), prints "pid PID" on its first line, waits on a go FIFO,
 * then does each group of I/Os in order, at consecutive offsets (wrapping
 * at the end of the device), and prints "done reads R writes W".
 *
 *   tk_dio [-g GOFILE] [-o OFFSET] [-t] DEVICE OP COUNT SIZE [OP COUNT SIZE]...
 *     OP       read or write: COUNT I/Os of SIZE bytes (a multiple of 4096);
 *              fsync: COUNT fsync() calls (SIZE 0), each a cache flush on a
 *              device with a write cache; "done" then adds "fsyncs F"
 *     -o       start at byte OFFSET (a multiple of 4096; default 0)
 *     -t       also print "ns_per_io N": the mean time of one I/O, for
 *              benchmarks */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include "tk_go.h"

#define ALIGN 4096	/* O_DIRECT wants aligned buffers, offsets and sizes */

struct group {
	int write;		/* 1 write, 0 read, 2 fsync */
	long count;
	size_t size;
};

/* Block until the test opens GOFILE (a FIFO) for writing, as tk_work does:
 * no polling, nothing else on the disk. */
static long long now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static long parse_num(const char *s, const char *what)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (errno || *end || v < 0) {
		fprintf(stderr, "tk_dio: bad %s '%s'\n", what, s);
		exit(2);
	}
	return v;
}

int main(int argc, char **argv)
{
	const char *go = NULL, *dev;
	long long start, offset = 0, dev_size;
	long reads = 0, writes = 0, fsyncs = 0, i;
	size_t max_size = 0;
	struct group *g;
	int c, fd, timing = 0, ngroups, k;
	char *buf;

	while ((c = getopt(argc, argv, "+g:o:t")) != -1) {
		switch (c) {
		case 'g': go = optarg; break;
		case 'o': offset = parse_num(optarg, "offset"); break;
		case 't': timing = 1; break;
		default: return 2;
		}
	}
	if (argc - optind < 4 || (argc - optind - 1) % 3 || offset % ALIGN) {
		fprintf(stderr, "usage: tk_dio [-g GOFILE] [-o OFFSET] [-t] DEVICE "
			"read|write COUNT SIZE ...\n");
		return 2;
	}
	dev = argv[optind++];
	ngroups = (argc - optind) / 3;
	g = calloc(ngroups, sizeof(*g));
	if (!g)
		return 1;
	for (k = 0; k < ngroups; k++, optind += 3) {
		if (strcmp(argv[optind], "read") && strcmp(argv[optind], "write") &&
		    strcmp(argv[optind], "fsync")) {
			fprintf(stderr, "tk_dio: unknown OP '%s'\n", argv[optind]);
			return 2;
		}
		g[k].write = !strcmp(argv[optind], "write") ? 1 :
			     !strcmp(argv[optind], "fsync") ? 2 : 0;
		g[k].count = parse_num(argv[optind + 1], "COUNT");
		g[k].size = parse_num(argv[optind + 2], "SIZE");
		if (g[k].write == 2 ? g[k].size != 0 : !g[k].size || g[k].size % ALIGN) {
			fprintf(stderr, "tk_dio: SIZE must be a multiple of %d (0 for fsync)\n",
				ALIGN);
			return 2;
		}
		if (g[k].size > max_size)
			max_size = g[k].size;
	}
	fd = open(dev, O_RDWR | O_DIRECT | O_CLOEXEC);
	if (fd < 0) {
		fprintf(stderr, "tk_dio: %s: %s\n", dev, strerror(errno));
		return 1;
	}
	dev_size = lseek(fd, 0, SEEK_END);
	if (dev_size < (long long)max_size || posix_memalign((void **)&buf, ALIGN, max_size)) {
		fprintf(stderr, "tk_dio: %s is smaller than one I/O\n", dev);
		return 1;
	}
	memset(buf, 0x5a, max_size);
	printf("pid %d\n", getpid());
	fflush(stdout);
	tk_wait_go("tk_dio", go);

	start = now_ns();
	for (k = 0; k < ngroups; k++) {
		for (i = 0; i < g[k].count; i++) {
			ssize_t n;

			if (g[k].write == 2) {
				if (fsync(fd)) {
					fprintf(stderr, "tk_dio: fsync: %s\n", strerror(errno));
					return 1;
				}
				fsyncs++;
				continue;
			}
			if (offset + (long long)g[k].size > dev_size)
				offset = 0;
			if (g[k].write)
				n = pwrite(fd, buf, g[k].size, offset);
			else
				n = pread(fd, buf, g[k].size, offset);
			if (n != (ssize_t)g[k].size) {
				fprintf(stderr, "tk_dio: %s of %zu bytes at %lld: %s\n",
					g[k].write ? "write" : "read", g[k].size, offset,
					n < 0 ? strerror(errno) : "short");
				return 1;
			}
			offset += g[k].size;
			if (g[k].write)
				writes++;
			else
				reads++;
		}
	}
	if (timing && reads + writes)
		printf("ns_per_io %lld\n", (now_ns() - start) / (reads + writes));
	if (fsyncs)
		printf("done reads %ld writes %ld fsyncs %ld\n", reads, writes, fsyncs);
	else
		printf("done reads %ld writes %ld\n", reads, writes);
	close(fd);
	free(buf);
	free(g);
	return 0;
}
