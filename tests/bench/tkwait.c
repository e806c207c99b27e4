// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* Wait until process PID has BPF programs attached to every named hook, as
 * BPF_TASK_FD_QUERY reports them for its file descriptors (tracepoint name
 * for perf-event attachments, raw tracepoint name for raw_tp/tp_btf links).
 *   tkwait PID TIMEOUT_MS HOOK...
 * Exit 0 when all are attached, 1 on timeout or if PID is gone. Works for
 * any tracer, including ones whose output goes to /dev/null. */
#include <dirent.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <bpf/bpf.h>

#define MAXHOOKS 16

static long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int main(int argc, char **argv)
{
	int pid, nhooks, i;
	long deadline;
	char path[64];

	if (argc < 4 || argc - 3 > MAXHOOKS) {
		fprintf(stderr, "usage: tkwait PID TIMEOUT_MS HOOK...\n");
		return 2;
	}
	pid = atoi(argv[1]);
	deadline = now_ms() + atol(argv[2]);
	nhooks = argc - 3;
	snprintf(path, sizeof(path), "/proc/%d/fd", pid);
	while (now_ms() < deadline) {
		int seen[MAXHOOKS] = {0}, nseen = 0;
		struct dirent *de;
		DIR *d;

		if (kill(pid, 0))
			return 1;
		d = opendir(path);
		if (!d)
			return 1;
		while ((de = readdir(d))) {
			char buf[256];
			__u32 len = sizeof(buf), prog_id, fd_type;
			__u64 off, addr;

			if (de->d_name[0] == '.')
				continue;
			if (bpf_task_fd_query(pid, atoi(de->d_name), 0, buf, &len,
					      &prog_id, &fd_type, &off, &addr))
				continue;
			for (i = 0; i < nhooks; i++)
				if (!seen[i] && !strcmp(buf, argv[3 + i]))
					seen[i] = 1, nseen++;
		}
		closedir(d);
		if (nseen == nhooks)
			return 0;
		usleep(5000);
	}
	fprintf(stderr, "tkwait: pid %d did not attach in time\n", pid);
	return 1;
}
