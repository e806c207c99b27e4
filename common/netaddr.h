/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* Network addresses and ports: printing what the kernel recorded, and
 * parsing port lists from the command line (strictly, as common/args). */
#ifndef TK_NETADDR_H
#define TK_NETADDR_H

#include <stddef.h>
#include <stdint.h>
#include <linux/types.h>

/* Longest address tk_inet_str writes, with its NUL (INET6_ADDRSTRLEN). */
#define TK_INET_STRLEN 46

/* @addr in network byte order, as the kernel keeps it: 4 bytes for @ip 4,
 * 16 for @ip 6. Returns @buf ("?" for any other @ip). */
const char *tk_inet_str(int ip, const void *addr, char *buf, size_t size);

/* "80,443": one to @max decimal ports, each 1 to 65535, comma-separated
 * without blanks; stored in @ports, count returned. On bad input a usage
 * error (one line, exit 2) naming the entry. Duplicates are allowed. */
int tk_arg_ports(const char *s, uint16_t *ports, int max);

/* A port list as the kernel side tests it (bpf/sockstate.bpf.h): one bit per
 * port in @words, TK_PORT_WORDS of them (bits are added, none cleared). */
#define TK_PORT_WORDS (65536 / 64)
void tk_ports_bitmap(const uint16_t *ports, int n, __u64 *words);

/* The -4/-6 and -L/-D filters of bpf/sockstate.bpf.h (TK_SOCK_FILTERS)
 * into a skeleton's @rodata, before load. */
#define TK_SOCK_FILTERS_SET(rodata, ip, sports, nsports, dports, ndports) do {	\
	(rodata)->targ_ip = (ip);						\
	(rodata)->filter_sport = (nsports) > 0;				\
	(rodata)->filter_dport = (ndports) > 0;				\
	tk_ports_bitmap(sports, nsports, (rodata)->targ_sports);		\
	tk_ports_bitmap(dports, ndports, (rodata)->targ_dports);		\
} while (0)

/* A TCP state as the kernel's tcp_states.h names it, without TCP_
 * ("ESTABLISHED"); one unknown here as "STATE_<n>" in @buf. */
const char *tk_tcp_state_name(unsigned state, char *buf, size_t size);

#endif
