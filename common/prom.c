// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* Written here rather than taken from a library: libmicrohttpd and
 * civetweb start threads per connection or a thread pool, and the C client
 * libraries (prometheus-client-c) bring their own registry and a
 * libmicrohttpd server; the tools need a few hundred lines they can keep
 * inside their own poll loop, and must stay static and self-contained. */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <math.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>
#include "log.h"
#include "loop.h"
#include "prom.h"
#include "signals.h"

/* ---- the exposition writer ------------------------------------------------ */

static void buf_add(struct tk_prom_buf *b, const char *s, size_t n)
{
	if (b->failed)
		return;
	if (b->len + n + 1 > b->cap) {
		size_t cap = b->cap ? b->cap : 4096;
		char *d;

		while (cap < b->len + n + 1)
			cap *= 2;
		if (cap > TK_PROM_MAX_BODY || !(d = realloc(b->data, cap))) {
			b->failed = true;
			return;
		}
		b->data = d;
		b->cap = cap;
	}
	memcpy(b->data + b->len, s, n);
	b->len += n;
	b->data[b->len] = 0;
}

static void buf_str(struct tk_prom_buf *b, const char *s)
{
	buf_add(b, s, strlen(s));
}

static void buf_printf(struct tk_prom_buf *b, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
static void buf_printf(struct tk_prom_buf *b, const char *fmt, ...)
{
	char tmp[256];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(tmp, sizeof(tmp), fmt, ap);
	va_end(ap);
	if (n < 0 || n >= (int)sizeof(tmp)) {
		b->failed = true;
		return;
	}
	buf_add(b, tmp, n);
}

void tk_prom_buf_free(struct tk_prom_buf *b)
{
	free(b->data);
	memset(b, 0, sizeof(*b));
}

/* The shortest decimal that reads back as @v: 2^-20 is "9.5367431640625e-07",
 * not "9.5367431640624998e-07"; integers as integers. */
static void format_value(char *out, size_t size, double v)
{
	if (isinf(v)) {
		snprintf(out, size, "%s", v > 0 ? "+Inf" : "-Inf");
		return;
	}
	if (isnan(v)) {
		snprintf(out, size, "NaN");
		return;
	}
	if (v == floor(v) && fabs(v) < 9007199254740992.0) {
		snprintf(out, size, "%.0f", v);
		return;
	}
	for (int prec = 15; prec <= 17; prec++) {
		snprintf(out, size, "%.*g", prec, v);
		if (strtod(out, NULL) == v)
			return;
	}
}

/* HELP text escapes backslash and newline; label values also the quote. */
static void buf_escaped(struct tk_prom_buf *b, const char *s, bool quote)
{
	for (; *s; s++) {
		if (*s == '\\')
			buf_str(b, "\\\\");
		else if (*s == '\n')
			buf_str(b, "\\n");
		else if (*s == '"' && quote)
			buf_str(b, "\\\"");
		else
			buf_add(b, s, 1);
	}
}

void tk_prom_family(struct tk_prom_buf *b, const char *name, const char *type,
		    const char *help)
{
	buf_printf(b, "# HELP %s ", name);
	buf_escaped(b, help, false);
	buf_printf(b, "\n# TYPE %s %s\n", name, type);
}

static void sample_le(struct tk_prom_buf *b, const char *name, const char *suffix,
		      const struct tk_prom_label *l, int nl, const char *le, double value)
{
	char num[64];
	int i;

	buf_str(b, name);
	buf_str(b, suffix);
	if (nl || le) {
		buf_str(b, "{");
		for (i = 0; i < nl; i++) {
			buf_printf(b, "%s%s=\"", i ? "," : "", l[i].name);
			buf_escaped(b, l[i].value, true);
			buf_str(b, "\"");
		}
		if (le)
			buf_printf(b, "%sle=\"%s\"", nl ? "," : "", le);
		buf_str(b, "}");
	}
	format_value(num, sizeof(num), value);
	buf_printf(b, " %s\n", num);
}

void tk_prom_sample(struct tk_prom_buf *b, const char *name, const struct tk_prom_label *l,
		    int nl, double value)
{
	sample_le(b, name, "", l, nl, NULL, value);
}

void tk_prom_hist_log2(struct tk_prom_buf *b, const char *name, const struct tk_prom_label *l,
		       int nl, const uint64_t *slots, int nslots, double unit, double sum)
{
	uint64_t cum = 0;
	char le[64];
	int i;

	for (i = 0; i < nslots; i++) {
		cum += slots[i];
		if (i == nslots - 1)
			break;
		format_value(le, sizeof(le), ldexp(unit, i + 1));
		sample_le(b, name, "_bucket", l, nl, le, (double)cum);
	}
	sample_le(b, name, "_bucket", l, nl, "+Inf", (double)cum);
	sample_le(b, name, "_sum", l, nl, NULL, sum);
	sample_le(b, name, "_count", l, nl, NULL, (double)cum);
}

/* ---- top N ------------------------------------------------------------------ */

static int by_value(const void *a, const void *b)
{
	const struct tk_prom_row *x = a, *y = b;
	int i, c;

	if (x->v[0] != y->v[0])
		return x->v[0] < y->v[0] ? 1 : -1;
	for (i = 0; i < TK_PROM_LABELS; i++)
		if ((c = strcmp(x->label[i], y->label[i])))
			return c;
	return 0;
}

int tk_prom_top(struct tk_prom_row *rows, int n, int top, int nv)
{
	int i, j;

	qsort(rows, n, sizeof(*rows), by_value);
	/* Folding one row into "other" would only rename it. */
	if (!top || n <= top + 1)
		return n;
	for (i = top + 1; i < n; i++)
		for (j = 0; j < nv; j++)
			rows[top].v[j] += rows[i].v[j];
	for (i = 0; i < TK_PROM_LABELS; i++)
		snprintf(rows[top].label[i], TK_PROM_LABEL_LEN, "other");
	return top + 1;
}

/* ---- running totals ---------------------------------------------------------- */

static uint64_t labels_hash(const char label[][TK_PROM_LABEL_LEN])
{
	uint64_t h = 14695981039346656037ULL;	/* FNV-1a */
	const unsigned char *c;
	int i;

	for (i = 0; i < TK_PROM_LABELS; i++) {
		for (c = (const unsigned char *)label[i]; *c; c++)
			h = (h ^ *c) * 1099511628211ULL;
		h = (h ^ 0xff) * 1099511628211ULL;	/* "a","bc" is not "ab","c" */
	}
	return h;
}

static int *totals_slot(int *index, int nindex, const struct tk_prom_row *rows,
			const char label[][TK_PROM_LABEL_LEN])
{
	uint64_t i = labels_hash(label) & (nindex - 1);

	while (index[i] && memcmp(rows[index[i] - 1].label, label, sizeof(rows->label)))
		i = (i + 1) & (nindex - 1);
	return &index[i];
}

static int totals_grow(struct tk_prom_totals *t)
{
	int cap = t->cap ? t->cap * 2 : 64, nindex = cap * 2, i;
	struct tk_prom_row *rows = realloc(t->rows, cap * sizeof(*rows));
	int *index;

	if (!rows)
		return -ENOMEM;
	t->rows = rows;
	if (!(index = calloc(nindex, sizeof(*index))))
		return -ENOMEM;
	for (i = 0; i < t->n; i++)
		*totals_slot(index, nindex, t->rows, t->rows[i].label) = i + 1;
	free(t->index);
	t->index = index;
	t->nindex = nindex;
	t->cap = cap;
	return 0;
}

int tk_prom_totals_add(struct tk_prom_totals *t, const char *const *labels, int nl,
		       const uint64_t *v, int nv)
{
	char label[TK_PROM_LABELS][TK_PROM_LABEL_LEN] = {};
	struct tk_prom_row *r;
	int *slot, i;

	for (i = 0; i < nl && i < TK_PROM_LABELS; i++)
		snprintf(label[i], TK_PROM_LABEL_LEN, "%s", labels[i]);
	if (t->n == t->cap && totals_grow(t))
		return -ENOMEM;
	slot = totals_slot(t->index, t->nindex, t->rows, label);
	if (!*slot) {
		r = &t->rows[t->n];
		memset(r, 0, sizeof(*r));
		memcpy(r->label, label, sizeof(label));
		*slot = ++t->n;
	}
	r = &t->rows[*slot - 1];
	for (i = 0; i < nv && i < TK_PROM_VALUES; i++)
		r->v[i] += v[i];
	return 0;
}

int tk_prom_totals_top(const struct tk_prom_totals *t, int top, int nv,
		       struct tk_prom_row **out)
{
	*out = malloc((t->n ? t->n : 1) * sizeof(**out));
	if (!*out)
		return -ENOMEM;
	if (t->n)
		memcpy(*out, t->rows, t->n * sizeof(**out));
	return tk_prom_top(*out, t->n, top, nv);
}

void tk_prom_totals_free(struct tk_prom_totals *t)
{
	free(t->rows);
	free(t->index);
	memset(t, 0, sizeof(*t));
}

/* ---- the server -------------------------------------------------------------- */

enum conn_state { C_FREE, C_READING, C_WRITING, C_DRAINING };

struct conn {
	int fd;
	enum conn_state state;
	uint64_t opened_ns, deadline_ns;
	size_t in_len;
	char in[TK_PROM_MAX_REQUEST];
	struct tk_prom_buf out;
	size_t out_off;
};

struct tk_prom {
	int listen_fd;
	const char *textfile;
	char *tmp_path;
	tk_prom_render_fn render;
	void *ctx;
	/* A streaming tool's textfile is rewritten from the wait. */
	uint64_t textfile_period_ns, textfile_next_ns;
	struct conn conns[TK_PROM_MAX_CONN];
};

const char *tk_prom_parse_addr(const char *s, struct sockaddr_storage *ss, unsigned *len)
{
	char host[INET6_ADDRSTRLEN + 1];
	const char *colon, *port;
	size_t hlen;
	bool v6 = s[0] == '[';
	char *end;
	long p;

	if (v6) {
		colon = strchr(s, ']');
		if (!colon || colon[1] != ':')
			return "expected [ADDR6]:PORT";
		port = colon + 2;
		s++;
		hlen = colon - s;
	} else {
		colon = strrchr(s, ':');
		if (!colon)
			return "expected ADDR:PORT";
		port = colon + 1;
		hlen = colon - s;
	}
	if ((!hlen && v6) || hlen >= sizeof(host))
		return "no address before the port";
	/* ":PORT" is loopback, not Go's every address: the metrics name
	 * processes and there is no authentication; every address is asked
	 * for as 0.0.0.0:PORT or [::]:PORT. */
	if (!hlen)
		snprintf(host, sizeof(host), "127.0.0.1");
	else
		snprintf(host, sizeof(host), "%.*s", (int)hlen, s);
	errno = 0;
	if (*port < '0' || *port > '9')
		return "invalid port";
	p = strtol(port, &end, 10);
	if (errno || *end)
		return "invalid port";
	if (p > 65535)
		return "port out of range (0 to 65535)";
	memset(ss, 0, sizeof(*ss));
	if (v6) {
		struct sockaddr_in6 *a = (struct sockaddr_in6 *)ss;

		a->sin6_family = AF_INET6;
		a->sin6_port = htons(p);
		if (inet_pton(AF_INET6, host, &a->sin6_addr) != 1)
			return "invalid IPv6 address";
		*len = sizeof(*a);
	} else {
		struct sockaddr_in *a = (struct sockaddr_in *)ss;

		a->sin_family = AF_INET;
		a->sin_port = htons(p);
		if (inet_pton(AF_INET, host, &a->sin_addr) != 1)
			return "invalid IPv4 address (an IPv6 one goes in brackets)";
		*len = sizeof(*a);
	}
	return NULL;
}

static void print_bound(int fd)
{
	struct sockaddr_storage ss;
	socklen_t len = sizeof(ss);
	char host[INET6_ADDRSTRLEN];
	unsigned port;

	if (getsockname(fd, (struct sockaddr *)&ss, &len))
		return;
	if (ss.ss_family == AF_INET6) {
		struct sockaddr_in6 *a = (struct sockaddr_in6 *)&ss;

		inet_ntop(AF_INET6, &a->sin6_addr, host, sizeof(host));
		port = ntohs(a->sin6_port);
		tk_info(1, "serving metrics on http://[%s]:%u/metrics", host, port);
	} else {
		struct sockaddr_in *a = (struct sockaddr_in *)&ss;

		inet_ntop(AF_INET, &a->sin_addr, host, sizeof(host));
		port = ntohs(a->sin_port);
		tk_info(1, "serving metrics on http://%s:%u/metrics", host, port);
	}
}

static int listen_on(const char *arg)
{
	struct sockaddr_storage ss;
	unsigned len;
	const char *bad = tk_prom_parse_addr(arg, &ss, &len);
	int fd, one = 1;

	if (bad)
		tk_usage_error("invalid --prometheus address '%s': %s", arg, bad);
	fd = socket(ss.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		tk_usage_error("cannot listen on '%s': %s", arg, strerror(errno));
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (ss.ss_family == AF_INET6)
		setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof(one));
	if (bind(fd, (struct sockaddr *)&ss, len) || listen(fd, TK_PROM_MAX_CONN)) {
		int e = errno;

		close(fd);
		tk_usage_error("cannot listen on '%s': %s", arg, strerror(e));
	}
	print_bound(fd);
	return fd;
}

static void check_textfile(const char *path)
{
	char dir[PATH_MAX];
	const char *slash = strrchr(path, '/');
	struct stat st;

	if (!*path || (slash && !slash[1]))
		tk_usage_error("invalid --textfile '%s': not a file name", path);
	if (strlen(path) + 32 > sizeof(dir))
		tk_usage_error("invalid --textfile '%s': too long", path);
	snprintf(dir, sizeof(dir), "%.*s", slash ? (int)(slash - path) + 1 : 1, slash ? path : ".");
	if (stat(dir, &st) || !S_ISDIR(st.st_mode) || access(dir, W_OK))
		tk_usage_error("invalid --textfile '%s': %s is not a writable directory", path,
			       dir);
	if (!stat(path, &st) && !S_ISREG(st.st_mode))
		tk_usage_error("invalid --textfile '%s': not a regular file", path);
}

struct tk_prom *tk_prom_open(const struct tk_opts *o, tk_prom_render_fn render, void *ctx)
{
	struct tk_prom *p;
	int i;

	if (!o->prometheus && !o->textfile)
		return NULL;
	if (o->textfile)
		check_textfile(o->textfile);
	p = calloc(1, sizeof(*p));
	if (!p || (o->textfile && asprintf(&p->tmp_path, "%s.tmp.%d", o->textfile,
					    (int)getpid()) < 0)) {
		tk_warn("out of memory");
		exit(1);
	}
	p->listen_fd = o->prometheus ? listen_on(o->prometheus) : -1;
	p->textfile = o->textfile;
	p->render = render;
	p->ctx = ctx;
	for (i = 0; i < TK_PROM_MAX_CONN; i++)
		p->conns[i].fd = -1;
	return p;
}

static void conn_close(struct conn *c)
{
	if (c->fd >= 0)
		close(c->fd);
	c->fd = -1;
	c->state = C_FREE;
	c->in_len = 0;
	c->out_off = 0;
	tk_prom_buf_free(&c->out);
}

/* The tool's metrics, then the run's losses (loop.h), common to every
 * exporter. */
static int render(struct tk_prom *p, struct tk_prom_buf *b)
{
	int err = p->render(p->ctx, b);

	if (err)
		return err;
	tk_prom_family(b, "tracekit_lost_events_total", "counter",
		       "Events the kernel produced that the tool could not count or deliver, "
		       "as its lost reports add up");
	tk_prom_sample(b, "tracekit_lost_events_total", NULL, 0, (double)tk_lost_events());
	return 0;
}

static void respond(struct tk_prom *p, struct conn *c, int status, const char *reason)
{
	struct tk_prom_buf body = {};
	const char *type = "text/plain; charset=utf-8";

	if (status == 200) {
		if (render(p, &body) || body.failed) {
			tk_prom_buf_free(&body);
			status = 500;
			reason = "Internal Server Error";
		} else {
			type = "text/plain; version=0.0.4; charset=utf-8";
		}
	}
	if (status != 200)
		buf_printf(&body, "%d %s\n", status, reason);
	buf_printf(&c->out, "HTTP/1.1 %d %s\r\nContent-Type: %s\r\nContent-Length: %zu\r\n"
		   "Connection: close\r\n%s\r\n", status, reason, type, body.len,
		   status == 405 ? "Allow: GET\r\n" : "");
	buf_add(&c->out, body.data ? body.data : "", body.len);
	tk_prom_buf_free(&body);
	c->state = C_WRITING;
	if (c->out.failed)
		conn_close(c);
}

/* The request line and headers are in: answer. */
static void handle_request(struct tk_prom *p, struct conn *c)
{
	char *line = c->in, *sp1, *sp2, *eol = strstr(c->in, "\r\n");
	size_t plen;

	if (!eol)
		eol = strchr(c->in, '\n');
	*eol = 0;
	sp1 = strchr(line, ' ');
	sp2 = sp1 ? strchr(sp1 + 1, ' ') : NULL;
	if (!sp1 || !sp2 || strncmp(sp2 + 1, "HTTP/1.", 7) || sp1 == line) {
		respond(p, c, 400, "Bad Request");
		return;
	}
	if ((size_t)(sp1 - line) != 3 || strncmp(line, "GET", 3)) {
		respond(p, c, 405, "Method Not Allowed");
		return;
	}
	plen = strcspn(sp1 + 1, " ?");
	if (plen == 8 && !strncmp(sp1 + 1, "/metrics", 8))
		respond(p, c, 200, "OK");
	else
		respond(p, c, 404, "Not Found");
}

static void conn_read(struct tk_prom *p, struct conn *c)
{
	char sink[4096];
	ssize_t n;

	if (c->state == C_DRAINING) {
		/* What the client still sends after our answer is read and
		 * dropped until it closes, so closing never resets the answer. */
		while ((n = read(c->fd, sink, sizeof(sink))) > 0)
			;
		if (n == 0 || (errno != EAGAIN && errno != EINTR))
			conn_close(c);
		return;
	}
	n = read(c->fd, c->in + c->in_len, sizeof(c->in) - 1 - c->in_len);
	if (n == 0 || (n < 0 && errno != EAGAIN && errno != EINTR)) {
		conn_close(c);
		return;
	}
	if (n < 0)
		return;
	c->in_len += n;
	c->in[c->in_len] = 0;
	if (memchr(c->in, 0, c->in_len)) {
		respond(p, c, 400, "Bad Request");
		return;
	}
	if (strstr(c->in, "\r\n\r\n") || strstr(c->in, "\n\n"))
		handle_request(p, c);
	else if (c->in_len >= sizeof(c->in) - 1)
		respond(p, c, 431, "Request Header Fields Too Large");
}

static void conn_write(struct conn *c)
{
	ssize_t n;

	while (c->out_off < c->out.len) {
		n = send(c->fd, c->out.data + c->out_off, c->out.len - c->out_off,
			 MSG_NOSIGNAL | MSG_DONTWAIT);
		if (n < 0) {
			if (errno != EAGAIN && errno != EINTR)
				conn_close(c);
			return;
		}
		c->out_off += n;
	}
	shutdown(c->fd, SHUT_WR);
	tk_prom_buf_free(&c->out);
	c->state = C_DRAINING;
}

static void accept_all(struct tk_prom *p, uint64_t now)
{
	struct conn *c;
	int fd, i;

	while ((fd = accept4(p->listen_fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC)) >= 0) {
		c = NULL;
		for (i = 0; i < TK_PROM_MAX_CONN; i++) {
			if (p->conns[i].state == C_FREE) {
				c = &p->conns[i];
				break;
			}
			if (!c || p->conns[i].opened_ns < c->opened_ns)
				c = &p->conns[i];
		}
		if (c->state != C_FREE) {
			tk_info(2, "metrics: all %d connections busy, closing the oldest",
				TK_PROM_MAX_CONN);
			conn_close(c);
		}
		c->fd = fd;
		c->state = C_READING;
		c->opened_ns = now;
		c->deadline_ns = now + TK_PROM_DEADLINE_MS * 1000000ULL;
	}
}

/* The loops' wait (loop.h): the listening socket, the connections and the
 * loop's own event buffer (@events_fd, -1 for none) in one poll(). */
static void prom_wait(void *ctx, uint64_t deadline, int events_fd)
{
	struct tk_prom *p = ctx;
	struct pollfd pfd[TK_PROM_MAX_CONN + 2];
	struct conn *map[TK_PROM_MAX_CONN + 2];
	uint64_t now = tk_now_ns(), until = deadline;
	int n = 0, i, timeout;

	if (p->textfile_period_ns && now >= p->textfile_next_ns) {
		tk_prom_textfile(p);
		p->textfile_next_ns = now + p->textfile_period_ns;
	}
	/* poll() skips a negative fd: no listening socket with --textfile alone. */
	pfd[n] = (struct pollfd){ .fd = p->listen_fd, .events = POLLIN };
	map[n++] = NULL;
	pfd[n] = (struct pollfd){ .fd = events_fd, .events = POLLIN };
	map[n++] = NULL;
	for (i = 0; i < TK_PROM_MAX_CONN; i++) {
		struct conn *c = &p->conns[i];

		if (c->state == C_FREE)
			continue;
		if (now >= c->deadline_ns) {
			conn_close(c);
			continue;
		}
		if (c->deadline_ns < until)
			until = c->deadline_ns;
		pfd[n] = (struct pollfd){ .fd = c->fd,
					  .events = c->state == C_WRITING ? POLLOUT : POLLIN };
		map[n++] = c;
	}
	if (tk_exiting || now >= deadline)
		return;
	/* A signal between the loop's check and poll() ends the wait within
	 * the slice at worst. */
	timeout = until > now ? (int)((until - now) / 1000000 + 1) : 0;
	if (timeout > 200)
		timeout = 200;
	if (poll(pfd, n, timeout) <= 0)
		return;
	now = tk_now_ns();
	for (i = 2; i < n; i++) {
		struct conn *c = map[i];

		if (!pfd[i].revents || c->state == C_FREE)
			continue;
		if (c->state == C_WRITING)
			conn_write(c);
		else
			conn_read(p, c);
		if (c->state == C_WRITING)
			conn_write(c);
	}
	if (pfd[0].revents)
		accept_all(p, now);
}

int tk_prom_textfile(struct tk_prom *p)
{
	struct tk_prom_buf b = {};
	size_t off = 0;
	ssize_t n;
	int fd, err = -1;
	bool ok;

	if (!p || !p->textfile)
		return 0;
	if (render(p, &b) || b.failed) {
		tk_warn("cannot render the metrics for %s", p->textfile);
		goto out;
	}
	fd = open(p->tmp_path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0644);
	if (fd < 0) {
		tk_warn("cannot write %s: %s", p->tmp_path, strerror(errno));
		goto out;
	}
	while (off < b.len) {
		n = write(fd, b.data + off, b.len - off);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		off += n;
	}
	/* The data on disk before the name points at it: a crash leaves the
	 * old file or the new one, never an empty one. */
	ok = off == b.len && !fsync(fd);
	if (close(fd))
		ok = false;
	if (!ok || rename(p->tmp_path, p->textfile)) {
		tk_warn("cannot write %s: %s", p->textfile, strerror(errno ? errno : EIO));
		unlink(p->tmp_path);
		goto out;
	}
	err = 0;
out:
	tk_prom_buf_free(&b);
	return err;
}

static int prom_report(void *ctx, bool final)
{
	(void)final;
	/* A failed rewrite is reported and tried again next interval. */
	tk_prom_textfile(ctx);
	return 0;
}

void tk_prom_summary(struct tk_prom *p, struct tk_summary *sum)
{
	if (!p)
		return;
	if (p->listen_fd >= 0) {
		sum->wait = prom_wait;
		sum->wait_ctx = p;
	}
	sum->report = prom_report;
	sum->ctx = p;
	if (!sum->interval_ms && p->textfile)
		sum->interval_ms = TK_PROM_TEXTFILE_MS;
}

void tk_prom_stream(struct tk_prom *p, struct tk_stream *st)
{
	if (!p)
		return;
	st->wait = prom_wait;
	st->wait_ctx = p;
	if (p->textfile) {
		p->textfile_period_ns = TK_PROM_TEXTFILE_MS * 1000000ULL;
		p->textfile_next_ns = tk_now_ns() + p->textfile_period_ns;
	}
}

void tk_prom_close(struct tk_prom *p)
{
	int i;

	if (!p)
		return;
	for (i = 0; i < TK_PROM_MAX_CONN; i++)
		conn_close(&p->conns[i]);
	if (p->listen_fd >= 0)
		close(p->listen_fd);
	free(p->tmp_path);
	free(p);
}
