// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#include <errno.h>
#include <pthread.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <linux/perf_event.h>
#include <sys/ioctl.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
#include <bpf/bpf.h>
#include <bpf/btf.h>
#include "args.h"
#include "attach.h"
#include "btfmin.h"
#include "log.h"
#include "tracefs.h"

/* The kernel's internal "not supported" (include/linux/errno.h). */
#ifndef ENOTSUPP
#define ENOTSUPP 524
#endif

#define KPROBE_PMU "/sys/bus/event_source/devices/kprobe"

void tk_variant_check(const struct tk_variant *v, int n, const char *name)
{
	char list[256] = "";
	int i;

	for (i = 0; i < n; i++) {
		if (!strcmp(v[i].name, name))
			return;
		snprintf(list + strlen(list), sizeof(list) - strlen(list), "%s%s",
			 i ? ", " : "", v[i].name);
	}
	if (!strcmp(name, "auto"))
		return;
	tk_usage_error("invalid attach variant '%s' (choose from: auto, %s)", name, list);
}

/* The smallest program of a type: r0 = @ret; exit. */
static int load_probe(enum bpf_prog_type type, enum bpf_attach_type eat, int btf_id,
		      int ret, char *why, size_t size)
{
	LIBBPF_OPTS(bpf_prog_load_opts, opts,
		.expected_attach_type = eat,
		.attach_btf_id = btf_id,
	);
	const struct bpf_insn insns[] = {
		{ .code = BPF_ALU64 | BPF_MOV | BPF_K, .dst_reg = BPF_REG_0, .imm = ret },
		{ .code = BPF_JMP | BPF_EXIT },
	};
	int fd = bpf_prog_load(type, NULL, "GPL", insns, 2, &opts);

	if (fd < 0) {
		fd = -errno;
		snprintf(why, size, "the kernel refuses to load such a program: %s", strerror(-fd));
	}
	return fd;
}

/* Parsed only when a question needs it, once for the whole run (the probes
 * below, a tool's own questions through tk_btf()), and freed before the BPF
 * object loads: it is some 6 MB that the run itself never needs, and libbpf
 * parses its own copy to relocate. Each parse costs as much again at start. */
static struct {
	struct btf *btf;
	char *path;	/* NULL: the running kernel's */
	int err;
} btfs[2];

struct btf *tk_btf(const char *path)
{
	int i = path ? 1 : 0;

	if (path && btfs[1].path && strcmp(btfs[1].path, path))
		tk_btf_release();
	if (!btfs[i].btf && !btfs[i].err) {
		btfs[i].btf = path ? btf__parse(path, NULL) : btf__load_vmlinux_btf();
		if (!btfs[i].btf)
			btfs[i].err = errno ? -errno : -ENOENT;
		else if (path)
			btfs[i].path = strdup(path);
	}
	if (!btfs[i].btf)
		errno = -btfs[i].err;
	return btfs[i].btf;
}

void tk_btf_release(void)
{
	size_t i;

	for (i = 0; i < sizeof(btfs) / sizeof(btfs[0]); i++) {
		btf__free(btfs[i].btf);
		free(btfs[i].path);
		btfs[i].btf = NULL;
		btfs[i].path = NULL;
		btfs[i].err = 0;
	}
}

static const struct btf *running_kernel_btf(void)
{
	/* Always the running kernel's own BTF, even with --btf: attach ids
	 * are resolved by the kernel against its own. */
	return tk_btf(NULL);
}

/* Remembered per kernel (btfmin.h): a run that finds every id there
 * parses no kernel BTF for its probes. */
static int btf_id(const char *name, __u32 kind, char *why, size_t size)
{
	int id = tk_btf_kernel_id(name, kind, running_kernel_btf);

	if (id < 0) {
		snprintf(why, size, "the kernel has no BTF of its own (%s)", strerror(-id));
		return -ENOENT;
	}
	if (!id) {
		snprintf(why, size, "%s is not in the kernel's BTF", name);
		return -ENOENT;
	}
	return id;
}

/* tp_btf, fentry and fexit programs, loaded with their attach point's id
 * from btf_id() instead of libbpf's lookup. For any program of type
 * TRACING in an object, libbpf parses the whole kernel BTF at load (7 ms
 * here with libbpf 1.7, 43 with 1.1: most of such a tool's startup once
 * its CO-RE is relocated against the minimised BTF), only to find that id.
 * Their sections are registered as raw_tp programs, which need no kernel
 * BTF, and made TRACING programs again as each loads; tk_attach_all
 * attaches them as libbpf would (bpf_program__attach_trace). */
static const struct {
	const char *sec;
	enum bpf_attach_type eat;
} by_id[] = {
	{ "tp_btf+", BPF_TRACE_RAW_TP },
	{ "fentry+", BPF_TRACE_FENTRY },
	{ "fexit+", BPF_TRACE_FEXIT },
};

static int trace_prepare(struct bpf_program *prog, struct bpf_prog_load_opts *opts, long cookie)
{
	enum bpf_attach_type eat = by_id[cookie].eat;
	const char *target = strchr(bpf_program__section_name(prog), '/');
	char name[256], why[256];
	int id;

	if (!target || !target[1])
		return -EINVAL;
	snprintf(name, sizeof(name), eat == BPF_TRACE_RAW_TP ? "btf_trace_%s" : "%s", target + 1);
	id = btf_id(name, eat == BPF_TRACE_RAW_TP ? BTF_KIND_TYPEDEF : BTF_KIND_FUNC, why,
		    sizeof(why));
	if (id < 0) {
		tk_warn("cannot load %s: %s", bpf_program__section_name(prog), why);
		return -ESRCH;
	}
	if (bpf_program__set_type(prog, BPF_PROG_TYPE_TRACING) ||
	    bpf_program__set_expected_attach_type(prog, eat))
		return -EINVAL;
	opts->expected_attach_type = eat;
	opts->attach_btf_obj_fd = 0;
	opts->attach_btf_id = id;
	return 0;
}

void tk_trace_by_id(void)
{
	static bool done;
	size_t i;

	if (done)
		return;
	done = true;
	for (i = 0; i < sizeof(by_id) / sizeof(by_id[0]); i++) {
		LIBBPF_OPTS(libbpf_prog_handler_opts, o, .cookie = i,
			    .prog_prepare_load_fn = trace_prepare);

		if (libbpf_register_prog_handler(by_id[i].sec, BPF_PROG_TYPE_RAW_TRACEPOINT, 0,
						 &o) < 0)
			tk_info(1, "BTF: libbpf finds %s programs' attach points itself", by_id[i].sec);
	}
}

static int probe_tracing(const char *target, enum bpf_attach_type eat, char *why, size_t size)
{
	char name[256];
	int id, fd, lfd;

	if (eat == BPF_TRACE_RAW_TP)
		snprintf(name, sizeof(name), "btf_trace_%s", target);
	else
		snprintf(name, sizeof(name), "%s", target);
	id = btf_id(name, eat == BPF_TRACE_RAW_TP ? BTF_KIND_TYPEDEF : BTF_KIND_FUNC, why, size);
	if (id < 0)
		return -ENOENT;
	fd = load_probe(BPF_PROG_TYPE_TRACING, eat, id, 0, why, size);
	if (fd < 0)
		return fd;
	/* tp_btf: the load found the hook (its btf_trace_ type comes with the
	 * tracepoint), and its attach needs no trampoline. A trial attach would
	 * tell no more and costs ~1 ms a hook here: on an idle tracepoint it
	 * patches the kernel's text in and out, and the real attach after it
	 * waits for RCU grace periods (tracepoint.c's 1-0-1 transition).
	 * fentry and fexit are attached: a kernel without trampolines (arm64
	 * before 6.4) loads them and then refuses. */
	if (eat == BPF_TRACE_RAW_TP) {
		close(fd);
		return 0;
	}
	lfd = bpf_raw_tracepoint_open(NULL, fd);
	if (lfd < 0 && errno == ENOTSUPP) {
		/* The kernel's own errno, unknown to libc ("Unknown error
		 * 524"): it has no BPF trampoline for kernel functions (arm64
		 * before 6.4, without ftrace direct calls). */
		lfd = -ENOTSUPP;
		snprintf(why, size, "attaching failed: not supported by this kernel (error %d, "
			 "ENOTSUPP: no BPF trampoline for kernel functions)", ENOTSUPP);
	} else if (lfd < 0) {
		lfd = -errno;
		snprintf(why, size, "attaching failed: %s", strerror(-lfd));
	} else {
		close(lfd);
		lfd = 0;
	}
	close(fd);
	return lfd;
}

static int read_int_file(const char *path, const char *prefix, long *out)
{
	char buf[64];
	ssize_t n;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return -errno;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return -EINVAL;
	buf[n] = '\0';
	if (prefix && strncmp(buf, prefix, strlen(prefix)))
		return -EINVAL;
	*out = strtol(buf + (prefix ? strlen(prefix) : 0), NULL, 10);
	return 0;
}

/* Attach @prog_fd through a perf event, as tracepoints and kprobes are. */
static int perf_attach(struct perf_event_attr *attr, int prog_fd, char *why, size_t size)
{
	int pfd, err = 0;

	attr->size = sizeof(*attr);
	pfd = syscall(__NR_perf_event_open, attr, -1, 0, -1, PERF_FLAG_FD_CLOEXEC);
	if (pfd < 0) {
		err = -errno;
		snprintf(why, size, "creating the perf event failed: %s", strerror(-err));
		return err;
	}
	if (ioctl(pfd, PERF_EVENT_IOC_SET_BPF, prog_fd)) {
		err = -errno;
		snprintf(why, size, "attaching failed: %s", strerror(-err));
	}
	close(pfd);
	return err;
}

static int probe_kprobe(const char *func, bool ret, char *why, size_t size)
{
	struct perf_event_attr attr = {};
	char fname[128];
	long type, bit = 0;
	int fd, err;
	char *plus;

	if (read_int_file(KPROBE_PMU "/type", NULL, &type)) {
		snprintf(why, size, "the kernel has no kprobes (no %s; CONFIG_KPROBES off?)", KPROBE_PMU);
		return -EOPNOTSUPP;
	}
	if (ret && read_int_file(KPROBE_PMU "/format/retprobe", "config:", &bit)) {
		snprintf(why, size, "the kernel has no kretprobes");
		return -EOPNOTSUPP;
	}
	snprintf(fname, sizeof(fname), "%s", func);
	plus = strchr(fname, '+');
	if (plus)
		*plus = '\0';
	fd = load_probe(BPF_PROG_TYPE_KPROBE, 0, 0, 0, why, size);
	if (fd < 0)
		return fd;
	attr.type = type;
	attr.config = ret ? 1ULL << bit : 0;
	attr.config1 = (__u64)(unsigned long)fname;
	err = perf_attach(&attr, fd, why, size);
	if (err == -ENOENT || err == -EINVAL)
		snprintf(why, size, "no kernel function %s to probe", fname);
	close(fd);
	return err;
}

/* A tracepoint either exists (its id in tracefs) or not, and whether its
 * program type loads is a trial load away. A trial attach would tell us no
 * more, and is not free: closing a perf event on a syscall tracepoint waits
 * for a grace period, some 70 ms each here, which made startup ten times
 * slower. Attach failures that remain are reported by tk_attach_all. */
static int probe_tracepoint(const char *cat_name, char *why, size_t size)
{
	/* Whether the type loads is one answer for every hook: asked once
	 * (a tool may have 27 tracepoint programs, ~0.1 ms a trial load). */
	static int loads = 1;	/* 1: not asked yet, 0: it loads, -errno */
	static char loads_why[256];
	const char *tfs = tk_tracefs();
	char path[512];
	long id;
	int fd;

	if (!tfs) {
		snprintf(why, size, "tracefs is not available");
		return -ENOENT;
	}
	snprintf(path, sizeof(path), "%s/events/%s/id", tfs, cat_name);
	if (read_int_file(path, NULL, &id)) {
		snprintf(why, size, "the kernel has no tracepoint %s", cat_name);
		return -ENOENT;
	}
	if (loads == 1) {
		fd = load_probe(BPF_PROG_TYPE_TRACEPOINT, 0, 0, 0, loads_why, sizeof(loads_why));
		loads = fd < 0 ? fd : 0;
		if (fd >= 0)
			close(fd);
	}
	if (loads)
		snprintf(why, size, "%s", loads_why);
	return loads;
}

static int probe_raw_tp(const char *name, char *why, size_t size)
{
	int fd, lfd;

	fd = load_probe(BPF_PROG_TYPE_RAW_TRACEPOINT, 0, 0, 0, why, size);
	if (fd < 0)
		return fd;
	lfd = bpf_raw_tracepoint_open(name, fd);
	if (lfd < 0) {
		lfd = -errno;
		snprintf(why, size, "attaching to raw tracepoint %s failed: %s", name, strerror(-lfd));
	} else {
		close(lfd);
		lfd = 0;
	}
	close(fd);
	return lfd;
}

/* Mount points are written with \ooo escapes for space, tab, newline and
 * backslash (the kernel's show_mountinfo/mangle). */
static void unescape_octal(char *s)
{
	char *out = s;

	for (; *s; s++) {
		if (s[0] == '\\' && s[1] >= '0' && s[1] <= '3' && s[2] >= '0' && s[2] <= '7' &&
		    s[3] >= '0' && s[3] <= '7') {
			*out++ = (char)((s[1] - '0') << 6 | (s[2] - '0') << 3 | (s[3] - '0'));
			s += 3;
		} else {
			*out++ = *s;
		}
	}
	*out = '\0';
}

int tk_cgroup2_find(FILE *mounts, char *buf, size_t size)
{
	char *line = NULL, *save, *dir, *type;
	size_t cap = 0;
	int err = -ENOENT;

	/* getline, not a fixed buffer: overlayfs lines can run for pages. */
	while (getline(&line, &cap, mounts) > 0) {
		if (!strtok_r(line, " \t\n", &save) || !(dir = strtok_r(NULL, " \t\n", &save)) ||
		    !(type = strtok_r(NULL, " \t\n", &save)) || strcmp(type, "cgroup2"))
			continue;
		unescape_octal(dir);
		if (strlen(dir) >= size)
			continue;
		snprintf(buf, size, "%s", dir);
		err = 0;
		break;
	}
	free(line);
	return err;
}

const char *tk_cgroup2_root(void)
{
	static char root[4096];
	static int looked;
	FILE *f;

	if (!looked) {
		looked = 1;
		f = fopen("/proc/self/mounts", "re");
		if (f) {
			if (tk_cgroup2_find(f, root, sizeof(root)))
				root[0] = '\0';
			fclose(f);
		}
	}
	return root[0] ? root : NULL;
}

bool tk_is_cgroup_program(const struct bpf_program *prog)
{
	switch (bpf_program__type(prog)) {
	case BPF_PROG_TYPE_CGROUP_SKB:
	case BPF_PROG_TYPE_CGROUP_SOCK:
	case BPF_PROG_TYPE_CGROUP_SOCK_ADDR:
	case BPF_PROG_TYPE_CGROUP_DEVICE:
	case BPF_PROG_TYPE_CGROUP_SYSCTL:
	case BPF_PROG_TYPE_CGROUP_SOCKOPT:
	case BPF_PROG_TYPE_SOCK_OPS:
		return true;
	default:
		return false;
	}
}

#define NO_CGROUP2 "no cgroup2 file system is mounted"

/* Load a program of @prog's type for @prog's hook and attach it to the
 * cgroup2 root, as bpf_program__attach_cgroup will: a link, so it goes away
 * with its fd. For that moment it runs for every socket, packet, device
 * access or sysctl of the machine, so it must let everything through: 1
 * is "allow" (or "pass") for every cgroup hook, and the only value
 * recvmsg/getpeername/getsockname hooks may return; 0 would drop packets
 * and fail system calls. */
static int probe_cgroup(const struct bpf_program *prog, char *why, size_t size)
{
	/* One link proves the cgroup takes links from us; after it, the
	 * load alone proves each hook, since the kernel checks a cgroup
	 * program's expected attach type at load (bpf_prog_load_check_attach).
	 * Each trial link would turn the hook's static key on and off, and
	 * rebuild the effective programs of every cgroup below the root,
	 * twice: ~0.4 ms a hook here, nine hooks for dnssnoop. */
	static bool linked;
	enum bpf_attach_type eat = bpf_program__expected_attach_type(prog);
	const char *root = tk_cgroup2_root();
	int cg, fd, link, err = 0;

	if (linked && root) {
		fd = load_probe(bpf_program__type(prog), eat, 0, 1, why, size);
		if (fd < 0)
			return fd;
		close(fd);
		return 0;
	}

	if (!root) {
		snprintf(why, size, NO_CGROUP2);
		return -ENOENT;
	}
	cg = open(root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (cg < 0) {
		err = -errno;
		snprintf(why, size, "cannot open cgroup %s: %s", root, strerror(-err));
		return err;
	}
	fd = load_probe(bpf_program__type(prog), eat, 0, 1, why, size);
	if (fd < 0) {
		close(cg);
		return fd;
	}
	link = bpf_link_create(fd, cg, eat, NULL);
	if (link < 0) {
		err = -errno;
		snprintf(why, size, "attaching to cgroup %s failed: %s", root, strerror(-err));
	} else {
		close(link);
		linked = true;
	}
	close(fd);
	close(cg);
	return err;
}

/* Socket filters need the tool's own socket: loading one is the test. */
static int probe_socket_filter(char *why, size_t size)
{
	int fd = load_probe(BPF_PROG_TYPE_SOCKET_FILTER, 0, 0, 0, why, size);

	if (fd < 0)
		return fd;
	close(fd);
	return 0;
}

static bool has_prefix(const char *s, const char *prefix, const char **rest)
{
	size_t n = strlen(prefix);

	if (strncmp(s, prefix, n))
		return false;
	*rest = s + n;
	return true;
}

int tk_probe_program(const struct bpf_program *prog, char *why, size_t size)
{
	const char *sec = bpf_program__section_name(prog), *t;

	why[0] = '\0';
	if (has_prefix(sec, "fentry/", &t))
		return probe_tracing(t, BPF_TRACE_FENTRY, why, size);
	if (has_prefix(sec, "fexit/", &t))
		return probe_tracing(t, BPF_TRACE_FEXIT, why, size);
	if (has_prefix(sec, "tp_btf/", &t))
		return probe_tracing(t, BPF_TRACE_RAW_TP, why, size);
	if (has_prefix(sec, "kprobe/", &t))
		return probe_kprobe(t, false, why, size);
	if (has_prefix(sec, "kretprobe/", &t))
		return probe_kprobe(t, true, why, size);
	if (has_prefix(sec, "tracepoint/", &t) || has_prefix(sec, "tp/", &t))
		return probe_tracepoint(t, why, size);
	if (has_prefix(sec, "raw_tp/", &t) || has_prefix(sec, "raw_tracepoint/", &t))
		return probe_raw_tp(t, why, size);
	if (tk_is_cgroup_program(prog))
		return probe_cgroup(prog, why, size);
	if (bpf_program__type(prog) == BPF_PROG_TYPE_SOCKET_FILTER)
		return probe_socket_filter(why, size);
	/* uprobes: the tool attaches them itself, to a binary it finds. */
	return 0;
}

static bool variant_has(const struct tk_variant *v, const char *prog)
{
	int i;

	for (i = 0; i < TK_VARIANT_MAX_PROGS && v->progs[i]; i++)
		if (!strcmp(v->progs[i], prog))
			return true;
	return false;
}

/* The helpers variants list (tk_variant.helpers), by name: the line a user
 * reads on a kernel that lacks one (bpf_task_pt_regs came in 5.15,
 * bpf_get_current_task_btf in 5.11) names what to look for. */
static const char *helper_name(int id)
{
	switch (id) {
	case BPF_FUNC_task_pt_regs: return "bpf_task_pt_regs";
	case BPF_FUNC_get_current_task_btf: return "bpf_get_current_task_btf";
	case BPF_FUNC_task_storage_get: return "bpf_task_storage_get";
	case BPF_FUNC_get_func_ip: return "bpf_get_func_ip";
	case BPF_FUNC_loop: return "bpf_loop";
	default: return NULL;
	}
}

/* 0 if every program and helper of @v works here, else -errno and @why. */
static int probe_variant(struct bpf_object *obj, const struct tk_variant *v,
			 char *why, size_t size)
{
	struct bpf_program *prog = NULL;
	char reason[256];
	int i, err;

	for (i = 0; i < TK_VARIANT_MAX_PROGS && v->progs[i]; i++) {
		prog = bpf_object__find_program_by_name(obj, v->progs[i]);
		if (!prog) {
			snprintf(why, size, "no program %s in the BPF object", v->progs[i]);
			return -ENOENT;
		}
		/* The tool switched it off for this run (an option's hook):
		 * a trial attach of it would only cost time. */
		if (!bpf_program__autoload(prog))
			continue;
		/* Not this hook's fault, nor the next one's: say it once. */
		if (tk_is_cgroup_program(prog) && !tk_cgroup2_root()) {
			snprintf(why, size, NO_CGROUP2);
			return -ENOENT;
		}
		err = tk_probe_program(prog, reason, sizeof(reason));
		if (err) {
			snprintf(why, size, "%s: %s", bpf_program__section_name(prog), reason);
			return err;
		}
	}
	for (i = 0; prog && i < 4 && v->helpers[i]; i++) {
		if (libbpf_probe_bpf_helper(bpf_program__type(prog), v->helpers[i], NULL) != 1) {
			const char *h = helper_name(v->helpers[i]);

			if (h)
				snprintf(why, size, "the kernel lacks BPF helper %s for %s programs", h,
					 libbpf_bpf_prog_type_str(bpf_program__type(prog)));
			else
				snprintf(why, size, "the kernel lacks BPF helper #%d for %s programs",
					 v->helpers[i], libbpf_bpf_prog_type_str(bpf_program__type(prog)));
			return -EOPNOTSUPP;
		}
	}
	return 0;
}

void tk_loop_twins(struct bpf_object *obj)
{
	static const char suffix[] = "_loop";
	const size_t sl = sizeof(suffix) - 1;
	struct bpf_program *p, *twin;
	const char *env = getenv("TRACEKIT_NO_BPF_LOOP");
	bool forced = env && !strcmp(env, "1");
	char name[128];
	int looped = -1;
	size_t n;

	bpf_object__for_each_program(p, obj) {
		n = strlen(bpf_program__name(p));
		if (n <= sl || n - sl >= sizeof(name) ||
		    strcmp(bpf_program__name(p) + n - sl, suffix))
			continue;
		snprintf(name, sizeof(name), "%.*s", (int)(n - sl), bpf_program__name(p));
		twin = bpf_object__find_program_by_name(obj, name);
		if (!twin)
			continue;
		if (looped < 0) {
			looped = !forced &&
				 libbpf_probe_bpf_helper(BPF_PROG_TYPE_TRACEPOINT, BPF_FUNC_loop,
							 NULL) == 1;
			tk_info(1, "attach: loops %s", looped ? "with bpf_loop" :
				forced ? "unrolled (TRACEKIT_NO_BPF_LOOP set)" :
				"unrolled (the kernel lacks bpf_loop, 5.17+)");
		}
		bpf_program__set_autoload(looped ? twin : p, false);
	}
}

/* The running kernel's release is @major.@minor or later (uname: no file,
 * no BTF; a distribution's backports are not counted, which only keeps the
 * older way). */
static bool kernel_at_least(int major, int minor)
{
	struct utsname u;
	int a, b;

	if (uname(&u) || sscanf(u.release, "%d.%d", &a, &b) != 2)
		return false;
	return a > major || (a == major && b >= minor);
}

bool tk_task_storage(struct bpf_map *storage, struct bpf_map *hash, bool want, const char *what)
{
	static int has_type = -1, has_helper = -1;	/* asked once per run */

	if (has_type < 0)
		has_type = libbpf_probe_bpf_map_type(BPF_MAP_TYPE_TASK_STORAGE, NULL) == 1;
	if (want && has_helper < 0)
		has_helper = has_type &&
			     libbpf_probe_bpf_helper(BPF_PROG_TYPE_RAW_TRACEPOINT,
						     BPF_FUNC_task_storage_get, NULL) == 1;
	/* 6.1 takes a per-CPU lock on every task storage lookup from a
	 * program, and the lookup fails, returning NULL as for no entry,
	 * while the task storage of an exiting task is freed on that CPU
	 * with interrupts on: a wakeup in that window loses its wait
	 * without a trace (runqlat lost 2 in a CI run on arm64 6.1). From
	 * 6.2 a lookup no longer fails there (commit 4279adb094a1), only a
	 * creation, which is counted. */
	want = want && has_helper == 1 && kernel_at_least(6, 2);
	if (want) {
		bpf_map__set_max_entries(hash, 1);
	} else if (!has_type) {
		bpf_map__set_type(storage, BPF_MAP_TYPE_HASH);
		bpf_map__set_map_flags(storage, 0);
		bpf_map__set_max_entries(storage, 1);
	}
	if (what)
		tk_info(1, "%s in %s", what, want ? "task storage" : "a hash map");
	return want;
}

void tk_maps_on_demand(struct bpf_object *obj)
{
	static int lazy = -1;	/* asked once per run */
	struct bpf_map *m;
	int n = 0;

	bpf_object__for_each_map(m, obj) {
		if ((bpf_map__type(m) != BPF_MAP_TYPE_HASH &&
		     bpf_map__type(m) != BPF_MAP_TYPE_PERCPU_HASH) ||
		    (bpf_map__map_flags(m) & BPF_F_NO_PREALLOC) || bpf_map__max_entries(m) <= 1)
			continue;
		if (lazy < 0) {
			const char *env = getenv("TRACEKIT_PREALLOC");

			lazy = !(env && !strcmp(env, "1")) && kernel_at_least(6, 1);
		}
		if (!lazy)
			return;
		bpf_map__set_map_flags(m, bpf_map__map_flags(m) | BPF_F_NO_PREALLOC);
		n++;
	}
	if (n)
		tk_info(1, "maps: %d hash map%s filled as entries come, not preallocated", n,
			n == 1 ? "" : "s");
}

/* Does @v attach anything to a cgroup? */
static bool variant_uses_cgroup(struct bpf_object *obj, const struct tk_variant *v)
{
	struct bpf_program *p;
	int i;

	for (i = 0; i < TK_VARIANT_MAX_PROGS && v->progs[i]; i++) {
		p = bpf_object__find_program_by_name(obj, v->progs[i]);
		if (p && tk_is_cgroup_program(p))
			return true;
	}
	return false;
}

int tk_attach_select(struct bpf_object *obj, const struct tk_variant *v, int n,
		     const char *forced, const char *cgroup)
{
	char why[384], all[1024] = "";
	int i, j, k, chosen = -1;

	if (forced && !strcmp(forced, "auto"))
		forced = NULL;
	for (i = 0; i < n && chosen < 0; i++) {
		if (forced && strcmp(v[i].name, forced))
			continue;
		if (!probe_variant(obj, &v[i], why, sizeof(why))) {
			chosen = i;
			break;
		}
		tk_info(1, "attach: %s unavailable: %s", v[i].name, why);
		snprintf(all + strlen(all), sizeof(all) - strlen(all), "%s%s: %s",
			 all[0] ? "; " : "", v[i].name, why);
	}
	if (chosen < 0) {
		if (forced)
			tk_warn("cannot attach with --attach=%s: %s", forced, why);
		else
			tk_warn("cannot attach on this kernel: %s", all);
		return -1;
	}
	for (j = 0; j < n; j++) {
		if (j == chosen)
			continue;
		for (k = 0; k < TK_VARIANT_MAX_PROGS && v[j].progs[k]; k++) {
			struct bpf_program *p;

			if (variant_has(&v[chosen], v[j].progs[k]))
				continue;
			p = bpf_object__find_program_by_name(obj, v[j].progs[k]);
			if (p)
				bpf_program__set_autoload(p, false);
		}
	}
	if (variant_uses_cgroup(obj, &v[chosen]))
		tk_info(1, "attach: using %s (%s)", v[chosen].name,
			cgroup ? cgroup : tk_cgroup2_root());
	else
		tk_info(1, "attach: using %s", v[chosen].name);
	return chosen;
}

#define TK_MAX_LINKS 32

struct tk_links {
	int n;
	struct bpf_link *link[TK_MAX_LINKS];
};

static bool auto_attachable(const char *sec)
{
	static const char *const prefixes[] = {
		"fentry/", "fexit/", "tp_btf/", "kprobe/", "kretprobe/",
		"tracepoint/", "tp/", "raw_tp/", "raw_tracepoint/",
	};
	const char *rest;
	size_t i;

	for (i = 0; i < sizeof(prefixes) / sizeof(prefixes[0]); i++)
		if (has_prefix(sec, prefixes[i], &rest))
			return true;
	return false;
}

static void attach_failed(const char *sec, const char *cgroup, int err)
{
	if (cgroup) {
		tk_warn("failed to attach %s to cgroup %s: %s%s", sec, cgroup, strerror(-err),
			err == -EPERM || err == -EACCES ? " (need root, or kernel lockdown?)" : "");
		return;
	}
	tk_warn("failed to attach %s: %s%s", sec, strerror(-err),
		err == -ENOENT ? " (is tracefs mounted? does the kernel have this hook?)" :
		err == -EPERM || err == -EACCES ? " (need root, or kernel lockdown?)" : "");
}

/* The cgroup fd, opened on first use. -errno after saying why. */
static int cgroup_fd(const char **cgroup, const char *sec, int *fd)
{
	if (*fd >= 0)
		return *fd;
	if (!*cgroup)
		*cgroup = tk_cgroup2_root();
	if (!*cgroup) {
		tk_warn("cannot attach %s: " NO_CGROUP2, sec);
		return -ENOENT;
	}
	*fd = open(*cgroup, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (*fd < 0) {
		*fd = -errno;
		tk_warn("cannot open cgroup %s to attach %s: %s", *cgroup, sec, strerror(errno));
	}
	return *fd;
}

int tk_attach_all_at(struct bpf_object *obj, const char *cgroup, struct tk_links **out)
{
	struct tk_links *l = calloc(1, sizeof(*l));
	struct bpf_program *prog;
	const char *sec;
	int err = 0, cg = -1;
	bool on_cgroup;

	*out = l;
	if (!l)
		return -ENOMEM;
	bpf_object__for_each_program(prog, obj) {
		sec = bpf_program__section_name(prog);
		on_cgroup = tk_is_cgroup_program(prog);
		if (!bpf_program__autoload(prog) || !(on_cgroup || auto_attachable(sec)))
			continue;
		if (l->n == TK_MAX_LINKS) {
			tk_warn("cannot attach %s: more than %d programs", sec, TK_MAX_LINKS);
			err = -E2BIG;
			break;
		}
		if (on_cgroup) {
			err = cgroup_fd(&cgroup, sec, &cg);
			if (err < 0)
				break;
			/* A link, not BPF_PROG_ATTACH: it ends with our last fd,
			 * so even a crash leaves nothing on the cgroup. */
			l->link[l->n] = bpf_program__attach_cgroup(prog, cg);
		} else if (bpf_program__type(prog) == BPF_PROG_TYPE_TRACING) {
			/* What bpf_program__attach does for them; also for
			 * those loaded by tk_trace_by_id, which it cannot. */
			l->link[l->n] = bpf_program__attach_trace(prog);
		} else {
			l->link[l->n] = bpf_program__attach(prog);
		}
		if (!l->link[l->n]) {
			err = errno ? -errno : -EINVAL;
			attach_failed(sec, on_cgroup ? cgroup : NULL, err);
			break;
		}
		l->n++;
		err = 0;
	}
	/* The links hold the cgroup. */
	if (cg >= 0)
		close(cg);
	return err;
}

int tk_attach_all(struct bpf_object *obj, struct tk_links **out)
{
	return tk_attach_all_at(obj, NULL, out);
}

static void *destroy_link(void *link)
{
	bpf_link__destroy(link);
	return NULL;
}

void tk_detach_all(struct tk_links *l)
{
	pthread_t t[TK_MAX_LINKS];
	bool started[TK_MAX_LINKS] = {};
	int i;

	if (!l)
		return;
	/* Each detach may wait for the kernel (an RCU grace period when a
	 * tracepoint loses its last probe): side by side, the waits overlap,
	 * and the end of a run is not delayed by the number of its hooks. */
	for (i = 1; i < l->n; i++)
		started[i] = !pthread_create(&t[i], NULL, destroy_link, l->link[i]);
	if (l->n)
		bpf_link__destroy(l->link[0]);
	for (i = 1; i < l->n; i++) {
		if (started[i])
			pthread_join(t[i], NULL);
		else
			bpf_link__destroy(l->link[i]);
	}
	free(l);
}
