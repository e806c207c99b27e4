// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* Unit test for common/hist.c: bucket bounds, bcc-style text histograms and
 * their JSON form. Exit status 0 = pass. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "hist.h"

static int passed, failed;

static void check_str(const char *got, size_t glen, const char *exp, const char *what,
		      int line)
{
	if (glen == strlen(exp) && memcmp(got, exp, glen) == 0) {
		passed++;
		return;
	}
	failed++;
	fprintf(stderr, "test_hist.c:%d: FAIL: %s\n--- got:\n%.*s--- expected:\n%s---\n",
		line, what, (int)glen, got, exp);
}

static void check_u64(uint64_t got, uint64_t exp, const char *what, int line)
{
	if (got == exp) {
		passed++;
		return;
	}
	failed++;
	fprintf(stderr, "test_hist.c:%d: FAIL: %s\n  got:      %llu\n  expected: %llu\n",
		line, what, (unsigned long long)got, (unsigned long long)exp);
}

struct cap {
	char *buf;
	size_t len;
	FILE *f;
};

static FILE *cap_open(struct cap *c)
{
	c->buf = NULL;
	c->len = 0;
	c->f = open_memstream(&c->buf, &c->len);
	if (!c->f) {
		perror("open_memstream");
		exit(2);
	}
	return c->f;
}

static void cap_close(struct cap *c)
{
	fclose(c->f);
}

#define N(a) ((int)(sizeof(a) / sizeof((a)[0])))

/* ---- hist_log2_bounds ---------------------------------------------------- */

static void bounds_check(int slot, uint64_t elow, uint64_t ehigh, int line)
{
	uint64_t low = 12345, high = 12345;

	hist_log2_bounds(slot, &low, &high);
	check_u64(low, elow, "low", line);
	check_u64(high, ehigh, "high", line);
}

static void test_bounds(void)
{
	bounds_check(0, 0, 1, __LINE__);
	bounds_check(1, 2, 3, __LINE__);
	bounds_check(2, 4, 7, __LINE__);
	bounds_check(10, 1024, 2047, __LINE__);
	bounds_check(31, 2147483648ULL, 4294967295ULL, __LINE__);
	bounds_check(32, 4294967296ULL, 8589934591ULL, __LINE__);
	bounds_check(62, 1ULL << 62, (1ULL << 63) - 1, __LINE__);
	bounds_check(63, 1ULL << 63, UINT64_MAX, __LINE__);
}

/* ---- hist_print_log2 ----------------------------------------------------- */

static void log2_check(const uint64_t *vals, int nvals, const char *unit, const char *exp,
		       const char *what, int line)
{
	struct cap c;

	hist_print_log2(cap_open(&c), vals, nvals, unit);
	cap_close(&c);
	check_str(c.buf, c.len, exp, what, line);
	free(c.buf);
}

static const char bcc_small[] =
"     usecs               : count    distribution\n"
"         0 -> 1          : 0        |                                        |\n"
"         2 -> 3          : 1        |**********                              |\n"
"         4 -> 7          : 4        |****************************************|\n"
"         8 -> 15         : 2        |********************                    |\n";

static void test_print_log2(void)
{
	uint64_t small[] = { 0, 1, 4, 2 };
	uint64_t trailing[16] = { 0, 1, 4, 2 };
	uint64_t zeros[64] = { 0 };
	uint64_t one[] = { 5 };
	uint64_t thirds[] = { 3, 1 };
	uint64_t mid[] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1 };

	log2_check(small, N(small), "usecs", bcc_small, "bcc layout", __LINE__);
	log2_check(trailing, N(trailing), "usecs", bcc_small, "trailing zeros", __LINE__);
	log2_check(zeros, N(zeros), "usecs", "", "all zero prints nothing", __LINE__);
	log2_check(small, 0, "usecs", "", "no slots prints nothing", __LINE__);

	log2_check(one, N(one), "nsecs",
"     nsecs               : count    distribution\n"
"         0 -> 1          : 5        |****************************************|\n",
		   "single slot", __LINE__);

	/* 1 * 40 / 3 rounds down to 13 stars. */
	log2_check(thirds, N(thirds), "msecs",
"     msecs               : count    distribution\n"
"         0 -> 1          : 3        |****************************************|\n"
"         2 -> 3          : 1        |*************                           |\n",
		   "bar rounds down", __LINE__);

	/* Leading zero slots are printed (bcc does too); the unit column is 19 wide. */
	log2_check(mid, N(mid), "kbytes",
"     kbytes              : count    distribution\n"
"         0 -> 1          : 0        |                                        |\n"
"         2 -> 3          : 0        |                                        |\n"
"         4 -> 7          : 0        |                                        |\n"
"         8 -> 15         : 0        |                                        |\n"
"        16 -> 31         : 0        |                                        |\n"
"        32 -> 63         : 0        |                                        |\n"
"        64 -> 127        : 0        |                                        |\n"
"       128 -> 255        : 0        |                                        |\n"
"       256 -> 511        : 0        |                                        |\n"
"       512 -> 1023       : 0        |                                        |\n"
"      1024 -> 2047       : 1        |****************************************|\n",
		   "leading zero slots", __LINE__);
}

/* Past slot 32 bcc switches to 20-wide value columns and a 20-star bar. */
static void test_print_log2_wide(void)
{
	uint64_t vals[64] = { 0 };
	char exp[8192], *p = exp;
	size_t room = sizeof(exp);
	int i, n;

	/* Slot 32 is still the narrow layout. */
	vals[32] = 1;
	log2_check(vals, 33, "usecs",
"     usecs               : count    distribution\n"
"         0 -> 1          : 0        |                                        |\n"
"         2 -> 3          : 0        |                                        |\n"
"         4 -> 7          : 0        |                                        |\n"
"         8 -> 15         : 0        |                                        |\n"
"        16 -> 31         : 0        |                                        |\n"
"        32 -> 63         : 0        |                                        |\n"
"        64 -> 127        : 0        |                                        |\n"
"       128 -> 255        : 0        |                                        |\n"
"       256 -> 511        : 0        |                                        |\n"
"       512 -> 1023       : 0        |                                        |\n"
"      1024 -> 2047       : 0        |                                        |\n"
"      2048 -> 4095       : 0        |                                        |\n"
"      4096 -> 8191       : 0        |                                        |\n"
"      8192 -> 16383      : 0        |                                        |\n"
"     16384 -> 32767      : 0        |                                        |\n"
"     32768 -> 65535      : 0        |                                        |\n"
"     65536 -> 131071     : 0        |                                        |\n"
"    131072 -> 262143     : 0        |                                        |\n"
"    262144 -> 524287     : 0        |                                        |\n"
"    524288 -> 1048575    : 0        |                                        |\n"
"   1048576 -> 2097151    : 0        |                                        |\n"
"   2097152 -> 4194303    : 0        |                                        |\n"
"   4194304 -> 8388607    : 0        |                                        |\n"
"   8388608 -> 16777215   : 0        |                                        |\n"
"  16777216 -> 33554431   : 0        |                                        |\n"
"  33554432 -> 67108863   : 0        |                                        |\n"
"  67108864 -> 134217727  : 0        |                                        |\n"
" 134217728 -> 268435455  : 0        |                                        |\n"
" 268435456 -> 536870911  : 0        |                                        |\n"
" 536870912 -> 1073741823 : 0        |                                        |\n"
"1073741824 -> 2147483647 : 0        |                                        |\n"
"2147483648 -> 4294967295 : 0        |                                        |\n"
"4294967296 -> 8589934591 : 1        |****************************************|\n",
		   "slot 32 is narrow", __LINE__);
	vals[32] = 0;

	/* Slot 33: wide. Slot 0 has half the maximum: 10 of 20 stars. */
	vals[0] = 1;
	vals[33] = 2;
	n = snprintf(p, room, "%15s%-29s : count    distribution\n", "", "usecs");
	p += n, room -= n;
	n = snprintf(p, room, "                   0 -> 1                    : 1        "
		     "|**********          |\n");
	p += n, room -= n;
	for (i = 1; i <= 32; i++) {
		n = snprintf(p, room, "%20llu -> %-20llu : 0        |                    |\n",
			     1ULL << i, (1ULL << (i + 1)) - 1);
		p += n, room -= n;
	}
	snprintf(p, room, "          8589934592 -> 17179869183          : 2        "
		 "|********************|\n");
	log2_check(vals, N(vals), "usecs", exp, "wide layout", __LINE__);

	/* The wide header line on its own. */
	{
		struct cap c;
		const char *hdr = "               usecs                         : count    distribution\n";

		hist_print_log2(cap_open(&c), vals, N(vals), "usecs");
		cap_close(&c);
		check_str(c.buf, c.len < strlen(hdr) ? c.len : strlen(hdr), hdr,
			  "wide header", __LINE__);
		free(c.buf);
	}

	/* The very last slot: 2^63 -> UINT64_MAX fits the 20-wide columns. */
	{
		struct cap c;
		const char *last = " 9223372036854775808 -> 18446744073709551615 : 7        "
				   "|********************|\n";
		size_t ll = strlen(last);

		memset(vals, 0, sizeof(vals));
		vals[63] = 7;
		hist_print_log2(cap_open(&c), vals, N(vals), "ns");
		cap_close(&c);
		check_str(c.len >= ll ? c.buf + c.len - ll : c.buf, c.len >= ll ? ll : c.len,
			  last, "slot 63 row", __LINE__);
		free(c.buf);
	}
}

/* ---- JSON ---------------------------------------------------------------- */

static void test_json(void)
{
	uint64_t vals[] = { 0, 1, 4, 2, 0, 0 };
	uint64_t zeros[4] = { 0 };
	struct cap c;
	struct jw w;
	const char *exp;

	jw_begin(&w, cap_open(&c));
	jw_str(&w, "comm", "dd", 16);
	hist_json_log2(&w, "hist", vals, N(vals), "usecs");
	jw_end(&w);
	cap_close(&c);
	exp = "{\"comm\":\"dd\",\"hist\":{\"unit\":\"usecs\",\"buckets\":["
	      "{\"low\":0,\"high\":1,\"count\":0},"
	      "{\"low\":2,\"high\":3,\"count\":1},"
	      "{\"low\":4,\"high\":7,\"count\":4},"
	      "{\"low\":8,\"high\":15,\"count\":2}],\"total\":7}}\n";
	check_str(c.buf, c.len, exp, "hist_json_log2", __LINE__);
	free(c.buf);

	jw_begin(&w, cap_open(&c));
	hist_json_log2(&w, "hist", zeros, N(zeros), "usecs");
	jw_int(&w, "after", 1);
	jw_end(&w);
	cap_close(&c);
	exp = "{\"hist\":{\"unit\":\"usecs\",\"buckets\":[],\"total\":0},\"after\":1}\n";
	check_str(c.buf, c.len, exp, "hist_json_log2 empty", __LINE__);
	free(c.buf);

	{
		uint64_t big[64] = { 0 };

		big[63] = 3;
		big[62] = 1;
		jw_begin(&w, cap_open(&c));
		hist_json_log2(&w, "h", big, N(big), "ns");
		jw_end(&w);
		cap_close(&c);
		exp = "{\"low\":4611686018427387904,\"high\":9223372036854775807,\"count\":1},"
		      "{\"low\":9223372036854775808,\"high\":18446744073709551615,\"count\":3}"
		      "],\"total\":4}}\n";
		check_str(c.len >= strlen(exp) ? c.buf + c.len - strlen(exp) : c.buf,
			  c.len >= strlen(exp) ? strlen(exp) : c.len, exp,
			  "hist_json_log2 top slots", __LINE__);
		free(c.buf);
	}

}

int main(void)
{
	test_bounds();
	test_print_log2();
	test_print_log2_wide();
	test_json();
	printf("test_hist: %d passed, %d failed\n", passed, failed);
	return failed ? 1 : 0;
}
