// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#include <errno.h>
#include <fcntl.h>
#include <gelf.h>
#include <libelf.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "elfsym.h"

/* Set in a .gnu.version entry when the version is not the default one. */
#define TK_VERSYM_HIDDEN 0x8000

struct load {
	uint64_t vaddr, memsz, offset;
};

struct search {
	Elf *elf;
	uint64_t file_size;
	const char *const *names;
	size_t n;
	uint64_t *offsets;
	unsigned char *found;		/* 1: default version found, 2: only a hidden one so far */
	size_t left;			/* names without their default version yet */
	struct load load[TK_ELF_MAX_LOADS];
	size_t nload;
};

/* Translate a virtual address to a file offset; false if no PT_LOAD holds
 * it. At most TK_ELF_MAX_LOADS segments, indexed once per file. */
static bool vaddr_to_offset(const struct search *s, uint64_t vaddr, uint64_t *off)
{
	for (size_t i = 0; i < s->nload; i++) {
		const struct load *l = &s->load[i];

		if (vaddr >= l->vaddr && vaddr - l->vaddr < l->memsz) {
			*off = vaddr - l->vaddr + l->offset;
			return true;
		}
	}
	return false;
}

static int index_loads(struct search *s)
{
	size_t n;
	GElf_Phdr ph;

	if (elf_getphdrnum(s->elf, &n))
		return -ENOEXEC;
	if (n > TK_ELF_MAX_PHDRS)
		return -EFBIG;
	for (size_t i = 0; i < n; i++) {
		if (!gelf_getphdr(s->elf, i, &ph))
			return -ENOEXEC;
		if (ph.p_type != PT_LOAD)
			continue;
		if (s->nload == TK_ELF_MAX_LOADS)
			return -EFBIG;
		s->load[s->nload++] = (struct load){ ph.p_vaddr, ph.p_memsz, ph.p_offset };
	}
	return s->nload ? 0 : -ENOEXEC;
}

/* A section whose contents we are about to have libelf read: within the
 * file and the limits. */
static int check_section(const struct search *s, const GElf_Shdr *sh, uint64_t max)
{
	if (sh->sh_type == SHT_NOBITS)
		return -ENOEXEC;
	if (sh->sh_offset > s->file_size || sh->sh_size > s->file_size - sh->sh_offset)
		return -ENOEXEC;
	return sh->sh_size > max ? -EFBIG : 0;
}

/* Which name @str is, exactly or with a version (@@ default, @ not). */
static int match_name(const struct search *s, const char *str, bool *hidden)
{
	for (size_t k = 0; k < s->n; k++) {
		size_t len = strlen(s->names[k]);

		if (strncmp(str, s->names[k], len) || (str[len] && str[len] != '@'))
			continue;
		*hidden = str[len] == '@' && str[len + 1] != '@';
		return (int)k;
	}
	return -1;
}

/*
 * .symtab spells versions into the name ("foo@@V" default, "foo@V" not);
 * .dynsym keeps plain names and puts the version in .gnu.version (@versym).
 */
static int search_table(struct search *s, Elf_Scn *scn, const GElf_Shdr *sh,
			Elf_Data *versym)
{
	Elf_Scn *strscn = elf_getscn(s->elf, sh->sh_link);
	GElf_Shdr strsh;
	Elf_Data *data;
	size_t count;
	int err;

	if (!sh->sh_entsize || sh->sh_entsize != gelf_fsize(s->elf, ELF_T_SYM, 1, EV_CURRENT))
		return -ENOEXEC;
	count = sh->sh_size / sh->sh_entsize;
	if ((err = check_section(s, sh, (uint64_t)TK_ELF_MAX_SYMS * sh->sh_entsize)))
		return err;
	/* The string table libelf will read whole for elf_strptr. */
	if (!strscn || !gelf_getshdr(strscn, &strsh) || strsh.sh_type != SHT_STRTAB)
		return -ENOEXEC;
	if ((err = check_section(s, &strsh, TK_ELF_MAX_STRTAB)))
		return err;
	data = elf_getdata(scn, NULL);
	if (!data)
		return -EIO;
	if (versym && versym->d_size / sizeof(GElf_Versym) < count)
		versym = NULL;
	for (size_t i = 1; i < count && s->left; i++) {
		GElf_Sym sym;
		const char *str;
		unsigned char type;
		bool hidden;
		uint64_t o;
		int k;

		if (!gelf_getsym(data, i, &sym))
			break;
		type = GELF_ST_TYPE(sym.st_info);
		if (type != STT_FUNC && type != STT_GNU_IFUNC)
			continue;
		if (!sym.st_value || sym.st_shndx == SHN_UNDEF || !sym.st_name)
			continue;
		str = elf_strptr(s->elf, sh->sh_link, sym.st_name);
		if (!str)
			continue;
		k = match_name(s, str, &hidden);
		if (k < 0 || s->found[k] == 1)
			continue;
		if (versym) {
			GElf_Versym vs;

			if (gelf_getversym(versym, i, &vs) && (vs & TK_VERSYM_HIDDEN))
				hidden = true;
		}
		if (!vaddr_to_offset(s, sym.st_value, &o))
			continue;
		if (!hidden) {
			s->offsets[k] = o;
			s->found[k] = 1;
			s->left--;
		} else if (!s->found[k]) {
			s->offsets[k] = o;
			s->found[k] = 2;
		}
	}
	return 0;
}

static int search_elf(struct search *s)
{
	Elf_Data *versym = NULL;
	Elf_Scn *scn = NULL;
	size_t nscn, found = 0;
	GElf_Shdr sh;
	int err;

	if ((err = index_loads(s)))
		return err;
	if (elf_getshdrnum(s->elf, &nscn))
		return -ENOEXEC;
	if (nscn > TK_ELF_MAX_SECTIONS)
		return -EFBIG;

	/* .gnu.version only ever describes .dynsym. */
	while ((scn = elf_nextscn(s->elf, scn))) {
		if (gelf_getshdr(scn, &sh) && sh.sh_type == SHT_GNU_versym) {
			if (!check_section(s, &sh, (uint64_t)TK_ELF_MAX_SYMS * sizeof(GElf_Versym)))
				versym = elf_getdata(scn, NULL);
			break;
		}
	}

	scn = NULL;
	while (s->left && (scn = elf_nextscn(s->elf, scn))) {
		if (!gelf_getshdr(scn, &sh))
			continue;
		if (sh.sh_type != SHT_SYMTAB && sh.sh_type != SHT_DYNSYM)
			continue;
		err = search_table(s, scn, &sh, sh.sh_type == SHT_DYNSYM ? versym : NULL);
		if (err)
			return err;
	}
	for (size_t k = 0; k < s->n; k++) {
		if (s->found[k])
			found++;
		s->found[k] = !!s->found[k];
	}
	return (int)found;
}

int elf_symbols_offsets(const char *path, const char *const *names, size_t n,
			uint64_t *offsets, unsigned char *found)
{
	struct search *s;
	struct stat st;
	Elf *elf;
	int fd, err;

	if (!path || !names || !offsets || !found)
		return -EINVAL;
	for (size_t k = 0; k < n; k++)
		if (!names[k] || !*names[k])
			return -EINVAL;
	memset(found, 0, n);
	if (elf_version(EV_CURRENT) == EV_NONE)
		return -ENOSYS;
	/* O_NONBLOCK: open() on a FIFO would wait for a writer. */
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
	if (fd < 0)
		return -errno;
	/* libelf would report a directory or FIFO as "not ELF", hiding the real problem. */
	if (fstat(fd, &st)) {
		err = -errno;
		goto out;
	}
	if (S_ISDIR(st.st_mode)) {
		err = -EISDIR;
		goto out;
	}
	if (!S_ISREG(st.st_mode)) {
		err = -ENOEXEC;
		goto out;
	}
	s = calloc(1, sizeof(*s));
	if (!s) {
		err = -ENOMEM;
		goto out;
	}
	/* ELF_C_READ, not ELF_C_READ_MMAP: libelf preads what it needs, so
	 * a file truncated meanwhile (a library being rewritten by cp) is a
	 * short read, not a SIGBUS on a page past its new end. */
	elf = elf_begin(fd, ELF_C_READ, NULL);
	if (!elf || elf_kind(elf) != ELF_K_ELF) {
		err = -ENOEXEC;
	} else {
		s->elf = elf;
		s->file_size = st.st_size;
		s->names = names;
		s->n = n;
		s->offsets = offsets;
		s->found = found;
		s->left = n;
		err = search_elf(s);
		if (err < 0)
			memset(found, 0, n);
	}
	elf_end(elf);
	free(s);
out:
	close(fd);
	return err;
}

int elf_symbol_offset(const char *path, const char *name, uint64_t *offset)
{
	unsigned char found;
	int err;

	if (!name || !*name || !offset)
		return -EINVAL;
	err = elf_symbols_offsets(path, &name, 1, offset, &found);
	if (err < 0)
		return err;
	return found ? 0 : -ENOENT;
}
