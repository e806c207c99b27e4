/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* A path as the names of its components, walked from the kernel's dentries
 * up to the global root, crossing mounts as d_path() does. Userspace joins
 * them (innermost first in the record). */
#ifndef TK_PATH_BPF_H
#define TK_PATH_BPF_H

#include <bpf/bpf_core_read.h>
#include <bpf/bpf_helpers.h>

/* Into @names, @max slots of @name_len bytes (both constants after
 * inlining: they bound every write for the verifier), innermost first;
 * *@depth gets the slots used. Returns false if @max slots were not enough
 * to reach the root. Always inline: a subprogram of it does not load on
 * Linux 6.1. */
static __always_inline bool tk_path_components(const struct path *p, char *names, int max,
					       int name_len, __u16 *depth)
{
	struct dentry *d = p->dentry, *parent, *mnt_root;
	struct vfsmount *vm = p->mnt;
	struct mount *m = container_of(vm, struct mount, mnt), *mp;
	int i;

	for (i = 0; i < max; i++) {
		mnt_root = BPF_CORE_READ(vm, mnt_root);
		parent = BPF_CORE_READ(d, d_parent);
		names[i * name_len] = '\0';
		*depth = i + 1;
		if (d == mnt_root || d == parent) {
			mp = BPF_CORE_READ(m, mnt_parent);
			if (mp == m || d != mnt_root) {
				*depth = i;
				return true;	/* the root: done */
			}
			d = BPF_CORE_READ(m, mnt_mountpoint);
			m = mp;
			vm = &mp->mnt;
			continue;
		}
		bpf_probe_read_kernel_str(names + i * name_len, name_len,
					  BPF_CORE_READ(d, d_name.name));
		d = parent;
	}
	return false;
}

#endif
