// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* tk_hog: the memory workload, for OOM kills inside a memory-limited cgroup.
 * Prints "pid PID", waits on a go FIFO, then allocates and touches memory
 * 1 MiB at a time up to CAP_MB (a cap, so it cannot grow without bound if
 * the limit is missing), and if still alive prints "survived CAP_MB MB".
 *
 *   tk_hog [-g GOFILE] CAP_MB */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "tk_go.h"

int main(int argc, char **argv)
{
	const char *go = NULL;
	long cap, i;
	char *end;
	int c;

	while ((c = getopt(argc, argv, "g:")) != -1) {
		switch (c) {
		case 'g': go = optarg; break;
		default: return 2;
		}
	}
	if (argc - optind != 1) {
		fprintf(stderr, "usage: tk_hog [-g GOFILE] CAP_MB\n");
		return 2;
	}
	cap = strtol(argv[optind], &end, 10);
	if (*end || cap <= 0 || cap > 65536) {
		fprintf(stderr, "tk_hog: bad CAP_MB '%s'\n", argv[optind]);
		return 2;
	}
	printf("pid %d\n", getpid());
	fflush(stdout);
	tk_wait_go("tk_hog", go);
	for (i = 0; i < cap; i++) {
		char *p = malloc(1 << 20);

		if (!p) {
			printf("malloc failed at %ld MB\n", i);
			return 1;
		}
		memset(p, 0x5a, 1 << 20);	/* touch every page */
	}
	printf("survived %ld MB\n", cap);
	return 0;
}
