// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/utsname.h>
#include "output.h"

const char *tk_prog = "tracekit";

static char stdout_buf[1 << 16];

void tk_output_init(void)
{
	if (isatty(STDOUT_FILENO))
		setvbuf(stdout, NULL, _IOLBF, 0);
	else
		setvbuf(stdout, stdout_buf, _IOFBF, sizeof(stdout_buf));
}

bool tk_output_flush(void)
{
	return fflush(stdout) == 0 && !ferror(stdout);
}

/* Length of the valid UTF-8 sequence at @s (1 to 4 bytes), or 0 if invalid.
 * Overlong forms, surrogates and code points past U+10FFFF are invalid. */
static size_t utf8_seq(const unsigned char *s, size_t len, unsigned int *cpp)
{
	unsigned int cp;
	size_t n, i;

	*cpp = s[0];
	if (s[0] < 0x80)
		return 1;
	if (s[0] >= 0xc2 && s[0] <= 0xdf)
		n = 2, cp = s[0] & 0x1f;
	else if (s[0] >= 0xe0 && s[0] <= 0xef)
		n = 3, cp = s[0] & 0x0f;
	else if (s[0] >= 0xf0 && s[0] <= 0xf4)
		n = 4, cp = s[0] & 0x07;
	else
		return 0;
	if (n > len)
		return 0;
	for (i = 1; i < n; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		cp = (cp << 6) | (s[i] & 0x3f);
	}
	if ((n == 3 && cp < 0x800) || (n == 4 && (cp < 0x10000 || cp > 0x10ffff)) ||
	    (cp >= 0xd800 && cp <= 0xdfff))
		return 0;
	/* C1 controls (U+0080..U+009F) act as escape sequences on many terminals. */
	if (cp >= 0x80 && cp <= 0x9f)
		return 0;
	*cpp = cp;
	return n;
}

/* Valid, printable, and still not to be shown as is: zero-width characters
 * and marks (U+200B..U+200F), line and paragraph separators and bidirectional
 * embeddings and overrides (U+2028..U+202E), isolates (U+2066..U+2069), the
 * BOM (U+FEFF). A name holding them can pass for another name, or turn the
 * rest of the line around. */
static bool invisible(unsigned int cp)
{
	return (cp >= 0x200b && cp <= 0x200f) || (cp >= 0x2028 && cp <= 0x202e) ||
	       (cp >= 0x2066 && cp <= 0x2069) || cp == 0xfeff;
}

static size_t bounded_len(const char *s, size_t len)
{
	const char *nul = memchr(s, '\0', len);

	return nul ? (size_t)(nul - s) : len;
}

/* Escape for text into a callback-free sink: writes to @f if non-NULL,
 * else into @buf. Returns bytes produced. */
static size_t escape_to(FILE *f, char *buf, size_t size, const char *str, size_t len)
{
	const unsigned char *s = (const unsigned char *)str;
	size_t i = 0, out = 0, n;
	unsigned int cp;
	char tmp[8];
	const char *piece;
	size_t plen;

	len = bounded_len(str, len);
	while (i < len) {
		/* Plain ASCII, most of any real text, goes out a run at a time:
		 * byte by byte, printing falls behind a busy producer. */
		for (n = i; n < len && s[n] >= 0x20 && s[n] < 0x7f && s[n] != '\\'; n++)
			;
		if (n > i) {
			plen = n - i;
			if (f) {
				fwrite(s + i, 1, plen, f);
			} else {
				if (out + plen >= size)
					plen = size > out + 1 ? size - out - 1 : 0;
				memcpy(buf + out, s + i, plen);
				if (plen < n - i) {
					out += plen;
					break;
				}
			}
			out += plen;
			i = n;
			continue;
		}
		n = utf8_seq(s + i, len - i, &cp);
		if (n > 1 && !invisible(cp)) {
			piece = (const char *)s + i;
			plen = n;
		} else {
			n = 1;
			switch (s[i]) {
			case '\n': piece = "\\n"; break;
			case '\t': piece = "\\t"; break;
			case '\r': piece = "\\r"; break;
			case '\\': piece = "\\\\"; break;
			default:
				snprintf(tmp, sizeof(tmp), "\\x%02x", s[i]);
				piece = tmp;
			}
			plen = strlen(piece);
		}
		if (f) {
			fwrite(piece, 1, plen, f);
		} else {
			if (out + plen >= size)
				break;
			memcpy(buf + out, piece, plen);
		}
		out += plen;
		i += n;
	}
	if (!f && size)
		buf[out < size ? out : size - 1] = '\0';
	return out;
}

void tk_print_escaped(FILE *f, const char *s, size_t len)
{
	escape_to(f, NULL, 0, s, len);
}

size_t tk_escape(char *buf, size_t size, const char *s, size_t len)
{
	return escape_to(NULL, buf, size, s, len);
}

void tk_json_string(FILE *f, const char *str, size_t len, bool binary)
{
	const unsigned char *s = (const unsigned char *)str;
	size_t i = 0, n;
	unsigned int cp;

	if (!binary)
		len = bounded_len(str, len);
	while (i < len) {
		unsigned char c = s[i];

		for (n = i; n < len && s[n] >= 0x20 && s[n] < 0x7f && s[n] != '"' && s[n] != '\\'; n++)
			;
		if (n > i) {
			fwrite(s + i, 1, n - i, f);
			i = n;
			continue;
		}
		if (c == '"' || c == '\\') {
			fputc('\\', f);
			fputc(c, f);
			i++;
		} else if (c < 0x20 || c == 0x7f) {
			switch (c) {
			case '\n': fputs("\\n", f); break;
			case '\t': fputs("\\t", f); break;
			case '\r': fputs("\\r", f); break;
			default: fprintf(f, "\\u%04x", c);
			}
			i++;
		} else if (c < 0x80) {
			fputc(c, f);
			i++;
		} else if ((n = utf8_seq(s + i, len - i, &cp)) > 1) {
			/* Invisible ones as their code point: the same string to a
			 * JSON reader, and no surprise in a log viewed raw. */
			if (invisible(cp))
				fprintf(f, "\\u%04x", cp);
			else
				fwrite(s + i, 1, n, f);
			i += n;
		} else if (c >= 0xc2 && c <= 0xdf && i + 1 < len && s[i + 1] >= 0x80 && s[i + 1] <= 0x9f) {
			/* A C1 control is valid UTF-8: keep it as the code point it is. */
			fprintf(f, "\\u%04x", ((c & 0x1f) << 6) | (s[i + 1] & 0x3f));
			i += 2;
		} else {
			fprintf(f, "\\udc%02x", c);
			i++;
		}
	}
}

void jw_begin(struct jw *w, FILE *f)
{
	w->f = f;
	w->depth = 0;
	w->members[0] = 0;
	fputc('{', f);
}

void jw_key(struct jw *w, const char *key)
{
	if (w->members[w->depth]++)
		fputc(',', w->f);
	if (!key)
		return;
	fputc('"', w->f);
	fputs(key, w->f);
	fputs("\":", w->f);
}

static void jw_open(struct jw *w, const char *key, char open, char close)
{
	/* No record nests this deep: a writer that does is a bug. */
	if (w->depth >= JW_MAX_DEPTH - 1)
		abort();
	jw_key(w, key);
	fputc(open, w->f);
	w->members[++w->depth] = 0;
	w->close[w->depth] = close;
}

static void jw_close(struct jw *w)
{
	if (w->depth > 0)
		fputc(w->close[w->depth--], w->f);
}

void jw_array_begin(struct jw *w, const char *key) { jw_open(w, key, '[', ']'); }
void jw_array_end(struct jw *w) { jw_close(w); }
void jw_object_begin(struct jw *w, const char *key) { jw_open(w, key, '{', '}'); }
void jw_object_end(struct jw *w) { jw_close(w); }

void jw_str(struct jw *w, const char *key, const char *s, size_t maxlen)
{
	jw_key(w, key);
	fputc('"', w->f);
	tk_json_string(w->f, s, maxlen, false);
	fputc('"', w->f);
}

void jw_bytes(struct jw *w, const char *key, const void *data, size_t len)
{
	jw_key(w, key);
	fputc('"', w->f);
	tk_json_string(w->f, data, len, true);
	fputc('"', w->f);
}

void jw_int(struct jw *w, const char *key, int64_t v)
{
	jw_key(w, key);
	fprintf(w->f, "%lld", (long long)v);
}

void jw_uint(struct jw *w, const char *key, uint64_t v)
{
	jw_key(w, key);
	fprintf(w->f, "%llu", (unsigned long long)v);
}

void jw_double(struct jw *w, const char *key, double v)
{
	jw_key(w, key);
	if (isfinite(v))
		fprintf(w->f, "%.3f", v);
	else
		fputs("null", w->f);	/* JSON has no NaN or infinity */
}

void jw_bool(struct jw *w, const char *key, bool v)
{
	jw_key(w, key);
	fputs(v ? "true" : "false", w->f);
}

void jw_null(struct jw *w, const char *key)
{
	jw_key(w, key);
	fputs("null", w->f);
}

void jw_end(struct jw *w)
{
	/* What a writer left open is closed, so the line is valid JSON. */
	while (w->depth > 0)
		jw_close(w);
	fputs("}\n", w->f);
}

void tk_json_note(const char *type, const char *message)
{
	struct jw w;

	jw_summary_begin(&w, stdout, type);
	jw_str(&w, "message", message, 4096);
	jw_end(&w);
}

/* CLOCK_REALTIME minus CLOCK_MONOTONIC, taken once: the first call is made
 * at start (tk_format_event_clock(0, ..., NULL, 0) or the first record), so
 * records printed late still say when they happened. */
static int64_t mono_to_real_ns(void)
{
	static int64_t offset_ns;
	static bool have_offset;
	struct timespec mono, real;

	if (!have_offset) {
		clock_gettime(CLOCK_MONOTONIC, &mono);
		clock_gettime(CLOCK_REALTIME, &real);
		offset_ns = ((int64_t)real.tv_sec - mono.tv_sec) * 1000000000 +
			    (real.tv_nsec - mono.tv_nsec);
		have_offset = true;
	}
	return offset_ns;
}

void tk_format_event_clock(uint64_t mono_ns, bool millis, char *buf, size_t size)
{
	int64_t wall = (int64_t)mono_ns + mono_to_real_ns();
	time_t secs;
	struct tm tm;
	char hms[16];

	if (!buf)
		return;
	secs = wall / 1000000000;
	localtime_r(&secs, &tm);
	strftime(hms, sizeof(hms), "%H:%M:%S", &tm);
	if (millis)
		snprintf(buf, size, "%s.%03d", hms, (int)(wall % 1000000000 / 1000000));
	else
		snprintf(buf, size, "%s", hms);
}

size_t tk_format_rfc3339(char *buf, size_t size, int64_t wall_ns)
{
	time_t secs = wall_ns / 1000000000;
	struct tm tm;
	size_t n;

	gmtime_r(&secs, &tm);
	n = strftime(buf, size, "%Y-%m-%dT%H:%M:%S", &tm);
	return n + snprintf(buf + n, size - n, ".%09dZ", (int)(wall_ns % 1000000000));
}

void tk_format_clock(char *buf, size_t size)
{
	struct tm tm;
	time_t t = time(NULL);

	localtime_r(&t, &tm);
	strftime(buf, size, "%H:%M:%S", &tm);
}

/* uname's nodename, read once: a log pipeline merges many hosts' lines. */
static const char *host_name(void)
{
	static struct utsname u;
	static bool have;

	if (!have) {
		if (uname(&u))
			strcpy(u.nodename, "?");
		have = true;
	}
	return u.nodename;
}

static void envelope(struct jw *w, FILE *f, const char *type, int64_t wall_ns, uint64_t mono_ns)
{
	char time[40];

	tk_format_rfc3339(time, sizeof(time), wall_ns);
	jw_begin(w, f);
	jw_uint(w, "v", TK_JSON_VERSION);
	jw_str(w, "type", type, 32);
	jw_str(w, "time", time, sizeof(time));
	jw_uint(w, "ts_ns", mono_ns);
	jw_str(w, "host", host_name(), 65);
	jw_str(w, "tool", tk_prog, 32);
}

void jw_event_begin(struct jw *w, FILE *f, const char *type, uint64_t mono_ns)
{
	envelope(w, f, type, (int64_t)mono_ns + mono_to_real_ns(), mono_ns);
}

void jw_summary_begin(struct jw *w, FILE *f, const char *type)
{
	struct timespec mono, real;

	clock_gettime(CLOCK_MONOTONIC, &mono);
	clock_gettime(CLOCK_REALTIME, &real);
	envelope(w, f, type, (int64_t)real.tv_sec * 1000000000 + real.tv_nsec,
		 (uint64_t)mono.tv_sec * 1000000000 + mono.tv_nsec);
}
