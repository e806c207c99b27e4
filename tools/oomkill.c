// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* oomkill: trace the OOM killer: each victim and the task that triggered it. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "args.h"
#include "log.h"
#include "loop.h"
#include "output.h"
#include "session.h"
#include "oomkill.h"
#include "oomkill.skel.h"

_Static_assert(sizeof(struct oomkill_event) == 256, "oomkill_event layout changed");

static struct env {
	struct tk_opts opts;
} env;

/* oom_kill_process() tells the constraint, the memory cgroup whose limit
 * was hit and the pages shared out; oom:mark_victim alone does not. */
static const struct tk_variant variants[] = {
	{ .name = "fentry",
	  .progs = { "oom_kill_process_fentry", "oom_kill_process_fexit", "mark_victim_tp" } },
	{ .name = "kprobe",
	  .progs = { "oom_kill_process_kprobe", "oom_kill_process_kretprobe", "mark_victim_tp" } },
	{ .name = "tracepoint", .progs = { "mark_victim_tp" } },
};
#define NVARIANTS (int)(sizeof(variants) / sizeof(variants[0]))

/* The kernel's words for them (oom_constraint_text), without CONSTRAINT_. */
static const char *const constraints[] = {
	[OOMKILL_CONSTRAINT_NONE] = "NONE",
	[OOMKILL_CONSTRAINT_CPUSET] = "CPUSET",
	[OOMKILL_CONSTRAINT_MEMORY_POLICY] = "MEMORY_POLICY",
	[OOMKILL_CONSTRAINT_MEMCG] = "MEMCG",
	[OOMKILL_CONSTRAINT_OTHER] = "OTHER",
};

static const char *constraint_name(const struct oomkill_event *e)
{
	if (!e->has_oc)
		return NULL;
	return e->constraint <= OOMKILL_CONSTRAINT_OTHER ? constraints[e->constraint] : "OTHER";
}

static const char examples[] =
"Examples:\n"
"  oomkill                   # trace OOM kills\n"
"  oomkill -j                # as JSON lines\n"
"  oomkill --duration 3600   # for an hour\n";

static const struct option longopts[] = {
	{}
};

static void option(int key, const char *arg)
{
	(void)key;
	(void)arg;
}

/* No task filters: the victim is chosen by the kernel, and who triggers an
 * OOM is what the user wants to learn. bcc's -d is not there either, so
 * -d is the duration, as everywhere. */
static const struct tk_cli cli = {
	.usage = "Usage: oomkill [OPTION]...\n"
		 "Trace the kernel's OOM killer: each process it kills, the process whose\n"
		 "allocation triggered it, the victim's memory and the memory cgroup.",
	.shared = TK_OPT_DURATION,
	.variants = variants,
	.nvariants = NVARIANTS,
	.optstring = "",
	.longopts = longopts,
	.help = "",
	.examples = examples,
	.option = option,
};

/* /proc/loadavg without its newline, as bcc prints it. */
static void loadavg(char *buf, size_t size)
{
	FILE *f = fopen("/proc/loadavg", "r");

	buf[0] = '\0';
	if (f) {
		if (fgets(buf, size, f))
			buf[strcspn(buf, "\n")] = '\0';
		fclose(f);
	}
}

/* A kernel whose tracepoint has only the victim's pid: its name from /proc
 * while it is still there (it is being killed). */
static void victim_comm(const struct oomkill_event *e, char *buf, size_t size)
{
	char path[64];
	FILE *f;

	snprintf(buf, size, "%s", "?");
	if (e->has_details) {
		snprintf(buf, size, "%.16s", e->victim_comm);
		return;
	}
	snprintf(path, sizeof(path), "/proc/%u/comm", e->victim_pid);
	f = fopen(path, "r");
	if (f) {
		if (fgets(buf, size, f))
			buf[strcspn(buf, "\n")] = '\0';
		fclose(f);
	}
}

static int print_event(void *ctx, const void *data, size_t size)
{
	const struct oomkill_event *e = data;
	char clock[16], la[128], vcomm[32];
	long page_kb = sysconf(_SC_PAGESIZE) / 1024;
	unsigned long long rss_kb = e->anon_rss_kb + e->file_rss_kb + e->shmem_rss_kb;
	const char *constraint = constraint_name(e);
	struct jw w;

	(void)ctx;
	if (size < sizeof(*e))
		return 0;
	if (page_kb <= 0)
		page_kb = 4;
	loadavg(la, sizeof(la));
	victim_comm(e, vcomm, sizeof(vcomm));
	if (env.opts.json) {
		jw_event_begin(&w, stdout, "oom_kill", e->ts_ns);
		jw_uint(&w, "trigger_pid", e->trigger_pid);
		jw_uint(&w, "trigger_tid", e->trigger_tid);
		jw_str(&w, "trigger_comm", e->trigger_comm, sizeof(e->trigger_comm));
		jw_uint(&w, "victim_pid", e->victim_pid);
		if (strcmp(vcomm, "?"))
			jw_str(&w, "victim_comm", vcomm, sizeof(vcomm));
		else
			jw_null(&w, "victim_comm");
		if (e->has_details) {
			jw_uint(&w, "victim_uid", e->victim_uid);
			jw_uint(&w, "total_vm_kb", e->total_vm_kb);
			jw_uint(&w, "anon_rss_kb", e->anon_rss_kb);
			jw_uint(&w, "file_rss_kb", e->file_rss_kb);
			jw_uint(&w, "shmem_rss_kb", e->shmem_rss_kb);
			jw_uint(&w, "pgtables_kb", e->pgtables_kb);
			jw_int(&w, "oom_score_adj", e->oom_score_adj);
		} else {
			jw_null(&w, "victim_uid");
			jw_null(&w, "total_vm_kb");
			jw_null(&w, "anon_rss_kb");
			jw_null(&w, "file_rss_kb");
			jw_null(&w, "shmem_rss_kb");
			jw_null(&w, "pgtables_kb");
			jw_null(&w, "oom_score_adj");
		}
		jw_str(&w, "memcg", e->memcg, sizeof(e->memcg));
		jw_uint(&w, "memcg_id", e->memcg_id);
		if (constraint) {
			jw_str(&w, "constraint", constraint, 16);
			jw_uint(&w, "limit_pages", e->totalpages);
		} else {
			jw_null(&w, "constraint");
			jw_null(&w, "limit_pages");
		}
		if (e->oom_memcg_id) {
			jw_str(&w, "oom_memcg", e->oom_memcg, sizeof(e->oom_memcg));
			jw_uint(&w, "oom_memcg_id", e->oom_memcg_id);
		} else {
			jw_null(&w, "oom_memcg");
			jw_null(&w, "oom_memcg_id");
		}
		jw_str(&w, "loadavg", la, sizeof(la));
		jw_end(&w);
		return 0;
	}
	tk_format_clock(clock, sizeof(clock));
	printf("%s Triggered by PID %u (\"", clock, e->trigger_pid);
	tk_print_escaped(stdout, e->trigger_comm, sizeof(e->trigger_comm));
	printf("\"), OOM kill of PID %u (\"", e->victim_pid);
	tk_print_escaped(stdout, vcomm, sizeof(vcomm));
	if (e->has_details)
		printf("\"), %llu pages", rss_kb / page_kb);
	else
		printf("\"), ? pages");
	printf(", memcg ");
	tk_print_escaped(stdout, e->memcg[0] ? e->memcg : "?", sizeof(e->memcg));
	if (constraint)
		printf(", constraint %s, limit %llu pages", constraint,
		       (unsigned long long)e->totalpages);
	else
		printf(", constraint ?, limit ? pages");
	printf(", loadavg: %s\n", la);
	return 0;
}

int main(int argc, char **argv)
{
	struct tk_session session = {
		.opts = &env.opts,
		.variants = variants,
		.nvariants = NVARIANTS,
		.ring_bytes = 64 << 10,
	};
	struct tk_stream stream = { .on_record = print_event };
	struct oomkill_bpf *skel = NULL;
	int err = 1;

	tk_prog = "oomkill";
	tk_arg_no_positional(argc, argv, tk_parse_args(&cli, argc, argv, &env.opts));
	tk_session_init(&env.opts);

	skel = TK_OPEN(oomkill_bpf, &env.opts);
	if (!skel) {
		tk_open_failed(&env.opts);
		goto cleanup;
	}
	session.bpf = TK_BPF_STREAM(skel);
	if (tk_session_prepare(&session) || tk_session_load_attach(&session))
		goto cleanup;

	if (!strcmp(variants[session.variant].name, "tracepoint"))
		tk_warn("this kernel has neither fentry nor kprobes on oom_kill_process: "
			"the constraint and limit are shown as unknown");
	tk_ready("OOM kills", env.opts.duration_ms);
	err = tk_stream_run(&session, &stream);

cleanup:
	tk_session_detach(&session);
	oomkill_bpf__destroy(skel);
	return err;
}
