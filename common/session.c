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
#include "loop.h"
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

void tk_require_privileges(void)
{
	struct __user_cap_header_struct hdr = { .version = _LINUX_CAPABILITY_VERSION_3 };
	struct __user_cap_data_struct data[2] = {};

	if (syscall(SYS_capget, &hdr, data) == 0 &&
	    (has_cap(data, CAP_SYS_ADMIN) || (has_cap(data, CAP_BPF) && has_cap(data, CAP_PERFMON))))
		return;
	tk_warn("need root (or CAP_BPF and CAP_PERFMON) to load BPF programs");
	exit(1);
}

void tk_init_runtime(void)
{
	tk_require_privileges();
	tk_libbpf_log_setup();
	tk_signals_init();
	tk_output_init();
}

const struct bpf_object_open_opts *tk_open_opts(const struct tk_common *c)
{
	static struct bpf_object_open_opts opts;

	memset(&opts, 0, sizeof(opts));
	opts.sz = sizeof(opts);
	opts.btf_custom_path = c->btf_path;
	return &opts;
}

void *tk_rodata(struct bpf_object *obj, const char *name, size_t size)
{
	const struct btf_var_secinfo *vs;
	const struct btf_type *sec, *var;
	struct bpf_map *map;
	struct btf *btf = bpf_object__btf(obj);
	size_t map_size;
	char *data;
	int id, i;

	if (!btf)
		return NULL;
	bpf_object__for_each_map(map, obj) {
		const char *n = bpf_map__name(map);
		size_t len = strlen(n);

		if (bpf_map__is_internal(map) && len >= 7 && !strcmp(n + len - 7, ".rodata"))
			break;
	}
	id = btf__find_by_name_kind(btf, ".rodata", BTF_KIND_DATASEC);
	if (!map || id < 0)
		return NULL;
	sec = btf__type_by_id(btf, id);
	vs = btf_var_secinfos(sec);
	for (i = 0; i < btf_vlen(sec); i++, vs++) {
		var = btf__type_by_id(btf, vs->type);
		if (strcmp(btf__name_by_offset(btf, var->name_off), name))
			continue;
		/* libbpf 1.1 hands out the writable mmap()ed image as const. */
		data = (char *)(uintptr_t)bpf_map__initial_value(map, &map_size);
		if (!data || vs->size != size || vs->offset + size > map_size)
			return NULL;
		return data + vs->offset;
	}
	return NULL;
}

/* TRACEKIT_PERF_BUFFER=1: the perf buffer even where there is a ring buffer,
 * so that the path of kernels before 5.8 is tested on new ones. */
static bool perf_buffer_forced(void)
{
	const char *v = getenv("TRACEKIT_PERF_BUFFER");

	return v && *v && strcmp(v, "0");
}

static int setup_events(struct bpf_object *obj, size_t ring_bytes, struct tk_config *cfg)
{
	struct bpf_map *events = bpf_object__find_map_by_name(obj, "tk_events");
	struct bpf_map *heap = bpf_object__find_map_by_name(obj, "tk_heap");

	if (!events)
		return 0;
	if (perf_buffer_forced()) {
		tk_info(1, "TRACEKIT_PERF_BUFFER set: using a perf buffer");
	} else if (libbpf_probe_bpf_map_type(BPF_MAP_TYPE_RINGBUF, NULL) == 1) {
		if (ring_bytes && bpf_map__set_max_entries(events, ring_bytes))
			return -EINVAL;
		/* A quarter full is early enough that a reader on another CPU
		 * catches up before a burst fills the rest. */
		cfg->wakeup_bytes = bpf_map__max_entries(events) / 4;
		/* The staging area is only for perf buffers. */
		if (heap)
			bpf_map__set_max_entries(heap, 1);
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

int tk_prepare(struct bpf_object *obj, const struct tk_setup *s)
{
	struct tk_config *cfg = tk_rodata(obj, "tk_config", sizeof(*cfg));
	int chosen = 0;

	if (!cfg) {
		tk_warn("BPF object has no tk_config (built without filter.bpf.h?)");
		return -1;
	}
	cfg->filter = s->filter;
	cfg->filter.comm_len = strnlen(s->filter.comm, TK_COMM_LEN - 1);
	cfg->filter.cgroup = s->cgroup != NULL;
	cfg->filter.self_tgid = getpid();
	if (tk_pidns_fill(&cfg->filter))
		return -1;
	if (setup_events(obj, s->ring_bytes, cfg)) {
		tk_warn("cannot size the event buffer to %zu bytes", s->ring_bytes);
		return -1;
	}
	if (s->variants)
		chosen = tk_attach_select(obj, s->variants, s->nvariants, s->common->attach,
					  s->attach_cgroup);
	return chosen;
}

int tk_after_load(struct bpf_object *obj, const struct tk_setup *s)
{
	struct bpf_map *map;
	__u32 key = 0;
	int fd, err = 0;

	if (!s->cgroup)
		return 0;
	map = bpf_object__find_map_by_name(obj, "tk_cgroup_map");
	fd = open(s->cgroup, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0) {
		tk_warn("cannot open cgroup %s: %s", s->cgroup, strerror(errno));
		return -1;
	}
	if (!map || bpf_map_update_elem(bpf_map__fd(map), &key, &fd, BPF_ANY)) {
		tk_warn("cannot set the cgroup filter: %s", strerror(errno));
		err = -1;
	}
	close(fd);
	return err;
}

void tk_load_failed(int err)
{
	if (err < 0)
		err = -err;
	tk_warn("failed to load BPF programs: %s%s", strerror(err),
		err == EPERM || err == EACCES ?
		" (need root or CAP_BPF+CAP_PERFMON; is the kernel locked down?)" :
		err == ESRCH || err == ENOENT ?
		" (does the kernel have BTF? try --btf FILE)" :
		" (run with -vv for the verifier's log)");
}

int tk_load_attach(struct bpf_object_skeleton *skel, const struct tk_setup *s,
		   struct tk_links **links)
{
	int err = bpf_object__load_skeleton(skel);

	if (err) {
		tk_load_failed(err);
		return -1;
	}
	if (tk_after_load(*skel->obj, s) || tk_attach_all_at(*skel->obj, s->attach_cgroup, links))
		return -1;
	return 0;
}

uint64_t tk_drops_read(struct bpf_object *obj)
{
	struct bpf_map *map = bpf_object__find_map_by_name(obj, "tk_drops");
	static uint64_t *vals;
	static int ncpu;
	uint64_t sum = 0;
	__u32 key = 0;
	int i;

	if (!map)
		return 0;
	if (!vals) {
		ncpu = libbpf_num_possible_cpus();
		if (ncpu <= 0 || !(vals = calloc(ncpu, sizeof(*vals))))
			return 0;
	}
	if (bpf_map_lookup_elem(bpf_map__fd(map), &key, vals))
		return 0;
	for (i = 0; i < ncpu; i++)
		sum += vals[i];
	return sum;
}
