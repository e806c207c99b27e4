// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* Runs a libFuzzer target over files, without libFuzzer, for a build with
 * only the sanitizers (tests/e2e/dnsfuzz.sh). Each file is also run cut at
 * every length, and with -m N, N times with a few bytes changed (a fixed
 * seed, so a failure repeats).
 *   replay [-m N] FILE...
 * Each input is copied to a buffer of exactly its size, so any overread is
 * caught by AddressSanitizer. Prints "replayed N inputs" at the end. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static unsigned long runs;

static void run(const uint8_t *data, size_t size)
{
	uint8_t *copy = malloc(size ? size : 1);

	if (!copy)
		exit(3);
	memcpy(copy, data, size);
	LLVMFuzzerTestOneInput(copy, size);
	free(copy);
	runs++;
}

int main(int argc, char **argv)
{
	static uint8_t data[1 << 16], mut[1 << 16];
	unsigned long rounds = 0, seed = 1;
	int i = 1;

	if (argc > 2 && !strcmp(argv[1], "-m")) {
		rounds = strtoul(argv[2], NULL, 10);
		i = 3;
	}
	for (; i < argc; i++) {
		FILE *f = fopen(argv[i], "rb");
		size_t n, len, r, k;

		if (!f) {
			perror(argv[i]);
			return 3;
		}
		n = fread(data, 1, sizeof(data), f);
		fclose(f);
		for (len = 0; len <= n; len++)
			run(data, len);
		for (r = 0; r < rounds && n; r++) {
			memcpy(mut, data, n);
			for (k = 0; k < 1 + r % 4; k++) {
				seed = seed * 6364136223846793005UL + 1442695040888963407UL;
				mut[(seed >> 33) % n] = (uint8_t)(seed >> 20);
			}
			run(mut, n);
		}
	}
	printf("replayed %lu inputs\n", runs);
	return 0;
}
