// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#include <errno.h>
#include <stdbool.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <linux/capability.h>
#include <sys/syscall.h>
#include <bpf/bpf.h>
#include <bpf/btf.h>
#include "log.h"
#include "pidns.h"
#include "signals.h"
#include "output.h"
#include "session.h"

#ifndef CAP_PERFMON
#define CAP_PERFMON 38
#endif
#ifndef CAP_BPF
#define CAP_BPF 39
#endif

static bool has_cap(const struct __user_cap_data_struct *d, int cap)
{
	return d[cap / 32].effective & (1u << (cap % 32));
}

static void tk_require_privileges(void)
{
	struct __user_cap_header_struct hdr = { .version = _LINUX_CAPABILITY_VERSION_3 };
	struct __user_cap_data_struct data[2] = {};

	if (syscall(SYS_capget, &hdr, data) == 0 &&
	    (has_cap(data, CAP_SYS_ADMIN) || (has_cap(data, CAP_BPF) && has_cap(data, CAP_PERFMON))))
		return;
	tk_warn("need root (or CAP_BPF and CAP_PERFMON) to load BPF programs");
	exit(1);
}

#define VMLINUX_BTF "/sys/kernel/btf/vmlinux"

void tk_session_init(const struct tk_opts *o)
{
	tk_require_privileges();
	/* Said before anything is probed or announced: without BTF nothing
	 * relocates, and libbpf's own words for it ("No such process") help no one. */
	if (!o->btf_path && access(VMLINUX_BTF, R_OK)) {
		tk_warn("no kernel BTF at %s; pass --btf FILE", VMLINUX_BTF);
		exit(1);
	}
	tk_log_json = o->json;
	tk_libbpf_log_setup();
	tk_signals_init();
	tk_output_init();
}

const struct bpf_object_open_opts *tk_open_opts(const struct tk_opts *o)
{
	static struct bpf_object_open_opts opts;

	memset(&opts, 0, sizeof(opts));
	opts.sz = sizeof(opts);
	opts.btf_custom_path = o->btf_path;
	return &opts;
}

static const char *libbpf_error(int err)
{
	static char buf[128];

	libbpf_strerror(err < 0 ? err : -err, buf, sizeof(buf));
	return buf;
}

void tk_open_failed(const struct tk_opts *o)
{
	int err = errno;

	if (o->btf_path)
		tk_warn("failed to open BPF object with BTF from %s: %s", o->btf_path,
			libbpf_error(err));
	else
		tk_warn("failed to open BPF object: %s", libbpf_error(err));
}

/* TRACEKIT_PERF_BUFFER=1: the perf buffer even where there is a ring buffer,
 * so that the path of kernels before 5.8 is tested on new ones. */
static bool perf_buffer_forced(void)
{
	const char *v = getenv("TRACEKIT_PERF_BUFFER");

	return v && *v && strcmp(v, "0");
}

static int setup_events(struct tk_session *s)
{
	struct bpf_map *events = s->bpf.events;
	struct tk_config *cfg = s->bpf.config;

	if (!events)
		return 0;
	if (perf_buffer_forced()) {
		tk_info(1, "TRACEKIT_PERF_BUFFER set: using a perf buffer");
	} else if (libbpf_probe_bpf_map_type(BPF_MAP_TYPE_RINGBUF, NULL) == 1) {
		if (s->ring_bytes && bpf_map__set_max_entries(events, s->ring_bytes))
			return -EINVAL;
		/* A quarter full is early enough that a reader on another CPU
		 * catches up before a burst fills the rest. */
		cfg->wakeup_bytes = bpf_map__max_entries(events) / 4;
		/* The staging area is only for perf buffers. */
		bpf_map__set_max_entries(s->bpf.heap, 1);
		return 0;
	} else {
		tk_info(1, "no ring buffer in this kernel: using a perf buffer");
	}
	cfg->perf_buffer = 1;
	if (bpf_map__set_type(events, BPF_MAP_TYPE_PERF_EVENT_ARRAY) ||
	    bpf_map__set_key_size(events, sizeof(int)) ||
	    bpf_map__set_value_size(events, sizeof(int)) ||
	    bpf_map__set_max_entries(events, 0))
		return -EINVAL;
	return 0;
}

int tk_session_prepare(struct tk_session *s)
{
	struct tk_config *cfg = s->bpf.config;
	const struct tk_opts *o = s->opts;

	cfg->filter = o->filter;
	cfg->filter.comm_len = strnlen(o->filter.comm, TK_COMM_LEN - 1);
	cfg->filter.cgroup = o->cgroup != NULL;
	cfg->filter.self_tgid = getpid();
	if (tk_pidns_fill(&cfg->filter))
		return -1;
	if (setup_events(s)) {
		tk_warn("cannot size the event buffer to %zu bytes", s->ring_bytes);
		return -1;
	}
	s->variant = 0;
	if (s->variants) {
		s->variant = tk_attach_select(*s->bpf.skeleton->obj, s->variants, s->nvariants,
					      o->attach, s->attach_cgroup);
		if (s->variant < 0)
			return -1;
	}
	return 0;
}

static int fill_cgroup_filter(struct tk_session *s)
{
	__u32 key = 0;
	int fd, err = 0;

	if (!s->opts->cgroup)
		return 0;
	fd = open(s->opts->cgroup, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0) {
		tk_warn("cannot open cgroup %s: %s", s->opts->cgroup, strerror(errno));
		return -1;
	}
	if (bpf_map_update_elem(bpf_map__fd(s->bpf.cgroup_map), &key, &fd, BPF_ANY)) {
		tk_warn("cannot set the cgroup filter: %s", strerror(errno));
		err = -1;
	}
	close(fd);
	return err;
}

static void load_failed(const struct tk_opts *o, int err)
{
	if (err < 0)
		err = -err;
	tk_warn("failed to load BPF programs: %s%s%s%s", libbpf_error(err),
		err == EPERM || err == EACCES ?
		" (need root or CAP_BPF+CAP_PERFMON; is the kernel locked down?)" :
		err == ESRCH || err == ENOENT ?
		(o->btf_path ? " (does " : " (does the kernel have BTF? try --btf FILE)") :
		" (run with -vv for the verifier's log)",
		(err == ESRCH || err == ENOENT) && o->btf_path ? o->btf_path : "",
		(err == ESRCH || err == ENOENT) && o->btf_path ? " match this kernel?)" : "");
}

int tk_session_load_attach(struct tk_session *s)
{
	int err = bpf_object__load_skeleton(s->bpf.skeleton);

	if (err) {
		load_failed(s->opts, err);
		return -1;
	}
	if (fill_cgroup_filter(s) ||
	    tk_attach_all_at(*s->bpf.skeleton->obj, s->attach_cgroup, &s->links))
		return -1;
	return 0;
}

void tk_session_detach(struct tk_session *s)
{
	if (s->detach) {
		s->detach(s->detach_ctx);
		s->detach = NULL;
	}
	tk_detach_all(s->links);
	s->links = NULL;
}
