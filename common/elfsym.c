// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#include <errno.h>
#include <fcntl.h>
#include <gelf.h>
#include <libelf.h>
#include <stdbool.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "elfsym.h"

/* Set in a .gnu.version entry when the version is not the default one. */
#define TK_VERSYM_HIDDEN 0x8000

struct search {
	Elf *elf;
	const char *name;
	size_t name_len;
	bool have_hidden;	/* a non-default version matched; keep looking for the default */
	uint64_t hidden_off;
};

/* Translate a virtual address to a file offset; false if no PT_LOAD holds it. */
static bool vaddr_to_offset(Elf *elf, uint64_t vaddr, uint64_t *off)
{
	size_t n;
	GElf_Phdr ph;

	if (elf_getphdrnum(elf, &n))
		return false;
	for (size_t i = 0; i < n; i++) {
		if (!gelf_getphdr(elf, i, &ph) || ph.p_type != PT_LOAD)
			continue;
		if (vaddr >= ph.p_vaddr && vaddr - ph.p_vaddr < ph.p_memsz) {
			*off = vaddr - ph.p_vaddr + ph.p_offset;
			return true;
		}
	}
	return false;
}

static bool has_load_segment(Elf *elf)
{
	size_t n;
	GElf_Phdr ph;

	if (elf_getphdrnum(elf, &n))
		return false;
	for (size_t i = 0; i < n; i++)
		if (gelf_getphdr(elf, i, &ph) && ph.p_type == PT_LOAD)
			return true;
	return false;
}

/*
 * .symtab spells versions into the name ("foo@@V" default, "foo@V" not);
 * .dynsym keeps plain names and puts the version in .gnu.version (@versym).
 * Returns true once a default-version match is found and stored in *off.
 */
static bool search_table(struct search *s, Elf_Scn *scn, const GElf_Shdr *sh,
			 Elf_Data *versym, uint64_t *off)
{
	Elf_Data *data = elf_getdata(scn, NULL);
	size_t count;

	if (!data || !sh->sh_entsize)
		return false;
	count = sh->sh_size / sh->sh_entsize;
	for (size_t i = 1; i < count; i++) {
		GElf_Sym sym;
		const char *str;
		unsigned char type;
		bool hidden;
		uint64_t o;

		if (!gelf_getsym(data, i, &sym))
			break;
		type = GELF_ST_TYPE(sym.st_info);
		if (type != STT_FUNC && type != STT_GNU_IFUNC)
			continue;
		if (!sym.st_value || sym.st_shndx == SHN_UNDEF)
			continue;
		str = elf_strptr(s->elf, sh->sh_link, sym.st_name);
		if (!str || strncmp(str, s->name, s->name_len))
			continue;
		str += s->name_len;
		if (*str && *str != '@')
			continue;
		hidden = str[0] == '@' && str[1] != '@';
		if (versym) {
			GElf_Versym vs;

			if (gelf_getversym(versym, i, &vs) && (vs & TK_VERSYM_HIDDEN))
				hidden = true;
		}
		if (!vaddr_to_offset(s->elf, sym.st_value, &o))
			continue;
		if (!hidden) {
			*off = o;
			return true;
		}
		if (!s->have_hidden) {
			s->have_hidden = true;
			s->hidden_off = o;
		}
	}
	return false;
}

static int search_elf(Elf *elf, const char *name, uint64_t *offset)
{
	struct search s = { .elf = elf, .name = name, .name_len = strlen(name) };
	Elf_Data *versym = NULL;
	Elf_Scn *scn = NULL;
	GElf_Shdr sh;

	if (!has_load_segment(elf))
		return -ENOEXEC;

	/* .gnu.version only ever describes .dynsym. */
	while ((scn = elf_nextscn(elf, scn))) {
		if (gelf_getshdr(scn, &sh) && sh.sh_type == SHT_GNU_versym) {
			versym = elf_getdata(scn, NULL);
			break;
		}
	}

	scn = NULL;
	while ((scn = elf_nextscn(elf, scn))) {
		if (!gelf_getshdr(scn, &sh))
			continue;
		if (sh.sh_type != SHT_SYMTAB && sh.sh_type != SHT_DYNSYM)
			continue;
		if (search_table(&s, scn, &sh, sh.sh_type == SHT_DYNSYM ? versym : NULL, offset))
			return 0;
	}
	if (s.have_hidden) {
		*offset = s.hidden_off;
		return 0;
	}
	return -ENOENT;
}

int elf_symbol_offset(const char *path, const char *name, uint64_t *offset)
{
	struct stat st;
	Elf *elf;
	int fd, err;

	if (!path || !name || !*name || !offset)
		return -EINVAL;
	if (elf_version(EV_CURRENT) == EV_NONE)
		return -ENOSYS;
	fd = open(path, O_RDONLY | O_CLOEXEC);
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

	elf = elf_begin(fd, ELF_C_READ_MMAP, NULL);
	if (!elf) {
		err = -ENOEXEC;
		goto out;
	}
	if (elf_kind(elf) != ELF_K_ELF)
		err = -ENOEXEC;
	else
		err = search_elf(elf, name, offset);
	elf_end(elf);
out:
	close(fd);
	return err;
}
