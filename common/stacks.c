// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* The stack tools' report (stacks.h): counts read from the kernel, sorted,
 * symbolised, printed in one of three forms and merged into a flame graph. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include "flame.h"
#include "log.h"
#include "output.h"
#include "stacks.h"
#include "syms.h"

struct entry {
	struct tk_stack_key key;
	__u64 count;
};

struct frame {
	const char *name;	/* "[unknown]" when nothing covers the address */
	uint64_t offset;
	const char *module;	/* NULL: not known */
	char buf[TK_SYMS_MAX_NAME + 16];
};

/* One run of the report: its symbol tables and the frames of the stack at hand. */
struct ctx {
	const struct tk_stacks_report *r;
	struct tk_ksyms *ksyms;
	struct tk_usyms *usyms;
	__u64 ips[TK_STACK_MAX_DEPTH];
	struct frame kframes[TK_STACK_MAX_DEPTH], uframes[TK_STACK_MAX_DEPTH];
	int nk, nu;
};

static int by_count(const void *a, const void *b)
{
	const struct entry *x = a, *y = b;

	if (x->count != y->count)
		return x->count < y->count ? -1 : 1;
	return x->key.pid < y->key.pid ? -1 : x->key.pid > y->key.pid;
}

static void unknown(struct frame *f, const char *module)
{
	f->offset = 0;
	f->module = module;
	if (module) {
		snprintf(f->buf, sizeof(f->buf), "[unknown] (%s)", module);
		f->name = f->buf;
	} else {
		f->name = "[unknown]";
	}
}

static bool is_hook_frame(const char *name)
{
	return !strncmp(name, "bpf_prog_", 9) || !strncmp(name, "bpf_trace_run", 13) ||
	       !strncmp(name, "__bpf_trace_", 12) || !strncmp(name, "__traceiter_", 12);
}

/* The frames of stack @id, innermost first. */
static int read_stack(struct ctx *c, __s64 id, bool kernel, __u32 pid, struct frame *out)
{
	int i, n = 0;

	if (id < 0 || bpf_map_lookup_elem(kernel ? c->r->kstacks_fd : c->r->ustacks_fd, &id, c->ips))
		return 0;
	for (i = 0; i < TK_STACK_MAX_DEPTH && c->ips[i]; i++, n++) {
		struct frame *f = &out[n];

		if (kernel) {
			const struct tk_ksym *s = c->ksyms ? tk_ksyms_find(c->ksyms, c->ips[i]) : NULL;

			if (!s) {
				unknown(f, NULL);
				continue;
			}
			/* The tracer's own frames, innermost: the program and
			 * the tracepoint's trampoline. */
			if (!n && c->r->skip_hook_frames && is_hook_frame(s->name)) {
				n--;
				continue;
			}
			f->name = s->name;
			f->offset = c->ips[i] - s->addr;
			f->module = s->module ? s->module : "kernel";
		} else {
			struct tk_usym s = {};

			if (tk_usyms_find(c->usyms, pid, c->ips[i], &s) || !s.name) {
				unknown(f, s.module);
				continue;
			}
			f->name = s.name;
			f->offset = s.offset;
			f->module = s.module;
		}
	}
	return n;
}

/* A stack that was asked for but not read: bcc's placeholder. A missing
 * stack (-EFAULT: a kernel thread's user side, a user-mode sample's kernel
 * side) has no frames and no placeholder. */
static bool stack_failed(__s64 id)
{
	return id < 0 && id != -EFAULT;
}

static void print_name(const char *s)
{
	tk_print_escaped(stdout, s, strlen(s));
}

static void print_text(const struct ctx *c, const struct entry *e, uint64_t value)
{
	int i;

	if (c->r->kernel) {
		if (stack_failed(e->key.kernel_stack_id))
			printf("    [Missed Kernel Stack]\n");
		for (i = 0; i < c->nk; i++) {
			printf("    ");
			print_name(c->kframes[i].name);
			putchar('\n');
		}
	}
	if (c->r->user) {
		if (c->nk && (c->nu || stack_failed(e->key.user_stack_id)))
			printf("    --\n");
		if (stack_failed(e->key.user_stack_id))
			printf("    [Missed User Stack]\n");
		for (i = 0; i < c->nu; i++) {
			printf("    ");
			print_name(c->uframes[i].name);
			putchar('\n');
		}
	}
	printf("    %-16s ", "-");
	print_name(e->key.comm);
	printf(" (%u)\n        %llu\n\n", e->key.pid, (unsigned long long)value);
}

/* Folded: a ';' or a line break inside a name would split the frame. */
static void print_folded_name(const char *s, bool kernel, bool annotate)
{
	char buf[TK_SYMS_MAX_NAME + 16];
	size_t i, n = strlen(s);

	if (n >= sizeof(buf))
		n = sizeof(buf) - 1;
	for (i = 0; i < n; i++)
		buf[i] = s[i] == ';' ? ':' : (s[i] == '\n' || s[i] == '\r') ? ' ' : s[i];
	buf[n] = 0;
	print_name(buf);
	if (kernel && annotate)
		fputs("_[k]", stdout);
}

static void print_folded(const struct ctx *c, const struct entry *e, uint64_t value)
{
	char comm[sizeof(e->key.comm) + 1] = {};
	int i;

	memcpy(comm, e->key.comm, sizeof(e->key.comm));
	print_folded_name(comm, false, false);
	if (c->r->user) {
		if (stack_failed(e->key.user_stack_id))
			fputs(";[Missed User Stack]", stdout);
		for (i = c->nu - 1; i >= 0; i--) {
			putchar(';');
			print_folded_name(c->uframes[i].name, false, false);
		}
	}
	if (c->r->kernel) {
		if (stack_failed(e->key.kernel_stack_id))
			fputs(";[Missed Kernel Stack]", stdout);
		for (i = c->nk - 1; i >= 0; i--) {
			putchar(';');
			print_folded_name(c->kframes[i].name, true, c->r->annotate);
		}
	}
	printf(" %llu\n", (unsigned long long)value);
}

static void json_frames(struct jw *w, const char *key, const struct frame *f, int n)
{
	int i;

	jw_array_begin(w, key);
	for (i = 0; i < n; i++) {
		jw_object_begin(w, NULL);
		jw_str(w, "name", f[i].name, TK_SYMS_MAX_NAME + 16);
		jw_uint(w, "offset", f[i].offset);
		if (f[i].module)
			jw_str(w, "module", f[i].module, TK_SYMS_MAX_NAME);
		else
			jw_null(w, "module");
		jw_object_end(w);
	}
	jw_array_end(w);
}

static void print_json(const struct ctx *c, const struct entry *e, uint64_t value)
{
	struct jw w;

	jw_summary_begin(&w, stdout, "stack");
	jw_uint(&w, "pid", e->key.pid);
	if (c->r->tid)
		jw_uint(&w, "tid", e->key.tid);
	jw_str(&w, "comm", e->key.comm, sizeof(e->key.comm));
	jw_uint(&w, c->r->value_name ? c->r->value_name : "count", value);
	if (c->r->kernel) {
		if (stack_failed(e->key.kernel_stack_id))
			jw_int(&w, "kernel_stack_error", e->key.kernel_stack_id);
		json_frames(&w, "kernel_frames", c->kframes, c->nk);
	}
	if (c->r->user) {
		if (stack_failed(e->key.user_stack_id))
			jw_int(&w, "user_stack_error", e->key.user_stack_id);
		json_frames(&w, "user_frames", c->uframes, c->nu);
	}
	jw_end(&w);
}

/* The flame graph's path of one stack, outermost first: comm, user frames,
 * kernel frames (marked, for their colour). */
static void flame_add(struct tk_flame *fg, const struct ctx *c, const struct entry *e,
		      uint64_t value)
{
	const char *path[2 * TK_STACK_MAX_DEPTH + 3];
	bool kern[2 * TK_STACK_MAX_DEPTH + 3];
	char comm[sizeof(e->key.comm) + 1] = {};
	int i, n = 0;

	memcpy(comm, e->key.comm, sizeof(e->key.comm));
	kern[n] = false;
	path[n++] = comm;
	if (c->r->user) {
		if (stack_failed(e->key.user_stack_id)) {
			kern[n] = false;
			path[n++] = "[Missed User Stack]";
		}
		for (i = c->nu - 1; i >= 0; i--) {
			kern[n] = false;
			path[n++] = c->uframes[i].name;
		}
	}
	if (c->r->kernel) {
		if (stack_failed(e->key.kernel_stack_id)) {
			kern[n] = true;
			path[n++] = "[Missed Kernel Stack]";
		}
		for (i = c->nk - 1; i >= 0; i--) {
			kern[n] = true;
			path[n++] = c->kframes[i].name;
		}
	}
	tk_flame_add(fg, path, kern, n, value);
}

/* Every (key, count) of the counts map, smallest count first. */
static struct entry *read_counts(int fd, size_t *count)
{
	struct tk_stack_key key, next, *prev = NULL;
	struct entry *entries = NULL, *e;
	size_t n = 0, cap = 0;

	while (!bpf_map_get_next_key(fd, prev, &next)) {
		key = next;
		prev = &key;
		if (n == cap) {
			cap = cap ? cap * 2 : 256;
			e = realloc(entries, cap * sizeof(*e));
			if (!e) {
				free(entries);
				return NULL;
			}
			entries = e;
		}
		if (bpf_map_lookup_elem(fd, &key, &entries[n].count))
			continue;
		entries[n++].key = key;
	}
	if (!entries)
		entries = malloc(sizeof(*entries));
	if (entries)
		qsort(entries, n, sizeof(*entries), by_count);
	*count = n;
	return entries;
}

int tk_stacks_print(const struct tk_stacks_report *r, struct tk_stacks_sum *sum)
{
	uint64_t div = r->divisor ? r->divisor : 1;
	struct tk_flame *fg = NULL;
	struct entry *entries;
	struct ctx *c;
	size_t n, i;
	int err = 0;

	memset(sum, 0, sizeof(*sum));
	c = calloc(1, sizeof(*c));
	entries = c ? read_counts(r->counts_fd, &n) : NULL;
	if (!entries) {
		free(c);
		tk_warn("out of memory reading the stacks");
		return -ENOMEM;
	}
	c->r = r;
	if (r->kernel) {
		c->ksyms = tk_ksyms_load();
		if (!c->ksyms)
			tk_warn("cannot read /proc/kallsyms: %s: kernel frames are shown as [unknown]",
				strerror(errno));
		else if (tk_ksyms_hidden(c->ksyms))
			tk_warn("kernel addresses are hidden (kernel.kptr_restrict): kernel "
				"frames are shown as [unknown]");
	}
	if (r->user)
		c->usyms = tk_usyms_new();
	if (r->svg) {
		fg = tk_flame_new();
		if (fg && r->svg_cold)
			tk_flame_cold(fg);
	}
	for (i = 0; i < n; i++) {
		const struct entry *e = &entries[i];
		uint64_t value = e->count / div;

		c->nk = r->kernel ? read_stack(c, e->key.kernel_stack_id, true, 0, c->kframes) : 0;
		c->nu = r->user && c->usyms ?
			read_stack(c, e->key.user_stack_id, false, e->key.pid, c->uframes) : 0;
		if (r->format == TK_STACKS_JSON)
			print_json(c, e, value);
		else if (r->format == TK_STACKS_FOLDED)
			print_folded(c, e, value);
		else
			print_text(c, e, value);
		if (fg)
			flame_add(fg, c, e, value);
		sum->total += value;
	}
	sum->stacks = n;
	if (fg) {
		if (tk_flame_write_svg(fg, r->svg, r->svg_title, r->svg_unit))
			err = -EIO;
		tk_flame_free(fg);
	}
	tk_usyms_free(c->usyms);
	tk_ksyms_free(c->ksyms);
	free(c);
	free(entries);
	return err;
}

void tk_stacks_size(struct bpf_map *kstacks, struct bpf_map *ustacks, bool kernel, bool user,
		    long long storage)
{
	long long each = kernel && user ? (storage + 1) / 2 : storage;

	bpf_map__set_max_entries(kstacks, kernel ? each : 1);
	bpf_map__set_max_entries(ustacks, user ? each : 1);
}

void tk_stacks_errs_read(int fd, uint64_t *out, unsigned int n)
{
	int c, cpus = libbpf_num_possible_cpus();
	__u64 *percpu = cpus > 0 ? calloc(cpus, sizeof(__u64)) : NULL;
	__u32 i;

	memset(out, 0, n * sizeof(*out));
	if (!percpu)
		return;
	for (i = 0; i < n; i++) {
		if (bpf_map_lookup_elem(fd, &i, percpu))
			continue;
		for (c = 0; c < cpus; c++)
			out[i] += percpu[c];
	}
	free(percpu);
}

void tk_stacks_errs_warn(const uint64_t *errs, size_t nstacks, const char *events)
{
	tk_info(1, "%llu %s in %zu stacks; without a user stack %llu (kernel threads), "
		"without a kernel stack %llu (in user mode)",
		(unsigned long long)errs[TK_STACK_EVENTS], events, nstacks,
		(unsigned long long)errs[TK_STACK_USER_EFAULT],
		(unsigned long long)errs[TK_STACK_KERNEL_EFAULT]);
	if (errs[TK_STACK_FULL])
		tk_warn("%llu stack traces not kept: the table of stacks was full (raise "
			"--stack-storage-size)", (unsigned long long)errs[TK_STACK_FULL]);
	if (errs[TK_STACK_OTHER])
		tk_warn("%llu stack traces could not be read", (unsigned long long)errs[TK_STACK_OTHER]);
	if (errs[TK_STACK_COUNTS_FULL])
		tk_warn("%llu %s lost: the table of counts was full (raise --max-stacks)",
			(unsigned long long)errs[TK_STACK_COUNTS_FULL], events);
}

void tk_stacks_errs_json(struct jw *w, const uint64_t *errs)
{
	jw_uint(w, "user_stack_missing", errs[TK_STACK_USER_EFAULT]);
	jw_uint(w, "kernel_stack_missing", errs[TK_STACK_KERNEL_EFAULT]);
	/* v1's names: stacks kept by a 63-bit hash no longer collide, and a
	 * full table of stacks is one of the errors. */
	jw_uint(w, "stack_collisions", 0);
	jw_uint(w, "stack_errors", errs[TK_STACK_FULL] + errs[TK_STACK_OTHER]);
	jw_uint(w, "counts_full", errs[TK_STACK_COUNTS_FULL]);
}
