// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* ttysnoop: what is written to a terminal.
 *
 * Variants "fentry" and "kprobe": tty_write(), the write method of every
 * terminal, and redirected_tty_write(), that of /dev/console (which may call
 * tty_write inlined, where no probe sees it). tty_write took (file, buf,
 * count, ppos) until Linux 5.11 made it a write_iter method (kiocb,
 * iov_iter); userspace reads which from the kernel's BTF (write_iter below).
 * Variant "tracepoint" (no kprobes, no fentry): syscalls sys_enter_write and
 * sys_enter_writev, keeping only writes whose file descriptor leads to the
 * watched terminal (task -> files -> fdt -> fd[] -> file -> f_inode).
 *
 * What is shown is what reached the terminal: a write that fails
 * (EAGAIN on a full non-blocking terminal) wrote nothing, and a short one
 * wrote its first bytes only. The tracepoint variant notes the write at
 * sys_enter (per thread) and reports it at sys_exit_write/writev, bounded
 * by the return value. fentry and kprobe see the write method's entry
 * only: their records carry TTYSNOOP_UNCONFIRMED (bytes asked to write).
 *
 * Which files are the watched terminal: the inode of DEVICE, by inode number
 * and the device of its filesystem (i_ino, i_sb->s_dev). Not i_rdev: every
 * devpts instance (one per container) numbers its pseudo-terminals from 0,
 * so the host's /dev/pts/3 and a container's share 136:3. Not i_ino alone:
 * the tracepoint variant sees writes to every file, and inode numbers repeat
 * across filesystems. Besides that inode, writes through the aliases
 * /dev/tty, /dev/tty0 and /dev/console reach a terminal too (sudo and ssh
 * prompt through /dev/tty): for those the tty_struct behind the file says
 * which terminal it is. */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>
#include <bpf/bpf_tracing.h>
#include "ttysnoop.h"

#define TK_EVENT_MAX_SIZE (sizeof(struct ttysnoop_event) + TTYSNOOP_MAX_SIZE)
#include "events.bpf.h"
#include "fdfile.bpf.h"

#define MINORBITS 20
#define MKDEV(ma, mi) (((__u32)(ma) << MINORBITS) | (__u32)(mi))
#define MAJOR(dev) ((__u32)(dev) >> MINORBITS)
#define TTY_DEV MKDEV(5, 0)		/* /dev/tty: the caller's controlling terminal */
#define CONSOLE_DEV MKDEV(5, 1)		/* /dev/console */
#define PTMX_DEV MKDEV(5, 2)		/* /dev/ptmx: pty masters */
#define TTY0_DEV MKDEV(4, 0)		/* /dev/tty0: the foreground virtual console */
#define S_IFMT 00170000
#define S_IFCHR 0020000

/* Records per write, plus a step for each segment boundary crossed. The
 * loop runs to the bound for -c (read-only data, so a constant to the
 * verifier; where it is unrolled, before 5.17, the verifier walks every
 * trip and startup grows with -c). */
#define MAX_STEPS (2 * TTYSNOOP_MAX_COUNT + 32)
#define STEPS (2 * targ_count + 32)

const volatile bool targ_all = false;		/* -a */
const volatile __u64 targ_ino = 0;		/* DEVICE's inode */
const volatile __u32 targ_sdev = 0;		/* ... on this filesystem */
const volatile __u32 targ_rdev = 0;		/* ... which is this device */
const volatile bool targ_pts = false;		/* ... a pseudo-terminal */
const volatile __u32 targ_size = TTYSNOOP_DEF_SIZE;	/* -s */
const volatile __u32 targ_count = TTYSNOOP_DEF_COUNT;	/* -c */
const volatile bool write_iter = true;		/* tty_write(kiocb, iov_iter): 5.11+ */
const volatile __u64 tty_majors[TTYSNOOP_MAJOR_WORDS] = {};	/* -a: which are terminals */

char LICENSE[] SEC("license") = "GPL";

/* Before 5.14 the iterator's type and direction shared one field. */
struct iov_iter___pre514 {
	unsigned int type;
} __attribute__((preserve_access_index));

/* Before 6.4 (iter_iovec()), the iovec array was iov, not __iov. Both are
 * declared here: vmlinux.h of some architectures comes from an older kernel
 * (arm64's from 6.1). */
struct iov_iter___pre64 {
	const struct iovec *iov;
} __attribute__((preserve_access_index));

struct iov_iter___post64 {
	const struct iovec *__iov;
} __attribute__((preserve_access_index));

/* One write, and where emit() is in it. It lives in a map, not on the
 * stack: values read back from a map are unknown to the verifier, so every
 * trip round emit()'s loop, and every caller, looks the same to it and it
 * can prune; tracked exactly, each trip is a new state and a long loop
 * exceeds the verifier's limit. One slot per program (enum tty_slot): the same
 * program does not nest on one CPU. */
enum source_kind { SRC_NONE, SRC_BUF, SRC_IOV };

struct cursor {
	/* the write's bytes: one user buffer, or an array of iovecs (in user
	 * memory for writev's argument, in the kernel for an iov_iter) */
	const struct iovec *iov;
	const char *buf;
	__u64 nr;		/* segments in iov */
	__u64 skip;		/* bytes of iov[0] already consumed */
	__u64 total;		/* bytes the write asked to write */
	__u32 kind;		/* enum source_kind; SRC_NONE: cannot be read */
	__u32 iov_in_user;
	__u32 dev;		/* the terminal */
	__u32 seg;		/* emit(): the current segment */
	const char *base;	/* ... what is not yet taken of it */
	__u64 left;		/* ... bytes of it */
	__u64 done;		/* bytes taken from the write */
	__u32 chunk;		/* records sent */
	__u32 mark;		/* flags for every record: TTYSNOOP_UNCONFIRMED */
	__u32 dropped;		/* emit(): the buffer was full, the rest dropped */
	__u32 last;		/* emit(): the record being made is the write's last */
	__u64 n;		/* ... and carries this many bytes */
	__u64 ts;		/* when the write began */
};

enum tty_slot { SLOT_TTY_WRITE, SLOT_REDIRECTED, SLOT_WRITE, SLOT_WRITEV, NSLOTS };

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, NSLOTS);
	__type(key, __u32);
	__type(value, struct cursor);
} cursors SEC(".maps");

static __always_inline struct cursor *cursor(__u32 slot)
{
	struct cursor *c = bpf_map_lookup_elem(&cursors, &slot);

	if (c)
		__builtin_memset(c, 0, sizeof(*c));
	return c;
}

/* --- which terminal a file is ------------------------------------------- */

static __always_inline bool is_terminal_major(__u32 major)
{
	if (major >= TTYSNOOP_MAJORS)
		return false;
	return tty_majors[major / 64] & (1ULL << (major % 64));
}

/* The terminal behind an alias file (/dev/tty, /dev/tty0, /dev/console):
 * tty_devnum() of the tty_struct it was opened on. */
static __always_inline __u32 alias_terminal(struct file *f, struct tty_struct **ttyp)
{
	struct tty_file_private *priv = BPF_CORE_READ(f, private_data);
	struct tty_struct *tty = BPF_CORE_READ(priv, tty);
	struct tty_driver *drv = BPF_CORE_READ(tty, driver);

	*ttyp = tty;
	if (!drv)
		return 0;
	return MKDEV(BPF_CORE_READ(drv, major), BPF_CORE_READ(drv, minor_start)) +
	       BPF_CORE_READ(tty, index);
}

/* The terminal @f writes to if it is one we watch, else 0. */
static __always_inline __u32 watched(struct file *f)
{
	struct inode *inode = BPF_CORE_READ(f, f_inode);
	struct tty_struct *tty = NULL;
	struct dentry *node;
	__u32 rdev, dev;

	if ((BPF_CORE_READ(inode, i_mode) & S_IFMT) != S_IFCHR)
		return 0;
	rdev = BPF_CORE_READ(inode, i_rdev);
	if (targ_all) {
		if (rdev == PTMX_DEV || !is_terminal_major(MAJOR(rdev)))
			return 0;
		if (rdev == TTY_DEV || rdev == TTY0_DEV || rdev == CONSOLE_DEV)
			return alias_terminal(f, &tty);
		return rdev;
	}
	if (BPF_CORE_READ(inode, i_ino) == targ_ino &&
	    BPF_CORE_READ(inode, i_sb, s_dev) == targ_sdev)
		return targ_rdev;
	if (rdev != TTY_DEV && rdev != TTY0_DEV && rdev != CONSOLE_DEV)
		return 0;
	dev = alias_terminal(f, &tty);
	if (dev != targ_rdev)
		return 0;
	if (targ_pts) {
		/* A pty slave's driver_data is its devpts dentry (ptmx_open):
		 * the same number in another devpts instance is another pty. */
		node = BPF_CORE_READ(tty, driver_data);
		if (BPF_CORE_READ(node, d_sb, s_dev) != targ_sdev)
			return 0;
	}
	return dev;
}

/* --- records ------------------------------------------------------------ */

/* Segment @i of the write, after the bytes already consumed, into
 * c->base and c->left; false past the end. */
static __always_inline bool segment(struct cursor *c, __u32 i)
{
	struct iovec v = {};

	if (c->kind == SRC_BUF) {
		c->base = c->buf;
		c->left = c->total;
		return i == 0;
	}
	if (c->kind != SRC_IOV || i >= c->nr || i >= TTYSNOOP_MAX_SEGS)
		return false;
	if (c->iov_in_user)
		bpf_probe_read_user(&v, sizeof(v), &c->iov[i]);
	else
		bpf_probe_read_kernel(&v, sizeof(v), &c->iov[i]);
	c->base = v.iov_base;
	c->left = v.iov_len;
	if (i == 0) {
		if (c->skip > c->left)
			c->skip = c->left;
		c->base += c->skip;
		c->left -= c->skip;
	}
	return true;
}

static __always_inline void fill(struct ttysnoop_event *e, const struct cursor *c,
				 __u64 id, __u32 last)
{
	e->ts_ns = c->ts;
	e->total = c->total;
	e->pid = id >> 32;
	e->tid = (__u32)id;
	e->dev = c->dev;
	e->len = 0;
	e->chunk = c->chunk;
	e->flags = (last ? TTYSNOOP_LAST : 0) | c->mark;
	bpf_get_current_comm(e->comm, sizeof(e->comm));
}

/* The write as records of up to targ_size bytes, at most targ_count of
 * them, in order; a record does not span segments. If the buffer is full,
 * the rest of the write is dropped (and counted as lost): a hole in the
 * middle of what is shown would be worse than a short end. */

/* One trip of the loop: a record sent, or the next segment taken; 1 when
 * the loop is to end. What it found is in the cursor, a map value: a value
 * the verifier does not know, so the ways out of a trip look alike to it. */
static __always_inline long emit_step(void *ctx, struct cursor *c, __u64 id)
{
	struct ttysnoop_event *e;
	__u64 n;

	if (c->done >= c->total || c->chunk >= targ_count)
		return 1;
	if (!c->left) {
		if (!segment(c, c->seg + 1))
			return 1;
		c->seg++;
		return 0;
	}
	n = c->left;
	if (n > c->total - c->done)
		n = c->total - c->done;
	if (n > targ_size)
		n = targ_size;
	c->last = (c->done + n >= c->total) | (c->chunk + 1 >= targ_count) |
		  ((n == c->left) & (c->kind == SRC_BUF || c->seg + 1 >= c->nr));
	/* Through the map value, where the verifier knows neither: the
	 * ways that chose them meet here, not one record later. */
	c->n = n;
	barrier();
	n = c->n;
	e = tk_reserve(sizeof(*e) + targ_size);
	if (!e) {
		tk_count_drop();
		c->dropped = 1;
		return 1;
	}
	fill(e, c, id, c->last);
	if (n > targ_size)
		n = 0;	/* never: bounds the read for the verifier */
	/* A page that cannot be read now is left out, not shown as zeros. */
	if (!bpf_probe_read_user(e->data, n, c->base))
		e->len = n;
	tk_submit(ctx, e, sizeof(*e) + targ_size);
	c->base += n;
	c->left -= n;
	c->done += n;
	c->chunk++;
	return 0;
}

/* After the loop: a write with nothing readable (an iterator over kernel
 * pages, say) is still reported, with its length. */
static __always_inline int emit_end(void *ctx, struct cursor *c, __u64 id)
{
	struct ttysnoop_event *e;

	if (c->dropped || c->chunk || !c->total)
		return 0;
	e = tk_reserve(sizeof(*e) + targ_size);
	if (!e) {
		tk_count_drop();
		return 0;
	}
	fill(e, c, id, true);
	tk_submit(ctx, e, sizeof(*e) + targ_size);
	return 0;
}

/* Before 5.17: the loop unrolled by the verifier, which walks every trip
 * (some 32,000 instructions at the defaults: ~18 ms a program to load). */
static __noinline int emit(void *ctx, struct cursor *c)
{
	__u64 id = bpf_get_current_pid_tgid();
	__u32 i;

	segment(c, 0);
	/* No branch below depends on a value the verifier knows, so the
	 * ways through one trip meet again at the next. */
	for (i = 0; i < MAX_STEPS && i < STEPS; i++)
		if (emit_step(ctx, c, id))
			break;
	return emit_end(ctx, c, id);
}

/* 5.17+: bpf_loop, whose callback the verifier walks as one trip. The
 * programs that use it are the "_loop" twins of those that do not, and
 * the tool loads one of each pair (tk_loop_twins). */
struct emit_loop {
	void *ctx;
	struct cursor *c;
	__u64 id;
};

static long emit_loop_step(__u32 i, void *data)
{
	struct emit_loop *l = data;

	return emit_step(l->ctx, l->c, l->id);
}

static __noinline int emit_looped(void *ctx, struct cursor *c)
{
	struct emit_loop l = { .ctx = ctx, .c = c, .id = bpf_get_current_pid_tgid() };

	segment(c, 0);
	bpf_loop(STEPS, emit_loop_step, &l, 0);
	return emit_end(ctx, c, l.id);
}

/* --- variants "fentry" and "kprobe": the terminal's write method ---------- */

/* What an iov_iter holds, on kernels from 5.11 on. */
static __always_inline void from_iter(struct cursor *c, struct iov_iter *from)
{
	struct iov_iter___pre514 *old = (void *)from;
	struct iov_iter___pre64 *pre64 = (void *)from;
	struct iov_iter___post64 *post64 = (void *)from;
	bool ubuf = false, iovec;
	unsigned int type;

	c->total = BPF_CORE_READ(from, count);
	if (bpf_core_field_exists(from->iter_type)) {
		type = BPF_CORE_READ(from, iter_type);
		/* ITER_UBUF (6.0): a plain write(2) as one user buffer. */
		if (bpf_core_enum_value_exists(enum iter_type, ITER_UBUF))
			ubuf = type == bpf_core_enum_value(enum iter_type, ITER_UBUF);
		iovec = type == bpf_core_enum_value(enum iter_type, ITER_IOVEC);
	} else {
		/* Before 5.14: type | READ or WRITE (bit 0), types are bits. */
		type = BPF_CORE_READ(old, type);
		iovec = (type & ~1u) == bpf_core_enum_value(enum iter_type, ITER_IOVEC);
	}
	if (ubuf) {
		c->kind = SRC_BUF;
		c->buf = (const char *)BPF_CORE_READ(from, ubuf) + BPF_CORE_READ(from, iov_offset);
		return;
	}
	if (!iovec)
		return;		/* kernel memory or pages: length only */
	c->kind = SRC_IOV;
	if (bpf_core_field_exists(post64->__iov))
		c->iov = BPF_CORE_READ(post64, __iov);
	else
		c->iov = BPF_CORE_READ(pre64, iov);
	c->nr = BPF_CORE_READ(from, nr_segs);
	c->skip = BPF_CORE_READ(from, iov_offset);
}

/* @a0, @a1, @a2: the first three arguments of tty_write or
 * redirected_tty_write, whichever signature this kernel has. */
static __always_inline int terminal_write(void *ctx, __u64 a0, __u64 a1, __u64 a2, bool console,
					  bool looped)
{
	struct cursor *c;
	struct file *f;
	__u32 dev;

	if (!tk_filter_pass(bpf_get_current_pid_tgid()))
		return 0;
	f = write_iter ? BPF_CORE_READ((struct kiocb *)a0, ki_filp) : (struct file *)a0;
	/* /dev/console writes are redirected_tty_write's to report, even when
	 * it calls tty_write. */
	if (!console &&
	    BPF_CORE_READ(f, f_inode, i_rdev) == CONSOLE_DEV &&
	    (BPF_CORE_READ(f, f_inode, i_mode) & S_IFMT) == S_IFCHR)
		return 0;
	dev = watched(f);
	c = dev ? cursor(console ? SLOT_REDIRECTED : SLOT_TTY_WRITE) : NULL;
	if (!c)
		return 0;
	c->dev = dev;
	c->ts = bpf_ktime_get_ns();
	/* Entry only: whether the bytes reached the terminal is not known. */
	c->mark = TTYSNOOP_UNCONFIRMED;
	if (write_iter) {
		from_iter(c, (struct iov_iter *)a1);
	} else {
		c->kind = SRC_BUF;
		c->buf = (const char *)a1;
		c->total = a2;
	}
	return looped ? emit_looped(ctx, c) : emit(ctx, c);
}

/* Each program that emits has a "_loop" twin for kernels with bpf_loop. */
SEC("fentry/tty_write")
int BPF_PROG(tty_write_fentry)
{
	/* The third argument exists only in the old signature; with
	 * write_iter constant, the verifier never sees that load. */
	return terminal_write(ctx, ctx[0], ctx[1], write_iter ? 0 : ctx[2], false, false);
}

SEC("fentry/tty_write")
int BPF_PROG(tty_write_fentry_loop)
{
	return terminal_write(ctx, ctx[0], ctx[1], write_iter ? 0 : ctx[2], false, true);
}

SEC("fentry/redirected_tty_write")
int BPF_PROG(redirected_tty_write_fentry)
{
	return terminal_write(ctx, ctx[0], ctx[1], write_iter ? 0 : ctx[2], true, false);
}

SEC("fentry/redirected_tty_write")
int BPF_PROG(redirected_tty_write_fentry_loop)
{
	return terminal_write(ctx, ctx[0], ctx[1], write_iter ? 0 : ctx[2], true, true);
}

SEC("kprobe/tty_write")
int BPF_KPROBE(tty_write_kprobe)
{
	return terminal_write(ctx, PT_REGS_PARM1(ctx), PT_REGS_PARM2(ctx), PT_REGS_PARM3(ctx),
			      false, false);
}

SEC("kprobe/tty_write")
int BPF_KPROBE(tty_write_kprobe_loop)
{
	return terminal_write(ctx, PT_REGS_PARM1(ctx), PT_REGS_PARM2(ctx), PT_REGS_PARM3(ctx),
			      false, true);
}

SEC("kprobe/redirected_tty_write")
int BPF_KPROBE(redirected_tty_write_kprobe)
{
	return terminal_write(ctx, PT_REGS_PARM1(ctx), PT_REGS_PARM2(ctx), PT_REGS_PARM3(ctx),
			      true, false);
}

SEC("kprobe/redirected_tty_write")
int BPF_KPROBE(redirected_tty_write_kprobe_loop)
{
	return terminal_write(ctx, PT_REGS_PARM1(ctx), PT_REGS_PARM2(ctx), PT_REGS_PARM3(ctx),
			      true, true);
}

/* --- variant "tracepoint": write(2) and writev(2) on the watched terminal -- */

/* A write seen at sys_enter, waiting for its sys_exit: by thread (a thread
 * is in one syscall at a time). LRU: a thread that never returns (the tool
 * attached between its enter and exit) is forgotten in time. */
struct pending_write {
	const char *buf;		/* write(2) */
	const struct iovec *iov;	/* writev(2), in user memory */
	__u64 nr;
	__u64 ts;
	__u32 dev;
	__u32 kind;			/* SRC_BUF: write, SRC_IOV: writev */
};

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 4096);
	__type(key, __u32);
	__type(value, struct pending_write);
} pending_writes SEC(".maps");

static __always_inline int write_enter(long fd, const void *ubuf, __u64 nr, __u32 kind)
{
	struct pending_write w = {};
	struct file *f;
	__u32 tid;

	if (!tk_filter_pass(bpf_get_current_pid_tgid()))
		return 0;
	f = tk_fd_file(fd);
	w.dev = f ? watched(f) : 0;
	if (!w.dev)
		return 0;
	w.ts = bpf_ktime_get_ns();
	w.kind = kind;
	if (kind == SRC_BUF) {
		w.buf = ubuf;
	} else {
		w.iov = ubuf;
		w.nr = nr;
	}
	tid = (__u32)bpf_get_current_pid_tgid();
	bpf_map_update_elem(&pending_writes, &tid, &w, BPF_ANY);
	return 0;
}

/* The write returned @ret: what it wrote, its first @ret bytes, is shown;
 * one that failed wrote nothing and is not. */
static __always_inline int write_exit(void *ctx, long ret, __u32 kind, __u32 slot, bool looped)
{
	__u32 tid = (__u32)bpf_get_current_pid_tgid();
	struct pending_write *w = bpf_map_lookup_elem(&pending_writes, &tid);
	struct cursor *c;

	if (!w)
		return 0;
	if (w->kind != kind || ret <= 0) {
		bpf_map_delete_elem(&pending_writes, &tid);
		return 0;
	}
	c = cursor(slot);
	if (!c) {
		bpf_map_delete_elem(&pending_writes, &tid);
		return 0;
	}
	c->dev = w->dev;
	c->ts = w->ts;
	c->kind = kind;
	c->buf = w->buf;
	c->iov = w->iov;
	c->iov_in_user = 1;
	c->nr = w->nr;
	c->total = ret;
	bpf_map_delete_elem(&pending_writes, &tid);
	return looped ? emit_looped(ctx, c) : emit(ctx, c);
}

SEC("tracepoint/syscalls/sys_enter_write")
int write_tp(struct trace_event_raw_sys_enter *ctx)
{
	return write_enter(ctx->args[0], (const void *)ctx->args[1], 0, SRC_BUF);
}

SEC("tracepoint/syscalls/sys_exit_write")
int write_exit_tp(struct trace_event_raw_sys_exit *ctx)
{
	return write_exit(ctx, ctx->ret, SRC_BUF, SLOT_WRITE, false);
}

SEC("tracepoint/syscalls/sys_exit_write")
int write_exit_tp_loop(struct trace_event_raw_sys_exit *ctx)
{
	return write_exit(ctx, ctx->ret, SRC_BUF, SLOT_WRITE, true);
}

SEC("tracepoint/syscalls/sys_enter_writev")
int writev_tp(struct trace_event_raw_sys_enter *ctx)
{
	/* More segments than writev(2) takes fail with EINVAL. */
	if (ctx->args[2] > TTYSNOOP_MAX_SEGS)
		return 0;
	return write_enter(ctx->args[0], (const void *)ctx->args[1], ctx->args[2], SRC_IOV);
}

SEC("tracepoint/syscalls/sys_exit_writev")
int writev_exit_tp(struct trace_event_raw_sys_exit *ctx)
{
	return write_exit(ctx, ctx->ret, SRC_IOV, SLOT_WRITEV, false);
}

SEC("tracepoint/syscalls/sys_exit_writev")
int writev_exit_tp_loop(struct trace_event_raw_sys_exit *ctx)
{
	return write_exit(ctx, ctx->ret, SRC_IOV, SLOT_WRITEV, true);
}
