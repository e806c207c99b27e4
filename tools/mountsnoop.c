// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* mountsnoop: trace mount(2), umount2(2) and the new mount API system-wide. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "args.h"
#include "errnos.h"
#include "log.h"
#include "loop.h"
#include "output.h"
#include "session.h"
#include "mountsnoop.h"
#include "mountsnoop.skel.h"

_Static_assert(sizeof(struct mountsnoop_event) == 1264, "mountsnoop_event layout changed");

static struct env {
	struct tk_opts opts;
	bool timestamp;
} env;

static const struct tk_variant variants[] = {
	{ .name = "tracepoint",
	  .progs = { "mount_exit_only_tp", "umount_exit_only_tp", "fsopen_exit_only_tp",
		     "fsconfig_exit_only_tp", "fsmount_exit_only_tp",
		     "move_mount_exit_only_tp", "fspick_exit_only_tp", "open_tree_exit_only_tp" },
	  .helpers = { BPF_FUNC_task_pt_regs, BPF_FUNC_get_current_task_btf } },
	{ .name = "tracepoint-enter",
	  .progs = { "mount_enter_tp", "mount_exit_tp", "umount_enter_tp", "umount_exit_tp",
		     "fsopen_enter_tp", "fsopen_exit_tp", "fsconfig_enter_tp",
		     "fsconfig_exit_tp", "fsmount_enter_tp", "fsmount_exit_tp",
		     "move_mount_enter_tp", "move_mount_exit_tp", "fspick_enter_tp",
		     "fspick_exit_tp", "open_tree_enter_tp", "open_tree_exit_tp" } },
	/* Kernels before 5.2 have no new mount API. */
	{ .name = "tracepoint-legacy",
	  .progs = { "mount_enter_tp", "mount_exit_tp", "umount_enter_tp", "umount_exit_tp" } },
};
#define NVARIANTS (int)(sizeof(variants) / sizeof(variants[0]))

static const char help[] =
"  -t, --timestamp        print a TIME column (HH:MM:SS)\n";

static const char examples[] =
"Examples:\n"
"  mountsnoop                # trace mount and umount calls system-wide\n"
"  mountsnoop -t             # with the time of day\n"
"  mountsnoop -p 181         # only PID 181\n"
"  mountsnoop -j --duration 60   # JSON lines for a minute\n";

static const struct option longopts[] = {
	{ "timestamp", no_argument, NULL, 't' },
	{}
};

static void option(int key, const char *arg)
{
	(void)arg;
	if (key == 't')
		env.timestamp = true;
}

/* bcc's mountsnoop has -t for timestamps (and -d for a detailed layout):
 * the thread filter and the duration are long options here. */
static const struct tk_cli cli = {
	.usage = "Usage: mountsnoop [OPTION]...\n"
		 "Trace mount(2), umount2(2), fsopen(2), fsconfig(2), fsmount(2) and\n"
		 "move_mount(2) system-wide.",
	.shared = TK_OPT_FILTERS | TK_OPT_DURATION,
	.letter = { .tid = '-', .duration = '-' },
	.optstring = "t",
	.longopts = longopts,
	.help = help,
	.examples = examples,
	.variants = variants,
	.nvariants = NVARIANTS,
	.option = option,
};

struct flag { unsigned long long value; const char *name; };
#define N(a) (sizeof(a) / sizeof((a)[0]))

static const struct flag mount_flags[] = {
	{ 1, "MS_RDONLY" }, { 2, "MS_NOSUID" }, { 4, "MS_NODEV" }, { 8, "MS_NOEXEC" },
	{ 16, "MS_SYNCHRONOUS" }, { 32, "MS_REMOUNT" }, { 64, "MS_MANDLOCK" },
	{ 128, "MS_DIRSYNC" }, { 256, "MS_NOSYMFOLLOW" }, { 1024, "MS_NOATIME" },
	{ 2048, "MS_NODIRATIME" }, { 4096, "MS_BIND" }, { 8192, "MS_MOVE" },
	{ 16384, "MS_REC" }, { 32768, "MS_SILENT" }, { 1 << 16, "MS_POSIXACL" },
	{ 1 << 17, "MS_UNBINDABLE" }, { 1 << 18, "MS_PRIVATE" }, { 1 << 19, "MS_SLAVE" },
	{ 1 << 20, "MS_SHARED" }, { 1 << 21, "MS_RELATIME" }, { 1 << 22, "MS_KERNMOUNT" },
	{ 1 << 23, "MS_I_VERSION" }, { 1 << 24, "MS_STRICTATIME" }, { 1 << 25, "MS_LAZYTIME" },
	{ 1u << 30, "MS_ACTIVE" }, { 1u << 31, "MS_NOUSER" },
};
static const struct flag umount_flags[] = {
	{ 1, "MNT_FORCE" }, { 2, "MNT_DETACH" }, { 4, "MNT_EXPIRE" }, { 8, "UMOUNT_NOFOLLOW" },
};
static const struct flag fsopen_flags[] = { { 1, "FSOPEN_CLOEXEC" } };
static const struct flag fsmount_flags[] = { { 1, "FSMOUNT_CLOEXEC" } };
static const struct flag attr_flags[] = {
	{ 1, "MOUNT_ATTR_RDONLY" }, { 2, "MOUNT_ATTR_NOSUID" }, { 4, "MOUNT_ATTR_NODEV" },
	{ 8, "MOUNT_ATTR_NOEXEC" }, { 0x10, "MOUNT_ATTR_NOATIME" },
	{ 0x20, "MOUNT_ATTR_STRICTATIME" }, { 0x80, "MOUNT_ATTR_NODIRATIME" },
	{ 0x100000, "MOUNT_ATTR_IDMAP" }, { 0x200000, "MOUNT_ATTR_NOSYMFOLLOW" },
};
static const struct flag fspick_flags[] = {
	{ 1, "FSPICK_CLOEXEC" }, { 2, "FSPICK_SYMLINK_NOFOLLOW" }, { 4, "FSPICK_NO_AUTOMOUNT" },
	{ 8, "FSPICK_EMPTY_PATH" },
};
/* open_tree(2) and mount_setattr(2): OPEN_TREE_* and AT_* */
static const struct flag tree_flags[] = {
	{ 1, "OPEN_TREE_CLONE" }, { 0x80000, "OPEN_TREE_CLOEXEC" },
	{ 0x100, "AT_SYMLINK_NOFOLLOW" }, { 0x800, "AT_NO_AUTOMOUNT" },
	{ 0x1000, "AT_EMPTY_PATH" }, { 0x8000, "AT_RECURSIVE" },
};
static const struct flag setattr_flags[] = {
	{ 0x100, "AT_SYMLINK_NOFOLLOW" }, { 0x800, "AT_NO_AUTOMOUNT" },
	{ 0x1000, "AT_EMPTY_PATH" }, { 0x8000, "AT_RECURSIVE" },
};
static const struct flag propagation_flags[] = {
	{ 1 << 17, "MS_UNBINDABLE" }, { 1 << 18, "MS_PRIVATE" }, { 1 << 19, "MS_SLAVE" },
	{ 1 << 20, "MS_SHARED" },
};
static const struct flag move_flags[] = {
	{ 1, "MOVE_MOUNT_F_SYMLINKS" }, { 2, "MOVE_MOUNT_F_AUTOMOUNTS" },
	{ 4, "MOVE_MOUNT_F_EMPTY_PATH" }, { 0x10, "MOVE_MOUNT_T_SYMLINKS" },
	{ 0x20, "MOVE_MOUNT_T_AUTOMOUNTS" }, { 0x40, "MOVE_MOUNT_T_EMPTY_PATH" },
	{ 0x100, "MOVE_MOUNT_SET_GROUP" }, { 0x200, "MOVE_MOUNT_BENEATH" },
};
static const char *const fsconfig_cmds[] = {
	"FSCONFIG_SET_FLAG", "FSCONFIG_SET_STRING", "FSCONFIG_SET_BINARY", "FSCONFIG_SET_PATH",
	"FSCONFIG_SET_PATH_EMPTY", "FSCONFIG_SET_FD", "FSCONFIG_CMD_CREATE",
	"FSCONFIG_CMD_RECONFIGURE", "FSCONFIG_CMD_CREATE_EXCL",
};
static const char *const call_names[MS_NCALLS] = {
	"mount", "umount", "fsopen", "fsconfig", "fsmount", "move_mount", "fspick", "open_tree",
	"mount_setattr",
};

/* "MS_NOSUID|MS_NODEV", bits without a name as one hex number, "0" for none. */
static const char *flag_names(const struct flag *t, size_t n, unsigned long long v,
			      char *buf, size_t size)
{
	size_t used = 0, i;

	buf[0] = '\0';
	for (i = 0; i < n && used < size; i++) {
		if ((v & t[i].value) != t[i].value)
			continue;
		used += snprintf(buf + used, size - used, "%s%s", used ? "|" : "", t[i].name);
		v &= ~t[i].value;
	}
	if ((v || !used) && used < size)
		snprintf(buf + used, size - used, "%s0x%llx", used ? "|" : "", v);
	if (!strcmp(buf, "0x0"))
		strcpy(buf, "0");
	return buf;
}

static const char *mount_flag_names(unsigned long long v, char *buf, size_t size)
{
	/* Before 2.4 the top half had to be the magic 0xC0ED; some still pass it. */
	if ((v & 0xffff0000ull) == 0xc0ed0000ull)
		v &= 0xffff;
	return flag_names(mount_flags, N(mount_flags), v, buf, size);
}

static const char *fsconfig_cmd(unsigned long long cmd, char *buf, size_t size)
{
	if (cmd < N(fsconfig_cmds))
		return fsconfig_cmds[cmd];
	snprintf(buf, size, "%llu", cmd);
	return buf;
}

static const char *fd_name(int fd, char *buf, size_t size)
{
	if (fd == -100)
		return "AT_FDCWD";
	snprintf(buf, size, "%d", fd);
	return buf;
}

/* "string", escaped, with ... after it if the kernel's copy was cut. */
static void quoted(const char *s, size_t len, bool cut)
{
	putchar('"');
	tk_print_escaped(stdout, s, len);
	putchar('"');
	if (cut)
		fputs("...", stdout);
}

/* The flags of fspick, open_tree and mount_setattr, by name. */
static const char *call_flag_names(const struct mountsnoop_event *e, char *buf, size_t size)
{
	if (e->call == MS_CALL_FSPICK)
		return flag_names(fspick_flags, N(fspick_flags), e->flags, buf, size);
	if (e->call == MS_CALL_OPEN_TREE)
		return flag_names(tree_flags, N(tree_flags), e->flags, buf, size);
	return flag_names(setattr_flags, N(setattr_flags), e->flags, buf, size);
}

/* JSON's name for what the event holds in target. */
static const char *target_key(unsigned int call)
{
	if (call == MS_CALL_MOVE_MOUNT)
		return "to_path";
	if (call == MS_CALL_FSPICK || call == MS_CALL_OPEN_TREE || call == MS_CALL_MOUNT_SETATTR)
		return "path";
	return "target";
}

static void print_text(const struct mountsnoop_event *e)
{
	char b1[512], b2[512], clock[16];
	const char *err;

	if (env.timestamp) {
		tk_format_clock(clock, sizeof(clock));
		printf("%-8s ", clock);
	}
	tk_print_escaped(stdout, e->comm, sizeof(e->comm));
	printf("%*s %-7u %-7u %-11u %s(", (int)(16 - strnlen(e->comm, sizeof(e->comm))), "",
	       e->pid, e->tid, e->mnt_ns, call_names[e->call]);
	switch (e->call) {
	case MS_CALL_MOUNT:
		quoted(e->source, sizeof(e->source), e->truncated & MS_TRUNC_SOURCE);
		fputs(", ", stdout);
		quoted(e->target, sizeof(e->target), e->truncated & MS_TRUNC_TARGET);
		fputs(", ", stdout);
		quoted(e->fstype, sizeof(e->fstype), e->truncated & MS_TRUNC_FSTYPE);
		printf(", %s, ", mount_flag_names(e->flags, b1, sizeof(b1)));
		quoted(e->data, sizeof(e->data), e->truncated & MS_TRUNC_DATA);
		break;
	case MS_CALL_UMOUNT:
		quoted(e->target, sizeof(e->target), e->truncated & MS_TRUNC_TARGET);
		printf(", %s", flag_names(umount_flags, N(umount_flags), e->flags, b1, sizeof(b1)));
		break;
	case MS_CALL_FSOPEN:
		quoted(e->fstype, sizeof(e->fstype), e->truncated & MS_TRUNC_FSTYPE);
		printf(", %s", flag_names(fsopen_flags, N(fsopen_flags), e->flags, b1, sizeof(b1)));
		break;
	case MS_CALL_FSCONFIG:
		printf("%d, %s, ", e->fd, fsconfig_cmd(e->flags, b1, sizeof(b1)));
		quoted(e->key, sizeof(e->key), e->truncated & MS_TRUNC_KEY);
		fputs(", ", stdout);
		quoted(e->data, sizeof(e->data), e->truncated & MS_TRUNC_DATA);
		printf(", %d", e->fd2);
		break;
	case MS_CALL_FSMOUNT:
		printf("%d, %s, %s", e->fd,
		       flag_names(fsmount_flags, N(fsmount_flags), e->flags, b1, sizeof(b1)),
		       flag_names(attr_flags, N(attr_flags), e->attr, b2, sizeof(b2)));
		break;
	case MS_CALL_MOVE_MOUNT:
		printf("%s, ", fd_name(e->fd, b1, sizeof(b1)));
		quoted(e->source, sizeof(e->source), e->truncated & MS_TRUNC_SOURCE);
		printf(", %s, ", fd_name(e->fd2, b1, sizeof(b1)));
		quoted(e->target, sizeof(e->target), e->truncated & MS_TRUNC_TARGET);
		printf(", %s", flag_names(move_flags, N(move_flags), e->flags, b1, sizeof(b1)));
		break;
	case MS_CALL_FSPICK:
	case MS_CALL_OPEN_TREE:
	case MS_CALL_MOUNT_SETATTR:
		printf("%s, ", fd_name(e->fd, b1, sizeof(b1)));
		quoted(e->target, sizeof(e->target), e->truncated & MS_TRUNC_TARGET);
		printf(", %s", call_flag_names(e, b1, sizeof(b1)));
		if (e->call != MS_CALL_MOUNT_SETATTR)
			break;
		if (!e->has_attr) {
			fputs(", ?", stdout);
			break;
		}
		printf(", {set %s", flag_names(attr_flags, N(attr_flags), e->attr_set, b1, sizeof(b1)));
		printf(", clear %s", flag_names(attr_flags, N(attr_flags), e->attr_clr, b1, sizeof(b1)));
		printf(", propagation %s}", flag_names(propagation_flags, N(propagation_flags),
						       e->propagation, b1, sizeof(b1)));
		break;
	}
	err = e->ret < 0 ? errno_name((int)-e->ret) : NULL;
	if (err)
		printf(") = -%s\n", err);
	else
		printf(") = %lld\n", (long long)e->ret);
}

static void jw_flags(struct jw *w, const char *key, const char *names_key,
		     unsigned long long v, const char *names)
{
	jw_uint(w, key, v);
	jw_str(w, names_key, names, 512);
}

static void print_json(const struct mountsnoop_event *e)
{
	char b[512];
	const char *err;
	struct jw w;

	jw_event_begin(&w, stdout, "mount", e->ts_ns);
	jw_uint(&w, "pid", e->pid);
	jw_uint(&w, "tid", e->tid);
	jw_uint(&w, "uid", e->uid);
	jw_str(&w, "comm", e->comm, sizeof(e->comm));
	jw_uint(&w, "mnt_ns", e->mnt_ns);
	jw_str(&w, "call", call_names[e->call], 16);
	switch (e->call) {
	case MS_CALL_MOUNT:
		jw_str(&w, "source", e->source, sizeof(e->source));
		jw_str(&w, "target", e->target, sizeof(e->target));
		jw_str(&w, "fstype", e->fstype, sizeof(e->fstype));
		jw_flags(&w, "flags", "flag_names", e->flags,
			 mount_flag_names(e->flags, b, sizeof(b)));
		jw_str(&w, "data", e->data, sizeof(e->data));
		break;
	case MS_CALL_UMOUNT:
		jw_str(&w, "target", e->target, sizeof(e->target));
		jw_flags(&w, "flags", "flag_names", e->flags,
			 flag_names(umount_flags, N(umount_flags), e->flags, b, sizeof(b)));
		break;
	case MS_CALL_FSOPEN:
		jw_str(&w, "fstype", e->fstype, sizeof(e->fstype));
		jw_flags(&w, "flags", "flag_names", e->flags,
			 flag_names(fsopen_flags, N(fsopen_flags), e->flags, b, sizeof(b)));
		break;
	case MS_CALL_FSCONFIG:
		jw_int(&w, "fd", e->fd);
		jw_str(&w, "cmd", fsconfig_cmd(e->flags, b, sizeof(b)), sizeof(b));
		jw_str(&w, "key", e->key, sizeof(e->key));
		jw_str(&w, "value", e->data, sizeof(e->data));
		jw_int(&w, "aux", e->fd2);
		break;
	case MS_CALL_FSMOUNT:
		jw_int(&w, "fd", e->fd);
		jw_flags(&w, "flags", "flag_names", e->flags,
			 flag_names(fsmount_flags, N(fsmount_flags), e->flags, b, sizeof(b)));
		jw_flags(&w, "attr", "attr_names", e->attr,
			 flag_names(attr_flags, N(attr_flags), e->attr, b, sizeof(b)));
		break;
	case MS_CALL_MOVE_MOUNT:
		jw_int(&w, "from_fd", e->fd);
		jw_str(&w, "from_path", e->source, sizeof(e->source));
		jw_int(&w, "to_fd", e->fd2);
		jw_str(&w, "to_path", e->target, sizeof(e->target));
		jw_flags(&w, "flags", "flag_names", e->flags,
			 flag_names(move_flags, N(move_flags), e->flags, b, sizeof(b)));
		break;
	case MS_CALL_FSPICK:
	case MS_CALL_OPEN_TREE:
	case MS_CALL_MOUNT_SETATTR:
		jw_int(&w, "dfd", e->fd);
		jw_str(&w, "path", e->target, sizeof(e->target));
		jw_flags(&w, "flags", "flag_names", e->flags, call_flag_names(e, b, sizeof(b)));
		if (e->call != MS_CALL_MOUNT_SETATTR)
			break;
		if (!e->has_attr) {
			jw_null(&w, "attr_set");
			jw_null(&w, "attr_clr");
			jw_null(&w, "propagation");
			break;
		}
		jw_flags(&w, "attr_set", "attr_set_names", e->attr_set,
			 flag_names(attr_flags, N(attr_flags), e->attr_set, b, sizeof(b)));
		jw_flags(&w, "attr_clr", "attr_clr_names", e->attr_clr,
			 flag_names(attr_flags, N(attr_flags), e->attr_clr, b, sizeof(b)));
		jw_flags(&w, "propagation", "propagation_names", e->propagation,
			 flag_names(propagation_flags, N(propagation_flags), e->propagation,
				    b, sizeof(b)));
		break;
	}
	if (e->truncated) {
		jw_array_begin(&w, "truncated");
		if (e->truncated & MS_TRUNC_SOURCE)
			jw_str(&w, NULL, e->call == MS_CALL_MOVE_MOUNT ? "from_path" : "source", 16);
		if (e->truncated & MS_TRUNC_TARGET)
			jw_str(&w, NULL, target_key(e->call), 16);
		if (e->truncated & MS_TRUNC_FSTYPE)
			jw_str(&w, NULL, "fstype", 16);
		if (e->truncated & MS_TRUNC_KEY)
			jw_str(&w, NULL, "key", 16);
		if (e->truncated & MS_TRUNC_DATA)
			jw_str(&w, NULL, e->call == MS_CALL_FSCONFIG ? "value" : "data", 16);
		jw_array_end(&w);
	}
	jw_int(&w, "ret", e->ret);
	err = e->ret < 0 ? errno_name((int)-e->ret) : NULL;
	if (err)
		jw_str(&w, "error", err, 32);
	else
		jw_null(&w, "error");
	if (e->delta_ns)
		jw_uint(&w, "latency_ns", e->delta_ns);
	else
		jw_null(&w, "latency_ns");	/* variant "tracepoint" cannot time calls */
	jw_end(&w);
}

static int print_event(void *ctx, const void *data, size_t size)
{
	const struct mountsnoop_event *e = data;

	(void)ctx;
	if (size < sizeof(*e) || e->call >= MS_NCALLS)
		return 0;
	if (env.opts.json)
		print_json(e);
	else
		print_text(e);
	return 0;
}

static void print_header(void)
{
	if (env.opts.json)
		return;
	if (env.timestamp)
		printf("%-8s ", "TIME");
	printf("%-16s %-7s %-7s %-11s %s\n", "COMM", "PID", "TID", "MNT_NS", "CALL");
}

/* mount_setattr (5.12+) is in no variant's list, so that a kernel without
 * it keeps the rest: its programs of the chosen variant are loaded where the
 * kernel has the call. Returns whether they are. */
static bool mount_setattr_progs(struct mountsnoop_bpf *skel, const char *variant)
{
	bool exit_only = !strcmp(variant, "tracepoint");
	bool pair = !strcmp(variant, "tracepoint-enter");
	char why[256];

	bpf_program__set_autoload(skel->progs.mount_setattr_exit_only_tp, exit_only);
	bpf_program__set_autoload(skel->progs.mount_setattr_enter_tp, pair);
	bpf_program__set_autoload(skel->progs.mount_setattr_exit_tp, pair);
	if (!exit_only && !pair)
		return false;
	if (!tk_probe_program(exit_only ? skel->progs.mount_setattr_exit_only_tp :
			      skel->progs.mount_setattr_exit_tp, why, sizeof(why)))
		return true;
	tk_info(1, "attach: mount_setattr left out: %s", why);
	bpf_program__set_autoload(skel->progs.mount_setattr_exit_only_tp, false);
	bpf_program__set_autoload(skel->progs.mount_setattr_enter_tp, false);
	bpf_program__set_autoload(skel->progs.mount_setattr_exit_tp, false);
	return false;
}

int main(int argc, char **argv)
{
	struct tk_session session = {
		.opts = &env.opts,
		.variants = variants,
		.nvariants = NVARIANTS,
		/* ~820 records: mounts come a few dozen at a time
		 * (a container's start), and the whole ring is resident in
		 * the reader from the start. */
		.ring_bytes = 1 << 20,
	};
	struct tk_stream stream = { .on_record = print_event };
	struct mountsnoop_bpf *skel = NULL;
	bool setattr;
	int err = 1;

	tk_prog = "mountsnoop";
	tk_arg_no_positional(argc, argv, tk_parse_args(&cli, argc, argv, &env.opts));
	tk_session_init(&env.opts);

	skel = TK_OPEN(mountsnoop_bpf, &env.opts);
	if (!skel) {
		tk_open_failed(&env.opts);
		goto cleanup;
	}
	session.bpf = TK_BPF_STREAM(skel);
	if (tk_session_prepare(&session))
		goto cleanup;
	setattr = mount_setattr_progs(skel, variants[session.variant].name);
	/* Only the sys_enter variants keep arguments by thread: the 10,240
	 * entries of a preallocated hash cost some 5 ms to create. */
	if (!strcmp(variants[session.variant].name, "tracepoint"))
		bpf_map__set_max_entries(skel->maps.start, 1);
	if (tk_session_load_attach(&session))
		goto cleanup;

	print_header();
	if (!strcmp(variants[session.variant].name, "tracepoint-legacy"))
		tk_ready("mount and umount2", env.opts.duration_ms);
	else if (setattr)
		tk_ready("mount, umount2, fsopen, fsconfig, fsmount, move_mount, fspick, "
			 "open_tree and mount_setattr", env.opts.duration_ms);
	else
		tk_ready("mount, umount2, fsopen, fsconfig, fsmount, move_mount, fspick "
			 "and open_tree", env.opts.duration_ms);
	err = tk_stream_run(&session, &stream);

cleanup:
	tk_session_detach(&session);
	mountsnoop_bpf__destroy(skel);
	return err;
}
