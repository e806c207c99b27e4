// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* tracekit: every tool in one static binary (the incident-response kit).
 *
 * Each tools/X.c is compiled a second time with -Dmain=X_main and linked
 * here once, so the C library, libbpf, libelf and zlib are carried once
 * instead of once per tool. Called through a link named after a tool
 * (opensnoop -> tracekit), it is that tool; called as `tracekit TOOL ARGS`,
 * it runs TOOL with ARGS, for file systems without links (FAT sticks).
 * The tool's main sets tk_prog, so every message carries the tool's name. */
#include <stdio.h>
#include <string.h>
#include "args.h"

/* Every tool, one a line, in the order of the Makefile's TOOLS: `make multi`
 * refuses to build when the two lists differ. */
#define TK_MULTICALL_TOOLS \
	TK_TOOL(opensnoop) \
	TK_TOOL(syscount) \
	TK_TOOL(biolatency) \
	TK_TOOL(tcpconnect) \
	TK_TOOL(ttysnoop) \
	TK_TOOL(sslsniff) \
	TK_TOOL(dnssnoop) \
	TK_TOOL(execsnoop) \
	TK_TOOL(exitsnoop) \
	TK_TOOL(killsnoop) \
	TK_TOOL(biosnoop) \
	TK_TOOL(mountsnoop) \
	TK_TOOL(oomkill) \
	TK_TOOL(tcpstates) \
	TK_TOOL(tcplife) \
	TK_TOOL(profile) \
	TK_TOOL(tcpaccept) \
	TK_TOOL(bindsnoop) \
	TK_TOOL(tcpretrans) \
	TK_TOOL(offcputime) \
	TK_TOOL(runqlat)

#define TK_TOOL(name) int name##_main(int argc, char **argv);
TK_MULTICALL_TOOLS
#undef TK_TOOL

static const struct tool {
	const char *name;
	int (*main)(int argc, char **argv);
} tools[] = {
#define TK_TOOL(name) { #name, name##_main },
	TK_MULTICALL_TOOLS
#undef TK_TOOL
};
#define NTOOLS (int)(sizeof(tools) / sizeof(tools[0]))

static const struct tool *find_tool(const char *name)
{
	int i;

	for (i = 0; i < NTOOLS; i++)
		if (!strcmp(tools[i].name, name))
			return &tools[i];
	return NULL;
}

static void print_tools(FILE *f, const char *sep)
{
	int i;

	for (i = 0; i < NTOOLS; i++)
		fprintf(f, "%s%s", i ? sep : "", tools[i].name);
}

static void usage(void)
{
	printf("Usage: tracekit TOOL [ARG]...\n"
	       "  or:  TOOL [ARG]...   (through a link named TOOL to this binary)\n"
	       "  or:  tracekit -l | -h | -V\n"
	       "Every tracekit tool in one static binary. Run TOOL --help for a tool's\n"
	       "options.\n"
	       "\n"
	       "Tools: ");
	print_tools(stdout, ", ");
	printf("\n"
	       "\n"
	       "  -l, --list             list the tools, one per line, and exit\n"
	       "  -h, --help             show this help and exit\n"
	       "  -V, --version          show the version and exit\n"
	       "\n"
	       "Examples:\n"
	       "  tracekit opensnoop -d 10  # opensnoop for 10 seconds\n"
	       "  ln -s tracekit opensnoop  # then: ./opensnoop -d 10\n"
	       "  for t in $(./tracekit -l); do ln -s tracekit \"$t\"; done\n");
}

static const char *base_name(const char *path)
{
	const char *slash = strrchr(path, '/');

	return slash ? slash + 1 : path;
}

int main(int argc, char **argv)
{
	const struct tool *t;
	const char *arg;

	/* Through a link: argv[0] names the tool. */
	if (argc > 0 && (t = find_tool(base_name(argv[0]))))
		return t->main(argc, argv);

	if (argc < 2) {
		fprintf(stderr, "tracekit: missing TOOL (choose from: ");
		print_tools(stderr, ", ");
		fprintf(stderr, ")\nTry 'tracekit --help'.\n");
		return 2;
	}
	arg = argv[1];
	t = find_tool(arg);
	if (t)
		return t->main(argc - 1, argv + 1);
	if (!strcmp(arg, "-h") || !strcmp(arg, "--help")) {
		usage();
		return 0;
	}
	if (!strcmp(arg, "-V") || !strcmp(arg, "--version")) {
		printf("tracekit %s\n", TK_VERSION);
		return 0;
	}
	if (!strcmp(arg, "-l") || !strcmp(arg, "--list")) {
		print_tools(stdout, "\n");
		putchar('\n');
		return 0;
	}
	if (arg[0] == '-') {
		fprintf(stderr, "tracekit: invalid option '%s'\nTry 'tracekit --help'.\n", arg);
		return 2;
	}
	fprintf(stderr, "tracekit: unknown tool '%s' (choose from: ", arg);
	print_tools(stderr, ", ");
	fprintf(stderr, ")\nTry 'tracekit --help'.\n");
	return 2;
}
