// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdbool.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "socktab.h"

#define TCP_LISTEN 0x0a		/* st column of /proc/net/tcp */

struct sock_entry {
	unsigned long inode;
	uint16_t port;
	uint8_t proto;
	uint8_t listen;
	struct tk_sockowner owner;	/* pid 0: no process found */
};

struct tk_socktab {
	char proc[PATH_MAX];
	struct sock_entry *e;
	size_t n, cap;
};

struct tk_socktab *tk_socktab_new(const char *proc)
{
	struct tk_socktab *t = calloc(1, sizeof(*t));

	if (t)
		snprintf(t->proc, sizeof(t->proc), "%s", proc ? proc : "/proc");
	return t;
}

void tk_socktab_free(struct tk_socktab *t)
{
	if (!t)
		return;
	free(t->e);
	free(t);
}

static int add(struct tk_socktab *t, const struct sock_entry *se)
{
	if (t->n == t->cap) {
		size_t cap = t->cap ? t->cap * 2 : 256;
		struct sock_entry *e = realloc(t->e, cap * sizeof(*e));

		if (!e)
			return -ENOMEM;
		t->e = e;
		t->cap = cap;
	}
	t->e[t->n++] = *se;
	return 0;
}

/* "  0: 0100007F:0035 00000000:0000 07 00000000:00000000 00:00000000
 * 00000000   101        0 23456 ...": local port, state, uid, inode. */
static int read_net(struct tk_socktab *t, const char *file, int proto)
{
	char path[PATH_MAX + 16], line[512];
	struct sock_entry se;
	unsigned int port, state, uid;
	unsigned long inode;
	FILE *f;

	snprintf(path, sizeof(path), "%s/net/%s", t->proc, file);
	f = fopen(path, "re");
	if (!f)
		return -errno;
	while (fgets(line, sizeof(line), f)) {
		if (sscanf(line, " %*u: %*[0-9A-Fa-f]:%x %*[0-9A-Fa-f]:%*x %x %*x:%*x %*x:%*x %*x %u %*d %lu",
			   &port, &state, &uid, &inode) != 4 || port > 0xffff || !inode)
			continue;	/* the header, or a line we cannot read */
		memset(&se, 0, sizeof(se));
		se.inode = inode;
		se.port = (uint16_t)port;
		se.proto = (uint8_t)proto;
		se.listen = proto == IPPROTO_TCP && state == TCP_LISTEN;
		se.owner.uid = uid;
		if (add(t, &se)) {
			fclose(f);
			return -ENOMEM;
		}
	}
	fclose(f);
	return 0;
}

static int by_inode(const void *a, const void *b)
{
	const struct sock_entry *x = a, *y = b;

	return x->inode < y->inode ? -1 : x->inode > y->inode;
}

static void read_comm(const char *proc, const char *pid, char comm[16])
{
	char path[PATH_MAX + 32];
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "%s/%s/comm", proc, pid);
	memset(comm, 0, 16);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return;
	n = read(fd, comm, 15);
	close(fd);
	if (n > 0 && comm[n - 1] == '\n')
		comm[n - 1] = '\0';
}

/* Give the sockets held by process @pid their owner. */
static void scan_fds(struct tk_socktab *t, const char *pid)
{
	char path[PATH_MAX + 32], link[64], comm[16] = "";
	struct sock_entry key, *se;
	uint32_t pidnr = (uint32_t)strtoul(pid, NULL, 10);
	struct dirent *d;
	bool named = false;
	ssize_t n;
	DIR *dir;

	snprintf(path, sizeof(path), "%s/%s/fd", t->proc, pid);
	dir = opendir(path);
	if (!dir)
		return;		/* gone, or not ours to see */
	while ((d = readdir(dir))) {
		if (d->d_name[0] == '.')
			continue;
		n = readlinkat(dirfd(dir), d->d_name, link, sizeof(link) - 1);
		if (n <= 0)
			continue;
		link[n] = '\0';
		if (sscanf(link, "socket:[%lu]", &key.inode) != 1)
			continue;
		se = bsearch(&key, t->e, t->n, sizeof(*se), by_inode);
		/* A socket shared across fork: the lowest pid, usually the
		 * parent, whatever order the directory lists them in. */
		if (!se || (se->owner.pid && se->owner.pid < pidnr))
			continue;
		if (!named) {
			read_comm(t->proc, pid, comm);
			named = true;
		}
		/* Equal inodes sit next to each other: v4 and v6 lists never
		 * share one, but be safe. */
		while (se > t->e && se[-1].inode == key.inode)
			se--;
		for (; se < t->e + t->n && se->inode == key.inode; se++) {
			se->owner.pid = pidnr;
			memcpy(se->owner.comm, comm, sizeof(comm));
		}
	}
	closedir(dir);
}

int tk_socktab_scan(struct tk_socktab *t)
{
	static const struct { const char *file; int proto; } tables[] = {
		{ "udp", IPPROTO_UDP }, { "udp6", IPPROTO_UDP },
		{ "tcp", IPPROTO_TCP }, { "tcp6", IPPROTO_TCP },
	};
	struct dirent *d;
	size_t i;
	int err = 0, read_any = 0;
	DIR *dir;

	t->n = 0;
	for (i = 0; i < sizeof(tables) / sizeof(tables[0]); i++) {
		int r = read_net(t, tables[i].file, tables[i].proto);

		if (r == -ENOMEM)
			return r;
		if (r)
			err = r;	/* no IPv6, say: the others still count */
		else
			read_any = 1;
	}
	if (!read_any)
		return err;
	qsort(t->e, t->n, sizeof(*t->e), by_inode);
	dir = opendir(t->proc);
	if (!dir)
		return -errno;
	while ((d = readdir(dir)))
		if (isdigit((unsigned char)d->d_name[0]))
			scan_fds(t, d->d_name);
	closedir(dir);
	return 0;
}

const struct tk_sockowner *tk_socktab_find(const struct tk_socktab *t, int proto, uint16_t port)
{
	const struct tk_sockowner *listener = NULL;
	size_t i;

	for (i = 0; i < t->n; i++) {
		const struct sock_entry *se = &t->e[i];

		if (se->proto != proto || se->port != port || !se->owner.pid)
			continue;
		if (!se->listen)
			return &se->owner;
		listener = &se->owner;
	}
	return listener;
}
