// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* sslsniff: plaintext of TLS reads and writes, from uprobes on the TLS
 * libraries' own functions, where the data is not encrypted yet (writes)
 * or no longer (reads).
 *
 * Each function has an entry program, which saves the caller's buffer
 * pointer and the time in a map keyed by thread and function, and a return
 * program, which learns how many bytes moved (the return value, or for the
 * _ex variants the size_t the caller passed a pointer to) and copies that
 * much of the buffer. Copying at return serves reads (the buffer is filled
 * only then) and writes alike (it is still the caller's, unchanged). One
 * program per function keeps the function known without BPF cookies
 * (5.15+). userspace attaches them with the file offsets it resolved. */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>
#include <bpf/bpf_tracing.h>
#include "sslsniff.h"

#define TK_EVENT_MAX_SIZE sizeof(struct sslsniff_event)
#include "events.bpf.h"

const volatile __u32 targ_max_buf = 8192;	/* --max-buffer-size */

char LICENSE[] SEC("license") = "GPL";

struct call {
	__u64 buf;		/* the caller's data */
	__u64 len_ptr;		/* _ex: where the call stores the length */
	__u64 start_ns;
};

/* A plain hash, not LRU: an LRU map would evict the entry of a call still
 * in flight (a reader blocked for minutes) and lose its data uncounted. A
 * call that finds the map full is counted as a drop instead, and a thread
 * that dies inside SSL_read (a process exiting while a reader blocks is
 * common) never returns, so sched_process_exit removes its entries. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 16384);
	__type(key, __u64);
	__type(value, struct call);
} calls SEC(".maps");

/* How a function's return value says what happened. */
enum result {
	RES_COUNT,		/* > 0: bytes moved */
	RES_EX,			/* 1: success, bytes moved in *len_ptr */
	RES_ONE,		/* handshake: 1 is success (OpenSSL) */
	RES_ZERO,		/* handshake: 0 is success (GnuTLS) */
};

/* The function is part of the key: should one traced function call
 * another, each keeps its own entry. */
static __always_inline __u64 call_key(__u64 id, enum sslsniff_func func)
{
	return (__u64)(__u32)id << 8 | func;
}

static __always_inline int enter(enum sslsniff_func func, const void *buf, const void *len_ptr)
{
	__u64 id = bpf_get_current_pid_tgid();
	__u64 key = call_key(id, func);
	struct call c = {
		.buf = (__u64)buf,
		.len_ptr = (__u64)len_ptr,
		.start_ns = bpf_ktime_get_ns(),
	};

	if (!tk_filter_pass(id))
		return 0;
	if (bpf_map_update_elem(&calls, &key, &c, BPF_ANY))
		tk_count_drop();
	return 0;
}

/* One record with room for @cap bytes of data. @cap is a constant in each
 * caller, so the reserve size is one too, as the verifier requires. */
static __always_inline int emit(void *ctx, enum sslsniff_func func, const struct call *c,
				long ret, __u32 len, __u64 now, __u64 id, const __u32 cap)
{
	struct sslsniff_event *e;
	__u32 n = len;

	e = tk_reserve(SSLSNIFF_HDR_SIZE + cap);
	if (!e) {
		tk_count_drop();
		return 0;
	}
	if (n > targ_max_buf)
		n = targ_max_buf;
	if (n > cap)
		n = cap;
	e->ts_ns = now;
	e->lat_ns = now - c->start_ns;
	e->pid = id >> 32;
	e->tid = (__u32)id;
	e->uid = (__u32)bpf_get_current_uid_gid();
	e->len = len;
	e->ret = ret;
	e->func = func;
	e->copy_failed = 0;
	bpf_get_current_comm(e->comm, sizeof(e->comm));
	if (n) {
		/* n is in [1, cap] and cap a power of two, so this changes nothing
		 * -- but it is a bound the verifier can see, where the compiler may
		 * otherwise hand it a register the clamps above never touched. */
		barrier_var(n);
		n = ((n - 1) & (cap - 1)) + 1;
		if (bpf_probe_read_user(e->data, n, (const void *)c->buf)) {
			e->copy_failed = 1;
			n = 0;
		}
	}
	e->captured = n;
	tk_submit(ctx, e, SSLSNIFF_HDR_SIZE + n);
	return 0;
}

static __always_inline int leave(void *ctx, enum sslsniff_func func, long ret, enum result res)
{
	__u64 id = bpf_get_current_pid_tgid();
	__u64 key = call_key(id, func);
	__u64 now = bpf_ktime_get_ns(), len = 0;
	struct call *p = bpf_map_lookup_elem(&calls, &key);
	struct call c;
	__u32 n;

	if (!p)
		return 0;
	c = *p;
	bpf_map_delete_elem(&calls, &key);
	switch (res) {
	case RES_COUNT:
		if (ret <= 0)
			return 0;
		len = ret;
		break;
	case RES_EX:
		if (ret != 1 || bpf_probe_read_user(&len, sizeof(len), (const void *)c.len_ptr) ||
		    !len)
			return 0;
		break;
	case RES_ONE:
		if (ret != 1)
			return 0;
		return emit(ctx, func, &c, ret, 0, now, id, 0);
	case RES_ZERO:
		if (ret != 0)
			return 0;
		return emit(ctx, func, &c, ret, 0, now, id, 0);
	}
	if (len > 0xffffffffULL)
		len = 0xffffffffULL;
	n = len < targ_max_buf ? len : targ_max_buf;
	if (n <= SSLSNIFF_BUF_SMALL)
		return emit(ctx, func, &c, ret, len, now, id, SSLSNIFF_BUF_SMALL);
	if (n <= SSLSNIFF_BUF_MEDIUM)
		return emit(ctx, func, &c, ret, len, now, id, SSLSNIFF_BUF_MEDIUM);
	return emit(ctx, func, &c, ret, len, now, id, SSLSNIFF_MAX_BUF);
}

/* Runs in the exiting thread (do_exit), for every thread: its calls in
 * flight will never return. raw_tp: detaching it needs no grace period, so
 * it adds nothing to sslsniff's exit. */
SEC("raw_tp/sched_process_exit")
int ss_thread_exit(void *ctx)
{
	__u64 id = bpf_get_current_pid_tgid();
	__u64 key;
	int f;

#pragma unroll
	for (f = 0; f < SSLSNIFF_NFUNCS; f++) {
		key = call_key(id, f);
		bpf_map_delete_elem(&calls, &key);
	}
	return 0;
}

/* The two programs of one library function: NAME at its entry, where the
 * data buffer is argument BUF and the _ex functions' out-length pointer
 * argument LEN (1-based; 0: none), and NAME_ret at its return, whose value
 * (of type RET_TYPE) means RES. */
#define SS_ARG_0 NULL
#define SS_ARG_1 (void *)PT_REGS_PARM1(ctx)
#define SS_ARG_2 (void *)PT_REGS_PARM2(ctx)
#define SS_ARG_3 (void *)PT_REGS_PARM3(ctx)
#define SS_ARG_4 (void *)PT_REGS_PARM4(ctx)
#define SS_ARG(n) SS_ARG_##n
#define SS_PROBES(name, func, buf, len, ret_type, res)				\
SEC("uprobe")									\
int name(struct pt_regs *ctx)							\
{										\
	return enter(func, SS_ARG(buf), SS_ARG(len));				\
}										\
SEC("uretprobe")								\
int name##_ret(struct pt_regs *ctx)						\
{										\
	return leave(ctx, func, (ret_type)PT_REGS_RC(ctx), res);		\
}

/* --- OpenSSL ------------------------------------------------------------ */

SS_PROBES(ss_ossl_w, SSLSNIFF_SSL_WRITE, 2, 0, int, RES_COUNT)
SS_PROBES(ss_ossl_r, SSLSNIFF_SSL_READ, 2, 0, int, RES_COUNT)
SS_PROBES(ss_ossl_wex, SSLSNIFF_SSL_WRITE_EX, 2, 4, int, RES_EX)
SS_PROBES(ss_ossl_rex, SSLSNIFF_SSL_READ_EX, 2, 4, int, RES_EX)
SS_PROBES(ss_ossl_hs, SSLSNIFF_SSL_DO_HANDSHAKE, 0, 0, int, RES_ONE)

/* --- GnuTLS: the record functions return ssize_t ---------------------- */

SS_PROBES(ss_gtls_w, SSLSNIFF_GNUTLS_RECORD_SEND, 2, 0, long, RES_COUNT)
SS_PROBES(ss_gtls_r, SSLSNIFF_GNUTLS_RECORD_RECV, 2, 0, long, RES_COUNT)
SS_PROBES(ss_gtls_rs, SSLSNIFF_GNUTLS_RECORD_RECV_SEQ, 2, 0, long, RES_COUNT)
SS_PROBES(ss_gtls_hs, SSLSNIFF_GNUTLS_HANDSHAKE, 0, 0, int, RES_ZERO)

/* --- NSS: NSPR's I/O functions, which NSS's SSL layer sits under ------ */

SS_PROBES(ss_nss_w, SSLSNIFF_PR_WRITE, 2, 0, int, RES_COUNT)
SS_PROBES(ss_nss_send, SSLSNIFF_PR_SEND, 2, 0, int, RES_COUNT)
SS_PROBES(ss_nss_r, SSLSNIFF_PR_READ, 2, 0, int, RES_COUNT)
SS_PROBES(ss_nss_recv, SSLSNIFF_PR_RECV, 2, 0, int, RES_COUNT)
