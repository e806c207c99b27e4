// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#include <errno.h>
#include <fcntl.h>
#include <gelf.h>
#include <libelf.h>
#include <limits.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <dirent.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>
#include "log.h"
#include "btfmin.h"

/* .BTF.ext as the compiler writes it (the kernel's and libbpf's layout):
 * a header, then per section of code the CO-RE relocation records. */
struct ext_header {
	__u16 magic;
	__u8 version;
	__u8 flags;
	__u32 hdr_len;
	__u32 func_info_off, func_info_len;
	__u32 line_info_off, line_info_len;
	__u32 core_relo_off, core_relo_len;	/* only if hdr_len covers them */
};

struct core_relo {
	__u32 insn_off;
	__u32 type_id;		/* the local root type */
	__u32 access_str_off;	/* "0:1:2" in the object's BTF strings */
	__u32 kind;		/* enum bpf_core_relo_kind */
};

/* The relocation kinds (enum bpf_core_relo_kind, kept here by number: a
 * libbpf without them in its headers still reads objects that use them). */
enum {
	RELO_FIELD_FIRST = 0,	/* byte offset, byte size, exists, signed, lshift, rshift */
	RELO_FIELD_LAST = 5,
	RELO_TYPE_ID_LOCAL = 6,	/* the object's own id: no kernel type */
	RELO_TYPE_ID_TARGET = 7,	/* the kernel's id: a minimised BTF numbers differently */
	RELO_TYPE_EXISTS = 8,
	RELO_TYPE_SIZE = 9,
	RELO_ENUMVAL_EXISTS = 10,
	RELO_ENUMVAL_VALUE = 11,
	RELO_TYPE_MATCHES = 12,	/* compares whole layouts: not minimised for */
};

struct pair {
	__u32 type, member;
};

/* What of the kernel BTF is kept: whole types (keep), and for structs and
 * unions only the members a relocation walks (members, sorted at the end). */
struct marks {
	const struct btf *k;
	__u8 *keep;
	struct pair *members;
	size_t nmembers, cap;
	int err;
};

static const struct btf_type *skip_mods(const struct btf *btf, __u32 id, __u32 *res)
{
	const struct btf_type *t = btf__type_by_id(btf, id);

	while (t && (btf_is_mod(t) || btf_is_typedef(t))) {
		id = t->type;
		t = btf__type_by_id(btf, id);
	}
	*res = id;
	return t;
}

/* The name without a "___flavour" suffix (X___Y, X and Y not '_'), as
 * libbpf matches candidates. */
static size_t essential_len(const char *name)
{
	size_t n = strlen(name);
	int i;

	for (i = (int)n - 5; i >= 0; i--)
		if (name[i] != '_' && !strncmp(name + i + 1, "___", 3) && name[i + 4] != '_')
			return i + 1;
	return n;
}

/* The kind libbpf compares candidates by: enum and enum64 are one. */
static int core_kind(const struct btf_type *t)
{
	return btf_kind(t) == BTF_KIND_ENUM64 ? BTF_KIND_ENUM : btf_kind(t);
}

/* A kind whose one reference is t->type (modifiers, typedef, pointer,
 * function): followed when marking, renumbered when emitting. */
static bool refers_by_type(const struct btf_type *t)
{
	switch (btf_kind(t)) {
	case BTF_KIND_PTR:
	case BTF_KIND_TYPEDEF:
	case BTF_KIND_VOLATILE:
	case BTF_KIND_CONST:
	case BTF_KIND_RESTRICT:
	case BTF_KIND_TYPE_TAG:
	case BTF_KIND_FUNC:
		return true;
	default:
		return false;
	}
}

/* Keeps @id and what it is made of, down to (not into) structs and unions:
 * a relocation's compatibility checks follow pointers, arrays, function
 * prototypes, typedefs and modifiers, and take a struct by its name and
 * size. Enums are kept whole: enumerators are read by name. */
static void mark_type(struct marks *m, __u32 id)
{
	const struct btf_type *t;

	while (id && !m->keep[id]) {
		m->keep[id] = 1;
		t = btf__type_by_id(m->k, id);
		if (!t)
			return;
		if (refers_by_type(t)) {
			id = t->type;
			continue;
		}
		switch (btf_kind(t)) {
		case BTF_KIND_ARRAY:
			mark_type(m, btf_array(t)->index_type);
			id = btf_array(t)->type;
			break;
		case BTF_KIND_FUNC_PROTO: {
			const struct btf_param *p = btf_params(t);
			int i;

			for (i = 0; i < btf_vlen(t); i++)
				mark_type(m, p[i].type);
			id = t->type;
			break;
		}
		default:	/* int, float, enum, fwd, struct, union */
			return;
		}
	}
}

static void mark_member(struct marks *m, __u32 type, __u32 member)
{
	if (m->nmembers == m->cap) {
		size_t cap = m->cap ? 2 * m->cap : 256;
		struct pair *p = realloc(m->members, cap * sizeof(*p));

		if (!p) {
			m->err = -ENOMEM;
			return;
		}
		m->members = p;
		m->cap = cap;
	}
	m->members[m->nmembers++] = (struct pair){ type, member };
}

/* The member called @name of kernel type @id, looked for as libbpf does:
 * in order, inside anonymous members too, first match. Keeps the path to
 * it; returns its type, or 0 (no such member: the candidate fails in
 * libbpf too). */
static __u32 match_member(struct marks *m, __u32 id, const char *name, int depth)
{
	const struct btf_type *t = skip_mods(m->k, id, &id);
	const struct btf_member *mem;
	int i;

	if (!t || !btf_is_composite(t) || depth > 32)
		return 0;
	mem = btf_members(t);
	for (i = 0; i < btf_vlen(t); i++, mem++) {
		const char *n = btf__name_by_offset(m->k, mem->name_off);
		__u32 found;

		if (n && *n) {
			if (strcmp(n, name))
				continue;
			found = mem->type;
		} else if (!(found = match_member(m, mem->type, name, depth + 1))) {
			continue;
		}
		mark_member(m, id, i);
		mark_type(m, mem->type);
		return found;
	}
	return 0;
}

/* A field relocation's access string walked on a kernel candidate: the
 * first number indexes the root as an array (its size is kept), each later
 * one a member or an element of the local type, matched by name. Local
 * anonymous members are steps of the object's own layout only. */
static void mark_field(struct marks *m, const struct btf *local, __u32 lid, __u32 kid,
		       const char *access)
{
	const struct btf_type *lt, *kt;
	char *end;
	unsigned long idx;

	mark_type(m, kid);
	strtoul(access, &end, 10);
	while (*end == ':' && !m->err) {
		idx = strtoul(end + 1, &end, 10);
		lt = skip_mods(local, lid, &lid);
		if (!lt)
			return;
		if (btf_is_composite(lt)) {
			const struct btf_member *lm = btf_members(lt) + idx;
			const char *n;

			if (idx >= btf_vlen(lt))
				return;
			n = btf__name_by_offset(local, lm->name_off);
			lid = lm->type;
			if (!n || !*n)
				continue;
			if (!(kid = match_member(m, kid, n, 0)))
				return;
		} else if (btf_is_array(lt)) {
			kt = skip_mods(m->k, kid, &kid);
			if (!kt || !btf_is_array(kt))
				return;
			lid = btf_array(lt)->type;
			kid = btf_array(kt)->type;
		} else {
			return;
		}
	}
}

/* Calls @fn for every CO-RE relocation record of the .BTF.ext @ext. */
static int for_each_relo(const void *ext, size_t ext_size,
			 int (*fn)(const struct core_relo *r, void *ctx), void *ctx)
{
	const struct ext_header *h = ext;
	const __u8 *p, *end;
	__u32 rec_size;
	int err;

	if (ext_size < offsetof(struct ext_header, core_relo_off) || h->magic != 0xeB9F ||
	    h->hdr_len > ext_size)
		return -EINVAL;
	if (h->hdr_len < sizeof(*h) || !h->core_relo_len)
		return 0;
	if ((size_t)h->hdr_len + h->core_relo_off + h->core_relo_len > ext_size ||
	    h->core_relo_len < 4)
		return -EINVAL;
	p = (const __u8 *)ext + h->hdr_len + h->core_relo_off;
	end = p + h->core_relo_len;
	memcpy(&rec_size, p, 4);
	p += 4;
	if (rec_size < sizeof(struct core_relo))
		return -EINVAL;
	while (end - p >= 8) {
		__u32 hdr[2], i;

		memcpy(hdr, p, 8);	/* section name, record count */
		p += 8;
		if ((size_t)(end - p) / rec_size < hdr[1])
			return -EINVAL;
		for (i = 0; i < hdr[1]; i++, p += rec_size) {
			struct core_relo r;

			memcpy(&r, p, sizeof(r));
			if ((err = fn(&r, ctx)))
				return err;
		}
	}
	return 0;
}

/* Names the relocations' roots have, so that the kernel BTF is walked once
 * for all their candidates. */
struct roots {
	const struct btf *local;
	struct marks *m;
	struct core_relo *relos;
	size_t n, cap;
};

static int collect(const struct core_relo *r, void *ctx)
{
	struct roots *rs = ctx;

	if (r->kind == RELO_TYPE_ID_LOCAL)
		return 0;
	if (r->kind == RELO_TYPE_ID_TARGET || r->kind == RELO_TYPE_MATCHES ||
	    r->kind > RELO_TYPE_MATCHES)
		return -ENOTSUP;
	if (rs->n == rs->cap) {
		size_t cap = rs->cap ? 2 * rs->cap : 64;
		struct core_relo *p = realloc(rs->relos, cap * sizeof(*p));

		if (!p)
			return -ENOMEM;
		rs->relos = p;
		rs->cap = cap;
	}
	rs->relos[rs->n++] = *r;
	return 0;
}

static bool same_root(const struct btf *local, const struct btf_type *lt, const struct btf *k,
		      const struct btf_type *kt)
{
	const char *ln = btf__name_by_offset(local, lt->name_off);
	const char *kn = btf__name_by_offset(k, kt->name_off);
	size_t len = essential_len(ln);

	return core_kind(lt) == core_kind(kt) && essential_len(kn) == len &&
	       !strncmp(ln, kn, len);
}

/* Every kernel type that is a candidate for one of the relocations, marked
 * as that relocation reads it. One pass over the kernel's types; each is
 * compared only with the relocations whose root name hashes alike. */
static int mark_candidates(struct roots *rs)
{
	const struct btf *k = rs->m->k;
	__u32 nk = btf__type_cnt(k), id, buckets = 1024, *head, *next;
	size_t i;
	int err = 0;

	head = calloc(buckets, sizeof(*head));
	next = calloc(rs->n + 1, sizeof(*next));
	if (!head || !next) {
		err = -ENOMEM;
		goto out;
	}
	/* Chains of relocations by the hash of their root's essential name. */
	for (i = 0; i < rs->n; i++) {
		const struct btf_type *lt = btf__type_by_id(rs->local, rs->relos[i].type_id);
		const char *n = lt ? btf__name_by_offset(rs->local, lt->name_off) : NULL;
		__u32 h = 2166136261u;
		size_t j, len;

		if (!n || !*n) {
			err = -EINVAL;	/* libbpf too refuses an anonymous root */
			goto out;
		}
		for (j = 0, len = essential_len(n); j < len; j++)
			h = (h ^ (__u8)n[j]) * 16777619u;
		next[i + 1] = head[h % buckets];
		head[h % buckets] = i + 1;
	}
	for (id = 1; id < nk && !rs->m->err; id++) {
		const struct btf_type *kt = btf__type_by_id(k, id);
		const char *n = btf__name_by_offset(k, kt->name_off);
		__u32 h = 2166136261u, r;
		size_t j, len;

		if (!n || !*n)
			continue;
		for (j = 0, len = essential_len(n); j < len; j++)
			h = (h ^ (__u8)n[j]) * 16777619u;
		for (r = head[h % buckets]; r; r = next[r]) {
			const struct core_relo *c = &rs->relos[r - 1];
			const struct btf_type *lt = btf__type_by_id(rs->local, c->type_id);

			if (!same_root(rs->local, lt, k, kt))
				continue;
			if (c->kind <= RELO_FIELD_LAST)
				mark_field(rs->m, rs->local, c->type_id, id,
					   btf__name_by_offset(rs->local, c->access_str_off));
			else
				mark_type(rs->m, id);
		}
	}
	err = rs->m->err;
out:
	free(head);
	free(next);
	return err;
}

static int cmp_pair(const void *a, const void *b)
{
	const struct pair *x = a, *y = b;

	if (x->type != y->type)
		return x->type < y->type ? -1 : 1;
	return x->member < y->member ? -1 : x->member > y->member;
}

/* The kept types, renumbered in order, into a new BTF. */
static int emit(struct marks *m, struct btf **out)
{
	__u32 nk = btf__type_cnt(m->k), id, *new_id;
	struct btf *b = btf__new_empty();
	size_t pi = 0;
	int err = 0, n = 0;

	new_id = calloc(nk, sizeof(*new_id));
	if (!b || !new_id) {
		err = -ENOMEM;
		goto out;
	}
	for (id = 1; id < nk; id++)
		if (m->keep[id])
			new_id[id] = ++n;
	qsort(m->members, m->nmembers, sizeof(*m->members), cmp_pair);
	for (id = 1; id < nk && !err; id++) {
		const struct btf_type *t = btf__type_by_id(m->k, id);
		struct btf_type *c;
		int nid, i;

		if (!m->keep[id])
			continue;
		if (btf_is_composite(t)) {
			const char *name = btf__name_by_offset(m->k, t->name_off);
			const struct btf_member *mem = btf_members(t);

			nid = btf_is_struct(t) ? btf__add_struct(b, name, t->size)
					       : btf__add_union(b, name, t->size);
			while (pi < m->nmembers && m->members[pi].type < id)
				pi++;
			for (; nid > 0 && pi < m->nmembers && m->members[pi].type == id; pi++) {
				__u32 mi = m->members[pi].member;

				if (pi && m->members[pi - 1].type == id &&
				    m->members[pi - 1].member == mi)
					continue;
				err = btf__add_field(b, btf__name_by_offset(m->k, mem[mi].name_off),
						     new_id[mem[mi].type],
						     btf_member_bit_offset(t, mi),
						     btf_member_bitfield_size(t, mi));
				if (err)
					break;
			}
		} else {
			nid = btf__add_type(b, m->k, t);
		}
		if (nid < 0) {
			err = nid;
			break;
		}
		if (err)
			break;
		if (nid != (int)new_id[id]) {
			err = -EINVAL;
			break;
		}
		/* btf__add_type copied the kernel's ids: renumber them. */
		c = (struct btf_type *)btf__type_by_id(b, nid);
		if (refers_by_type(c)) {
			c->type = new_id[c->type];
			continue;
		}
		switch (btf_kind(c)) {
		case BTF_KIND_ARRAY:
			btf_array(c)->type = new_id[btf_array(c)->type];
			btf_array(c)->index_type = new_id[btf_array(c)->index_type];
			break;
		case BTF_KIND_FUNC_PROTO:
			c->type = new_id[c->type];
			for (i = 0; i < btf_vlen(c); i++)
				btf_params(c)[i].type = new_id[btf_params(c)[i].type];
			break;
		default:
			break;
		}
	}
out:
	free(new_id);
	if (err) {
		btf__free(b);
		return err;
	}
	*out = b;
	return 0;
}

/* The object's .BTF and .BTF.ext sections. */
static int object_btf(const void *obj, size_t size, struct btf **local, Elf_Data **ext, Elf **elfp)
{
	Elf *elf = elf_memory((char *)obj, size);
	Elf_Scn *scn = NULL;
	Elf_Data *btf = NULL;
	size_t shstrndx;

	*ext = NULL;
	if (!elf || elf_getshdrstrndx(elf, &shstrndx)) {
		if (elf)
			elf_end(elf);
		return -EINVAL;
	}
	while ((scn = elf_nextscn(elf, scn))) {
		GElf_Shdr sh;
		const char *name;

		if (!gelf_getshdr(scn, &sh) || !(name = elf_strptr(elf, shstrndx, sh.sh_name)))
			continue;
		if (!strcmp(name, ".BTF"))
			btf = elf_getdata(scn, NULL);
		else if (!strcmp(name, ".BTF.ext"))
			*ext = elf_getdata(scn, NULL);
	}
	if (!btf || !(*local = btf__new(btf->d_buf, btf->d_size))) {
		elf_end(elf);
		return -EINVAL;
	}
	*elfp = elf;
	return 0;
}

int tk_btf_minimise(const void *obj, size_t size, const struct btf *kernel, struct btf **out)
{
	struct marks m = { .k = kernel };
	struct roots rs = { .m = &m };
	struct btf *local = NULL;
	Elf_Data *ext;
	Elf *elf = NULL;
	int err;

	elf_version(EV_CURRENT);
	if ((err = object_btf(obj, size, &local, &ext, &elf)))
		return err;
	rs.local = local;
	m.keep = calloc(btf__type_cnt(kernel), 1);
	if (!m.keep) {
		err = -ENOMEM;
		goto out;
	}
	if (ext && (err = for_each_relo(ext->d_buf, ext->d_size, collect, &rs)))
		goto out;
	if ((err = mark_candidates(&rs)))
		goto out;
	err = emit(&m, out);
out:
	free(rs.relos);
	free(m.keep);
	free(m.members);
	btf__free(local);
	elf_end(elf);
	return err;
}

/* ---- the cache ---- */

static uint64_t fnv(uint64_t h, const void *p, size_t n)
{
	const __u8 *c = p;

	while (n--)
		h = (h ^ *c++) * 1099511628211ULL;
	return h;
}

/* The kernel's GNU build ID from /sys/kernel/notes, hashed into @h (left
 * alone when there is none: the version and BTF size still are). */
static uint64_t hash_build_id(uint64_t h)
{
	__u8 buf[4096];
	ssize_t n;
	size_t off = 0;
	int fd = open("/sys/kernel/notes", O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return h;
	n = read(fd, buf, sizeof(buf));
	close(fd);
	while (n > 0 && off + 12 <= (size_t)n) {
		__u32 nh[3];
		size_t name = off + 12, desc, next;

		memcpy(nh, buf + off, 12);	/* namesz, descsz, type */
		desc = name + ((nh[0] + 3) & ~3u);
		next = desc + ((nh[1] + 3) & ~3u);
		if (next > (size_t)n)
			break;
		if (nh[2] == 3 && nh[0] == 4 && !memcmp(buf + name, "GNU", 4))
			return fnv(h, buf + desc, nh[1]);	/* NT_GNU_BUILD_ID */
		off = next;
	}
	return h;
}

/* The running kernel's identity: its build ID, release and version
 * strings, and the size of its BTF. */
static uint64_t kernel_key(void)
{
	static uint64_t h;
	struct utsname u;
	struct stat st;

	if (h)
		return h;
	h = hash_build_id(14695981039346656037ULL);
	if (!uname(&u)) {
		h = fnv(h, u.release, strlen(u.release));
		h = fnv(h, u.version, strlen(u.version));
	}
	if (!stat("/sys/kernel/btf/vmlinux", &st))
		h = fnv(h, &st.st_size, sizeof(st.st_size));
	return h;
}

static int mkdirs(const char *dir)
{
	char p[PATH_MAX];
	char *s;

	snprintf(p, sizeof(p), "%s", dir);
	for (s = p + 1; *s; s++) {
		if (*s != '/')
			continue;
		*s = '\0';
		if (mkdir(p, 0755) && errno != EEXIST)
			return -errno;
		*s = '/';
	}
	return mkdir(p, 0755) && errno != EEXIST ? -errno : 0;
}

/* A directory only this user may write: what is in it decides what the
 * BPF programs read from the kernel. */
static const char *find_cache_dir(void)
{
	const char *dir = getenv("TRACEKIT_BTF_CACHE");
	struct stat st;

	if (dir && (!*dir || !strcmp(dir, "0") || !strcmp(dir, "off")))
		return NULL;
	if (dir && !strcmp(dir, "memory"))
		return "";	/* minimised for each run, nothing written */
	if (!dir)
		dir = TK_BTF_CACHE_DIR;
	if (stat(dir, &st) && mkdirs(dir)) {
		tk_info(1, "BTF: cache %s: %s", dir, strerror(errno));
		return "";
	}
	if (stat(dir, &st) || !S_ISDIR(st.st_mode) || st.st_uid != geteuid() ||
	    (st.st_mode & 022)) {
		tk_info(1, "BTF: cache %s is not a directory only this user may write; not used", dir);
		return "";
	}
	return dir;
}

/* Found once a run: the tool's object and the attach points' ids ask. */
static const char *cache_dir(void)
{
	static const char *dir;
	static bool found;

	if (!found) {
		dir = find_cache_dir();
		found = true;
	}
	return dir;
}

/* The same object's BTF for other kernels (@prefix: "NAME.OBJECT.", or
 * "kernel." for the ids): a cache holds one kernel's. Other builds'
 * objects keep theirs. */
static void remove_stale(const char *dir, const char *prefix, const char *keep)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	size_t n = strlen(prefix);

	while (d && (e = readdir(d))) {
		if (!strncmp(e->d_name, prefix, n) && strcmp(e->d_name, keep) &&
		    strlen(e->d_name) == strlen(keep))
			unlinkat(dirfd(d), e->d_name, 0);
	}
	if (d)
		closedir(d);
}

static int write_all(int fd, const void *p, size_t n)
{
	while (n) {
		ssize_t w = write(fd, p, n);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return -1;
		p = (const char *)p + w;
		n -= w;
	}
	return 0;
}

/* @fd's file as a path libbpf can open: the same file even if the cache's
 * name for it is replaced or removed meanwhile. @fd stays open for the run. */
static const char *fd_path(int fd)
{
	static char path[64];

	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	return path;
}

const char *tk_btf_cached(const char *name, const void *obj, size_t size,
			  const struct btf *(*kernel)(void))
{
	char path[PATH_MAX + 64], prefix[128], file[256], tmp[PATH_MAX + 80];
	const char *dir = cache_dir();
	const struct btf *k;
	struct btf *min = NULL;
	const void *raw;
	__u32 raw_size;
	int fd = -1, err;

	if (!dir)
		return NULL;
	snprintf(prefix, sizeof(prefix), "%s.%016llx.", name,
		 (unsigned long long)fnv(14695981039346656037ULL, obj, size));
	snprintf(file, sizeof(file), "%s%016llx.btf", prefix, (unsigned long long)kernel_key());
	if (*dir) {
		snprintf(path, sizeof(path), "%s/%s", dir, file);
		/* Named for this object and kernel; parsed (a few kilobytes)
		 * so that a damaged file is made again, not a tool broken. */
		fd = open(path, O_RDONLY | O_CLOEXEC);
		if (fd >= 0) {
			struct btf *b = btf__parse(fd_path(fd), NULL);

			if (b) {
				btf__free(b);
				tk_info(1, "BTF: %s (the kernel's own, minimised for %s)", path,
					name);
				return fd_path(fd);
			}
			close(fd);
			tk_info(1, "BTF: %s is damaged; making it again", path);
			unlink(path);
		}
	}
	if (!(k = kernel()))
		return NULL;
	if ((err = tk_btf_minimise(obj, size, k, &min))) {
		tk_info(1, "BTF: not minimised for %s (%s); relocating against the whole",
			name, strerror(-err));
		return NULL;
	}
	raw = btf__raw_data(min, &raw_size);
	if (*dir) {
		snprintf(tmp, sizeof(tmp), "%s/.%s.%d", dir, file, (int)getpid());
		fd = open(tmp, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
		if (fd >= 0 && !write_all(fd, raw, raw_size) && !rename(tmp, path)) {
			remove_stale(dir, prefix, file);
			btf__free(min);
			tk_info(1, "BTF: %s (the kernel's own, minimised for %s now)", path, name);
			return fd_path(fd);
		}
		tk_info(1, "BTF: cannot write %s: %s", tmp, strerror(errno));
		if (fd >= 0)
			close(fd);
		unlink(tmp);
	}
	/* No cache to keep it in: for this run only. */
	fd = memfd_create("tracekit-btf", MFD_CLOEXEC);
	if (fd < 0 || write_all(fd, raw, raw_size)) {
		if (fd >= 0)
			close(fd);
		btf__free(min);
		return NULL;
	}
	btf__free(min);
	tk_info(1, "BTF: the kernel's own, minimised for %s in memory", name);
	return fd_path(fd);
}

/* Lines "KIND ID NAME" (ID 0: the kernel's BTF has no such type). */
static int ids_lookup(const char *path, const char *name, int kind)
{
	char buf[65536], *line, *end;
	size_t want = strlen(name);
	ssize_t n;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return -1;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return -1;
	buf[n] = '\0';
	for (line = buf; (end = strchr(line, '\n')); line = end + 1) {
		char *p;
		long k = strtol(line, &p, 10), id;

		if (*p != ' ' || k != kind)
			continue;
		id = strtol(p + 1, &p, 10);
		if (*p == ' ' && id >= 0 && (size_t)(end - p - 1) == want &&
		    !strncmp(p + 1, name, want))
			return id;
	}
	return -1;
}

int tk_btf_kernel_id(const char *name, int kind, const struct btf *(*kernel)(void))
{
	char path[PATH_MAX + 64], file[64], line[256];
	const char *dir = access("/sys/kernel/btf/vmlinux", R_OK) ? NULL : cache_dir();
	const struct btf *k;
	bool fresh;
	int id, fd;

	snprintf(file, sizeof(file), "kernel.%016llx.ids", (unsigned long long)kernel_key());
	if (dir && *dir) {
		snprintf(path, sizeof(path), "%s/%s", dir, file);
		if ((id = ids_lookup(path, name, kind)) >= 0)
			return id;
	}
	if (!(k = kernel()))
		return -(errno ? errno : EINVAL);
	id = btf__find_by_name_kind(k, name, kind);
	if (id < 0)
		id = 0;
	if (dir && *dir && strlen(name) < 200 && !strchr(name, '\n')) {
		/* One write() of one line: whole, among other runs' appends. */
		fresh = access(path, F_OK) != 0;
		fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644);
		if (fd >= 0) {
			snprintf(line, sizeof(line), "%d %d %s\n", kind, id, name);
			if (write(fd, line, strlen(line)) < 0)
				tk_info(1, "BTF: cannot write %s: %s", path, strerror(errno));
			close(fd);
			if (fresh)
				remove_stale(dir, "kernel.", file);
		}
	}
	return id;
}
