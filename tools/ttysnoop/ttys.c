// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#include <dirent.h>
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include "ttys.h"

#define TTY_MAJOR 4
#define TTYAUX_MAJOR 5

static bool is_pts(uint32_t major)
{
	return major >= TK_PTS_MAJOR_FIRST && major <= TK_PTS_MAJOR_LAST;
}

/* The fixed numbers of Documentation/admin-guide/devices.txt, for a system
 * without sysfs mounted. */
static int fixed_name(uint32_t major, uint32_t minor, char *buf, size_t size)
{
	if (major == TTY_MAJOR && minor < 64)
		snprintf(buf, size, "tty%u", minor);
	else if (major == TTY_MAJOR && minor < 256)
		snprintf(buf, size, "ttyS%u", minor - 64);
	else if (major == TTYAUX_MAJOR && minor == 0)
		snprintf(buf, size, "tty");
	else if (major == TTYAUX_MAJOR && minor == 1)
		snprintf(buf, size, "console");
	else
		return -ENOENT;
	return 0;
}

int tk_tty_name(const char *sysfs, uint32_t dev, char *buf, size_t size)
{
	uint32_t major = TK_MAJOR(dev), minor = TK_MINOR(dev);
	char path[512], link[512];
	const char *name;
	ssize_t n;

	if (size)
		buf[0] = '\0';
	if (is_pts(major)) {
		/* Minors are 20 bits now; 137-143 held pts 256 and up when
		 * they were 8. */
		snprintf(buf, size, "pts/%u", (major - TK_PTS_MAJOR_FIRST) * 256 + minor);
		return 0;
	}
	if (!sysfs)
		sysfs = "/sys";
	snprintf(path, sizeof(path), "%s/dev/char", sysfs);
	if (access(path, F_OK))
		return fixed_name(major, minor, buf, size);
	snprintf(path, sizeof(path), "%s/dev/char/%u:%u", sysfs, major, minor);
	n = readlink(path, link, sizeof(link) - 1);
	if (n <= 0)
		return -ENOENT;
	link[n] = '\0';
	/* A class device lives at .../tty/NAME (devices/virtual/tty/tty1,
	 * devices/pnp0/00:00/tty/ttyS0). */
	name = strrchr(link, '/');
	if (!name || name - link < 4 || strncmp(name - 4, "/tty", 4) || !strcmp(name + 1, "ptmx"))
		return -ENOENT;
	snprintf(buf, size, "%s", name + 1);
	return 0;
}

static int set_bit(uint64_t *bits, int nmajors, uint32_t major)
{
	if (major >= (uint32_t)nmajors || (bits[major / 64] & (1ULL << (major % 64))))
		return 0;
	bits[major / 64] |= 1ULL << (major % 64);
	return 1;
}

/* @bits cleared, with the pty slave majors set: how many. */
static int pts_majors(uint64_t *bits, int nmajors)
{
	uint32_t m;
	int n = 0;

	memset(bits, 0, (nmajors + 63) / 64 * sizeof(*bits));
	for (m = TK_PTS_MAJOR_FIRST; m <= TK_PTS_MAJOR_LAST; m++)
		n += set_bit(bits, nmajors, m);
	return n;
}

int tk_tty_majors_proc(const char *drivers, uint64_t *bits, int nmajors)
{
	char line[256], type[64];
	unsigned int major;
	FILE *f = fopen(drivers, "re");
	int n;

	if (!f)
		return -errno;
	n = pts_majors(bits, nmajors);
	/* "name /dev/node major minors type", as drivers/tty/tty_io.c
	 * writes it ("pty_slave /dev/pts 136 0-1048575 pty:slave"). */
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "%*s %*s %u %*s %63s", &major, type) == 2 &&
		    strcmp(type, "pty:master"))
			n += set_bit(bits, nmajors, major);
	fclose(f);
	return n;
}

int tk_tty_majors(const char *sysfs, uint64_t *bits, int nmajors)
{
	char path[512], line[32];
	unsigned int major, minor;
	struct dirent *e;
	FILE *f;
	DIR *d;
	int n;

	if (!sysfs) {
		n = tk_tty_majors_proc("/proc/tty/drivers", bits, nmajors);
		if (n >= 0)
			return n;
		sysfs = "/sys";
	}
	n = pts_majors(bits, nmajors);
	snprintf(path, sizeof(path), "%s/class/tty", sysfs);
	d = opendir(path);
	if (!d)
		return n + set_bit(bits, nmajors, TTY_MAJOR) + set_bit(bits, nmajors, TTYAUX_MAJOR);
	while ((e = readdir(d))) {
		if (e->d_name[0] == '.' || !strcmp(e->d_name, "ptmx"))
			continue;
		snprintf(path, sizeof(path), "%s/class/tty/%s/dev", sysfs, e->d_name);
		f = fopen(path, "re");
		if (!f)
			continue;
		if (fgets(line, sizeof(line), f) && sscanf(line, "%u:%u", &major, &minor) == 2)
			n += set_bit(bits, nmajors, major);
		fclose(f);
	}
	closedir(d);
	return n;
}
