// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* Proves common/btfmin.c's minimised BTF right for every tool's BPF object
 * on the kernel it runs on: each object is relocated by libbpf twice, once
 * against the whole kernel BTF, once against the BTF tk_btf_minimise() cut
 * from it, and the two sets of final instructions must be the same.
 *
 * Usage: tk_btfmin [--kernel FILE] [--empty]
 *   --kernel FILE  a kernel BTF file instead of the running kernel's
 *   --empty        negative control: relocate against an empty BTF instead
 *                  of the minimised one (the instructions must differ)
 * One line per object; exit 0 if every object came out the same, 1 if one
 * did not, 2 on bad input, 3 if the check could not be made.
 *
 * Linked with the libbpf the static tools use: it needs
 * bpf_object__prepare() (1.6+), which relocates without loading, so that
 * programs for hooks this kernel lacks (fentry, kprobes) are checked too. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>
#include "btfmin.h"
#include "tk_btfmin.objs.h"

/* Every tool's object, as its skeleton embeds it. Its size is the
 * assembler's: C may not subtract pointers to two objects (gcc for arm64
 * made it 0). */
#define X(tool, file)							\
	extern const char tk_obj_##tool[];				\
	extern const unsigned long tk_obj_##tool##_size;		\
	__asm__(".section .rodata\n.balign 8\n"				\
		"tk_obj_" #tool ": .incbin \"" file "\"\n"			\
		"tk_obj_" #tool "_end:\n.balign 8\n"				\
		"tk_obj_" #tool "_size: .quad tk_obj_" #tool "_end - tk_obj_" #tool "\n" \
		".previous\n");
TK_OBJS(X)
#undef X

int bpf_object__prepare(struct bpf_object *obj);	/* not in libbpf 1.1's headers */

struct prog {
	char name[64];
	struct bpf_insn *insns;
	size_t n;
};

static int quiet(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	(void)level, (void)fmt, (void)ap;
	return 0;
}

/* Every program's final instructions, with @btf_path (NULL: the running
 * kernel's) as the target of CO-RE. */
static int relocate(const void *obj, size_t size, const char *btf_path, struct prog **out,
		    size_t *nout)
{
	LIBBPF_OPTS(bpf_object_open_opts, opts, .btf_custom_path = btf_path);
	struct bpf_object *o = bpf_object__open_mem(obj, size, &opts);
	struct bpf_program *p;
	struct bpf_map *m;
	struct prog *ps = NULL;
	size_t n = 0;
	int err;

	if (!o)
		return -errno;
	bpf_object__for_each_program(p, o)
		bpf_program__set_autoload(p, true);
	/* No maps: what a map type this kernel lacks (task storage before
	 * 5.11) would refuse is not the question, and libbpf relocates the
	 * programs the same without them (their map loads poisoned alike). */
	bpf_object__for_each_map(m, o)
		bpf_map__set_autocreate(m, false);
	if ((err = bpf_object__prepare(o))) {
		bpf_object__close(o);
		return err;
	}
	bpf_object__for_each_program(p, o) {
		struct prog *q = realloc(ps, (n + 1) * sizeof(*ps));

		if (!q)
			exit(3);
		ps = q;
		snprintf(ps[n].name, sizeof(ps[n].name), "%s", bpf_program__name(p));
		ps[n].n = bpf_program__insn_cnt(p);
		ps[n].insns = malloc(ps[n].n * sizeof(struct bpf_insn) + 1);
		if (!ps[n].insns)
			exit(3);
		memcpy(ps[n].insns, bpf_program__insns(p), ps[n].n * sizeof(struct bpf_insn));
		n++;
	}
	bpf_object__close(o);
	*out = ps;
	*nout = n;
	return 0;
}

/* Same but for the map file descriptors in ld_imm64 (each object has its own). */
static int same_insn(const struct bpf_insn *a, const struct bpf_insn *b, int after_ld)
{
	if (after_ld)
		return a->code == b->code && a->off == b->off;
	if (a->code == (BPF_LD | BPF_IMM | BPF_DW) && a->src_reg && a->src_reg == b->src_reg)
		return a->code == b->code && a->dst_reg == b->dst_reg && a->off == b->off;
	return !memcmp(a, b, sizeof(*a));
}

static int check(const char *name, const void *obj, size_t size, const struct btf *kernel,
		 const char *kernel_path, int empty)
{
	char tmp[] = "/tmp/tk-btfmin.XXXXXX";
	struct prog *full = NULL, *min = NULL;
	size_t nfull = 0, nmin = 0, i, j, insns = 0;
	struct btf *b = NULL;
	const void *raw;
	__u32 raw_size;
	int fd, err, bad = 0;

	err = empty ? ((b = btf__new_empty()) ? 0 : -ENOMEM) : tk_btf_minimise(obj, size, kernel, &b);
	if (err) {
		printf("%s: not minimised: %s\n", name, strerror(-err));
		return 1;
	}
	if (empty)
		btf__add_int(b, "int", 4, BTF_INT_SIGNED);
	raw = btf__raw_data(b, &raw_size);
	fd = mkstemp(tmp);
	if (fd < 0 || write(fd, raw, raw_size) != (ssize_t)raw_size || close(fd))
		exit(3);
	if ((err = relocate(obj, size, kernel_path, &full, &nfull)) ||
	    (err = relocate(obj, size, tmp, &min, &nmin))) {
		printf("%s: libbpf could not relocate it against the %s BTF: %s\n", name,
		       nfull ? "minimised" : "whole", strerror(-err));
		unlink(tmp);
		btf__free(b);
		return 1;
	}
	unlink(tmp);
	if (nfull != nmin) {
		printf("%s: %zu programs against %zu\n", name, nfull, nmin);
		return 1;
	}
	for (i = 0; i < nfull; i++) {
		insns += full[i].n;
		if (strcmp(full[i].name, min[i].name) || full[i].n != min[i].n) {
			printf("%s: %s: %zu instructions against %zu\n", name, full[i].name,
			       full[i].n, min[i].n);
			bad = 1;
			continue;
		}
		for (j = 0; j < full[i].n; j++) {
			if (same_insn(&full[i].insns[j], &min[i].insns[j],
				      j && full[i].insns[j - 1].code == (BPF_LD | BPF_IMM | BPF_DW) &&
				      full[i].insns[j - 1].src_reg))
				continue;
			printf("%s: %s: instruction %zu differs\n", name, full[i].name, j);
			bad = 1;
			break;
		}
	}
	printf("%s: %zu programs, %zu instructions, %u-byte BTF of %u types: %s\n", name, nfull,
	       insns, raw_size, btf__type_cnt(b) - 1, bad ? "DIFFERENT" : "same");
	for (i = 0; i < nfull; i++)
		free(full[i].insns);
	for (i = 0; i < nmin; i++)
		free(min[i].insns);
	free(full);
	free(min);
	btf__free(b);
	return bad;
}

int main(int argc, char **argv)
{
	const char *kernel_path = NULL;
	struct btf *kernel;
	int i, empty = 0, bad = 0;

	for (i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--empty")) {
			empty = 1;
		} else if (!strcmp(argv[i], "--kernel") && i + 1 < argc) {
			kernel_path = argv[++i];
		} else {
			fprintf(stderr, "tk_btfmin: unknown argument '%s'\n", argv[i]);
			return 2;
		}
	}
	libbpf_set_print(quiet);
	kernel = kernel_path ? btf__parse(kernel_path, NULL) : btf__load_vmlinux_btf();
	if (!kernel) {
		fprintf(stderr, "tk_btfmin: no kernel BTF: %s\n", strerror(errno));
		return 3;
	}
#define X(tool, file)							\
	bad |= check(#tool, tk_obj_##tool, tk_obj_##tool##_size, kernel, kernel_path, empty);
	TK_OBJS(X)
#undef X
	btf__free(kernel);
	return bad;
}
