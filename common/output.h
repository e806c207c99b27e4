/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* Output: text columns with untrusted strings escaped, and JSON lines. */
#ifndef TK_OUTPUT_H
#define TK_OUTPUT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/* Big stdio buffer when stdout is a file or pipe, line-buffered on a terminal. */
void tk_output_init(void);
/* Flush stdout; false once the reader has gone (EPIPE) or the write failed. */
bool tk_output_flush(void);

/* Write at most @len bytes of @s (stopping at NUL) for a terminal: valid UTF-8
 * text passes, while control bytes, C1 controls, invalid bytes and backslash
 * are escaped (\n \t \\ \xNN), so data can never steer the user's terminal. */
void tk_print_escaped(FILE *f, const char *s, size_t len);
/* Same escaping into @buf (always NUL-terminated); returns the length. */
size_t tk_escape(char *buf, size_t size, const char *s, size_t len);

/* JSON string body (without quotes) for @len bytes of @s, stopping at NUL
 * unless @binary. Invalid UTF-8 bytes are written as lone surrogates
 * \udc80-\udcff (Python's "surrogateescape"), so the exact bytes round-trip. */
void tk_json_string(FILE *f, const char *s, size_t len, bool binary);

/* A JSON object on one line: jw_begin, members, jw_end. Arrays and nested
 * objects open and close around their members; inside an array, members
 * are written with a NULL key. Keys are the writer's own snake_case names,
 * never data. */
#define JW_MAX_DEPTH 8
struct jw {
	FILE *f;
	int depth;
	int members[JW_MAX_DEPTH];	/* written so far at each level */
	char close[JW_MAX_DEPTH];	/* what ends each level: ] or } */
};
void jw_begin(struct jw *w, FILE *f);
void jw_end(struct jw *w);		/* closes what is open, then the line */
void jw_key(struct jw *w, const char *key);
void jw_array_begin(struct jw *w, const char *key);
void jw_array_end(struct jw *w);
void jw_object_begin(struct jw *w, const char *key);
void jw_object_end(struct jw *w);
void jw_str(struct jw *w, const char *key, const char *s, size_t maxlen);
void jw_bytes(struct jw *w, const char *key, const void *data, size_t len);
void jw_int(struct jw *w, const char *key, int64_t v);
void jw_uint(struct jw *w, const char *key, uint64_t v);
void jw_double(struct jw *w, const char *key, double v);
void jw_bool(struct jw *w, const char *key, bool v);
void jw_null(struct jw *w, const char *key);
/* The JSON contract (doc/tracekit.schema.json): every record starts with
 * the same envelope, "v":TK_JSON_VERSION,"type":TYPE,"time":RFC 3339 UTC
 * with nanoseconds,"ts_ns":CLOCK_MONOTONIC ns,"host":uname's nodename,
 * "tool":tk_prog; the record's own members follow. Changing a member of any
 * record is a new TK_JSON_VERSION. */
#define TK_JSON_VERSION 1
/* The tool's name as it names itself (set once by main; log.h says so too). */
extern const char *tk_prog;
/* An event's record: @mono_ns is its kernel stamp (bpf_ktime_get_ns(),
 * CLOCK_MONOTONIC), "time" that moment on the wall clock. */
void jw_event_begin(struct jw *w, FILE *f, const char *type, uint64_t mono_ns);
/* Any other record (summaries, lost, warnings): stamped now. */
void jw_summary_begin(struct jw *w, FILE *f, const char *type);

/* A record that is not data, {envelope,"message":...} with "type" @type,
 * for -j runs: warnings, errors and end-of-run notes a log consumer needs. */
void tk_json_note(const char *type, const char *message);

/* Wall-clock "HH:MM:SS" for -T style columns. */
void tk_format_clock(char *buf, size_t size);
/* "YYYY-MM-DDTHH:MM:SS.nnnnnnnnnZ" for @wall_ns (CLOCK_REALTIME ns). */
size_t tk_format_rfc3339(char *buf, size_t size, int64_t wall_ns);
/* The wall-clock time of an event stamped @mono_ns (CLOCK_MONOTONIC, as
 * bpf_ktime_get_ns() gives it): "HH:MM:SS", or with @millis
 * "HH:MM:SS.mmm", local time. The clocks' offset is taken at the first
 * call (a tool makes it at start, with @buf NULL: nothing is written), so
 * records printed late still show when they happened. */
void tk_format_event_clock(uint64_t mono_ns, bool millis, char *buf, size_t size);

#endif
