// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* Benchmark floor loader: attach the empty programs of floor.bpf.c for one
 * configuration, say "ready" on stderr, and hold them until SIGINT/SIGTERM.
 *   floor open            sys_exit_{open,openat,openat2} tracepoints
 *   floor exit            raw_tp sys_exit
 *   floor enter-exit      raw_tp sys_enter + sys_exit
 *   floor btf-exit        tp_btf sys_exit
 *   floor btf-enter-exit  tp_btf sys_enter + sys_exit
 *   floor sched           raw_tp sched_wakeup, sched_wakeup_new, sched_switch
 *   floor btf-sched       tp_btf the same */
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <bpf/libbpf.h>
#include "floor.skel.h"

static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

int main(int argc, char **argv)
{
	static const struct { const char *mode; const char *progs[3]; } modes[] = {
		{ "open", { "floor_exit_open", "floor_exit_openat", "floor_exit_openat2" } },
		{ "exit", { "floor_sys_exit" } },
		{ "enter-exit", { "floor_sys_enter", "floor_sys_exit" } },
		{ "btf-exit", { "floor_sys_exit_btf" } },
		{ "btf-enter-exit", { "floor_sys_enter_btf", "floor_sys_exit_btf" } },
		{ "sched", { "floor_wakeup", "floor_wakeup_new", "floor_switch" } },
		{ "btf-sched", { "floor_wakeup_btf", "floor_wakeup_new_btf", "floor_switch_btf" } },
	};
	struct floor_bpf *skel;
	struct bpf_program *prog;
	int m, i, err = 1;

	for (m = 0; m < (int)(sizeof(modes) / sizeof(modes[0])); m++)
		if (argc == 2 && !strcmp(argv[1], modes[m].mode))
			break;
	if (m == (int)(sizeof(modes) / sizeof(modes[0]))) {
		fprintf(stderr, "usage: floor open|exit|enter-exit|btf-exit|btf-enter-exit|sched|btf-sched\n");
		return 2;
	}
	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
	skel = floor_bpf__open();
	if (!skel) {
		perror("floor: open");
		return 1;
	}
	bpf_object__for_each_program(prog, skel->obj) {
		bool want = false;

		for (i = 0; i < 3 && modes[m].progs[i]; i++)
			want |= !strcmp(bpf_program__name(prog), modes[m].progs[i]);
		bpf_program__set_autoload(prog, want);
	}
	if (floor_bpf__load(skel) || floor_bpf__attach(skel)) {
		fprintf(stderr, "floor: load/attach failed\n");
		goto out;
	}
	fprintf(stderr, "floor: ready (%s)\n", modes[m].mode);
	while (!stop)
		pause();
	err = 0;
out:
	floor_bpf__destroy(skel);
	return err;
}
