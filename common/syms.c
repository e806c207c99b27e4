// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#ifndef _GNU_SOURCE
#define _GNU_SOURCE	/* qsort_r, when built outside the Makefile (the fuzz target) */
#endif
#include <errno.h>
#include <fcntl.h>
#include <gelf.h>
#include <inttypes.h>
#include <stddef.h>
#include <libelf.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "syms.h"

#define NT_GNU_BUILD_ID_TYPE 3

/* --- a growing array and a string arena ------------------------------------- */

static int grow(void **p, size_t *cap, size_t need, size_t elem)
{
	size_t n = *cap ? *cap : 64;
	void *q;

	if (need <= *cap)
		return 0;
	while (n < need)
		n *= 2;
	q = realloc(*p, n * elem);
	if (!q)
		return -ENOMEM;
	*p = q;
	*cap = n;
	return 0;
}

struct arena {
	char *buf;
	size_t len, cap;
};

/* The offset of a copy of @s (at most @max bytes) in @a, or -1. */
static int64_t arena_add(struct arena *a, const char *s, size_t max)
{
	size_t n = strnlen(s, max);
	int64_t at = (int64_t)a->len;

	if (grow((void **)&a->buf, &a->cap, a->len + n + 1, 1))
		return -1;
	memcpy(a->buf + a->len, s, n);
	a->buf[a->len + n] = '\0';
	a->len += n + 1;
	return at;
}

/* The index of the last of @n elements of @size bytes, sorted by the
 * uint64_t at @key_off of each, whose key is at or below @addr; @n if none. */
static size_t last_at_or_below(const void *base, size_t n, size_t size, size_t key_off,
			       uint64_t addr)
{
	size_t lo = 0, hi = n;

#define KEY(i) (*(const uint64_t *)((const char *)base + (i) * size + key_off))
	if (!n || KEY(0) > addr)
		return n;
	while (hi - lo > 1) {	/* key(lo) <= addr < key(hi) */
		size_t mid = lo + (hi - lo) / 2;

		if (KEY(mid) <= addr)
			lo = mid;
		else
			hi = mid;
	}
#undef KEY
	return lo;
}

/* --- kernel ---------------------------------------------------------------- */

struct ksym_raw {
	uint64_t addr;
	uint64_t name, module;	/* arena offsets; module UINT64_MAX: none */
};

struct tk_ksyms {
	struct tk_ksym *syms;
	size_t n;
	struct arena names;
	bool hidden;
};

static int ksym_cmp(const void *a, const void *b)
{
	const struct tk_ksym *x = a, *y = b;

	return x->addr < y->addr ? -1 : x->addr > y->addr;
}

struct tk_ksyms *tk_ksyms_parse(FILE *f)
{
	struct tk_ksyms *ks = calloc(1, sizeof(*ks));
	struct ksym_raw *raw = NULL;
	size_t nraw = 0, cap = 0, zero = 0;
	char line[1024], name[512], mod[128], type;
	int64_t last_mod = -1;
	char last_mod_name[128] = "";
	unsigned long long addr;

	if (!ks)
		return NULL;
	while (fgets(line, sizeof(line), f)) {
		size_t len = strlen(line);
		int n;

		if (len && line[len - 1] != '\n' && !feof(f)) {
			int c;	/* longer than any real line: skip the rest */

			while ((c = fgetc(f)) != EOF && c != '\n')
				;
			continue;
		}
		mod[0] = '\0';
		n = sscanf(line, "%llx %c %511s [%127[^]]]", &addr, &type, name, mod);
		if (n < 3)
			continue;
		if (type != 't' && type != 'T' && type != 'w' && type != 'W')
			continue;
		if (grow((void **)&raw, &cap, nraw + 1, sizeof(*raw)))
			goto fail;
		raw[nraw].addr = addr;
		if ((raw[nraw].name = arena_add(&ks->names, name, sizeof(name))) == (uint64_t)-1)
			goto fail;
		raw[nraw].module = UINT64_MAX;
		if (mod[0]) {
			if (last_mod < 0 || strcmp(mod, last_mod_name)) {
				last_mod = arena_add(&ks->names, mod, sizeof(mod));
				if (last_mod < 0)
					goto fail;
				snprintf(last_mod_name, sizeof(last_mod_name), "%s", mod);
			}
			raw[nraw].module = (uint64_t)last_mod;
		}
		zero += !addr;
		nraw++;
	}
	ks->syms = calloc(nraw ? nraw : 1, sizeof(*ks->syms));
	if (!ks->syms)
		goto fail;
	/* The arena is complete: its strings no longer move. */
	for (size_t i = 0; i < nraw; i++) {
		ks->syms[i].addr = raw[i].addr;
		ks->syms[i].name = ks->names.buf + raw[i].name;
		ks->syms[i].module = raw[i].module == UINT64_MAX ? NULL :
				     ks->names.buf + raw[i].module;
	}
	ks->n = nraw;
	ks->hidden = nraw && zero == nraw;
	free(raw);
	qsort(ks->syms, ks->n, sizeof(*ks->syms), ksym_cmp);
	return ks;
fail:
	free(raw);
	tk_ksyms_free(ks);
	errno = ENOMEM;
	return NULL;
}

struct tk_ksyms *tk_ksyms_load(void)
{
	FILE *f = fopen("/proc/kallsyms", "re");
	struct tk_ksyms *ks;

	if (!f)
		return NULL;
	ks = tk_ksyms_parse(f);
	fclose(f);
	return ks;
}

const struct tk_ksym *tk_ksyms_find(const struct tk_ksyms *ks, uint64_t addr)
{
	size_t i;

	if (!ks || ks->hidden)
		return NULL;
	i = last_at_or_below(ks->syms, ks->n, sizeof(*ks->syms),
			     offsetof(struct tk_ksym, addr), addr);
	return i < ks->n ? &ks->syms[i] : NULL;
}

bool tk_ksyms_hidden(const struct tk_ksyms *ks)
{
	return ks && ks->hidden;
}

size_t tk_ksyms_count(const struct tk_ksyms *ks)
{
	return ks ? ks->n : 0;
}

void tk_ksyms_free(struct tk_ksyms *ks)
{
	if (!ks)
		return;
	free(ks->syms);
	free(ks->names.buf);
	free(ks);
}

/* --- ELF files -------------------------------------------------------------- */

struct func {
	uint64_t addr, size;
	uint64_t name;		/* arena offset */
	uint8_t bind;		/* STB_* */
};

struct seg {
	uint64_t vaddr, offset, filesz;
};

struct tk_elf_syms {
	struct func *f;
	size_t n, cap;
	struct arena names;
	struct seg load[TK_SYMS_MAX_LOADS];
	size_t nload;
	char build_id[2 * 64 + 1];
	bool symtab;
};

static size_t underscores(const char *s)
{
	size_t n = 0;

	while (s[n] == '_')
		n++;
	return n;
}

static int bind_rank(uint8_t bind)
{
	return bind == STB_GLOBAL ? 0 : bind == STB_WEAK ? 1 : 2;
}

/* By address; at one address (aliases: getpid and __getpid, printf and
 * _IO_printf) the name a reader knows first: one with a size, then fewer
 * leading underscores, global before weak before local, the shorter. */
static int func_cmp(const void *a, const void *b, void *names)
{
	const struct func *x = a, *y = b;
	const char *xn = (const char *)names + x->name, *yn = (const char *)names + y->name;
	size_t xu, yu, xl, yl;

	if (x->addr != y->addr)
		return x->addr < y->addr ? -1 : 1;
	if ((x->size != 0) != (y->size != 0))
		return x->size ? -1 : 1;
	xu = underscores(xn);
	yu = underscores(yn);
	if (xu != yu)
		return xu < yu ? -1 : 1;
	if (bind_rank(x->bind) != bind_rank(y->bind))
		return bind_rank(x->bind) - bind_rank(y->bind);
	xl = strlen(xn);
	yl = strlen(yn);
	if (xl != yl)
		return xl < yl ? -1 : 1;
	return strcmp(xn, yn);
}

/* The GNU build-id note of a SHT_NOTE section. */
static void read_build_id(struct tk_elf_syms *es, Elf_Scn *scn)
{
	Elf_Data *d = elf_getdata(scn, NULL);
	size_t off = 0, name_off, desc_off;
	GElf_Nhdr nh;

	while (d && (off = gelf_getnote(d, off, &nh, &name_off, &desc_off)) > 0) {
		if (nh.n_type != NT_GNU_BUILD_ID_TYPE || nh.n_namesz != 4 ||
		    memcmp((char *)d->d_buf + name_off, "GNU", 4) || !nh.n_descsz ||
		    nh.n_descsz > 64)
			continue;
		for (size_t i = 0; i < nh.n_descsz; i++)
			snprintf(es->build_id + 2 * i, 3, "%02x",
				 ((unsigned char *)d->d_buf)[desc_off + i]);
		return;
	}
}

/* The functions of one symbol table. */
static int read_table(struct tk_elf_syms *es, Elf *elf, Elf_Scn *scn, const GElf_Shdr *sh,
		      uint64_t file_size)
{
	Elf_Data *d;
	size_t count;

	if (!sh->sh_entsize || sh->sh_offset > file_size || sh->sh_size > file_size - sh->sh_offset)
		return -ENOEXEC;
	count = sh->sh_size / sh->sh_entsize;
	if (count > TK_SYMS_MAX_FUNCS)
		return -EFBIG;
	d = elf_getdata(scn, NULL);
	if (!d)
		return -ENOEXEC;
	for (size_t i = 0; i < count; i++) {
		GElf_Sym sym;
		const char *name;
		int64_t at;
		int type;

		if (!gelf_getsym(d, (int)i, &sym))
			break;
		type = GELF_ST_TYPE(sym.st_info);
		if ((type != STT_FUNC && type != STT_GNU_IFUNC) || sym.st_shndx == SHN_UNDEF ||
		    !sym.st_value)
			continue;
		name = elf_strptr(elf, sh->sh_link, sym.st_name);
		if (!name || !*name)
			continue;
		if (es->n >= TK_SYMS_MAX_FUNCS)
			return -EFBIG;
		if (grow((void **)&es->f, &es->cap, es->n + 1, sizeof(*es->f)))
			return -ENOMEM;
		at = arena_add(&es->names, name, TK_SYMS_MAX_NAME);
		if (at < 0)
			return -ENOMEM;
		es->f[es->n].addr = sym.st_value;
		es->f[es->n].size = sym.st_size;
		es->f[es->n].name = (uint64_t)at;
		es->f[es->n].bind = GELF_ST_BIND(sym.st_info);
		es->n++;
	}
	return 0;
}

/* Segments (unless @debug), the build-id and the symbol tables of @fd. */
static int read_elf(struct tk_elf_syms *es, int fd, bool debug)
{
	Elf *elf;
	Elf_Scn *scn = NULL;
	size_t nsec, nph, strndx;
	struct stat st;
	bool symtab = false;
	int err = 0;

	if (fstat(fd, &st))
		return -errno;
	if (S_ISDIR(st.st_mode))
		return -EISDIR;
	elf_version(EV_CURRENT);
	elf = elf_begin(fd, ELF_C_READ, NULL);
	if (!elf)
		return -ENOEXEC;
	if (elf_kind(elf) != ELF_K_ELF || elf_getshdrnum(elf, &nsec) ||
	    elf_getshdrstrndx(elf, &strndx) || elf_getphdrnum(elf, &nph)) {
		err = -ENOEXEC;
		goto out;
	}
	if (nsec > TK_SYMS_MAX_SECTIONS) {
		err = -EFBIG;
		goto out;
	}
	for (size_t i = 0; !debug && i < nph && i < 4 * TK_SYMS_MAX_LOADS; i++) {
		GElf_Phdr ph;

		if (!gelf_getphdr(elf, (int)i, &ph))
			break;
		if (ph.p_type == PT_LOAD && es->nload < TK_SYMS_MAX_LOADS)
			es->load[es->nload++] = (struct seg){ ph.p_vaddr, ph.p_offset, ph.p_filesz };
	}
	/* .symtab first: where both are, .dynsym only repeats part of it. */
	for (int pass = 0; pass < 2 && !err; pass++) {
		while ((scn = elf_nextscn(elf, scn))) {
			GElf_Shdr sh;
			Elf_Scn *str;
			GElf_Shdr strsh;

			if (!gelf_getshdr(scn, &sh))
				continue;
			if (pass == 0 && sh.sh_type == SHT_NOTE && !es->build_id[0])
				read_build_id(es, scn);
			if (sh.sh_type != (pass == 0 ? SHT_SYMTAB : SHT_DYNSYM))
				continue;
			if (pass == 1 && symtab)
				break;
			str = elf_getscn(elf, sh.sh_link);
			if (!str || !gelf_getshdr(str, &strsh) || strsh.sh_size > TK_SYMS_MAX_STRTAB) {
				err = strsh.sh_size > TK_SYMS_MAX_STRTAB ? -EFBIG : -ENOEXEC;
				break;
			}
			err = read_table(es, elf, scn, &sh, (uint64_t)st.st_size);
			if (err)
				break;
			if (pass == 0)
				symtab = true;
		}
		scn = NULL;
	}
	if (symtab)
		es->symtab = true;
out:
	elf_end(elf);
	return err;
}

static void sort_funcs(struct tk_elf_syms *es)
{
	size_t w = 0;

	if (!es->n)
		return;	/* (es->f may be NULL: no qsort_r of it) */
	qsort_r(es->f, es->n, sizeof(*es->f), func_cmp, es->names.buf);
	/* One per address. */
	for (size_t i = 0; i < es->n; i++)
		if (!w || es->f[w - 1].addr != es->f[i].addr)
			es->f[w++] = es->f[i];
	es->n = w;
}

struct tk_elf_syms *tk_elf_syms_load(int fd)
{
	struct tk_elf_syms *es = calloc(1, sizeof(*es));
	int err;

	if (!es)
		return NULL;
	err = read_elf(es, fd, false);
	if (err) {
		tk_elf_syms_free(es);
		errno = -err;
		return NULL;
	}
	sort_funcs(es);
	return es;
}

int tk_elf_syms_add_debug(struct tk_elf_syms *es, int fd)
{
	int err = read_elf(es, fd, true);

	sort_funcs(es);
	return err;
}

const char *tk_elf_syms_find(const struct tk_elf_syms *es, uint64_t vaddr, uint64_t *offset)
{
	const struct func *f;
	size_t i;

	if (!es)
		return NULL;
	i = last_at_or_below(es->f, es->n, sizeof(*es->f), offsetof(struct func, addr), vaddr);
	if (i == es->n)
		return NULL;
	f = &es->f[i];
	/* Past a sized function's end: in code no symbol names. */
	if (f->size && vaddr - f->addr >= f->size)
		return NULL;
	*offset = vaddr - f->addr;
	return es->names.buf + f->name;
}

bool tk_elf_syms_offset_to_vaddr(const struct tk_elf_syms *es, uint64_t off, uint64_t *vaddr)
{
	for (size_t i = 0; i < es->nload; i++) {
		const struct seg *s = &es->load[i];

		if (off >= s->offset && off - s->offset < s->filesz) {
			*vaddr = off - s->offset + s->vaddr;
			return true;
		}
	}
	return false;
}

const char *tk_elf_syms_build_id(const struct tk_elf_syms *es)
{
	return es->build_id;
}

bool tk_elf_syms_has_symtab(const struct tk_elf_syms *es)
{
	return es->symtab;
}

size_t tk_elf_syms_count(const struct tk_elf_syms *es)
{
	return es ? es->n : 0;
}

void tk_elf_syms_free(struct tk_elf_syms *es)
{
	if (!es)
		return;
	free(es->f);
	free(es->names.buf);
	free(es);
}

/* --- lines of /proc/PID/maps and perf maps ---------------------------------- */

bool tk_map_parse(char *line, struct tk_map *m)
{
	unsigned long long start, end, pgoff, ino;
	char perms[8];
	int n = 0;

	line[strcspn(line, "\n")] = '\0';
	if (sscanf(line, "%llx-%llx %7s %llx %x:%x %llu %n", &start, &end, perms, &pgoff,
		   &m->dev_major, &m->dev_minor, &ino, &n) < 7 || !n || end <= start)
		return false;
	m->start = start;
	m->end = end;
	m->pgoff = pgoff;
	m->ino = ino;
	m->exec = strlen(perms) >= 3 && perms[2] == 'x';
	m->path = line + n;
	return true;
}

bool tk_perfmap_parse(char *line, uint64_t *start, uint64_t *size, const char **name)
{
	unsigned long long s, z;
	int n = 0;

	line[strcspn(line, "\n")] = '\0';
	if (sscanf(line, "%llx %llx %n", &s, &z, &n) < 2 || !n || !line[n])
		return false;
	*start = s;
	*size = z;
	*name = line + n;
	return true;
}

/* --- processes -------------------------------------------------------------- */

struct image {
	dev_t dev;
	ino_t ino;
	off_t size;
	struct timespec mtime;
	struct tk_elf_syms *es;		/* NULL: not ELF, or unreadable */
};

struct umap {
	uint64_t start, end, pgoff;
	uint64_t path;			/* arena offset */
	uint64_t module;		/* arena offset of the base name */
	struct image *img;
	bool tried;
};

struct pfunc {
	uint64_t start, size;
	uint64_t name;			/* arena offset */
};

struct uproc {
	int pid;
	bool gone;
	struct umap *maps;
	size_t n, cap;
	struct pfunc *perf;
	size_t nperf, perfcap;
	bool perf_tried;
	struct arena names;		/* the maps' paths: complete once read */
	struct arena pnames;		/* the perf map's names: likewise */
};

struct tk_usyms {
	struct uproc **procs;
	size_t nprocs, cap;
	struct image **imgs;
	size_t nimgs, imgcap;
	char debug_dir[256];
};

struct tk_usyms *tk_usyms_new(void)
{
	struct tk_usyms *u = calloc(1, sizeof(*u));

	if (u)
		snprintf(u->debug_dir, sizeof(u->debug_dir), "/usr/lib/debug/.build-id");
	return u;
}

void tk_usyms_debug_dir(struct tk_usyms *u, const char *dir)
{
	snprintf(u->debug_dir, sizeof(u->debug_dir), "%s", dir);
}

static void proc_free(struct uproc *p)
{
	if (!p)
		return;
	free(p->maps);
	free(p->perf);
	free(p->names.buf);
	free(p->pnames.buf);
	free(p);
}

void tk_usyms_free(struct tk_usyms *u)
{
	if (!u)
		return;
	for (size_t i = 0; i < u->nprocs; i++)
		proc_free(u->procs[i]);
	for (size_t i = 0; i < u->nimgs; i++) {
		tk_elf_syms_free(u->imgs[i]->es);
		free(u->imgs[i]);
	}
	free(u->procs);
	free(u->imgs);
	free(u);
}

void tk_usyms_forget(struct tk_usyms *u, int pid)
{
	for (size_t i = 0; i < u->nprocs; i++) {
		if (u->procs[i]->pid != pid)
			continue;
		proc_free(u->procs[i]);
		u->procs[i] = u->procs[--u->nprocs];
		return;
	}
}

static const char *base_name(const char *path)
{
	const char *s = strrchr(path, '/');

	return s ? s + 1 : path;
}

static void read_maps(struct uproc *p)
{
	char path[64], line[4096 + 256];
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/maps", p->pid);
	f = fopen(path, "re");
	if (!f) {
		p->gone = true;
		return;
	}
	while (p->n < TK_SYMS_MAX_MAPS && fgets(line, sizeof(line), f)) {
		struct tk_map m;
		struct umap *um;
		int64_t at, mod;
		char *del;

		if (!tk_map_parse(line, &m) || (!m.exec && m.path[0] != '['))
			continue;
		if (grow((void **)&p->maps, &p->cap, p->n + 1, sizeof(*p->maps)))
			break;
		at = arena_add(&p->names, m.path, 4096);
		del = strstr(m.path, " (deleted)");
		if (del)
			*del = '\0';
		mod = arena_add(&p->names, base_name(m.path), 4096);
		if (at < 0 || mod < 0)
			break;
		um = &p->maps[p->n++];
		*um = (struct umap){ .start = m.start, .end = m.end, .pgoff = m.pgoff,
				     .path = (uint64_t)at, .module = (uint64_t)mod };
	}
	fclose(f);
}

static struct uproc *get_proc(struct tk_usyms *u, int pid)
{
	struct uproc *p;

	for (size_t i = 0; i < u->nprocs; i++)
		if (u->procs[i]->pid == pid)
			return u->procs[i];
	if (grow((void **)&u->procs, &u->cap, u->nprocs + 1, sizeof(*u->procs)))
		return NULL;
	p = calloc(1, sizeof(*p));
	if (!p)
		return NULL;
	p->pid = pid;
	read_maps(p);
	u->procs[u->nprocs++] = p;
	return p;
}

/* The process's pid in its own namespace: perf maps are named by it. */
static int ns_pid(int pid)
{
	char path[64], line[256];
	int ns = pid;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/status", pid);
	f = fopen(path, "re");
	if (!f)
		return pid;
	while (fgets(line, sizeof(line), f)) {
		char *last;

		if (strncmp(line, "NSpid:", 6))
			continue;
		line[strcspn(line, "\n")] = '\0';
		last = strrchr(line, '\t');
		if (!last)
			last = strrchr(line, ' ');
		if (last)
			ns = atoi(last + 1);
		break;
	}
	fclose(f);
	return ns > 0 ? ns : pid;
}

static int pfunc_cmp(const void *a, const void *b)
{
	const struct pfunc *x = a, *y = b;

	return x->start < y->start ? -1 : x->start > y->start;
}

static void read_perfmap(struct uproc *p)
{
	char path[96], line[TK_SYMS_MAX_NAME + 64];
	FILE *f;

	p->perf_tried = true;
	snprintf(path, sizeof(path), "/proc/%d/root/tmp/perf-%d.map", p->pid, ns_pid(p->pid));
	f = fopen(path, "re");
	if (!f)
		return;
	while (p->nperf < TK_SYMS_MAX_PERFMAP && fgets(line, sizeof(line), f)) {
		uint64_t start, size;
		const char *name;
		int64_t at;

		if (!strchr(line, '\n') && !feof(f)) {
			int c;

			while ((c = fgetc(f)) != EOF && c != '\n')
				;
			continue;
		}
		if (!tk_perfmap_parse(line, &start, &size, &name))
			continue;
		if (grow((void **)&p->perf, &p->perfcap, p->nperf + 1, sizeof(*p->perf)))
			break;
		at = arena_add(&p->pnames, name, TK_SYMS_MAX_NAME);
		if (at < 0)
			break;
		p->perf[p->nperf++] = (struct pfunc){ start, size, (uint64_t)at };
	}
	fclose(f);
	qsort(p->perf, p->nperf, sizeof(*p->perf), pfunc_cmp);
}

static const char *perfmap_find(struct uproc *p, uint64_t addr, uint64_t *off)
{
	size_t i;

	if (!p->perf_tried)
		read_perfmap(p);
	i = last_at_or_below(p->perf, p->nperf, sizeof(*p->perf), offsetof(struct pfunc, start),
			     addr);
	if (i == p->nperf || addr - p->perf[i].start >= p->perf[i].size)
		return NULL;
	*off = addr - p->perf[i].start;
	return p->pnames.buf + p->perf[i].name;
}

/* The debug file of @es by its build-id, if installed. */
static void add_debug_file(struct tk_usyms *u, struct tk_elf_syms *es, int pid)
{
	const char *id = tk_elf_syms_build_id(es);
	char path[512];
	int fd;

	if (strlen(id) < 3)
		return;
	/* The machine's, then the process's own (a container's). */
	for (int i = 0; i < 2; i++) {
		if (i == 0)
			snprintf(path, sizeof(path), "%s/%.2s/%s.debug", u->debug_dir, id, id + 2);
		else
			snprintf(path, sizeof(path), "/proc/%d/root/usr/lib/debug/.build-id/%.2s/%s.debug",
				 pid, id, id + 2);
		fd = open(path, O_RDONLY | O_CLOEXEC);
		if (fd < 0)
			continue;
		tk_elf_syms_add_debug(es, fd);
		close(fd);
		return;
	}
}

/* The symbols of the file behind @m: through map_files (which reaches
 * deleted files and other mount namespaces), else through the process's
 * root. Loaded once per file. */
static struct image *map_image(struct tk_usyms *u, struct uproc *p, struct umap *m)
{
	const char *mpath = p->names.buf + m->path;
	char path[4096 + 64];
	struct image *img;
	struct stat st;
	int fd;

	m->tried = true;
	snprintf(path, sizeof(path), "/proc/%d/map_files/%" PRIx64 "-%" PRIx64, p->pid,
		 m->start, m->end);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0 && mpath[0] == '/') {
		snprintf(path, sizeof(path), "/proc/%d/root%s", p->pid, mpath);
		fd = open(path, O_RDONLY | O_CLOEXEC);
	}
	if (fd < 0)
		return NULL;
	if (fstat(fd, &st) || !S_ISREG(st.st_mode)) {
		close(fd);
		return NULL;
	}
	for (size_t i = 0; i < u->nimgs; i++) {
		img = u->imgs[i];
		if (img->dev == st.st_dev && img->ino == st.st_ino && img->size == st.st_size &&
		    img->mtime.tv_sec == st.st_mtim.tv_sec &&
		    img->mtime.tv_nsec == st.st_mtim.tv_nsec) {
			close(fd);
			return img;
		}
	}
	if (grow((void **)&u->imgs, &u->imgcap, u->nimgs + 1, sizeof(*u->imgs)) ||
	    !(img = calloc(1, sizeof(*img)))) {
		close(fd);
		return NULL;
	}
	img->dev = st.st_dev;
	img->ino = st.st_ino;
	img->size = st.st_size;
	img->mtime = st.st_mtim;
	img->es = tk_elf_syms_load(fd);
	close(fd);
	if (img->es && !tk_elf_syms_has_symtab(img->es))
		add_debug_file(u, img->es, p->pid);
	u->imgs[u->nimgs++] = img;
	return img;
}

int tk_usyms_find(struct tk_usyms *u, int pid, uint64_t addr, struct tk_usym *out)
{
	struct uproc *p = get_proc(u, pid);
	const char *mpath;
	struct umap *m = NULL;
	uint64_t vaddr;
	size_t lo = 0, hi;

	*out = (struct tk_usym){ 0 };
	if (!p)
		return -ENOMEM;
	if (p->gone)
		return -ESRCH;
	hi = p->n;
	while (lo < hi) {	/* the maps are in address order */
		size_t mid = lo + (hi - lo) / 2;

		if (addr < p->maps[mid].start) {
			hi = mid;
		} else if (addr >= p->maps[mid].end) {
			lo = mid + 1;
		} else {
			m = &p->maps[mid];
			break;
		}
	}
	if (!m || !p->names.buf[m->path] || !strncmp(p->names.buf + m->path, "[anon", 5)) {
		/* No file behind it: JIT code, named in a perf map if at all. */
		out->name = perfmap_find(p, addr, &out->offset);
		if (out->name) {
			out->module = "[perf-map]";
			return 0;
		}
		if (m)
			out->module = "[anon]";
		return -ENOENT;
	}
	mpath = p->names.buf + m->path;
	out->module = p->names.buf + m->module;
	if (mpath[0] == '[')	/* [vdso], [vsyscall] */
		return -ENOENT;
	if (!m->tried)
		m->img = map_image(u, p, m);
	if (!m->img || !m->img->es ||
	    !tk_elf_syms_offset_to_vaddr(m->img->es, addr - m->start + m->pgoff, &vaddr))
		return -ENOENT;
	out->name = tk_elf_syms_find(m->img->es, vaddr, &out->offset);
	return out->name ? 0 : -ENOENT;
}
