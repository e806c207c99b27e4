// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* Unit test for common/prom.c: label escaping, log2 histograms as cumulative
 * buckets in seconds, top N with "other", address parsing. Exit status 0 =
 * pass. */
#include <netinet/in.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include "prom.h"

static int passed, failed;

static void check_str(const char *got, const char *exp, const char *what, int line)
{
	if (got && !strcmp(got, exp)) {
		passed++;
		return;
	}
	failed++;
	fprintf(stderr, "test_prom.c:%d: FAIL: %s\n--- got:\n%s--- expected:\n%s---\n", line,
		what, got ? got : "(null)", exp);
}

static void check_int(long long got, long long exp, const char *what, int line)
{
	if (got == exp) {
		passed++;
		return;
	}
	failed++;
	fprintf(stderr, "test_prom.c:%d: FAIL: %s: got %lld, expected %lld\n", line, what, got,
		exp);
}

static void test_escaping(void)
{
	struct tk_prom_buf b = {};
	struct tk_prom_label l[2] = { { "comm", "a\\b\"c\nd" }, { "x", "" } };

	tk_prom_family(&b, "tracekit_t_total", "counter", "Help with \\ and\nnewline \"q\".");
	tk_prom_sample(&b, "tracekit_t_total", l, 2, 42);
	tk_prom_sample(&b, "tracekit_t_total", NULL, 0, 0.25);
	check_str(b.data,
		  "# HELP tracekit_t_total Help with \\\\ and\\nnewline \"q\".\n"
		  "# TYPE tracekit_t_total counter\n"
		  "tracekit_t_total{comm=\"a\\\\b\\\"c\\nd\",x=\"\"} 42\n"
		  "tracekit_t_total 0.25\n",
		  "HELP escapes \\ and newline; label values also the quote", __LINE__);
	tk_prom_buf_free(&b);
}

static void test_histogram(void)
{
	/* Slot i holds values below 2^(i+1) us; the last takes the overflow. */
	uint64_t slots[5] = { 1, 0, 3, 2, 4 };
	struct tk_prom_label l = { "disk", "loop7" };
	struct tk_prom_buf b = {};

	tk_prom_hist_log2(&b, "tracekit_h_seconds", &l, 1, slots, 5, 1e-6, 0.0125);
	check_str(b.data,
		  "tracekit_h_seconds_bucket{disk=\"loop7\",le=\"2e-06\"} 1\n"
		  "tracekit_h_seconds_bucket{disk=\"loop7\",le=\"4e-06\"} 1\n"
		  "tracekit_h_seconds_bucket{disk=\"loop7\",le=\"8e-06\"} 4\n"
		  "tracekit_h_seconds_bucket{disk=\"loop7\",le=\"1.6e-05\"} 6\n"
		  "tracekit_h_seconds_bucket{disk=\"loop7\",le=\"+Inf\"} 10\n"
		  "tracekit_h_seconds_sum{disk=\"loop7\"} 0.0125\n"
		  "tracekit_h_seconds_count{disk=\"loop7\"} 10\n",
		  "log2 us slots: cumulative buckets with bounds in seconds, +Inf, sum, count",
		  __LINE__);
	tk_prom_buf_free(&b);

	/* Milliseconds, no labels: le is the only label. */
	tk_prom_hist_log2(&b, "h", NULL, 0, slots, 2, 1e-3, 1);
	check_str(b.data,
		  "h_bucket{le=\"0.002\"} 1\n"
		  "h_bucket{le=\"+Inf\"} 1\n"
		  "h_sum 1\n"
		  "h_count 1\n",
		  "ms slots, no labels", __LINE__);
	tk_prom_buf_free(&b);
}

static void test_top(void)
{
	struct tk_prom_row rows[5] = {};
	const char *names[5] = { "read", "write", "close", "open", "stat" };
	uint64_t v0[5] = { 5, 50, 1, 7, 7 };
	int i, n;

	for (i = 0; i < 5; i++) {
		snprintf(rows[i].label[0], sizeof(rows[i].label[0]), "%s", names[i]);
		rows[i].v[0] = v0[i];
		rows[i].v[1] = 100 * v0[i];
	}
	n = tk_prom_top(rows, 5, 2, 2);
	check_int(n, 3, "top 2 of 5: two rows and other", __LINE__);
	check_str(rows[0].label[0], "write", "largest first", __LINE__);
	check_str(rows[1].label[0], "open", "ties by label", __LINE__);
	check_str(rows[2].label[0], "other", "the rest as other", __LINE__);
	check_str(rows[2].label[1], "other", "every label of the rest reads other", __LINE__);
	check_int(rows[2].v[0], 7 + 5 + 1, "other sums the rest", __LINE__);
	check_int(rows[2].v[1], 1300, "other sums every value", __LINE__);

	n = tk_prom_top(rows, 3, 2, 2);
	check_int(n, 3, "one row past N is kept, not renamed", __LINE__);
	n = tk_prom_top(rows, 3, 0, 2);
	check_int(n, 3, "N = 0 keeps all", __LINE__);
}

/* Running totals: rows found again by their labels across growth (more
 * rows than the first table holds), both labels part of the key. */
static void test_totals(void)
{
	struct tk_prom_totals t = {};
	struct tk_prom_row *out;
	char a[32], b[32];
	const char *l[2] = { a, b };
	uint64_t v[2] = { 1, 10 };
	int i, round, n, err = 0;

	for (round = 0; round < 3; round++)
		for (i = 0; i < 300; i++) {
			snprintf(a, sizeof(a), "flow%d", i);
			snprintf(b, sizeof(b), "%d", i % 7);
			v[0] = i + 1;
			err |= tk_prom_totals_add(&t, l, 2, v, 2);
		}
	check_int(err, 0, "adding succeeds", __LINE__);
	check_int(t.n, 300, "300 distinct rows after 900 additions", __LINE__);
	/* "ab","c" and "a","bc" are two rows. */
	l[0] = "ab", l[1] = "c";
	tk_prom_totals_add(&t, l, 2, v, 2);
	l[0] = "a", l[1] = "bc";
	tk_prom_totals_add(&t, l, 2, v, 2);
	check_int(t.n, 302, "labels are compared one by one", __LINE__);
	n = tk_prom_totals_top(&t, 2, 2, &out);
	check_int(n, 3, "top 2 and other", __LINE__);
	check_str(out[0].label[0], "flow299", "the largest total first", __LINE__);
	check_int(out[0].v[0], 3 * 300, "its three additions summed", __LINE__);
	check_int(out[0].v[1], 30, "every value summed", __LINE__);
	check_str(out[1].label[1], "4", "second label kept (298 % 7)", __LINE__);
	check_int(out[2].v[0], 3 * (298 * 299 / 2) + 2 * 300, "other: the rest", __LINE__);
	check_int(t.rows[0].v[0], 3, "the totals themselves are not cut", __LINE__);
	free(out);
	tk_prom_totals_free(&t);
	check_int(tk_prom_totals_top(&t, 0, 2, &out), 0, "no rows, no failure", __LINE__);
	free(out);
}

static void test_addr(void)
{
	struct sockaddr_storage ss;
	unsigned len;

	check_int(tk_prom_parse_addr("127.0.0.1:9900", &ss, &len) == NULL, 1, "IPv4", __LINE__);
	check_int(ntohs(((struct sockaddr_in *)&ss)->sin_port), 9900, "IPv4 port", __LINE__);
	check_int(tk_prom_parse_addr("[::1]:0", &ss, &len) == NULL, 1, "IPv6", __LINE__);
	check_int(ss.ss_family, AF_INET6, "IPv6 family", __LINE__);
	check_str(tk_prom_parse_addr("nope", &ss, &len), "expected ADDR:PORT", "no port",
		  __LINE__);
	check_str(tk_prom_parse_addr("127.0.0.1:99999", &ss, &len),
		  "port out of range (0 to 65535)", "port too big", __LINE__);
	check_str(tk_prom_parse_addr("127.0.0.1:9x", &ss, &len), "invalid port", "port junk",
		  __LINE__);
	check_str(tk_prom_parse_addr("127.0.0.1:", &ss, &len), "invalid port", "no port digits",
		  __LINE__);
	check_str(tk_prom_parse_addr("::1:80", &ss, &len),
		  "invalid IPv4 address (an IPv6 one goes in brackets)", "IPv6 unbracketed",
		  __LINE__);
	check_str(tk_prom_parse_addr("[::1]80", &ss, &len), "expected [ADDR6]:PORT",
		  "bracket without colon", __LINE__);
	check_int(tk_prom_parse_addr(":80", &ss, &len) == NULL, 1, ":PORT", __LINE__);
	check_int(((struct sockaddr_in *)&ss)->sin_addr.s_addr == htonl(INADDR_LOOPBACK), 1,
		  ":PORT is loopback", __LINE__);
	check_int(ntohs(((struct sockaddr_in *)&ss)->sin_port), 80, ":PORT's port", __LINE__);
	check_str(tk_prom_parse_addr(":99999", &ss, &len), "port out of range (0 to 65535)",
		  ":PORT too big", __LINE__);
	check_str(tk_prom_parse_addr("[]:80", &ss, &len), "no address before the port",
		  "no IPv6 address", __LINE__);
}

int main(void)
{
	test_escaping();
	test_histogram();
	test_top();
	test_totals();
	test_addr();
	printf("test_prom: %d passed, %d failed\n", passed, failed);
	return failed ? 1 : 0;
}
