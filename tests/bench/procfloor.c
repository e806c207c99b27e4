// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* Floor loader for the process tools' benchmark: attach the named empty
 * programs of procfloor.bpf.c, say "ready" on stderr, hold them until
 * SIGINT/SIGTERM.  Usage: procfloor PROG...  (e.g. floor_exec_btf)
 * Cgroup programs go on the cgroup2 root ($TK_CGROUP2, default
 * /sys/fs/cgroup/unified), which the skeleton does not attach by itself. */
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <bpf/libbpf.h>
#include "procfloor.skel.h"

static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

int main(int argc, char **argv)
{
	struct procfloor_bpf *skel;
	struct bpf_program *prog;
	const char *cg = getenv("TK_CGROUP2");
	int i, cg_fd = -1, err = 1;

	if (argc < 2) {
		fprintf(stderr, "usage: procfloor PROG...\n");
		return 2;
	}
	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
	skel = procfloor_bpf__open();
	if (!skel) {
		perror("procfloor: open");
		return 1;
	}
	bpf_object__for_each_program(prog, skel->obj) {
		bool want = false;

		for (i = 1; i < argc; i++)
			want |= !strcmp(bpf_program__name(prog), argv[i]);
		bpf_program__set_autoload(prog, want);
	}
	if (procfloor_bpf__load(skel) || procfloor_bpf__attach(skel)) {
		fprintf(stderr, "procfloor: load/attach failed\n");
		goto out;
	}
	bpf_object__for_each_program(prog, skel->obj) {
		if (!bpf_program__autoload(prog) ||
		    strncmp(bpf_program__section_name(prog), "cgroup/", 7))
			continue;
		if (cg_fd < 0)
			cg_fd = open(cg ? cg : "/sys/fs/cgroup/unified", O_RDONLY | O_DIRECTORY);
		/* The link goes with the process: nothing stays on the cgroup. */
		if (cg_fd < 0 || !bpf_program__attach_cgroup(prog, cg_fd)) {
			fprintf(stderr, "procfloor: cannot attach %s to the cgroup2 root\n",
				bpf_program__name(prog));
			goto out;
		}
	}
	fprintf(stderr, "procfloor: ready\n");
	while (!stop)
		pause();
	err = 0;
out:
	procfloor_bpf__destroy(skel);
	return err;
}
