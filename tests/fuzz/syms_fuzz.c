// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* libFuzzer target for common/syms.c: any bytes as an ELF file a process
 * maps (profile and offcputime read those), and as the text of kallsyms,
 * /proc/PID/maps and perf maps. Besides "no crash, no overread, no hang"
 * (the sanitizers' and libFuzzer's part), it checks what the reader
 * promises: an error is one of the documented ones, a symbol found holds
 * the address asked for, a build-id is hex.
 *
 *   clang -g -O1 -fsanitize=fuzzer,address,undefined -Icommon \
 *         tests/fuzz/syms_fuzz.c common/syms.c -lelf -o syms_fuzz
 *   ./syms_fuzz tests/fuzz/elfsym_corpus
 * tests/fuzz/replay.c runs it over files without libFuzzer. */
#define _GNU_SOURCE
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>
#include "syms.h"

static void elf(const uint8_t *data, size_t size)
{
	static int fd = -1;
	struct tk_elf_syms *es;
	const char *id;
	uint64_t off, vaddr;

	if (fd < 0 && (fd = memfd_create("syms_fuzz", MFD_CLOEXEC)) < 0)
		abort();
	if (ftruncate(fd, 0) || (size && pwrite(fd, data, size, 0) != (ssize_t)size))
		abort();
	es = tk_elf_syms_load(fd);
	if (!es) {
		if (errno != ENOEXEC && errno != EFBIG && errno != ENOMEM && errno != EIO)
			abort();
		return;
	}
	id = tk_elf_syms_build_id(es);
	if (strspn(id, "0123456789abcdef") != strlen(id) || strlen(id) > 128)
		abort();
	for (uint64_t a = 0; a < 0x3000; a += 0x101) {
		const char *name = tk_elf_syms_find(es, a, &off);

		if (name && (off > a || !*name))
			abort();
		if (tk_elf_syms_offset_to_vaddr(es, a, &vaddr))
			(void)tk_elf_syms_find(es, vaddr, &off);
	}
	if (tk_elf_syms_add_debug(es, fd) == 0 && !tk_elf_syms_has_symtab(es) &&
	    tk_elf_syms_count(es) > (4u << 20) * 2)
		abort();
	tk_elf_syms_free(es);
}

static void text(const uint8_t *data, size_t size)
{
	char *buf = malloc(size + 1), *line, *save = NULL;
	struct tk_ksyms *ks;
	FILE *f;

	if (!buf)
		return;
	memcpy(buf, data, size);
	buf[size] = '\0';
	f = fmemopen(buf, size ? size : 1, "r");
	if (f) {
		ks = tk_ksyms_parse(f);
		if (ks && !tk_ksyms_hidden(ks)) {
			const struct tk_ksym *s = tk_ksyms_find(ks, 0xffffffff81000000ULL);

			if (s && s->addr > 0xffffffff81000000ULL)
				abort();
		}
		tk_ksyms_free(ks);
		fclose(f);
	}
	for (line = strtok_r(buf, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		char copy[4096];
		struct tk_map m;
		uint64_t s, z;
		const char *n;

		snprintf(copy, sizeof(copy), "%s", line);
		if (tk_map_parse(copy, &m) && m.end <= m.start)
			abort();
		snprintf(copy, sizeof(copy), "%s", line);
		if (tk_perfmap_parse(copy, &s, &z, &n) && !*n)
			abort();
	}
	free(buf);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	elf(data, size);
	text(data, size);
	return 0;
}
