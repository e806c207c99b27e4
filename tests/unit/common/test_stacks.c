// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* Unit test for common/stacks.c: counts and stacks read from BPF maps
 * (made here: a hash of counts as the tools' kernel side fills it, and a
 * hash standing in for the stack map, which user space cannot write), the
 * stacks symbolised -- kernel frames through /proc/kallsyms, user frames
 * through this process's own maps and ELF symbols -- and printed folded,
 * as text, as JSON and as a flame graph. Needs root (BPF maps; kallsyms'
 * addresses): without it, it says so and passes, unless CI=true (without
 * bpf(2) at all, under qemu-user, it passes).
 * Exit status 0 = pass. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include "stacks.h"

static int passed, failed;

#define CHECK(cond, what)                                                         \
	do {                                                                      \
		if (cond) {                                                       \
			passed++;                                                 \
		} else {                                                          \
			failed++;                                                 \
			fprintf(stderr, "test_stacks.c:%d: FAIL: %s\n", __LINE__, what); \
		}                                                                 \
	} while (0)

__attribute__((noinline)) int user_leaf(int x)
{
	return x * 3 + 1;
}

__attribute__((noinline)) int user_mid(int x)
{
	return user_leaf(x) + 2;
}

/* A kernel text symbol's address from /proc/kallsyms; 0 if none. */
static unsigned long long ksym(const char *want)
{
	char line[512], name[256], type;
	unsigned long long addr, found = 0;
	FILE *f = fopen("/proc/kallsyms", "r");

	while (f && fgets(line, sizeof(line), f)) {
		if (sscanf(line, "%llx %c %255s", &addr, &type, name) == 3 &&
		    (type == 't' || type == 'T') && !strcmp(name, want)) {
			found = addr;
			break;
		}
	}
	if (f)
		fclose(f);
	return found;
}

/* What tk_stacks_print writes to stdout. */
static char *print_to_string(const struct tk_stacks_report *r, struct tk_stacks_sum *sum, int *err)
{
	char path[] = "/tmp/tk_stacks_XXXXXX", *buf = calloc(1, 1 << 16);
	int fd = mkstemp(path), saved = dup(1);
	ssize_t n;

	fflush(stdout);
	dup2(fd, 1);
	*err = tk_stacks_print(r, sum);
	fflush(stdout);
	dup2(saved, 1);
	close(saved);
	n = pread(fd, buf, (1 << 16) - 1, 0);
	buf[n > 0 ? n : 0] = 0;
	close(fd);
	unlink(path);
	return buf;
}

int main(void)
{
	unsigned long long ips[TK_STACK_MAX_DEPTH] = {};
	unsigned long long trace = ksym("bpf_trace_run4"), sched = ksym("schedule"),
			   nano = ksym("do_nanosleep");
	/* One id on both sides: each side's map is its own. */
	struct tk_stack_key a = { .pid = getpid(), .comm = "tk_test", .user_stack_id = 7,
				  .kernel_stack_id = 7 };
	struct tk_stack_key b = { .pid = getpid(), .comm = "tk_test", .user_stack_id = -EFAULT,
				  .kernel_stack_id = -EEXIST };
	struct tk_stacks_report r = { .user = true, .kernel = true, .divisor = 1000,
				      .skip_hook_frames = true, .annotate = true,
				      .value_name = "us" };
	struct tk_stacks_sum sum;
	char svg[] = "/tmp/tk_stacks_svg_XXXXXX", *out;
	__u64 v;
	__s64 id;
	int err, fd;

	r.counts_fd = bpf_map_create(BPF_MAP_TYPE_HASH, "counts", sizeof(a), 8, 16, NULL);
	r.kstacks_fd = bpf_map_create(BPF_MAP_TYPE_HASH, "kstacks", 8, sizeof(ips), 16, NULL);
	r.ustacks_fd = bpf_map_create(BPF_MAP_TYPE_HASH, "ustacks", 8, sizeof(ips), 16, NULL);
	if (r.counts_fd < 0 || r.kstacks_fd < 0 || r.ustacks_fd < 0 || !sched || !nano || !trace) {
		const char *ci = getenv("CI");
		int e = errno;

		/* ENOSYS: no bpf(2) at all (qemu-user, in arm64.sh): nothing to test. */
		printf("# test_stacks: SKIP: needs root (BPF maps, kallsyms' addresses): %s\n",
		       strerror(e));
		printf("test_stacks: 0 passed, 0 failed\n");
		return e != ENOSYS && ci && !strcmp(ci, "true");
	}
	v = 5000999;	/* ns: 5000 us */
	bpf_map_update_elem(r.counts_fd, &a, &v, BPF_ANY);
	v = 1000;
	bpf_map_update_elem(r.counts_fd, &b, &v, BPF_ANY);
	id = 7;
	ips[0] = (unsigned long long)(unsigned long)&user_leaf + 1;
	ips[1] = (unsigned long long)(unsigned long)&user_mid + 1;
	bpf_map_update_elem(r.ustacks_fd, &id, ips, BPF_ANY);
	ips[0] = trace + 1;	/* the tracer's own frame: left out */
	ips[1] = sched + 1;
	ips[2] = nano + 1;
	bpf_map_update_elem(r.kstacks_fd, &id, ips, BPF_ANY);

	r.format = TK_STACKS_FOLDED;
	fd = mkstemp(svg);
	close(fd);
	r.svg = svg;
	r.svg_title = "t";
	r.svg_unit = "us";
	r.svg_cold = true;
	out = print_to_string(&r, &sum, &err);
	CHECK(err == 0, "folded: no error");
	CHECK(!strcmp(out, "tk_test;[Missed Kernel Stack] 1\n"
			   "tk_test;user_mid;user_leaf;do_nanosleep_[k];schedule_[k] 5000\n"),
	      "folded: smallest first, user frames outermost first, kernel after, hook left out, us");
	if (failed)
		fprintf(stderr, "%s", out);
	CHECK(sum.stacks == 2 && sum.total == 5001, "the sum: 2 stacks, 5001 us");
	free(out);
	{
		char buf[1 << 14] = {};
		FILE *f = fopen(svg, "r");
		size_t n = f ? fread(buf, 1, sizeof(buf) - 1, f) : 0;

		buf[n] = 0;
		if (f)
			fclose(f);
		CHECK(strstr(buf, "data-n=\"user_leaf\"") && strstr(buf, "data-n=\"schedule\"") &&
		      !strstr(buf, "bpf_trace_run4"), "SVG: the frames, not the hook's");
		CHECK(strstr(buf, "(5000 us, "), "SVG: in us");
		unlink(svg);
	}

	r.svg = NULL;
	r.format = TK_STACKS_TEXT;
	out = print_to_string(&r, &sum, &err);
	CHECK(strstr(out, "    [Missed Kernel Stack]\n    -                tk_test (") &&
	      strstr(out, "    schedule\n    do_nanosleep\n    --\n    user_leaf\n    user_mid\n"
			  "    -                tk_test ("), "text: bcc's layout, innermost first");
	CHECK(strstr(out, ")\n        5000\n\n"), "text: the total in us");
	free(out);

	r.format = TK_STACKS_JSON;
	r.kernel = false;	/* -U */
	out = print_to_string(&r, &sum, &err);
	CHECK(strstr(out, "\"comm\":\"tk_test\",\"us\":5000,\"user_frames\":[{\"name\":\"user_leaf\","
			  "\"offset\":1,\"module\":\"test_stacks\"}") != NULL,
	      "JSON -U: the count's name, user frames only with offset and module");
	CHECK(!strstr(out, "kernel_frames") && !strstr(out, "Missed"), "JSON -U: no kernel side");
	free(out);

	close(r.counts_fd);
	close(r.kstacks_fd);
	close(r.ustacks_fd);
	printf("test_stacks: %d passed, %d failed\n", passed, failed);
	return failed != 0;
}
