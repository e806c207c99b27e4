// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* sslsniff: plaintext of TLS reads and writes made through OpenSSL, GnuTLS
 * and NSS, from uprobes on the libraries' own functions. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include "args.h"
#include "elfsym.h"
#include "log.h"
#include "loop.h"
#include "output.h"
#include "session.h"
#include "uprobe.h"
#include "sslsniff.h"
#include "sslsniff.skel.h"

_Static_assert(sizeof(struct sslsniff_event) == 64 + SSLSNIFF_MAX_BUF,
	       "sslsniff_event layout changed");
_Static_assert(SSLSNIFF_HDR_SIZE == 64, "sslsniff_event header layout changed");

enum lib { LIB_OPENSSL, LIB_GNUTLS, LIB_NSS, NLIBS };

/* Tags of struct tk_uobj: which libraries' functions to look for in a file,
 * and whether the user named it (then finding nothing in it is an error). */
#define TAG_LIB(lib) (1u << (lib))
#define TAG_ALL_LIBS (TAG_LIB(LIB_OPENSSL) | TAG_LIB(LIB_GNUTLS) | TAG_LIB(LIB_NSS))
#define TAG_EXTRA_LIB (1u << 8)
#define TAG_BINARY (1u << 9)

#define MAX_EXPLICIT 16

static const struct lib_info {
	const char *name;	/* --extra-lib TYPE, JSON "lib" */
	const char *stem;	/* file name, without version */
} libs[NLIBS] = {
	[LIB_OPENSSL] = { "openssl", "libssl.so" },
	[LIB_GNUTLS] = { "gnutls", "libgnutls.so" },
	[LIB_NSS] = { "nss", "libnspr4.so" },
};

enum op { OP_READ, OP_WRITE, OP_HANDSHAKE };

static const char *const op_label[] = {
	[OP_READ] = "READ/RECV", [OP_WRITE] = "WRITE/SEND", [OP_HANDSHAKE] = "HANDSHAKE",
};
static const char *const op_json[] = {
	[OP_READ] = "read", [OP_WRITE] = "write", [OP_HANDSHAKE] = "handshake",
};

static const struct func_info {
	const char *symbol;
	enum lib lib;
	enum op op;
	const char *entry, *ret;	/* the BPF programs */
} funcs[SSLSNIFF_NFUNCS] = {
	[SSLSNIFF_SSL_WRITE] = { "SSL_write", LIB_OPENSSL, OP_WRITE, "ss_ossl_w", "ss_ossl_w_ret" },
	[SSLSNIFF_SSL_READ] = { "SSL_read", LIB_OPENSSL, OP_READ, "ss_ossl_r", "ss_ossl_r_ret" },
	[SSLSNIFF_SSL_WRITE_EX] = { "SSL_write_ex", LIB_OPENSSL, OP_WRITE,
				    "ss_ossl_wex", "ss_ossl_wex_ret" },
	[SSLSNIFF_SSL_READ_EX] = { "SSL_read_ex", LIB_OPENSSL, OP_READ,
				   "ss_ossl_rex", "ss_ossl_rex_ret" },
	[SSLSNIFF_SSL_DO_HANDSHAKE] = { "SSL_do_handshake", LIB_OPENSSL, OP_HANDSHAKE,
					"ss_ossl_hs", "ss_ossl_hs_ret" },
	[SSLSNIFF_GNUTLS_RECORD_SEND] = { "gnutls_record_send", LIB_GNUTLS, OP_WRITE,
					  "ss_gtls_w", "ss_gtls_w_ret" },
	[SSLSNIFF_GNUTLS_RECORD_RECV] = { "gnutls_record_recv", LIB_GNUTLS, OP_READ,
					  "ss_gtls_r", "ss_gtls_r_ret" },
	[SSLSNIFF_GNUTLS_RECORD_RECV_SEQ] = { "gnutls_record_recv_seq", LIB_GNUTLS, OP_READ,
					      "ss_gtls_rs", "ss_gtls_rs_ret" },
	[SSLSNIFF_GNUTLS_HANDSHAKE] = { "gnutls_handshake", LIB_GNUTLS, OP_HANDSHAKE,
					"ss_gtls_hs", "ss_gtls_hs_ret" },
	[SSLSNIFF_PR_WRITE] = { "PR_Write", LIB_NSS, OP_WRITE, "ss_nss_w", "ss_nss_w_ret" },
	[SSLSNIFF_PR_SEND] = { "PR_Send", LIB_NSS, OP_WRITE, "ss_nss_send", "ss_nss_send_ret" },
	[SSLSNIFF_PR_READ] = { "PR_Read", LIB_NSS, OP_READ, "ss_nss_r", "ss_nss_r_ret" },
	[SSLSNIFF_PR_RECV] = { "PR_Recv", LIB_NSS, OP_READ, "ss_nss_recv", "ss_nss_recv_ret" },
};

static struct env {
	struct tk_opts opts;
	bool no_lib[NLIBS];
	bool extra;
	bool latency;
	bool handshake;
	bool hexdump;
	__u32 max_buf;
	struct { const char *path; unsigned int tags; } explicit[MAX_EXPLICIT];
	int nexplicit;
	uint64_t start_ns;
} env = { .max_buf = 8192 };

enum {
	OPT_EXTRA_LIB = TK_OPT_TOOL_BASE,
	OPT_BINARY,
	OPT_HANDSHAKE,
	OPT_HEXDUMP,
	OPT_MAX_BUFFER_SIZE,
};

static const char help[] =
"  -o, --no-openssl       do not trace OpenSSL (libssl)\n"
"  -g, --no-gnutls        do not trace GnuTLS (libgnutls)\n"
"  -n, --no-nss           do not trace NSS (libnspr4)\n"
"      --extra-lib TYPE:PATH  also trace the library at PATH; TYPE is openssl,\n"
"                         gnutls or nss (repeatable)\n"
"      --binary PATH      also trace the program at PATH, which has its TLS\n"
"                         library linked in statically (repeatable)\n"
"  -x, --extra            print UID and TID columns\n"
"  -l, --latency          print the time spent in each call, LAT(ms)\n"
"      --handshake        also print completed TLS handshakes (implies -l)\n"
"      --hexdump          print the data in hex instead of as text\n"
"      --max-buffer-size N  capture at most N bytes of each call (default 8192,\n"
"                         at most 16384); longer data is marked truncated\n";

static const char examples[] =
"Examples:\n"
"  sslsniff                  # all TLS reads and writes\n"
"  sslsniff -p 181           # only PID 181\n"
"  sslsniff -u 1000          # only UID 1000\n"
"  sslsniff -c curl          # only processes whose name contains curl\n"
"  sslsniff -o -n            # only GnuTLS\n"
"  sslsniff -x -l            # with UID, TID and latency columns\n"
"  sslsniff --handshake      # also handshakes, with their latency\n"
"  sslsniff --hexdump        # data in hex\n"
"  sslsniff --extra-lib openssl:/opt/app/lib/libssl.so.1.1\n"
"  sslsniff --binary /usr/local/bin/static-app   # OpenSSL linked in\n"
"  sslsniff -j -d 10         # JSON lines for 10 seconds\n";

static const struct option longopts[] = {
	{ "no-openssl", no_argument, NULL, 'o' },
	{ "no-gnutls", no_argument, NULL, 'g' },
	{ "no-nss", no_argument, NULL, 'n' },
	{ "extra-lib", required_argument, NULL, OPT_EXTRA_LIB },
	{ "binary", required_argument, NULL, OPT_BINARY },
	{ "extra", no_argument, NULL, 'x' },
	{ "latency", no_argument, NULL, 'l' },
	{ "handshake", no_argument, NULL, OPT_HANDSHAKE },
	{ "hexdump", no_argument, NULL, OPT_HEXDUMP },
	{ "max-buffer-size", required_argument, NULL, OPT_MAX_BUFFER_SIZE },
	{}
};

/* A file the user named: it must be an ELF file for this machine, checked
 * now so that a typo is a usage error and not a failure after loading. */
static void add_explicit(const char *path, unsigned int tags, const char *what)
{
	struct stat st;
	int r;

	/* Refused before opening: open() on a FIFO would wait for a writer. */
	if (stat(path, &st))
		tk_usage_error("cannot read %s '%s': %s", what, path, strerror(errno));
	if (S_ISDIR(st.st_mode))
		tk_usage_error("%s '%s' is a directory", what, path);
	if (!S_ISREG(st.st_mode))
		tk_usage_error("%s '%s' is not a regular file", what, path);
	r = tk_elf_native(path);
	if (r < 0)
		tk_usage_error("cannot read %s '%s': %s", what, path, strerror(-r));
	if (!r)
		tk_usage_error("%s '%s' is not an ELF file for this machine", what, path);
	if (env.nexplicit == MAX_EXPLICIT)
		tk_usage_error("too many --extra-lib and --binary (at most %d)", MAX_EXPLICIT);
	env.explicit[env.nexplicit].path = path;
	env.explicit[env.nexplicit].tags = tags;
	env.nexplicit++;
}

static void parse_extra_lib(const char *arg)
{
	const char *colon = strchr(arg, ':');
	int i;

	if (!colon || colon == arg || !colon[1])
		tk_usage_error("invalid --extra-lib '%s' (want TYPE:PATH)", arg);
	for (i = 0; i < NLIBS; i++) {
		if (strlen(libs[i].name) == (size_t)(colon - arg) &&
		    !strncmp(arg, libs[i].name, colon - arg)) {
			add_explicit(colon + 1, TAG_LIB(i) | TAG_EXTRA_LIB, "library");
			return;
		}
	}
	tk_usage_error("invalid library type '%.*s' in '%s' (choose from: openssl, gnutls, nss)",
		       (int)(colon - arg), arg, arg);
}

static void option(int key, const char *arg)
{
	switch (key) {
	case 'o': env.no_lib[LIB_OPENSSL] = true; break;
	case 'g': env.no_lib[LIB_GNUTLS] = true; break;
	case 'n': env.no_lib[LIB_NSS] = true; break;
	case OPT_EXTRA_LIB: parse_extra_lib(arg); break;
	case OPT_BINARY: add_explicit(arg, TAG_ALL_LIBS | TAG_BINARY, "binary"); break;
	case 'x': env.extra = true; break;
	case 'l': env.latency = true; break;
	case OPT_HANDSHAKE: env.handshake = env.latency = true; break;
	case OPT_HEXDUMP: env.hexdump = true; break;
	case OPT_MAX_BUFFER_SIZE:
		env.max_buf = tk_arg_int(arg, 0, SSLSNIFF_MAX_BUF, "buffer size");
		break;
	}
}

static const struct tk_cli cli = {
	.usage = "Usage: sslsniff [OPTION]...\n"
		 "Print the plaintext of TLS reads and writes made through OpenSSL, GnuTLS\n"
		 "and NSS, captured in the libraries before encryption and after decryption.",
	.shared = TK_OPT_FILTERS | TK_OPT_DURATION,
	.letter = { .comm = 'c' },	/* bcc's; -n is --no-nss */
	.optstring = "ognxl",
	.longopts = longopts,
	.help = help,
	.examples = examples,
	.option = option,
};

static void parse_args(int argc, char **argv)
{
	tk_arg_no_positional(argc, argv, tk_parse_args(&cli, argc, argv, &env.opts));
	if (env.no_lib[LIB_OPENSSL] && env.no_lib[LIB_GNUTLS] && env.no_lib[LIB_NSS] &&
	    !env.nexplicit)
		tk_usage_error("-o, -g and -n together leave nothing to trace");
}

/* --- where to attach ------------------------------------------------------ */

static struct tk_uobjs targets;

struct plan {
	int target;
	enum sslsniff_func func;
	uint64_t offset;
};

static struct plan plan[TK_UOBJ_MAX * SSLSNIFF_NFUNCS];
static int nplan;

/* The libraries the dynamic linker would load, or with -p those the process
 * has mapped (and its executable, should it have a TLS library built in). */
static int find_libraries(void)
{
	pid_t pid = env.opts.filter.tgid;
	char exe[64];
	int i, r;

	for (i = 0; i < NLIBS; i++) {
		if (env.no_lib[i])
			continue;
		if (pid)
			r = tk_libs_mapped(&targets, pid, libs[i].stem, TAG_LIB(i));
		else
			r = tk_libs_find(&targets, libs[i].stem, TAG_LIB(i), NULL, NULL);
		if (r == -ENOENT && pid) {
			tk_warn("no process %d (cannot read /proc/%d/maps)", (int)pid, (int)pid);
			return -1;
		}
		if (r < 0) {
			tk_warn("looking for %s failed: %s", libs[i].stem, strerror(-r));
			return -1;
		}
		if (!r && pid)
			tk_info(1, "%s: process %d has no %s* mapped", libs[i].name, (int)pid,
				libs[i].stem);
		else if (!r)
			tk_info(1, "%s: no %s* in /etc/ld.so.cache or the standard directories",
				libs[i].name, libs[i].stem);
	}
	if (targets.not_native)
		tk_info(1, "ignored %d file%s named like a TLS library that %s not ELF for "
			"this machine", targets.not_native, targets.not_native == 1 ? "" : "s",
			targets.not_native == 1 ? "is" : "are");
	if (targets.full)
		tk_warn("found more than %d TLS libraries: %d not traced", TK_UOBJ_MAX,
			targets.full);
	if (pid) {
		unsigned int tags = 0;

		for (i = 0; i < NLIBS; i++)
			tags |= env.no_lib[i] ? 0 : TAG_LIB(i);
		snprintf(exe, sizeof(exe), "/proc/%d/exe", (int)pid);
		if (tags)
			tk_uobj_add(&targets, exe, tags);
	}
	for (i = 0; i < env.nexplicit; i++) {
		r = tk_uobj_add(&targets, env.explicit[i].path, env.explicit[i].tags);
		if (r < 0) {
			tk_warn("cannot use %s: %s", env.explicit[i].path, strerror(-r));
			return -1;
		}
	}
	return 0;
}

/* Why a file the user named has none of the functions. */
static void explain_nothing(const struct tk_uobj *t)
{
	char names[256] = "";
	int f;

	if (t->tags & TAG_BINARY) {
		if (tk_elf_has_symtab(t->path) == 0) {
			tk_warn("%s is stripped (no symbol table), so its TLS functions cannot be "
				"found; trace a build that keeps its symbols", t->path);
			return;
		}
		tk_warn("%s defines none of the TLS functions traced (SSL_write, SSL_read, "
			"gnutls_record_send, PR_Write, ...); a program using a shared TLS "
			"library is traced through that library, without --binary", t->path);
		return;
	}
	for (f = 0; f < SSLSNIFF_NFUNCS; f++) {
		if ((t->tags & TAG_LIB(funcs[f].lib)) && funcs[f].op != OP_HANDSHAKE)
			snprintf(names + strlen(names), sizeof(names) - strlen(names), "%s%s",
				 names[0] ? ", " : "", funcs[f].symbol);
	}
	tk_warn("%s defines none of %s (is it the right --extra-lib TYPE?)", t->path, names);
}

/* The functions present in each file, resolved to file offsets: one pass
 * over each file's symbols for all of them. */
static int plan_attach(void)
{
	const char *names[SSLSNIFF_NFUNCS];
	uint64_t offs[SSLSNIFF_NFUNCS];
	unsigned char found[SSLSNIFF_NFUNCS];
	enum sslsniff_func which[SSLSNIFF_NFUNCS];
	int i, f, k, n, err;

	for (i = 0; i < targets.n; i++) {
		const struct tk_uobj *t = &targets.obj[i];

		/* Each file is bounded (elfsym.h) but a process can map
		 * 32 large ones: Ctrl-C is heard between them. */
		if (tk_exiting) {
			/* Nothing is loaded yet: a SIGINT end, status 0. */
			if (!nplan)
				exit(0);
			break;
		}
		n = 0;
		for (f = 0; f < SSLSNIFF_NFUNCS; f++) {
			if (!(t->tags & TAG_LIB(funcs[f].lib)))
				continue;
			if (funcs[f].op == OP_HANDSHAKE && !env.handshake)
				continue;
			which[n] = f;
			names[n++] = funcs[f].symbol;
		}
		err = elf_symbols_offsets(t->path, names, n, offs, found);
		if (err < 0 && (t->tags & (TAG_BINARY | TAG_EXTRA_LIB))) {
			tk_warn("cannot read the symbols of %s: %s", t->path,
				err == -EFBIG ? "too large to be a real library" : strerror(-err));
			return -1;
		}
		if (err < 0) {
			/* Found, not named: one unreadable (or hostile) file is no
			 * reason to trace none of the others. */
			tk_info(1, "cannot read the symbols of %s: %s: skipped", t->path,
				err == -EFBIG ? "too large to be a real library" : strerror(-err));
			continue;
		}
		for (k = 0; k < n; k++)
			if (found[k])
				plan[nplan++] = (struct plan){ .target = i, .func = which[k],
							       .offset = offs[k] };
		if (!err && (t->tags & (TAG_BINARY | TAG_EXTRA_LIB))) {
			explain_nothing(t);
			return -1;
		}
		if (!err)
			tk_info(1, "%s has none of the functions traced: skipped", t->path);
	}
	if (!nplan) {
		if (env.opts.filter.tgid)
			tk_warn("process %d uses no TLS library sslsniff knows (libssl.so, "
				"libgnutls.so, libnspr4.so); name one with --extra-lib TYPE:PATH "
				"or --binary PATH", (int)env.opts.filter.tgid);
		else
			tk_warn("found no TLS library to trace (libssl.so, libgnutls.so, "
				"libnspr4.so); name one with --extra-lib TYPE:PATH or --binary PATH");
		return -1;
	}
	return 0;
}

/* Only the programs some file needs are loaded. */
static void select_programs(struct bpf_object *obj)
{
	bool used[SSLSNIFF_NFUNCS] = {}, multi = tk_uprobe_multi_supported();
	struct bpf_program *p;
	int i, f;

	for (i = 0; i < nplan; i++)
		used[plan[i].func] = true;
	for (f = 0; f < SSLSNIFF_NFUNCS; f++) {
		if ((p = bpf_object__find_program_by_name(obj, funcs[f].entry))) {
			bpf_program__set_autoload(p, used[f]);
			if (multi)
				tk_uprobe_use_multi(p);
		}
		if ((p = bpf_object__find_program_by_name(obj, funcs[f].ret))) {
			bpf_program__set_autoload(p, used[f]);
			if (multi)
				tk_uprobe_use_multi(p);
		}
	}
	tk_info(1, "uprobes: %s", multi ? "uprobe_multi links" : "perf-event uprobes");
}

static int attach_planned(struct bpf_object *obj, struct tk_ulinks *links)
{
	char done[TK_UOBJ_MAX][256];
	const struct func_info *fi;
	int i, err, attached = 0;

	memset(done, 0, sizeof(done));
	for (i = 0; i < nplan; i++) {
		fi = &funcs[plan[i].func];
		err = tk_uprobe_attach(links, bpf_object__find_program_by_name(obj, fi->entry),
				       bpf_object__find_program_by_name(obj, fi->ret),
				       targets.obj[plan[i].target].path, plan[i].offset);
		if (err) {
			tk_warn("failed to attach uprobes to %s in %s: %s%s", fi->symbol,
				targets.obj[plan[i].target].path, strerror(-err),
				err == -EPERM || err == -EACCES ?
				" (need root, or kernel lockdown?)" : "");
			continue;
		}
		attached++;
		snprintf(done[plan[i].target] + strlen(done[plan[i].target]),
			 sizeof(done[0]) - strlen(done[plan[i].target]), " %s", fi->symbol);
	}
	for (i = 0; i < targets.n; i++)
		if (done[i][0])
			tk_info(1, "attached to %s:%s", targets.obj[i].path, done[i]);
	if (!attached) {
		tk_warn("could not attach to any TLS function");
		return -1;
	}
	return 0;
}

/* --- output ---------------------------------------------------------------- */

/* What sslsniff's own lines begin with, in text mode: the column header,
 * the record headers and the data delimiters. */
static const char *const own_line_start[] = {
	"-----", "FUNC ", "READ/RECV", "WRITE/SEND", "HANDSHAKE",
};

/* Whether a data line beginning at @d (@n bytes to the end of the data)
 * starts as one of sslsniff's own lines do. */
static bool forged_line(const __u8 *d, size_t n)
{
	size_t i, len;

	for (i = 0; i < sizeof(own_line_start) / sizeof(own_line_start[0]); i++) {
		len = strlen(own_line_start[i]);
		if (n >= len && !memcmp(d, own_line_start[i], len))
			return true;
	}
	return false;
}

/* Newlines stay line breaks, as in bcc, so protocols read naturally, and a
 * NUL is shown rather than ending the data; everything else is escaped as
 * everywhere (common/output), so the data cannot steer the terminal. A
 * newline or NUL is ASCII, never inside a UTF-8 sequence, so splitting there
 * keeps characters whole. A data line that begins as one of our own lines
 * ("----- END DATA -----", a record header) has its first byte escaped
 * (\x2d----), so no peer can end a record early or forge one: every line
 * of the output that begins so is sslsniff's. */
static void print_text_data(const __u8 *d, size_t n)
{
	size_t i = 0, j;
	bool line_start = true;

	while (i < n) {
		if (line_start && forged_line(d + i, n - i)) {
			printf("\\x%02x", d[i]);
			i++;
		}
		for (j = i; j < n && d[j] != '\n' && d[j] != '\0'; j++)
			;
		tk_print_escaped(stdout, (const char *)d + i, j - i);
		line_start = false;
		if (j < n) {
			fputs(d[j] == '\n' ? "\n" : "\\x00", stdout);
			line_start = d[j] == '\n';
			j++;
		}
		i = j;
	}
}

/* bcc's look: 16 bytes (32 hex digits) a line. */
static void print_hex(const __u8 *d, size_t n, bool wrap)
{
	size_t i;

	for (i = 0; i < n; i++) {
		printf("%02x", d[i]);
		if (wrap && i % 16 == 15 && i + 1 < n)
			putchar('\n');
	}
}

static void print_json(const struct sslsniff_event *e, const struct func_info *fi, size_t n)
{
	struct jw w;

	jw_event_begin(&w, stdout, "tls", e->ts_ns);
	jw_str(&w, "func", fi->symbol, 64);
	jw_str(&w, "op", op_json[fi->op], 16);
	jw_str(&w, "lib", libs[fi->lib].name, 16);
	jw_uint(&w, "pid", e->pid);
	jw_uint(&w, "tid", e->tid);
	jw_uint(&w, "uid", e->uid);
	jw_str(&w, "comm", e->comm, sizeof(e->comm));
	if (fi->op == OP_HANDSHAKE) {
		jw_int(&w, "ret", e->ret);
		jw_uint(&w, "lat_ns", e->lat_ns);
		jw_end(&w);
		return;
	}
	jw_uint(&w, "len", e->len);
	jw_uint(&w, "captured", n);
	jw_bool(&w, "truncated", n < e->len);
	jw_bool(&w, "unreadable", e->copy_failed);
	if (env.latency)
		jw_uint(&w, "lat_ns", e->lat_ns);
	if (env.hexdump) {
		jw_key(&w, "data_hex");
		putchar('"');
		print_hex(e->data, n, false);
		putchar('"');
	} else {
		jw_bytes(&w, "data", e->data, n);
	}
	jw_end(&w);
}

static int print_event(void *ctx, const void *data, size_t size)
{
	const struct sslsniff_event *e = data;
	const struct func_info *fi;
	size_t n, comm_len;
	char lat[32];

	(void)ctx;
	if (size < SSLSNIFF_HDR_SIZE || e->func >= SSLSNIFF_NFUNCS)
		return 0;
	fi = &funcs[e->func];
	n = e->captured;
	if (n > size - SSLSNIFF_HDR_SIZE)
		n = size - SSLSNIFF_HDR_SIZE;
	if (env.opts.json) {
		print_json(e, fi, n);
		return 0;
	}
	if (!env.start_ns)
		env.start_ns = e->ts_ns;
	printf("%-12s %-18.9f ", op_label[fi->op], (double)(e->ts_ns - env.start_ns) / 1e9);
	tk_print_escaped(stdout, e->comm, sizeof(e->comm));
	comm_len = strnlen(e->comm, sizeof(e->comm));
	printf("%*s %-7u %-6u", (int)(comm_len < 16 ? 16 - comm_len : 0), "", e->pid, e->len);
	if (env.extra)
		printf(" %-7u %-7u", e->uid, e->tid);
	if (env.latency) {
		if (e->lat_ns)
			snprintf(lat, sizeof(lat), "%.3f", e->lat_ns / 1e6);
		else
			snprintf(lat, sizeof(lat), "N/A");
		printf(" %-7s", lat);
	}
	putchar('\n');
	/* bcc prints no block when nothing was captured; data that was there
	 * but could not be read is a loss, and a loss is shown. */
	if (e->copy_failed && fi->op != OP_HANDSHAKE) {
		printf("----- DATA -----\n----- END DATA (UNREADABLE, %u bytes lost) -----\n\n",
		       e->len);
		return 0;
	}
	if (!n)
		return 0;
	printf("----- DATA -----\n");
	if (env.hexdump)
		print_hex(e->data, n, true);
	else
		print_text_data(e->data, n);
	if (n < e->len)
		printf("\n----- END DATA (TRUNCATED, %zu bytes lost) -----\n\n", e->len - n);
	else
		printf("\n----- END DATA -----\n\n");
	return 0;
}

static void print_header(void)
{
	if (env.opts.json)
		return;
	printf("%-12s %-18s %-16s %-7s %-7s", "FUNC", "TIME(s)", "COMM", "PID", "LEN");
	if (env.extra)
		printf(" %-7s %-7s", "UID", "TID");
	if (env.latency)
		printf(" %-7s", "LAT(ms)");
	putchar('\n');
}

static void detach_uprobes(void *ulinks)
{
	tk_ulinks_destroy(ulinks);
}

int main(int argc, char **argv)
{
	struct tk_ulinks ulinks = {};
	struct tk_session session = {
		.opts = &env.opts,
		/* Bursts of large records: 64 of 16 KiB for each CPU. */
		.ring_bytes = tk_ring_per_cpu(1 << 20, 32 << 20),
		.detach = detach_uprobes,
		.detach_ctx = &ulinks,
	};
	struct tk_stream stream = { .on_record = print_event };
	struct sslsniff_bpf *skel = NULL;
	int err = 1;

	tk_prog = "sslsniff";
	parse_args(argc, argv);
	tk_session_init(&env.opts);

	if (find_libraries() || plan_attach())
		goto cleanup;
	skel = TK_OPEN(sslsniff_bpf, &env.opts);
	if (!skel) {
		tk_open_failed(&env.opts);
		goto cleanup;
	}
	session.bpf = TK_BPF_STREAM(skel);
	skel->rodata->targ_max_buf = env.max_buf;
	select_programs(skel->obj);
	if (tk_session_prepare(&session) || tk_session_load_attach(&session))
		goto cleanup;
	if (attach_planned(skel->obj, &ulinks))
		goto cleanup;

	print_header();
	tk_ready("TLS reads and writes", env.opts.duration_ms);
	err = tk_stream_run(&session, &stream);

cleanup:
	tk_session_detach(&session);
	sslsniff_bpf__destroy(skel);
	return err;
}
