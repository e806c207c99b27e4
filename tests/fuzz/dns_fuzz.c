// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* libFuzzer target for common/dns.c. Besides "no crash, no overread" (the
 * sanitizers' part), it checks what the parser promises its callers: names
 * are terminated, bounded and printable ASCII, counts stay within the
 * header's and the array's, and reading a name from any offset ends.
 *
 *   clang -g -O1 -fsanitize=fuzzer,address,undefined -Icommon \
 *         tests/fuzz/dns_fuzz.c common/dns.c -o dns_fuzz
 *   ./dns_fuzz tests/fuzz/dns_corpus
 * tests/fuzz/replay.c runs it over files without libFuzzer. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "dns.h"

/* A name or record text as printed: escaped, so printable ASCII only. */
static void check_text(const char *s)
{
	size_t n = strnlen(s, DNS_NAME_STRLEN);

	if (n == DNS_NAME_STRLEN)
		abort();
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)s[i] < 0x21 || (unsigned char)s[i] > 0x7e)
			abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct dns_msg m;
	char name[DNS_NAME_STRLEN], buf[16];
	size_t off, start;
	int i, rc;

	rc = dns_parse(data, size, &m);
	if ((rc == 0) != (m.error == DNS_OK))
		abort();
	if (m.has_question)
		check_text(m.qname);
	if (m.nanswer < 0 || m.nanswer > DNS_MAX_ANSWERS || m.nanswer > m.answers_read ||
	    m.answers_read > m.ancount)
		abort();
	for (i = 0; i < m.nanswer; i++) {
		if (m.answer[i].data[0])
			check_text(m.answer[i].data);
		dns_type_name(m.answer[i].type, buf, sizeof(buf));
	}
	if (!dns_type_name(m.qtype, buf, sizeof(buf)) || !dns_rcode_name(m.rcode, buf, sizeof(buf)))
		abort();
	if (m.rcode > 4095)
		abort();
	/* Names from every offset of a small input: each read ends, and moves
	 * forward within the input when it succeeds. */
	for (start = 0; start < size && start < 600; start++) {
		off = start;
		if (dns_read_name(data, size, &off, name, sizeof(name)) == DNS_OK) {
			if (off <= start || off > size)
				abort();
			check_text(name);
		} else if (name[0]) {
			abort();
		}
	}
	return 0;
}
