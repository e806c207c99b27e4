// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* tcpconnect's benchmark floor loader: attach the empty programs of
 * tcpfloor.bpf.c for one of tcpconnect's variants, say "ready" on stderr,
 * and hold them until SIGINT/SIGTERM.
 *   tcpfloor tracepoint|tracepoint-L|fentry|kprobe
 *   tcpfloor accept-tracepoint|accept-fentry|accept-kprobe (tcpaccept's) */
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <bpf/libbpf.h>
#include "tcpfloor.skel.h"

static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

int main(int argc, char **argv)
{
	static const struct { const char *mode; const char *progs[5]; } modes[] = {
		{ "tracepoint", { "floor_state" } },
		{ "tracepoint-L", { "floor_state", "floor_retransmit" } },
		{ "fentry", { "floor_v4_fexit", "floor_v6_fexit" } },
		{ "kprobe", { "floor_v4_kprobe", "floor_v4_kretprobe",
			      "floor_v6_kprobe", "floor_v6_kretprobe" } },
		{ "accept-tracepoint", { "floor_accept4_exit", "floor_accept_exit" } },
		{ "accept-fentry", { "floor_accept_fentry" } },
		{ "accept-kprobe", { "floor_accept_kprobe" } },
	};
	int nmodes = (int)(sizeof(modes) / sizeof(modes[0]));
	struct tcpfloor_bpf *skel;
	struct bpf_program *prog;
	int m, i, err = 1;

	for (m = 0; m < nmodes; m++)
		if (argc == 2 && !strcmp(argv[1], modes[m].mode))
			break;
	if (m == nmodes) {
		fprintf(stderr, "usage: tcpfloor tracepoint|tracepoint-L|fentry|kprobe|\n"
			"                accept-tracepoint|accept-fentry|accept-kprobe\n");
		return 2;
	}
	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
	skel = tcpfloor_bpf__open();
	if (!skel) {
		perror("tcpfloor: open");
		return 1;
	}
	bpf_object__for_each_program(prog, skel->obj) {
		bool want = false;

		for (i = 0; i < 5 && modes[m].progs[i]; i++)
			want |= !strcmp(bpf_program__name(prog), modes[m].progs[i]);
		bpf_program__set_autoload(prog, want);
	}
	if (tcpfloor_bpf__load(skel) || tcpfloor_bpf__attach(skel)) {
		fprintf(stderr, "tcpfloor: load/attach failed\n");
		goto out;
	}
	fprintf(stderr, "tcpfloor: ready (%s)\n", modes[m].mode);
	while (!stop)
		pause();
	err = 0;
out:
	tcpfloor_bpf__destroy(skel);
	return err;
}
