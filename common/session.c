// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#include <errno.h>
#include <stdbool.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <limits.h>
#include <linux/capability.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <sys/syscall.h>
#include <bpf/bpf.h>
#include <bpf/btf.h>
#include "log.h"
#include "pidns.h"
#include "signals.h"
#include "output.h"
#include "session.h"
#include "btfmin.h"

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

/* Appends @path to the ", "-separated list @looked. */
static void looked_add(char *looked, size_t size, const char *path)
{
	size_t n = strlen(looked);

	if (n < size)
		snprintf(looked + n, size - n, "%s%s", n ? ", " : "", path);
}

static bool readable_file(const char *path)
{
	struct stat st;

	return !access(path, R_OK) && !stat(path, &st) && S_ISREG(st.st_mode);
}

int tk_btf_find(const char *kernel, const char *exe, const char *release, const char *sysdir,
		char *out, size_t size, char *looked, size_t looked_size)
{
	char dir[PATH_MAX], path[PATH_MAX + 64];
	const char *slash = exe ? strrchr(exe, '/') : NULL;
	const char *where[2] = { NULL, sysdir };
	int i;

	looked[0] = '\0';
	if (readable_file(kernel)) {
		snprintf(out, size, "%s", kernel);
		return 0;
	}
	looked_add(looked, looked_size, kernel);
	/* A release is one path component, or there is no file to look for. */
	if (!release || !*release || strchr(release, '/'))
		return -ENOENT;
	if (slash && (size_t)(slash - exe) < sizeof(dir) - 4) {
		snprintf(dir, sizeof(dir), "%.*s/btf", (int)(slash - exe), exe);
		where[0] = dir;
	}
	for (i = 0; i < 2; i++) {
		if (!where[i])
			continue;
		snprintf(path, sizeof(path), "%s/%s.btf", where[i], release);
		if (readable_file(path) && strlen(path) < size) {
			snprintf(out, size, "%s", path);
			return 0;
		}
		looked_add(looked, looked_size, path);
	}
	return -ENOENT;
}

/* The kernel's own BTF, else one for its release in the kit (btf/ beside the
 * binary: the multi-call binary's directory, wherever links to it are),
 * else in TK_SYSTEM_BTF_DIR. --btf FILE is taken as it is. */
static void find_btf(struct tk_opts *o)
{
	static char found[PATH_MAX + 64];
	char exe[PATH_MAX], looked[3 * (PATH_MAX + 64)];
	struct utsname u;
	ssize_t n;

	if (o->btf_path) {
		tk_info(1, "BTF: %s (--btf)", o->btf_path);
		return;
	}
	n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	exe[n > 0 ? n : 0] = '\0';
	if (uname(&u))
		u.release[0] = '\0';
	if (tk_btf_find(VMLINUX_BTF, n > 0 ? exe : NULL, u.release, TK_SYSTEM_BTF_DIR,
			found, sizeof(found), looked, sizeof(looked))) {
		tk_warn("no kernel BTF for %s: looked at %s; pass --btf FILE",
			u.release[0] ? u.release : "this kernel", looked);
		exit(1);
	}
	if (!strcmp(found, VMLINUX_BTF)) {
		tk_info(1, "BTF: %s (the kernel's own)", VMLINUX_BTF);
		return;
	}
	/* As if given with --btf: variants that need the kernel's own BTF
	 * (fentry, fexit, tp_btf) are then not chosen by auto. */
	o->btf_path = found;
	tk_info(1, "BTF: %s (the kernel has none of its own)", found);
}

void tk_session_init(struct tk_opts *o)
{
	tk_require_privileges();
	tk_log_json = o->json;
	/* Found before anything is probed or announced: without BTF nothing
	 * relocates, and libbpf's own words for it ("No such process") help no one. */
	find_btf(o);
	tk_libbpf_log_setup();
	tk_signals_init();
	tk_output_init();
}

static const struct btf *running_kernel_btf(void)
{
	return tk_btf(NULL);
}

const struct bpf_object_open_opts *tk_open_opts(const struct tk_opts *o, const char *name,
						 const void *(*elf_bytes)(size_t *size))
{
	static struct bpf_object_open_opts opts;
	const void *obj;
	size_t size;

	memset(&opts, 0, sizeof(opts));
	opts.sz = sizeof(opts);
	opts.btf_custom_path = o->btf_path;
	/* The kernel's own BTF: relocated against the cached minimised copy
	 * (btfmin.h), as if given with --btf but with every variant still
	 * open to auto (o->btf_path stays NULL). */
	if (!o->btf_path && elf_bytes && (obj = elf_bytes(&size)))
		opts.btf_custom_path = tk_btf_cached(name, obj, size, running_kernel_btf);
	if (opts.btf_custom_path && !o->btf_path)
		tk_trace_by_id();
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

size_t tk_ring_round(size_t want, size_t max)
{
	size_t ring = 1 << 20;

	while (ring < want && ring < max)
		ring <<= 1;
	return ring;
}

size_t tk_ring_per_cpu(size_t per_cpu, size_t max)
{
	long cpus = sysconf(_SC_NPROCESSORS_ONLN);

	return tk_ring_round(per_cpu * (cpus > 0 ? (size_t)cpus : 1), max);
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
	tk_loop_twins(*s->bpf.skeleton->obj);
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
	int err;

	tk_maps_on_demand(*s->bpf.skeleton->obj);
	tk_btf_release();	/* libbpf parses its own */
	err = bpf_object__load_skeleton(s->bpf.skeleton);
	/* And what tk_trace_by_id's loads parsed for an id not yet cached. */
	tk_btf_release();

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
