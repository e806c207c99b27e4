// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include "args.h"
#include "netaddr.h"

const char *tk_inet_str(int ip, const void *addr, char *buf, size_t size)
{
	if ((ip != 4 && ip != 6) ||
	    !inet_ntop(ip == 4 ? AF_INET : AF_INET6, addr, buf, size))
		snprintf(buf, size, "?");
	return buf;
}

int tk_arg_ports(const char *s, uint16_t *ports, int max)
{
	const char *p = s, *end;
	unsigned long v;
	int n = 0;

	do {
		end = strchr(p, ',');
		if (!end)
			end = p + strlen(p);
		/* Digits only: no sign, blank, hex or empty entry ("80,,443"). */
		if (end == p || strspn(p, "0123456789") != (size_t)(end - p))
			tk_usage_error("invalid port '%.*s' in '%s'", (int)(end - p), p, s);
		v = 0;
		for (const char *d = p; d < end && v <= 65535; d++)
			v = v * 10 + (unsigned long)(*d - '0');
		if (v < 1 || v > 65535)
			tk_usage_error("port '%.*s' is out of range (1 to 65535)", (int)(end - p), p);
		if (n == max)
			tk_usage_error("too many ports in '%s' (at most %d)", s, max);
		ports[n++] = (uint16_t)v;
		p = end + 1;
	} while (*end);
	return n;
}

void tk_ports_bitmap(const uint16_t *ports, int n, __u64 *words)
{
	int i;

	for (i = 0; i < n; i++)
		words[ports[i] / 64] |= 1ULL << (ports[i] % 64);
}

static const char *const tcp_state_names[] = {
	[1] = "ESTABLISHED", [2] = "SYN_SENT", [3] = "SYN_RECV", [4] = "FIN_WAIT1",
	[5] = "FIN_WAIT2", [6] = "TIME_WAIT", [7] = "CLOSE", [8] = "CLOSE_WAIT",
	[9] = "LAST_ACK", [10] = "LISTEN", [11] = "CLOSING", [12] = "NEW_SYN_RECV",
	[13] = "BOUND_INACTIVE",
};

const char *tk_tcp_state_name(unsigned state, char *buf, size_t size)
{
	if (state < sizeof(tcp_state_names) / sizeof(tcp_state_names[0]) && tcp_state_names[state])
		return tcp_state_names[state];
	snprintf(buf, size, "STATE_%u", state);
	return buf;
}
