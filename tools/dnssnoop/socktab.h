/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* Which process holds a local UDP or TCP port, from /proc: for network
 * tools to attribute packets whose socket the kernel side could not name
 * (a socket opened before the tool started, or what a packet socket sees).
 * A snapshot: re-scan when a port is not found. Only the caller's network
 * namespace is seen (that is what /proc/net shows). */
#ifndef TK_SOCKTAB_H
#define TK_SOCKTAB_H

#include <stdint.h>

struct tk_sockowner {
	uint32_t pid;
	uint32_t uid;		/* the socket's owner, as /proc/net shows it */
	char comm[16];		/* the process's name */
};

struct tk_socktab;

/* @proc: the procfs root; NULL for "/proc" (tests pass a directory tree). */
struct tk_socktab *tk_socktab_new(const char *proc);
void tk_socktab_free(struct tk_socktab *t);

/* Read the sockets of /proc/net/{udp,udp6,tcp,tcp6} and the processes
 * whose file descriptors hold them. 0, or -errno if no table could be read. */
int tk_socktab_scan(struct tk_socktab *t);

/* A process with a socket of @proto (IPPROTO_UDP or IPPROTO_TCP) on local
 * port @port, or NULL. A listening TCP socket only answers when no other
 * socket has the port: packets of a connection belong to the connection.
 * Of several processes holding one socket (after fork), the lowest pid. */
const struct tk_sockowner *tk_socktab_find(const struct tk_socktab *t, int proto, uint16_t port);

#endif
