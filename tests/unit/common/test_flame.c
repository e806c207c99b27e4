// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* Unit test for common/flame.c: stacks merged into a tree, laid out as
 * flamegraph.pl does (children by name, widths by count), names escaped for
 * XML, frames too narrow to see left out. Exit status 0 = pass. */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "flame.h"

static int passed, failed;

#define CHECK(cond, what) do {						\
	if (cond) {							\
		passed++;						\
	} else {							\
		failed++;						\
		fprintf(stderr, "test_flame.c:%d: FAIL: %s\n", __LINE__, what); \
	}								\
} while (0)

static char *svg_of(const struct tk_flame *fg)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	tk_flame_svg(fg, f, "t<itle", "samples");
	fclose(f);
	return buf;
}

static int count_of(const char *s, const char *needle)
{
	int n = 0;

	for (; (s = strstr(s, needle)); s += strlen(needle))
		n++;
	return n;
}

static void test_merge_and_layout(void)
{
	struct tk_flame *fg = tk_flame_new();
	const char *a[] = { "comm", "main", "b_func" };
	const char *b[] = { "comm", "main", "a_func", "k_func" };
	bool kb[] = { false, false, false, true };
	char *svg;

	CHECK(fg, "tk_flame_new");
	CHECK(!tk_flame_add(fg, a, NULL, 3, 30), "add a");
	CHECK(!tk_flame_add(fg, b, kb, 4, 10), "add b");
	CHECK(!tk_flame_add(fg, a, NULL, 3, 20), "add a again");
	CHECK(tk_flame_total(fg) == 60, "total");
	svg = svg_of(fg);
	/* all, comm, main, a_func, k_func, b_func: one frame each. */
	CHECK(count_of(svg, "<g class=\"f\"") == 6, "one g per distinct frame");
	CHECK(count_of(svg, "<rect x=") == 6 + 1, "a rect per frame (and the background)");
	CHECK(strstr(svg, "data-s=\"0\" data-c=\"60\" data-d=\"0\" data-n=\"all\""), "root");
	CHECK(strstr(svg, "data-s=\"0\" data-c=\"60\" data-d=\"2\" data-n=\"main\""),
	      "a shared prefix is one frame with the sum");
	/* Children by name: a_func (10) first, then b_func (50) after it. */
	CHECK(strstr(svg, "data-s=\"0\" data-c=\"10\" data-d=\"3\" data-n=\"a_func\""), "a_func first");
	CHECK(strstr(svg, "data-s=\"10\" data-c=\"50\" data-d=\"3\" data-n=\"b_func\""), "b_func next");
	CHECK(strstr(svg, "data-s=\"0\" data-c=\"10\" data-d=\"4\" data-n=\"k_func\""), "kernel frame");
	CHECK(strstr(svg, "<title>b_func (50 samples, 83.33%)</title>"), "title: count and share");
	CHECK(strstr(svg, "<title>t&lt;itle</title>") == NULL && strstr(svg, ">t&lt;itle</text>"),
	      "the title escaped");
	CHECK(strstr(svg, "function zoom") && strstr(svg, "function search") &&
	      strstr(svg, "id=\"search\""), "script and search box");
	CHECK(strstr(svg, "<![CDATA[") && !strstr(strstr(svg, "<![CDATA[") + 9, "]]>\n]]>"),
	      "script in one CDATA section");
	free(svg);
	tk_flame_free(fg);
}

static void test_kernel_apart(void)
{
	struct tk_flame *fg = tk_flame_new();
	const char *p[] = { "x", "same" };
	bool k[] = { false, true };
	char *svg;

	tk_flame_add(fg, p, NULL, 2, 1);
	tk_flame_add(fg, p, k, 2, 1);
	svg = svg_of(fg);
	CHECK(count_of(svg, "data-n=\"same\"") == 2, "a kernel and a user frame of one name stay apart");
	free(svg);
	tk_flame_free(fg);
}

static void test_escape_and_narrow(void)
{
	struct tk_flame *fg = tk_flame_new();
	const char *evil[] = { "a<b>&\"c'\n\x01\xff" };
	const char *tiny[] = { "tiny" };
	char *svg;

	tk_flame_add(fg, evil, NULL, 1, 1000000);
	tk_flame_add(fg, tiny, NULL, 1, 1);	/* 1e-6 of 1180 px: not drawn */
	svg = svg_of(fg);
	CHECK(strstr(svg, "data-n=\"a&lt;b&gt;&amp;&quot;c&apos;???\""), "names escaped, bytes outside ASCII as ?");
	CHECK(!strstr(svg, "\x01") && !strstr(svg, "\xff"), "no control or non-ASCII byte");
	CHECK(!strstr(svg, "tiny"), "a frame under 0.1 px is left out");
	free(svg);
	tk_flame_free(fg);
}

/* Every frame's fill: the number of frames whose blue is (or is not) the
 * strongest of the three. */
static int frames_blue(const char *svg, bool blue)
{
	const char *p = svg;
	int r, g, b, n = 0;

	while ((p = strstr(p, "height=\"15\" rx=\"2\" fill=\"rgb("))) {
		p += strlen("height=\"15\" rx=\"2\" fill=\"rgb(");
		if (sscanf(p, "%d,%d,%d", &r, &g, &b) == 3 && (b > r && b > g) == blue)
			n++;
	}
	return n;
}

static void test_cold(void)
{
	const char *p[] = { "comm", "main", "sleep_here", "do_nanosleep", "schedule" };
	bool k[] = { false, false, false, true, true };
	struct tk_flame *fg = tk_flame_new();
	char *svg;

	tk_flame_add(fg, p, k, 5, 7);
	svg = svg_of(fg);
	CHECK(frames_blue(svg, false) == 4, "CPU palette: the root and user frames warm");
	free(svg);
	tk_flame_cold(fg);
	svg = svg_of(fg);
	CHECK(frames_blue(svg, true) == 6, "off-CPU palette: every frame, user and kernel, is blue");
	free(svg);
	tk_flame_free(fg);
}

static void test_empty(void)
{
	struct tk_flame *fg = tk_flame_new();
	char *svg = svg_of(fg);

	CHECK(count_of(svg, "<g class=\"f\"") == 1 && strstr(svg, "</svg>\n"), "no stacks: the root alone");
	free(svg);
	tk_flame_free(fg);
	tk_flame_free(NULL);
}

int main(void)
{
	test_merge_and_layout();
	test_kernel_apart();
	test_escape_and_narrow();
	test_cold();
	test_empty();
	printf("test_flame: %d passed, %d failed\n", passed, failed);
	return failed ? 1 : 0;
}
