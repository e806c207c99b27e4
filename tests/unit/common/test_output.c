// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* Unit test for common/output.c: terminal escaping, JSON strings and the
 * one-line JSON writer. Exit status 0 = pass. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "output.h"

static int passed, failed;

/* Show a byte string readably in a failure message. */
static void show(FILE *f, const char *s, size_t len)
{
	size_t i;

	fputc('"', f);
	for (i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c == '\n')
			fputs("\\n", f);
		else if (c == '\\' || c == '"')
			fprintf(f, "\\%c", c);
		else if (c < 0x20 || c >= 0x7f)
			fprintf(f, "\\x%02x", c);
		else
			fputc(c, f);
	}
	fputc('"', f);
}

static void check_mem(const char *got, size_t glen, const char *exp, size_t elen,
		      const char *what, int line)
{
	if (glen == elen && memcmp(got, exp, elen) == 0) {
		passed++;
		return;
	}
	failed++;
	fprintf(stderr, "test_output.c:%d: FAIL: %s\n  got:      ", line, what);
	show(stderr, got, glen);
	fprintf(stderr, "\n  expected: ");
	show(stderr, exp, elen);
	fputc('\n', stderr);
}

static void check_int(long long got, long long exp, const char *what, int line)
{
	if (got == exp) {
		passed++;
		return;
	}
	failed++;
	fprintf(stderr, "test_output.c:%d: FAIL: %s\n  got:      %lld\n  expected: %lld\n",
		line, what, got, exp);
}

static void check(int ok, const char *what, int line)
{
	if (ok) {
		passed++;
		return;
	}
	failed++;
	fprintf(stderr, "test_output.c:%d: FAIL: %s\n", line, what);
}

#define CHECK(cond) check(!!(cond), #cond, __LINE__)
#define CHECK_INT(got, exp) check_int((long long)(got), (long long)(exp), #got, __LINE__)

/* Captured output of one call. */
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

/* ---- tk_print_escaped / tk_escape ---------------------------------------- */

/* Both entry points must agree: the file form and the buffer form. */
static void esc_check(const char *in, size_t len, const char *exp, int line)
{
	struct cap c;
	char buf[512];
	size_t n;

	tk_print_escaped(cap_open(&c), in, len);
	cap_close(&c);
	check_mem(c.buf, c.len, exp, strlen(exp), "tk_print_escaped", line);
	free(c.buf);

	memset(buf, 'Z', sizeof(buf));
	n = tk_escape(buf, sizeof(buf), in, len);
	check_mem(buf, strlen(buf), exp, strlen(exp), "tk_escape", line);
	check_int((long long)n, (long long)strlen(exp), "tk_escape return", line);
}

#define ESC(in, exp) esc_check((in), sizeof(in) - 1, (exp), __LINE__)
#define ESC_N(in, len, exp) esc_check((in), (len), (exp), __LINE__)

static void test_escape(void)
{
	ESC("", "");
	ESC("hello, world", "hello, world");
	ESC(" !\"#$%&'()*+,-./0123456789:;<=>?@AZ[]^_`az{|}~",
	    " !\"#$%&'()*+,-./0123456789:;<=>?@AZ[]^_`az{|}~");
	ESC("\x1b[31mred", "\\x1b[31mred");
	ESC("a\nb", "a\\nb");
	ESC("a\tb", "a\\tb");
	ESC("a\rb", "a\\rb");
	ESC("a\\b", "a\\\\b");
	ESC("\x7f", "\\x7f");
	ESC("\x01\x1f", "\\x01\\x1f");
	ESC("\a\b\v\f", "\\x07\\x08\\x0b\\x0c");
	/* Valid UTF-8 passes unchanged. */
	ESC("caf\xc3\xa9", "caf\xc3\xa9");			/* é */
	ESC("\xc3\x80", "\xc3\x80");				/* U+00C0, just past C1 */
	ESC("\xc2\xa0", "\xc2\xa0");				/* U+00A0 */
	ESC("\xe6\x97\xa5\xe6\x9c\xac", "\xe6\x97\xa5\xe6\x9c\xac");	/* 日本 */
	ESC("\xf0\x9f\x98\x80", "\xf0\x9f\x98\x80");		/* U+1F600 */
	ESC("\xf4\x8f\xbf\xbf", "\xf4\x8f\xbf\xbf");		/* U+10FFFF */
	ESC("\xef\xbf\xbd", "\xef\xbf\xbd");			/* U+FFFD */
	/* C1 controls (U+0080..U+009F) are valid UTF-8 but escaped. */
	ESC("\xc2\x9b", "\\xc2\\x9b");				/* CSI */
	/* Invisible and reordering characters are escaped; their neighbours
	 * in the same blocks are not. */
	ESC("evil\xe2\x80\xaetxt.exe", "evil\\xe2\\x80\\xaetxt.exe");	/* U+202E RLO */
	ESC("a\xe2\x80\x8b" "b", "a\\xe2\\x80\\x8b" "b");		/* U+200B ZWSP */
	ESC("\xe2\x80\x8f", "\\xe2\\x80\\x8f");			/* U+200F RLM */
	ESC("\xe2\x80\xa8", "\\xe2\\x80\\xa8");			/* U+2028 */
	ESC("\xe2\x81\xa6", "\\xe2\\x81\\xa6");			/* U+2066 LRI */
	ESC("\xe2\x81\xa9", "\\xe2\\x81\\xa9");			/* U+2069 PDI */
	ESC("\xef\xbb\xbf", "\\xef\\xbb\\xbf");			/* U+FEFF BOM */
	ESC("\xe2\x80\x8a", "\xe2\x80\x8a");			/* U+200A hair space */
	ESC("\xe2\x80\xaf", "\xe2\x80\xaf");			/* U+202F NNBSP */
	ESC("\xe2\x80\x94", "\xe2\x80\x94");			/* U+2014 em dash */
	ESC("\xc2\x80", "\\xc2\\x80");
	ESC("\xc2\x9f", "\\xc2\\x9f");
	/* Invalid bytes: one \xNN per byte. */
	ESC("\xff", "\\xff");
	ESC("a\x80z", "a\\x80z");
	ESC("\xc0\xaf", "\\xc0\\xaf");				/* overlong '/' */
	ESC("\xc1\xbf", "\\xc1\\xbf");
	ESC("\xe0\x80\xaf", "\\xe0\\x80\\xaf");			/* overlong 3-byte */
	ESC("\xf0\x8f\xbf\xbf", "\\xf0\\x8f\\xbf\\xbf");	/* overlong 4-byte */
	ESC("\xed\xa0\x80", "\\xed\\xa0\\x80");			/* surrogate U+D800 */
	ESC("\xed\xbf\xbf", "\\xed\\xbf\\xbf");			/* surrogate U+DFFF */
	ESC("\xf4\x90\x80\x80", "\\xf4\\x90\\x80\\x80");	/* past U+10FFFF */
	ESC("\xf5\x80\x80\x80", "\\xf5\\x80\\x80\\x80");
	ESC("\xe6\x97", "\\xe6\\x97");				/* truncated at end */
	ESC("\xe6\x97z", "\\xe6\\x97z");			/* truncated mid-string */
	ESC("\xe6\x97\xa5\xe6\x97", "\xe6\x97\xa5\\xe6\\x97");
	/* A sequence cut by @len is truncated, not read past. */
	ESC_N("\xe6\x97\xa5", 2, "\\xe6\\x97");
	/* Stops at NUL within len; respects len without NUL. */
	ESC_N("ab\0cd", 5, "ab");
	ESC_N("\0abc", 4, "");
	ESC_N("abcdef", 3, "abc");
	ESC_N("abc", 0, "");
}

static void test_escape_truncate(void)
{
	char buf[32];
	size_t n;

	/* "ab\ncd" escapes to "ab\\ncd" (6 bytes + NUL). */
	memset(buf, 'Z', sizeof(buf));
	n = tk_escape(buf, 5, "ab\ncd", 5);
	check_mem(buf, strlen(buf), "ab\\n", 4, "truncated to size 5", __LINE__);
	CHECK_INT(n, 4);
	CHECK(buf[5] == 'Z');

	/* An escape is never split: room for "ab" + one byte of "\\n" only. */
	memset(buf, 'Z', sizeof(buf));
	n = tk_escape(buf, 4, "ab\ncd", 5);
	check_mem(buf, strlen(buf), "ab", 2, "escape not split", __LINE__);
	CHECK_INT(n, 2);
	CHECK(buf[4] == 'Z');

	/* Exact fit: 6 bytes + NUL in 7. */
	memset(buf, 'Z', sizeof(buf));
	n = tk_escape(buf, 7, "ab\ncd", 5);
	check_mem(buf, strlen(buf), "ab\\ncd", 6, "exact fit", __LINE__);
	CHECK_INT(n, 6);
	CHECK(buf[7] == 'Z');

	/* One short of exact fit. */
	memset(buf, 'Z', sizeof(buf));
	n = tk_escape(buf, 6, "ab\ncd", 5);
	check_mem(buf, strlen(buf), "ab\\nc", 5, "one short", __LINE__);
	CHECK_INT(n, 5);
	CHECK(buf[6] == 'Z');

	/* A UTF-8 sequence is never split either. */
	memset(buf, 'Z', sizeof(buf));
	n = tk_escape(buf, 4, "a\xe6\x97\xa5", 4);
	check_mem(buf, strlen(buf), "a", 1, "UTF-8 not split", __LINE__);
	CHECK_INT(n, 1);
	CHECK(buf[4] == 'Z');

	/* \xNN pieces are 4 bytes: two fit in 9, not in 8. */
	memset(buf, 'Z', sizeof(buf));
	n = tk_escape(buf, 8, "\xff\xfe", 2);
	check_mem(buf, strlen(buf), "\\xff", 4, "\\xNN not split", __LINE__);
	CHECK_INT(n, 4);
	CHECK(buf[8] == 'Z');

	/* size 1: just the NUL. */
	memset(buf, 'Z', sizeof(buf));
	n = tk_escape(buf, 1, "abc", 3);
	CHECK(buf[0] == '\0');
	CHECK(buf[1] == 'Z');
	CHECK_INT(n, 0);

	/* size 0: nothing is written at all. */
	memset(buf, 'Z', sizeof(buf));
	n = tk_escape(buf, 0, "abc", 3);
	CHECK(buf[0] == 'Z');
	CHECK_INT(n, 0);

	/* Long input into a small buffer: always NUL-terminated, within size. */
	{
		char in[200];
		int i;

		for (i = 0; i < 200; i++)
			in[i] = (char)(i % 2 ? 0x1b : 'x');
		memset(buf, 'Z', sizeof(buf));
		n = tk_escape(buf, 16, in, sizeof(in));
		CHECK(n < 16);
		CHECK(strlen(buf) == n);
		CHECK(buf[16] == 'Z');
		check_mem(buf, strlen(buf), "x\\x1bx\\x1bx\\x1b", 15, "mixed truncation",
			  __LINE__);
	}
}

/* ---- tk_json_string ------------------------------------------------------ */

static void json_check(const char *in, size_t len, bool binary, const char *exp, int line)
{
	struct cap c;

	tk_json_string(cap_open(&c), in, len, binary);
	cap_close(&c);
	check_mem(c.buf, c.len, exp, strlen(exp), "tk_json_string", line);
	free(c.buf);
}

#define JS(in, exp) json_check((in), sizeof(in) - 1, false, (exp), __LINE__)
#define JS_N(in, len, bin, exp) json_check((in), (len), (bin), (exp), __LINE__)

static void test_json_string(void)
{
	JS("", "");
	JS("plain text", "plain text");
	JS("say \"hi\"", "say \\\"hi\\\"");
	JS("a\\b", "a\\\\b");
	JS("/", "/");
	JS("a\nb\tc\rd", "a\\nb\\tc\\rd");
	JS("\x01\x1b\x1f", "\\u0001\\u001b\\u001f");
	JS("\b\f", "\\u0008\\u000c");
	JS("\x7f", "\\u007f");
	/* Valid UTF-8 is written raw. */
	JS("caf\xc3\xa9", "caf\xc3\xa9");
	JS("\xe6\x97\xa5\xe6\x9c\xac", "\xe6\x97\xa5\xe6\x9c\xac");
	JS("\xf0\x9f\x98\x80", "\xf0\x9f\x98\x80");
	JS("\xc2\xa0", "\xc2\xa0");
	/* C1 controls become their code point. */
	JS("\xc2\x9b", "\\u009b");
	/* So do invisible and reordering characters: the same string, but no
	 * surprise in a log read raw. */
	JS("evil\xe2\x80\xaetxt", "evil\\u202etxt");
	JS("\xe2\x80\x8b\xef\xbb\xbf", "\\u200b\\ufeff");
	JS("\xe2\x80\x94", "\xe2\x80\x94");
	JS("\xc2\x80", "\\u0080");
	JS("\xc2\x9f", "\\u009f");
	JS("a\xc2\x9b[31m", "a\\u009b[31m");
	/* Invalid bytes: lone surrogates \udcXX (surrogateescape). */
	JS("\xff", "\\udcff");
	JS("a\x80z", "a\\udc80z");
	JS("\xc0\xaf", "\\udcc0\\udcaf");
	JS("\xed\xa0\x80", "\\udced\\udca0\\udc80");
	JS("\xe6\x97", "\\udce6\\udc97");
	JS("\xc2", "\\udcc2");
	JS("\xc2z", "\\udcc2z");
	/* Stops at NUL unless binary. */
	JS_N("ab\0cd", 5, false, "ab");
	JS_N("ab\0cd", 5, true, "ab\\u0000cd");
	JS_N("\0\0", 2, true, "\\u0000\\u0000");
	JS_N("\xff\0\xc2\x9b", 4, true, "\\udcff\\u0000\\u009b");
	JS_N("abcdef", 3, false, "abc");
	JS_N("abcdef", 3, true, "abc");
}

/* ---- jw_* ---------------------------------------------------------------- */

static void test_jw(void)
{
	struct cap c;
	struct jw w;
	const char *exp;

	/* Empty object. */
	jw_begin(&w, cap_open(&c));
	jw_end(&w);
	cap_close(&c);
	check_mem(c.buf, c.len, "{}\n", 3, "empty object", __LINE__);
	free(c.buf);

	/* One of everything. */
	jw_begin(&w, cap_open(&c));
	jw_str(&w, "a", "x", 16);
	jw_int(&w, "n", -5);
	jw_uint(&w, "u", UINT64_MAX);
	jw_bool(&w, "t", true);
	jw_bool(&w, "f", false);
	jw_null(&w, "z");
	jw_bytes(&w, "b", "\x00\x01\xff", 3);
	jw_double(&w, "d", 1.5);
	jw_end(&w);
	cap_close(&c);
	exp = "{\"a\":\"x\",\"n\":-5,\"u\":18446744073709551615,\"t\":true,\"f\":false,"
	      "\"z\":null,\"b\":\"\\u0000\\u0001\\udcff\",\"d\":1.500}\n";
	check_mem(c.buf, c.len, exp, strlen(exp), "jw object", __LINE__);
	free(c.buf);

	/* Arrays and nested objects: commas at every level, keys only in objects. */
	jw_begin(&w, cap_open(&c));
	jw_str(&w, "type", "hist", 16);
	jw_array_begin(&w, "buckets");
	jw_object_begin(&w, NULL);
	jw_uint(&w, "lo", 0);
	jw_uint(&w, "hi", 1);
	jw_object_end(&w);
	jw_object_begin(&w, NULL);
	jw_uint(&w, "lo", 2);
	jw_array_begin(&w, "v");
	jw_uint(&w, NULL, 7);
	jw_int(&w, NULL, -1);
	jw_array_end(&w);
	jw_object_end(&w);
	jw_array_end(&w);
	jw_array_begin(&w, "empty");
	jw_array_end(&w);
	jw_object_begin(&w, "o");
	jw_bool(&w, "t", true);
	jw_object_end(&w);
	jw_uint(&w, "n", 3);
	jw_end(&w);
	cap_close(&c);
	exp = "{\"type\":\"hist\",\"buckets\":[{\"lo\":0,\"hi\":1},{\"lo\":2,\"v\":[7,-1]}],"
	      "\"empty\":[],\"o\":{\"t\":true},\"n\":3}\n";
	check_mem(c.buf, c.len, exp, strlen(exp), "jw nested", __LINE__);
	free(c.buf);

	/* What a writer leaves open is closed by jw_end, in the right order. */
	jw_begin(&w, cap_open(&c));
	jw_array_begin(&w, "a");
	jw_object_begin(&w, NULL);
	jw_end(&w);
	cap_close(&c);
	exp = "{\"a\":[{}]}\n";
	check_mem(c.buf, c.len, exp, strlen(exp), "jw closes what is open", __LINE__);
	free(c.buf);

	/* Integer extremes. */
	jw_begin(&w, cap_open(&c));
	jw_int(&w, "min", INT64_MIN);
	jw_int(&w, "max", INT64_MAX);
	jw_int(&w, "zero", 0);
	jw_uint(&w, "u0", 0);
	jw_end(&w);
	cap_close(&c);
	exp = "{\"min\":-9223372036854775808,\"max\":9223372036854775807,\"zero\":0,"
	      "\"u0\":0}\n";
	check_mem(c.buf, c.len, exp, strlen(exp), "jw integer extremes", __LINE__);
	free(c.buf);

	/* Strings: maxlen bounds them, NUL ends them, content is escaped. */
	{
		char comm[16] = "bash";		/* NUL-padded like a kernel comm */
		char full[4] = { 'a', 'b', 'c', 'd' };	/* no NUL at all */

		jw_begin(&w, cap_open(&c));
		jw_str(&w, "comm", comm, sizeof(comm));
		jw_str(&w, "full", full, sizeof(full));
		jw_str(&w, "esc", "q\"\\\n\x1b\xff\xc2\x9b\xc3\xa9", 64);
		jw_str(&w, "empty", "", 8);
		jw_end(&w);
		cap_close(&c);
		exp = "{\"comm\":\"bash\",\"full\":\"abcd\","
		      "\"esc\":\"q\\\"\\\\\\n\\u001b\\udcff\\u009b\xc3\xa9\",\"empty\":\"\"}\n";
		check_mem(c.buf, c.len, exp, strlen(exp), "jw strings", __LINE__);
		free(c.buf);
	}

	/* Doubles: three decimals, negatives, zero. */
	jw_begin(&w, cap_open(&c));
	jw_double(&w, "a", 0.0);
	jw_double(&w, "b", -2.25);
	jw_double(&w, "c", 123456.0004);
	jw_double(&w, "d", 0.0005);
	jw_end(&w);
	cap_close(&c);
	exp = "{\"a\":0.000,\"b\":-2.250,\"c\":123456.000,\"d\":0.001}\n";
	/* 0.0005 is not exact in binary; accept either rounding for it. */
	if (!(c.len == strlen(exp) && memcmp(c.buf, exp, c.len) == 0))
		exp = "{\"a\":0.000,\"b\":-2.250,\"c\":123456.000,\"d\":0.000}\n";
	check_mem(c.buf, c.len, exp, strlen(exp), "jw doubles", __LINE__);
	free(c.buf);

	/* jw_key then a raw value (as the histogram writer does). */
	jw_begin(&w, cap_open(&c));
	jw_int(&w, "a", 1);
	jw_key(&w, "raw");
	fputs("[1,2]", c.f);
	jw_int(&w, "b", 2);
	jw_end(&w);
	cap_close(&c);
	exp = "{\"a\":1,\"raw\":[1,2],\"b\":2}\n";
	check_mem(c.buf, c.len, exp, strlen(exp), "jw_key raw value", __LINE__);
	free(c.buf);

	/* Two objects in a row through the same struct: each starts fresh. */
	jw_begin(&w, cap_open(&c));
	jw_int(&w, "i", 1);
	jw_end(&w);
	jw_begin(&w, c.f);
	jw_int(&w, "i", 2);
	jw_end(&w);
	cap_close(&c);
	exp = "{\"i\":1}\n{\"i\":2}\n";
	check_mem(c.buf, c.len, exp, strlen(exp), "two lines", __LINE__);
	free(c.buf);
}

/* ---- tk_format_clock ----------------------------------------------------- */

static void test_clock(void)
{
	char buf[16];

	memset(buf, 0, sizeof(buf));
	tk_format_clock(buf, sizeof(buf));
	CHECK(strlen(buf) == 8);
	CHECK(buf[2] == ':' && buf[5] == ':');
	CHECK(buf[0] >= '0' && buf[0] <= '2' && buf[3] >= '0' && buf[3] <= '5');
}

/* An event's wall clock from its monotonic stamp: the time of day it
 * happened, whenever it is printed. TZ=UTC keeps it comparable with gmtime. */
static void test_event_clock(void)
{
	struct timespec mono, real;
	char buf[32], exp[32];
	struct tm tm;
	time_t t;
	uint64_t now_ns;

	setenv("TZ", "UTC", 1);
	tzset();
	tk_format_event_clock(0, false, NULL, 0);	/* the offset, now */
	clock_gettime(CLOCK_MONOTONIC, &mono);
	clock_gettime(CLOCK_REALTIME, &real);
	now_ns = (uint64_t)mono.tv_sec * 1000000000 + mono.tv_nsec;
	/* An event 90 s ago, at 0.250 s past its second or so. */
	t = real.tv_sec - 90;
	gmtime_r(&t, &tm);
	strftime(exp, sizeof(exp), "%H:%M:%S", &tm);
	tk_format_event_clock(now_ns - 90ULL * 1000000000, false, buf, sizeof(buf));
	/* The clocks were read a moment apart: the same second, or the next. */
	if (strcmp(buf, exp)) {
		t++;
		gmtime_r(&t, &tm);
		strftime(exp, sizeof(exp), "%H:%M:%S", &tm);
	}
	CHECK(!strcmp(buf, exp));
	tk_format_event_clock(now_ns, true, buf, sizeof(buf));
	CHECK(strlen(buf) == 12);
	CHECK(buf[2] == ':' && buf[5] == ':' && buf[8] == '.');
	CHECK(buf[9] >= '0' && buf[9] <= '9' && buf[11] >= '0' && buf[11] <= '9');
}

/* The envelope every record starts with: version, type, UTC wall time with
 * nanoseconds, the monotonic stamp, host and tool, in that order. */
static void test_envelope(void)
{
	struct timespec mono, real;
	struct cap c;
	struct jw w;
	char buf[64], host[80];
	long long wall, back;
	unsigned long long ts;
	int n;

	tk_format_rfc3339(buf, sizeof(buf), 1796571766123456789LL);
	CHECK(!strcmp(buf, "2026-12-06T15:42:46.123456789Z"));
	tk_format_rfc3339(buf, sizeof(buf), 1000000000LL);
	CHECK(!strcmp(buf, "1970-01-01T00:00:01.000000000Z"));

	tk_prog = "tktest";
	jw_summary_begin(&w, cap_open(&c), "lost");
	jw_uint(&w, "count", 3);
	jw_end(&w);
	cap_close(&c);
	CHECK(!strncmp(c.buf, "{\"v\":1,\"type\":\"lost\",\"time\":\"20", 31));
	CHECK(strstr(c.buf, "\",\"tool\":\"tktest\",\"count\":3}\n") != NULL);
	free(c.buf);

	/* An event's "time" is its own stamp on the wall clock, not now. */
	clock_gettime(CLOCK_MONOTONIC, &mono);
	clock_gettime(CLOCK_REALTIME, &real);
	ts = (unsigned long long)mono.tv_sec * 1000000000 + mono.tv_nsec - 5000000000ULL;
	jw_event_begin(&w, cap_open(&c), "open", ts);
	jw_end(&w);
	cap_close(&c);
	n = sscanf(c.buf, "{\"v\":1,\"type\":\"open\",\"time\":\"%30[^\"]\",\"ts_ns\":%llu,"
		   "\"host\":\"%70[^\"]\",\"tool\":\"tktest\"}", buf, &back, host);
	CHECK(n == 3 && (unsigned long long)back == ts && host[0]);
	if (n == 3) {
		struct tm tm = { 0 };
		char *rest = strptime(buf, "%Y-%m-%dT%H:%M:%S", &tm);

		CHECK(rest && strlen(rest) == 11 && rest[0] == '.' && rest[10] == 'Z');
		wall = (long long)timegm(&tm) * 1000000000 + (rest ? atoll(rest + 1) : 0);
		/* 5 s before now, give or take the test's own scheduling. */
		back = (long long)real.tv_sec * 1000000000 + real.tv_nsec - 5000000000LL;
		CHECK(wall - back < 100000000 && back - wall < 100000000);
	}
	free(c.buf);
}

int main(void)
{
	test_escape();
	test_escape_truncate();
	test_json_string();
	test_jw();
	test_clock();
	test_event_clock();
	test_envelope();
	printf("test_output: %d passed, %d failed\n", passed, failed);
	return failed ? 1 : 0;
}
