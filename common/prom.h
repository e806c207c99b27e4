/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* Fleet mode for summary tools: their counts in the Prometheus text
 * exposition format (version 0.0.4), served over HTTP (--prometheus) or
 * rewritten atomically into a file for node exporter's textfile collector
 * (--textfile).
 *
 * The HTTP server is single-threaded and non-blocking: its sockets join the
 * loop's wait (tk_summary.wait, tk_stream.wait), so a slow or hostile client costs a
 * connection slot for at most TK_PROM_DEADLINE_MS and never stalls the loop.
 * Policy: at most TK_PROM_MAX_CONN connections; one more closes the oldest
 * (so idle connections cannot lock out a later request); a request is read
 * up to TK_PROM_MAX_REQUEST bytes (431 past that); one request per
 * connection (Connection: close); only GET /metrics (200), other paths 404,
 * other methods 405, garbage 400. The body is rendered from the tool's maps
 * when the request arrives. */
#ifndef TK_PROM_H
#define TK_PROM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "args.h"
#include "loop.h"

#define TK_PROM_MAX_CONN 16
#define TK_PROM_MAX_REQUEST 8192
#define TK_PROM_DEADLINE_MS 5000
#define TK_PROM_MAX_BODY (1 << 20)	/* per answer: 16 MiB at most in all */
#define TK_PROM_TEXTFILE_MS 15000	/* --textfile's period without an interval */

/* ---- the exposition writer ------------------------------------------------ */

struct tk_prom_buf {
	char *data;
	size_t len, cap;
	bool failed;		/* out of memory, or past TK_PROM_MAX_BODY */
};

struct tk_prom_label {
	const char *name, *value;
};

void tk_prom_buf_free(struct tk_prom_buf *b);
/* "# HELP name help" and "# TYPE name type" (counter, gauge, histogram). */
void tk_prom_family(struct tk_prom_buf *b, const char *name, const char *type,
		    const char *help);
/* One sample: name{labels} value. Label values are escaped (\\, \", \n). */
void tk_prom_sample(struct tk_prom_buf *b, const char *name, const struct tk_prom_label *l,
		    int nl, double value);
/* A log2 histogram's series: cumulative name_bucket{...,le="B"} where slot i
 * (values below 2^(i+1) units, as bpf/log2.bpf.h fills them) ends at
 * 2^(i+1) * @unit; the last slot takes the overflow, so it is only in
 * le="+Inf"; then name_sum (@sum, already in base units) and name_count. */
void tk_prom_hist_log2(struct tk_prom_buf *b, const char *name, const struct tk_prom_label *l,
		       int nl, const uint64_t *slots, int nslots, double unit, double sum);

/* ---- top N, the rest as "other" ------------------------------------------ */

#define TK_PROM_LABELS 4	/* tcpretrans: saddr, sport, daddr, dport */
#define TK_PROM_VALUES 32
#define TK_PROM_LABEL_LEN 160

struct tk_prom_row {
	char label[TK_PROM_LABELS][TK_PROM_LABEL_LEN];
	uint64_t v[TK_PROM_VALUES];	/* ranked by v[0] */
};

/* Sort @rows by v[0] (largest first, then by label), keep @top of them
 * (0: all) and sum the rest, each of their @nv values, into one row whose
 * labels all read "other". Returns the number of rows left. */
int tk_prom_top(struct tk_prom_row *rows, int n, int top, int nv);

/* ---- running totals ---------------------------------------------------------- */

/* Counters since the start, for tools whose kernel maps are drained at each
 * reading: rows found by their labels (hashed), their values summed. */
struct tk_prom_totals {
	struct tk_prom_row *rows;
	int n, cap;
	int *index;		/* open addressing: row + 1, 0 empty */
	int nindex;
};

/* Add @v (@nv values) to the row labelled @labels (@nl strings, cut to
 * TK_PROM_LABEL_LEN - 1 bytes), making it if new. 0 or -ENOMEM. */
int tk_prom_totals_add(struct tk_prom_totals *t, const char *const *labels, int nl,
		       const uint64_t *v, int nv);
/* A copy of the totals ranked and cut by tk_prom_top (@top, @nv) into
 * *@out (free() it). The number of rows, or -ENOMEM. */
int tk_prom_totals_top(const struct tk_prom_totals *t, int top, int nv,
		       struct tk_prom_row **out);
void tk_prom_totals_free(struct tk_prom_totals *t);

/* ---- the exporter ---------------------------------------------------------- */

/* Write the tool's metrics into @b; 0 or -errno. */
typedef int (*tk_prom_render_fn)(void *ctx, struct tk_prom_buf *b);

struct tk_prom;

/* From the shared options (--prometheus, --textfile): NULL when neither is
 * given. Binds the listening socket and checks the textfile's directory now,
 * before any BPF is loaded; bad input or an address in use is a usage error
 * (exit 2). */
struct tk_prom *tk_prom_open(const struct tk_opts *o, tk_prom_render_fn render, void *ctx);
/* Run @sum as an exporter: the loop serves HTTP while it waits, and each
 * interval (@sum's, else TK_PROM_TEXTFILE_MS with --textfile) and at the end
 * rewrites the textfile instead of printing. No-op when @p is NULL. */
void tk_prom_summary(struct tk_prom *p, struct tk_summary *sum);
/* Run @st as an exporter too: the loop serves HTTP while it waits for
 * records, and rewrites the textfile every TK_PROM_TEXTFILE_MS; the tool
 * prints nothing, and writes the textfile a last time after the run
 * (tk_prom_textfile). No-op when @p is NULL. */
void tk_prom_stream(struct tk_prom *p, struct tk_stream *st);
/* Rewrite the textfile (if any): PATH.tmp.PID, fsync, rename. 0 or -1. */
int tk_prom_textfile(struct tk_prom *p);
void tk_prom_close(struct tk_prom *p);

/* "ADDR:PORT", "[ADDR6]:PORT" or ":PORT" (127.0.0.1) into a socket
 * address; NULL or a message. */
struct sockaddr_storage;
const char *tk_prom_parse_addr(const char *s, struct sockaddr_storage *ss, unsigned *len);

#endif
