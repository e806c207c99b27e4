// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/mount.h>
#include "log.h"
#include "tracefs.h"

#define TRACEFS "/sys/kernel/tracing"
#define DEBUGFS_TRACING "/sys/kernel/debug/tracing"

/* What the tool mounted goes with it; a mount someone else has files open
 * in by now stays, rather than being pulled from under them. */
static void unmount_ours(void)
{
	if (umount(TRACEFS))
		tk_info(1, "leaving tracefs mounted at %s: %s", TRACEFS, strerror(errno));
}

const char *tk_tracefs(void)
{
	static const char *found;

	if (found)
		return found;
	/* libbpf looks in the debugfs location first when it exists; agree with it. */
	if (!access(DEBUGFS_TRACING "/events", F_OK))
		return found = DEBUGFS_TRACING;
	if (!access(TRACEFS "/events", F_OK))
		return found = TRACEFS;
	if (mount("nodev", TRACEFS, "tracefs", 0, NULL) && errno != EBUSY) {
		tk_warn("tracefs is not mounted and mounting it at %s failed: %s "
			"(mount it with: mount -t tracefs nodev %s)", TRACEFS, strerror(errno), TRACEFS);
		return NULL;
	}
	tk_info(1, "mounted tracefs at %s", TRACEFS);
	atexit(unmount_ours);
	return found = TRACEFS;
}
