// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* Which pid namespace the tool runs in. In a container (or under
 * unshare -p) getpid() and the -p/-t a user types are pids of that
 * namespace, while the kernel's pid_tgid is the initial namespace's: the
 * BPF filter then compares through bpf_get_ns_current_pid_tgid(), which
 * names the namespace by the device and inode of its nsfs file. */
#include <errno.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include "devnum.h"
#include "log.h"
#include "pidns.h"

/* The initial pid namespace's inode number (PROC_PID_INIT_INO), fixed in
 * include/linux/proc_ns.h. */
#define TK_PROC_PID_INIT_INO 0xEFFFFFFCu

int tk_pidns_fill(struct tk_filter *f)
{
	struct stat st;

	f->pidns_dev = 0;
	f->pidns_ino = 0;
	/* /proc/self is the caller in whichever namespace /proc was mounted
	 * for, and ns/pid is its own namespace all the same. */
	if (stat("/proc/self/ns/pid", &st)) {
		/* No such file: a kernel without pid namespaces, all initial. */
		if (errno == ENOENT)
			return 0;
		tk_warn("cannot tell the pid namespace: /proc/self/ns/pid: %s (is /proc mounted?)",
			strerror(errno));
		return -1;
	}
	if (st.st_ino == TK_PROC_PID_INIT_INO)
		return 0;
	/* The helper takes an inode that fits 32 bits, which nsfs's do. */
	if (st.st_ino > 0xffffffffu) {
		tk_warn("cannot filter in this pid namespace: inode %llu",
			(unsigned long long)st.st_ino);
		return -1;
	}
	f->pidns_dev = TK_MKDEV(major(st.st_dev), minor(st.st_dev));
	f->pidns_ino = st.st_ino;
	return 0;
}
