// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* Floor loader for the process tools' benchmark: attach the named empty
 * programs of procfloor.bpf.c, say "ready" on stderr, hold them until
 * SIGINT/SIGTERM.  Usage: procfloor PROG...  (e.g. floor_exec_btf) */
#include <signal.h>
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
	int i, err = 1;

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
	fprintf(stderr, "procfloor: ready\n");
	while (!stop)
		pause();
	err = 0;
out:
	procfloor_bpf__destroy(skel);
	return err;
}
