// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* biolatency's benchmark floor loader: attach the empty programs of
 * biofloor.bpf.c for one of biolatency's variants (with -Q: the insert hook
 * too), say "ready" on stderr, and hold them until SIGINT/SIGTERM.
 *   biofloor tp_btf|tp_btf-Q|raw_tp|raw_tp-Q */
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <bpf/libbpf.h>
#include "biofloor.skel.h"

static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

int main(int argc, char **argv)
{
	static const struct { const char *mode; const char *progs[3]; } modes[] = {
		{ "tp_btf", { "floor_issue_btf", "floor_complete_btf" } },
		{ "tp_btf-Q", { "floor_insert_btf", "floor_issue_btf", "floor_complete_btf" } },
		{ "raw_tp", { "floor_issue_raw", "floor_complete_raw" } },
		{ "raw_tp-Q", { "floor_insert_raw", "floor_issue_raw", "floor_complete_raw" } },
	};
	int nmodes = (int)(sizeof(modes) / sizeof(modes[0]));
	struct biofloor_bpf *skel;
	struct bpf_program *prog;
	int m, i, err = 1;

	for (m = 0; m < nmodes; m++)
		if (argc == 2 && !strcmp(argv[1], modes[m].mode))
			break;
	if (m == nmodes) {
		fprintf(stderr, "usage: biofloor tp_btf|tp_btf-Q|raw_tp|raw_tp-Q\n");
		return 2;
	}
	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
	skel = biofloor_bpf__open();
	if (!skel) {
		perror("biofloor: open");
		return 1;
	}
	bpf_object__for_each_program(prog, skel->obj) {
		bool want = false;

		for (i = 0; i < 3 && modes[m].progs[i]; i++)
			want |= !strcmp(bpf_program__name(prog), modes[m].progs[i]);
		bpf_program__set_autoload(prog, want);
	}
	if (biofloor_bpf__load(skel) || biofloor_bpf__attach(skel)) {
		fprintf(stderr, "biofloor: load/attach failed\n");
		goto out;
	}
	fprintf(stderr, "biofloor: ready (%s)\n", modes[m].mode);
	while (!stop)
		pause();
	err = 0;
out:
	biofloor_bpf__destroy(skel);
	return err;
}
