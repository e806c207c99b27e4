// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* libFuzzer target for tools/sslsniff/elfsym.c: any bytes as the ELF file a process
 * maps under a library's name (sslsniff -p reads those). Besides "no crash,
 * no overread, no hang" (the sanitizers' and libFuzzer's part), it checks
 * what the reader promises: an error is one of the documented ones, the
 * count matches the flags, and one name looked up alone agrees with the
 * same name looked up among others.
 *
 *   clang -g -O1 -fsanitize=fuzzer,address,undefined -Icommon \
 *         tests/fuzz/elfsym_fuzz.c tools/sslsniff/elfsym.c -lelf -o elfsym_fuzz
 *   ./elfsym_fuzz tests/fuzz/elfsym_corpus
 * tests/fuzz/replay.c runs it over files without libFuzzer. The input goes
 * through a memfd, as the reader takes a path. */
#define _GNU_SOURCE
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>
#include "elfsym.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const names[] = { "SSL_write", "SSL_read", "SSL_write_ex" };
	static int fd = -1;
	static char path[64];
	uint64_t offs[3], one;
	unsigned char found[3];
	int n, r;

	if (fd < 0) {
		fd = memfd_create("elfsym_fuzz", MFD_CLOEXEC);
		if (fd < 0)
			abort();
		snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	}
	if (ftruncate(fd, 0) || (size && pwrite(fd, data, size, 0) != (ssize_t)size))
		abort();
	n = elf_symbols_offsets(path, names, 3, offs, found);
	if (n < 0) {
		if (n != -ENOEXEC && n != -EFBIG && n != -EIO && n != -ENOMEM)
			abort();
		for (int k = 0; k < 3; k++)
			if (found[k])
				abort();
	} else {
		if (n > 3 || found[0] + found[1] + found[2] != n)
			abort();
		for (int k = 0; k < 3; k++)
			if (found[k] > 1)
				abort();
	}
	r = elf_symbol_offset(path, names[1], &one);
	if (n >= 0 && (r == 0) != (found[1] == 1))
		abort();
	if (r == 0 && one != offs[1])
		abort();
	return 0;
}
