// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "ksyms.h"

struct ksyms {
	struct ksym *syms;		/* sorted by address, ties in file order */
	const struct ksym **by_name;	/* sorted by name, vmlinux first, then file order */
	size_t n;
	char *arena;			/* every name and module string */
};

/*
 * While parsing, the arena may move as it grows, so symbols refer to it by
 * offset and only get pointers once it is complete.
 */
struct raw_sym {
	uint64_t addr;
	uint32_t name;
	uint32_t module;		/* NO_MODULE for vmlinux */
};

#define NO_MODULE UINT32_MAX

struct builder {
	char *arena;
	size_t arena_len, arena_cap;
	struct raw_sym *raw;
	size_t n, cap;
	uint32_t last_module;		/* module lines come in runs: store each name once per run */
};

static int arena_add(struct builder *b, const char *s, size_t len, uint32_t *off)
{
	if (b->arena_len + len + 1 > b->arena_cap) {
		size_t cap = b->arena_cap ? b->arena_cap : 1 << 16;
		char *p;

		while (b->arena_len + len + 1 > cap)
			cap *= 2;
		/* Offsets are 32-bit to keep the parse array small. */
		if (cap > UINT32_MAX)
			return -EOVERFLOW;
		p = realloc(b->arena, cap);
		if (!p)
			return -ENOMEM;
		b->arena = p;
		b->arena_cap = cap;
	}
	*off = b->arena_len;
	memcpy(b->arena + b->arena_len, s, len);
	b->arena[b->arena_len + len] = '\0';
	b->arena_len += len + 1;
	return 0;
}

static int hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* One line without its newline: "ADDR TYPE NAME[\t[MODULE]]". */
static int parse_line(struct builder *b, const char *line, size_t len)
{
	const char *p = line, *end = line + len, *name, *name_end, *mod = NULL;
	size_t mod_len = 0;
	uint64_t addr = 0;
	uint32_t name_off, mod_off = NO_MODULE;
	int digits = 0, v, err;

	while (p < end && (v = hexval(*p)) >= 0) {
		if (++digits > 16)
			return -EINVAL;
		addr = addr << 4 | v;
		p++;
	}
	if (!digits || end - p < 4 || p[0] != ' ' || p[1] == ' ' || p[2] != ' ')
		return -EINVAL;
	name = p + 3;
	name_end = memchr(name, '\t', end - name);
	if (!name_end)
		name_end = end;
	if (name_end == name)
		return -EINVAL;
	if (name_end < end) {
		mod = name_end + 1;
		if (end - mod < 3 || mod[0] != '[' || end[-1] != ']')
			return -EINVAL;
		mod++;
		mod_len = end - 1 - mod;
	}
	/* kptr_restrict hides every address as 0; such lines carry nothing. */
	if (!addr)
		return 0;

	if (b->n == b->cap) {
		size_t cap = b->cap ? b->cap * 2 : 4096;
		struct raw_sym *r = realloc(b->raw, cap * sizeof(*r));

		if (!r)
			return -ENOMEM;
		b->raw = r;
		b->cap = cap;
	}
	err = arena_add(b, name, name_end - name, &name_off);
	if (err)
		return err;
	if (mod) {
		if (b->last_module != NO_MODULE &&
		    strlen(b->arena + b->last_module) == mod_len &&
		    !memcmp(b->arena + b->last_module, mod, mod_len)) {
			mod_off = b->last_module;
		} else {
			err = arena_add(b, mod, mod_len, &mod_off);
			if (err)
				return err;
			b->last_module = mod_off;
		}
	}
	b->raw[b->n++] = (struct raw_sym){ .addr = addr, .name = name_off, .module = mod_off };
	return 0;
}

static int cmp_addr(const void *a, const void *b)
{
	const struct ksym *x = a, *y = b;

	if (x->addr != y->addr)
		return x->addr < y->addr ? -1 : 1;
	/* Names were appended to the arena in file order. */
	return x->name < y->name ? -1 : x->name > y->name;
}

static int cmp_name(const void *a, const void *b)
{
	const struct ksym *x = *(const struct ksym * const *)a;
	const struct ksym *y = *(const struct ksym * const *)b;
	int r = strcmp(x->name, y->name);

	if (r)
		return r;
	if (!x->module != !y->module)
		return x->module ? 1 : -1;
	return x->name < y->name ? -1 : x->name > y->name;
}

static int read_file(FILE *f, struct builder *b)
{
	char *line = NULL;
	size_t cap = 0;
	ssize_t len;
	int err = 0;

	errno = 0;
	while ((len = getline(&line, &cap, f)) >= 0) {
		if (len && line[len - 1] == '\n')
			len--;
		err = parse_line(b, line, len);
		if (err)
			break;
	}
	if (!err && ferror(f))
		err = errno ? -errno : -EIO;
	free(line);
	return err;
}

struct ksyms *ksyms_load(const char *path)
{
	struct builder b = { .last_module = NO_MODULE };
	struct ksyms *ks = NULL;
	FILE *f;
	int err;

	f = fopen(path ? path : "/proc/kallsyms", "re");
	if (!f)
		return NULL;
	err = read_file(f, &b);
	fclose(f);
	if (err)
		goto fail;

	err = -ENOMEM;
	ks = calloc(1, sizeof(*ks));
	if (!ks)
		goto fail;
	/* An empty arena would leave name pointers with nothing to point at. */
	if (!b.arena) {
		b.arena = malloc(1);
		if (!b.arena)
			goto fail;
	}
	ks->arena = b.arena;
	b.arena = NULL;
	ks->n = b.n;
	if (b.n) {
		ks->syms = malloc(b.n * sizeof(*ks->syms));
		ks->by_name = malloc(b.n * sizeof(*ks->by_name));
		if (!ks->syms || !ks->by_name)
			goto fail;
	}
	for (size_t i = 0; i < b.n; i++) {
		ks->syms[i].addr = b.raw[i].addr;
		ks->syms[i].name = ks->arena + b.raw[i].name;
		ks->syms[i].module = b.raw[i].module == NO_MODULE ? NULL : ks->arena + b.raw[i].module;
	}
	free(b.raw);
	b.raw = NULL;
	if (ks->n) {
		qsort(ks->syms, ks->n, sizeof(*ks->syms), cmp_addr);
		for (size_t i = 0; i < ks->n; i++)
			ks->by_name[i] = &ks->syms[i];
		qsort(ks->by_name, ks->n, sizeof(*ks->by_name), cmp_name);
	}
	return ks;

fail:
	free(b.arena);
	free(b.raw);
	ksyms_free(ks);
	errno = -err;
	return NULL;
}

void ksyms_free(struct ksyms *ks)
{
	if (!ks)
		return;
	free(ks->syms);
	free(ks->by_name);
	free(ks->arena);
	free(ks);
}

size_t ksyms_count(const struct ksyms *ks)
{
	return ks ? ks->n : 0;
}

/* Index of the first symbol with address > @addr (or >= if @inclusive). */
static size_t addr_bound(const struct ksyms *ks, uint64_t addr, bool inclusive)
{
	size_t lo = 0, hi = ks->n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		uint64_t a = ks->syms[mid].addr;

		if (a < addr || (!inclusive && a == addr))
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

const struct ksym *ksyms_lookup(const struct ksyms *ks, uint64_t addr)
{
	size_t i;

	if (!ks)
		return NULL;
	i = addr_bound(ks, addr, false);
	if (!i)
		return NULL;
	/* Aliases share an address; answer the same one every time. */
	return &ks->syms[addr_bound(ks, ks->syms[i - 1].addr, true)];
}

const struct ksym *ksyms_by_name(const struct ksyms *ks, const char *name)
{
	size_t lo = 0, hi;

	if (!ks || !name)
		return NULL;
	hi = ks->n;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (strcmp(ks->by_name[mid]->name, name) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo < ks->n && !strcmp(ks->by_name[lo]->name, name))
		return ks->by_name[lo];
	return NULL;
}
